"""The exam bank: items are read and validated, and the engine checks every executable key.

STYLE.md section 6: "schema and correct counts hold; every option has a why, every
objective an item; each check agrees with evaluate on case_from_dict({**exhibit, **check})".
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from iamlab.cases import case_from_dict
from iamlab.engine import evaluate
from iamlab.exam import ExamError, bank, disagreements, load_bank, load_file, verify
from iamlab.exam.course import COURSE_POINTS, NOTEBOOKS, TOPICS
from iamlab.exam.items import parse_items

BANK = bank()
EXECUTABLE = [i for i in BANK.values() if i.executable]
ROLE = {"arn": "arn:aws:iam::111122223333:role/ReportReader", "accountId": "111122223333"}


def an_item(**changes: Any) -> dict[str, Any]:
    """A valid prediction item (EC2 trusted, Lambda asks), changed as told."""
    item: dict[str, Any] = {
        "id": "test-item", "notebook": "01-what-is-a-role", "difficulty": 1,
        "tags": ["point-4"], "stem": "Lambda asks to assume the role. What happens?",
        "sources": ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html"],
        "exhibit": {"resourcePolicy": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}},
        "options": [
            {"id": "a", "text": "Allowed", "correct": False, "why": "Only EC2 is trusted.",
             "decision": "allowed"},
            {"id": "b", "text": "Implicit deny", "correct": True, "why": "Nothing allows it.",
             "decision": "implicitDeny"},
            {"id": "c", "text": "Explicit deny", "correct": False, "why": "No Deny.",
             "decision": "explicitDeny"}],
        "checks": [{"request": {"principal": "lambda.amazonaws.com",
                                "action": "sts:AssumeRole", "resource": ROLE},
                    "expected": "implicitDeny"}]}
    item.update(changes)
    return item


def a_file(*items: dict[str, Any]) -> str:
    return json.dumps({"schema_version": 1, "items": list(items)})


def test_the_bank_loads_with_unique_ids_and_known_notebooks() -> None:
    assert len(BANK) >= 2
    assert all(item.notebook in NOTEBOOKS for item in BANK.values())
    assert all(item.file.startswith("iamlab/data/exam/") for item in BANK.values())


@pytest.mark.parametrize("item", list(BANK.values()), ids=lambda i: i.id)
def test_every_option_has_a_why_and_the_counts_hold(item: Any) -> None:
    assert all(o.why.strip() and o.text.strip() for o in item.options)
    correct = sum(o.correct for o in item.options)
    assert correct == (item.select if item.multiple else 1)
    assert item.sources and item.doc.startswith("https://docs.aws.amazon.com/")


@pytest.mark.parametrize("item", EXECUTABLE, ids=lambda i: i.id)
def test_each_check_agrees_with_the_engine(item: Any) -> None:
    """Each check is decided on case_from_dict({**exhibit, **check}) as STYLE.md says."""
    for check in item.checks:
        case = case_from_dict({**item.exhibit, **check.case})
        assert evaluate(case.request, case.policies).decision == check.expected, item.id
    assert [str(k) for k in verify(item) if not k.agrees] == []


def test_a_wrong_key_is_caught() -> None:
    """Marking the allowed option correct (and the check allowed) disagrees with the engine."""
    wrong = an_item(options=[dict(o, correct=o["id"] == "a") for o in an_item()["options"]],
                    checks=[dict(an_item()["checks"][0], expected="allowed")])
    item = parse_items(a_file(wrong), "wrong.json")[0]
    found = disagreements([item])
    assert [k.label for k in found] == ["checks[0]", "option a (allowed)",
                                        "option b (implicitDeny)"]
    assert str(found[0]) == ("wrong.json: item 'test-item': checks[0]: the key says allowed, "
                             "the engine says implicitDeny")


def test_a_policy_option_is_correct_exactly_when_it_meets_the_goal() -> None:
    """Options carrying a policy are run: the key must match whether each meets the goal."""
    def identity(action: str) -> dict[str, Any]:
        return {"identityPolicies": [{"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::reports/*"}]}]}
    goal = [{"request": {"principal": "arn:aws:iam::111122223333:role/App",
                         "action": "s3:GetObject", "resource": {
                             "arn": "arn:aws:s3:::reports/a.csv",
                             "accountId": "111122223333"}}, "expected": "allowed"}]
    raw = an_item(exhibit={}, checks=[], goal=goal, options=[
        {"id": "a", "text": "get", "correct": True, "why": "reads",
         "case": identity("s3:GetObject")},
        {"id": "b", "text": "put", "correct": False, "why": "writes",
         "case": identity("s3:PutObject")}])
    assert disagreements(parse_items(a_file(raw), "ok.json")) == []
    swapped = copy.deepcopy(raw)
    swapped["options"][0]["correct"], swapped["options"][1]["correct"] = False, True
    found = disagreements(parse_items(a_file(swapped), "bad.json"))
    assert {k.label for k in found} == {"option a", "option b"}
    assert "goal[0] is denied (implicit deny), not allowed" in str(found[1])


@pytest.mark.parametrize(("change", "message"), [
    ({"options": []}, "item 'test-item': options must be a list of 2 to 6 options"),
    ({"notebook": "99-nowhere"}, "notebook '99-nowhere' is not a course notebook"),
    ({"tags": ["point-16"]}, "tag 'point-16' is neither point-1..point-15 nor a topic"),
    ({"difficulty": 5}, "difficulty must be a whole number from 1 to 3, not 5"),
    ({"sources": ["https://example.com/iam"]}, "sources must be AWS documentation links"),
    ({"id": "Not Kebab"}, "item 'Not Kebab': id must be kebab-case"),
    ({"colour": "red"}, "unknown field 'colour'"),
    ({"checks": [{"request": {"principal": "x", "action": "sts:AssumeRole",
                              "resource": ROLE}, "expected": "maybe"}]},
     "checks[0].expected must be one of allowed, implicitDeny, explicitDeny, not 'maybe'"),
    ({"exhibit": {"resourcePolicy": {"Statement": [{"Effect": "allow"}]}}},
     "checks[0]: resourcePolicy"),
    ({"type": "multiple"}, 'a "choose 2" item needs 2 correct options, not 1'),
])
def test_a_malformed_item_names_the_file_the_item_and_the_field(change: dict[str, Any],
                                                                 message: str) -> None:
    with pytest.raises(ExamError) as caught:
        parse_items(a_file(an_item(**change)), "bank-x.json")
    assert str(caught.value).startswith("bank-x.json: item ")
    assert message in str(caught.value)


def test_an_option_without_why_is_an_error_naming_it() -> None:
    options = copy.deepcopy(an_item()["options"])
    del options[2]["why"]
    with pytest.raises(ExamError, match=r"bank-x.json: item 'test-item': options\[2\]\.why "
                                        "must be a non-empty string"):
        parse_items(a_file(an_item(options=options)), "bank-x.json")


def test_bad_json_and_duplicate_ids_are_clear_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1, "items": [\n  {"id": }\n]}')
    with pytest.raises(ExamError, match=r"broken.json: not valid JSON at line 2, column 10"):
        load_file(broken)
    broken.unlink()
    (tmp_path / "a.json").write_text(a_file(an_item()))
    (tmp_path / "b.json").write_text(a_file(an_item()))
    with pytest.raises(ExamError, match=r"b.json: item 'test-item': the id is already used "
                                        r"in .*a.json"):
        load_bank([tmp_path])
    with pytest.raises(ExamError, match="no exam item 'nope'"):
        BANK.item("nope")


def test_course_points_and_topics_are_one_table_each() -> None:
    assert sorted(COURSE_POINTS) == list(range(1, 16))
    assert all(t == t.lower() and " " not in t for t in TOPICS)


def test_the_bank_covers_the_course() -> None:
    """Issue 17: at least 80 items, 30 executable, every course point on three items or more,
    every exam topic of COURSE.md on at least three."""
    assert len(BANK) >= 80
    assert len(EXECUTABLE) >= 30
    tagged = {t: sum(t in i.tags for i in BANK.values()) for t in
              [f"point-{n}" for n in COURSE_POINTS] + list(TOPICS)}
    assert {t: n for t, n in tagged.items() if n < 3} == {}
    assert sum(i.multiple for i in BANK.values()) >= 10  # "choose two" items too
    # exam-style items have four or five options; a notebook's own items are predictions
    assert all(4 <= len(i.options) <= 5 for i in BANK.values()
               if Path(i.file).name.startswith("bank-") and not i.prediction)


def test_bank_files_leave_notebook_names_to_the_notebooks() -> None:
    """The bank's own files are bank-*.json; <notebook>.json files belong to the notebooks."""
    names = {Path(i.file).name for i in BANK.values()}
    assert all(n.startswith("bank-") or n[:-5] in NOTEBOOKS for n in names)


COURSE_JSON = Path(__file__).resolve().parent.parent / "notebooks" / "course.json"
# Objectives about the course's own tools, not exam material: no exam item asks about them.
NOT_EXAM_MATERIAL = {"start-1", "start-2", "exam-2"}


def test_every_objective_has_an_item_and_every_item_objective_exists() -> None:
    """STYLE.md section 6: "every objective an item" (objectives come from course.json,
    written on the notebook branches; without it there is nothing to compare with)."""
    if not COURSE_JSON.exists():
        pytest.skip("notebooks/course.json is not on this branch yet")
    course = json.loads(COURSE_JSON.read_text(encoding="utf-8"))
    objectives = {o: n["slug"] for n in course["notebooks"] for o in n["objectives"]}
    used = {o for item in BANK.values() for o in item.objectives}
    assert sorted(used - set(objectives)) == []
    assert sorted(set(objectives) - used - NOT_EXAM_MATERIAL) == []
