"""A learner's answers, saved locally: ``~/.iamlab/quiz-progress.json`` (never the network).

For each item: how often it was answered, how often right, and whether the last answer was
right. From that: the topics a learner is weak in, and the items to review (the mistakes).
A file that cannot be read starts a fresh record and is kept aside, never a traceback.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iamlab.exam.course import tag_title
from iamlab.exam.items import Item

VERSION = 1


def default_path() -> Path:
    """``~/.iamlab/quiz-progress.json`` (the learner's home, as ``HOME`` says)."""
    return Path.home() / ".iamlab" / "quiz-progress.json"


@dataclass(frozen=True)
class TopicScore:
    """Right answers out of answered, for one tag."""

    tag: str
    right: int
    answered: int

    @property
    def title(self) -> str:
        return tag_title(self.tag)

    @property
    def ratio(self) -> float:
        return self.right / self.answered if self.answered else 0.0


def scores_by_topic(results: Iterable[tuple[Item, bool]]) -> list[TopicScore]:
    """Per tag, right out of answered; weakest first, then by tag."""
    right: dict[str, int] = {}
    answered: dict[str, int] = {}
    for item, ok in results:
        for tag in item.tags:
            answered[tag] = answered.get(tag, 0) + 1
            right[tag] = right.get(tag, 0) + ok
    found = [TopicScore(t, right[t], n) for t, n in answered.items()]
    return sorted(found, key=lambda s: (s.ratio, -s.answered, s.tag))


class Progress:
    """The saved record of one learner's answers (``path`` defaults to :func:`default_path`)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.note = ""  # set when an unreadable file was put aside
        self.items: dict[str, dict[str, Any]] = self._read()

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            return self._put_aside(exc)
        items = raw.get("items") if isinstance(raw, Mapping) else None
        if not isinstance(items, Mapping) or not all(
                isinstance(v, Mapping) and isinstance(v.get("answered"), int)
                and isinstance(v.get("right"), int) for v in items.values()):
            return self._put_aside(ValueError("not a quiz progress file"))
        return {k: dict(v) for k, v in items.items()}

    def _put_aside(self, exc: Exception) -> dict[str, dict[str, Any]]:
        aside = self.path.with_suffix(".unreadable.json")
        try:
            os.replace(self.path, aside)
            self.note = f"{self.path} could not be read ({exc}); it was kept as {aside}."
        except OSError:
            self.note = f"{self.path} could not be read ({exc}); starting afresh."
        return {}

    def record(self, item: Item, right: bool) -> None:
        """Count one answer and save."""
        entry = self.items.setdefault(item.id, {"answered": 0, "right": 0})
        entry["answered"] += 1
        entry["right"] += int(right)
        entry["last"] = bool(right)
        entry["when"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": VERSION, "items": self.items}, indent=1),
                       encoding="utf-8")
        os.replace(tmp, self.path)

    def mistakes(self) -> list[str]:
        """Ids of items whose last answer was wrong, in the order they were answered."""
        wrong = [(v.get("when", ""), k) for k, v in self.items.items() if v.get("last") is False]
        return [k for _, k in sorted(wrong)]

    def topics(self, bank: Mapping[str, Item]) -> list[TopicScore]:
        """Score per tag over every answer saved (weakest first); unknown ids are skipped."""
        results: list[tuple[Item, bool]] = []
        for ident, entry in self.items.items():
            item = bank.get(ident)
            if item is None:
                continue
            results += [(item, True)] * entry["right"]
            results += [(item, False)] * (entry["answered"] - entry["right"])
        return scores_by_topic(results)

    def weak_topics(self, bank: Mapping[str, Item], below: float = 0.7) -> list[TopicScore]:
        """Topics answered with fewer than ``below`` of the answers right."""
        return [t for t in self.topics(bank) if t.ratio < below]
