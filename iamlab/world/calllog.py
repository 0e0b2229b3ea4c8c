"""Every call made in the world, like a small CloudTrail: who, what, on what, when, answer.

Rows are kept in the order calls started (a Lambda invocation comes before the calls its
handler makes). Sentences explaining decisions are only written when the log is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from iamlab.decision import Decision

if TYPE_CHECKING:
    import pandas

COLUMNS = ("time", "who", "service", "operation", "action", "resource", "decision",
           "error", "reason", "source_ip", "access_key", "invoked_by")


@dataclass(frozen=True)
class CallRecord:
    """One API call and its outcome. ``decision`` is the engine's answer for ``action``
    (the permission that decided the call), or None when the call never got that far."""

    time: datetime
    who: str
    service: str
    operation: str
    action: str = ""
    resource: str = ""
    decision: Decision | None = None
    error: str = ""
    message: str = ""
    source_ip: str = ""
    access_key: str = ""
    invoked_by: str = ""

    @property
    def verdict(self) -> str:
        """``allowed``, ``explicitDeny``, ``implicitDeny``, or ``""`` when nothing was decided."""
        return self.decision.decision if self.decision is not None else ""

    @property
    def reason(self) -> str:
        if self.decision is not None and not self.decision.allowed:
            return self.decision.summary
        return self.message if self.error else (
            self.decision.summary if self.decision is not None else "")

    def row(self) -> dict[str, object]:
        return {"time": self.time, "who": self.who, "service": self.service,
                "operation": self.operation, "action": self.action, "resource": self.resource,
                "decision": self.verdict, "error": self.error, "reason": self.reason,
                "source_ip": self.source_ip, "access_key": self.access_key,
                "invoked_by": self.invoked_by}


class CallLog:
    """The world's record of calls; :meth:`frame` shows it as a table."""

    def __init__(self) -> None:
        self._records: list[CallRecord | None] = []

    def reserve(self) -> int:
        """Keep a place for a call that has started (so rows follow start order)."""
        self._records.append(None)
        return len(self._records) - 1

    def fill(self, slot: int, record: CallRecord) -> None:
        self._records[slot] = record

    def add(self, record: CallRecord) -> None:
        self._records.append(record)

    @property
    def records(self) -> list[CallRecord]:
        return [r for r in self._records if r is not None]

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> CallRecord:
        return self.records[index]

    @property
    def last(self) -> CallRecord | None:
        recs = self.records
        return recs[-1] if recs else None

    def clear(self) -> None:
        self._records.clear()

    def frame(self, last: int | None = None, *, who: str | None = None,
              denied: bool = False) -> pandas.DataFrame:
        """The calls as a DataFrame. ``last`` keeps the most recent N, ``who`` keeps calls
        whose principal contains that text, ``denied`` keeps only refused calls."""
        import pandas

        recs = self.records
        if who:
            recs = [r for r in recs if who in r.who]
        if denied:
            recs = [r for r in recs if r.error]
        if last is not None:
            recs = recs[-last:] if last > 0 else []
        return pandas.DataFrame([r.row() for r in recs], columns=list(COLUMNS))
