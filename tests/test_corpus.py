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

from iamlab.cases import Case, CaseError, case_from_dict
from iamlab.engine import evaluate

DATA = Path(__file__).parent / "data"
KNOWN: dict[str, str] = {}  # case id -> reason (see known_disagreements.md)


# Cases whose policies IAM refuses to store (two statements share a Sid: "In IAM, the Sid
# value must be unique within a JSON policy"); see known_disagreements.md. Their decisions
# are still checked, read with strict=False; ``iamlab simulate`` refuses them.
REPEATED_SID = {"pub-1-00971", "pub-1-01002", "pub-1-02226"}
LINES = [line for line in (DATA / "cases.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


def _cases() -> list[Case]:
    return [case_from_dict(json.loads(line), strict=False) for line in LINES]


CASES = _cases()


def test_corpus_is_complete() -> None:
    assert len(CASES) == 2500
    assert {c.expected for c in CASES} == {"allowed", "implicitDeny", "explicitDeny"}


def test_only_the_repeated_sid_cases_are_refused_by_default() -> None:
    """Read as ``iamlab simulate`` reads them, every case but the three with a repeated Sid
    is accepted; those three are refused with a message naming the Sid."""
    refused = {}
    for line in LINES:
        try:
            case_from_dict(json.loads(line))
        except CaseError as exc:
            refused[json.loads(line)["id"]] = str(exc)
    assert set(refused) == REPEATED_SID
    assert all("is used by two statements" in why for why in refused.values())


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
