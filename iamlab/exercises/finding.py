"""One thing wrong with an answer: its kind (the grading step that found it), what to read,
and the request that shows it where there is one. The grader and the workloads make them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One thing wrong with an answer, with the request that shows it where there is one."""

    kind: str
    message: str
    request: Mapping[str, Any] | None = None
    statement: str | int | None = None
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message,
                "request": dict(self.request) if self.request is not None else None,
                "statement": self.statement}
