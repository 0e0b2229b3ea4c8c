"""Every case of the independent evaluator's corpus must agree with iamlab.

The corpus (tests/data/cases.jsonl, from ../shared/oracle) was produced by
@cloud-copilot/iam-simulate; see tests/data/cases-README.md. Disagreements where AWS's
documentation says otherwise go into tests/data/known_disagreements.md and KNOWN below as
strict expected failures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamlab.cases import Case, case_from_dict
from iamlab.engine import evaluate

DATA = Path(__file__).parent / "data"
KNOWN: dict[str, str] = {}  # case id -> reason (see known_disagreements.md)


def _cases() -> list[Case]:
    lines = (DATA / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    return [case_from_dict(json.loads(line)) for line in lines if line.strip()]


CASES = _cases()


def test_corpus_is_complete() -> None:
    assert len(CASES) == 2500
    assert {c.expected for c in CASES} == {"allowed", "implicitDeny", "explicitDeny"}


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=KNOWN[c.id])]
                  if c.id in KNOWN else []) for c in CASES],
)
def test_case(case: Case) -> None:
    quick = evaluate(case.request, case.policies)
    explained = evaluate(case.request, case.policies, explain=True)
    assert quick.decision == case.expected, explained.text()
    assert explained.decision == quick.decision
    assert explained.summary


def test_quick_and_explained_evaluation_agree_on_every_case() -> None:
    """Without an explanation the engine stops at the first Deny that applies ("Policy
    evaluation logic", "How AWS enforcement code logic evaluates requests": "an explicit deny
    in any of these policies overrides the allow", so nothing weighed after it can change the
    answer). That shortcut must not change anything a caller reads: for every corpus case
    the quick and the explained decision agree on the decision, the reason code, the policy
    kind that blocked, the organisation level and the deciding statement (``cause``)."""
    differences = []
    for case in CASES:
        quick = evaluate(case.request, case.policies)
        explained = evaluate(case.request, case.policies, explain=True)
        for name in ("decision", "reason", "blocked_by", "level", "cause"):
            if getattr(quick, name) != getattr(explained, name):
                differences.append(f"{case.id}: {name} {getattr(quick, name)!r} without "
                                   f"explanation, {getattr(explained, name)!r} with")
    assert not differences, "\n".join(differences[:20])
