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
