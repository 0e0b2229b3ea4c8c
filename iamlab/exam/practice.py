"""A quiz run: which items, in which order, the learner's answers, the time, the score.

Practice mode marks each answer at once; exam mode is a timed set marked at the end (an
item not answered when time runs out counts as wrong). The widgets in
:mod:`iamlab.widgets.quiz` show a run; the marking and scoring are here.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from iamlab.exam.items import ExamError, Item, Option
from iamlab.exam.progress import Progress, TopicScore, scores_by_topic

MODES = ("practice", "exam")
# The SAA exam allows 130 minutes for 65 questions: two minutes each.
MINUTES_PER_ITEM = 2.0


def ordered_options(item: Item, seed: int | str = 0) -> tuple[Option, ...]:
    """The options in the order shown: shuffled (the same way for the same seed) unless the
    item says ``shuffle: false`` or is a prediction (allowed / implicit / explicit deny)."""
    options = list(item.options)
    if item.shuffle and not item.prediction:
        random.Random(f"{seed}:{item.id}").shuffle(options)
    return tuple(options)


def choose(items: Sequence[Item], count: int | None = None, seed: int | None = None
           ) -> list[Item]:
    """``count`` items (all when None), in a random order for a seed, else as given."""
    chosen = list(items)
    if seed is not None:
        random.Random(seed).shuffle(chosen)
    return chosen[:count] if count is not None else chosen


@dataclass(frozen=True)
class Marked:
    """One answer: what was chosen, and whether it was right."""

    item: Item
    chosen: frozenset[str]
    right: bool


class QuizRun:
    """A learner working through ``items`` in ``mode`` (practice or exam)."""

    def __init__(self, items: Sequence[Item], mode: str = "practice",
                 minutes: float | None = None, progress: Progress | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if mode not in MODES:
            raise ExamError(f'mode must be "practice" or "exam", not {mode!r}')
        if not items:
            raise ExamError("no exam items match: choose other tags or difficulties")
        self.items = list(items)
        self.mode = mode
        if minutes is None and mode == "exam":
            minutes = MINUTES_PER_ITEM * len(self.items)
        self.minutes = minutes
        self.progress = progress
        self.clock = clock
        self.started = clock()
        self.position = 0
        self.answers: dict[str, Marked] = {}
        self.finished = False

    @property
    def current(self) -> Item:
        return self.items[self.position]

    def time_left(self) -> float | None:
        """Seconds left in exam mode (None without a limit), never below zero."""
        if self.minutes is None:
            return None
        return max(0.0, self.minutes * 60 - (self.clock() - self.started))

    @property
    def time_up(self) -> bool:
        left = self.time_left()
        return left is not None and left <= 0

    def answer(self, chosen: Iterable[str]) -> Marked:
        """Mark an answer to the current item (saved at once in practice mode)."""
        if self.finished:
            raise ExamError("this quiz is over: start a new one")
        if self.time_up:
            self.finish()
            raise ExamError("time is up: the exam has been marked")
        item = self.current
        picked = frozenset(chosen)
        unknown = picked - {o.id for o in item.options}
        if unknown:
            raise ExamError(f"item {item.id!r} has no option {sorted(unknown)[0]!r}")
        if not picked:
            raise ExamError("choose an answer first")
        if item.multiple and len(picked) != item.select:
            raise ExamError(f"choose {item.select} answers (you chose {len(picked)})")
        marked = Marked(item, picked, item.grade(picked))
        self.answers[item.id] = marked
        if self.mode == "practice" and self.progress is not None:
            self.progress.record(item, marked.right)
        return marked

    def go(self, position: int) -> Item:
        """Move to another item of the run."""
        self.position = max(0, min(position, len(self.items) - 1))
        return self.current

    def finish(self) -> list[Marked]:
        """End the run; in exam mode, save every answer (an unanswered item is wrong)."""
        if not self.finished:
            self.finished = True
            if self.mode == "exam" and self.progress is not None:
                for marked in self.marked():
                    self.progress.record(marked.item, marked.right)
        return self.marked()

    def marked(self) -> list[Marked]:
        """Every item's answer (an unanswered item counts as a wrong, empty answer)."""
        return [self.answers.get(i.id, Marked(i, frozenset(), False)) for i in self.items]

    def score(self) -> tuple[int, int]:
        """Points earned and points possible (an item's ``points``, 1 to 3)."""
        marked = self.marked()
        return (sum(m.item.points for m in marked if m.right),
                sum(m.item.points for m in marked))

    def by_topic(self) -> list[TopicScore]:
        """Right out of answered per tag, weakest first."""
        return scores_by_topic((m.item, m.right) for m in self.marked())
