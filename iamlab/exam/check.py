"""The engine checks an item's key: every claim an executable item makes about a decision.

Three kinds of claim (see :mod:`iamlab.exam.items`): a check's ``expected`` decision on
``case_from_dict({**exhibit, **check})``; a prediction option's ``decision`` (correct
exactly when it is the engine's answer to ``checks[0]``); an option's ``case`` (correct
exactly when, laid over the exhibit, every ``goal`` request gets its expected decision).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from iamlab.cases import case_from_dict
from iamlab.decision import Decision
from iamlab.engine import evaluate
from iamlab.exam.items import DECISION_WORDS, Check, Item, Option


@dataclass(frozen=True)
class KeyCheck:
    """One claim of the key and what the engine says."""

    item: Item
    label: str  # "checks[0]", "option b"
    claim: str
    actual: str
    decision: Decision | None = None
    detail: str = ""  # why the engine says so (which goal request failed)

    @property
    def agrees(self) -> bool:
        return self.claim == self.actual

    def __str__(self) -> str:
        where = f"{self.item.file}: " if self.item.file else ""
        return (f"{where}item {self.item.id!r}: {self.label}: the key says {self.claim}, "
                f"the engine says {self.actual}" + (f" ({self.detail})" if self.detail else ""))


def decide(item: Item, check: Check, option: Option | None = None,
           explain: bool = False) -> Decision:
    """The engine's decision for one check (or goal request), with an option's changes."""
    case = case_from_dict(item.case(check, option))
    return evaluate(case.request, case.policies, explain=explain)


def _goal_met(item: Item, option: Option) -> tuple[str, Decision | None]:
    for index, goal in enumerate(item.goal):
        decision = decide(item, goal, option)
        if decision.decision != goal.expected:
            return (f"goal[{index}] is {DECISION_WORDS[decision.decision]}, not "
                    f"{DECISION_WORDS[goal.expected]}", decision)
    return "", None


def verify(item: Item) -> list[KeyCheck]:
    """Every claim of the item's key, each with the engine's answer (empty if not executable)."""
    found: list[KeyCheck] = []
    first: Decision | None = None
    for index, check in enumerate(item.checks):
        decision = decide(item, check)
        first = first or decision
        found.append(KeyCheck(item, f"checks[{index}]", check.expected, decision.decision,
                              decision))
    for option in item.options:
        key = "correct" if option.correct else "wrong"
        if option.decision is not None and first is not None:
            actual = "correct" if option.decision == first.decision else "wrong"
            found.append(KeyCheck(item, f"option {option.id} ({option.decision})", key, actual,
                                  first))
        if option.case is not None:
            detail, failed = _goal_met(item, option)
            found.append(KeyCheck(item, f"option {option.id}", key,
                                  "wrong" if detail else "correct", failed,
                                  detail or "every goal request is decided as expected"))
    return found


def disagreements(items: Iterable[Item]) -> list[KeyCheck]:
    """Every claim, over many items, where the key and the engine differ."""
    return [k for item in items if item.executable for k in verify(item) if not k.agrees]
