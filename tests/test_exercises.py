"""Exercises grade the learner's own policy, and the feedback names a request it gets wrong.

The rules the grader applies are the engine's (tests/test_evaluation.py cites the IAM User
Guide for each); these tests check the grading itself: references pass, differently written
right answers pass, known-wrong answers fail with the expected kinds of finding, and each
finding about access carries a concrete request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iamlab import exercises
from iamlab.exercises.spec import ExerciseSpecError, exercise_from_dict
from iamlab.exercises.stage import Stage
from iamlab.exercises.workloads import WORKLOADS

REQUIRED = {"ec2-read-reports", "ec2-trust", "lambda-save-order", "vendor-external-id",
            "cross-account-mfa", "deny-delete-boundary"}
ALL = exercises.all_exercises()
REQUEST_KINDS = {"must-allow", "must-deny", "broader", "narrower"}
WRONG = [(ex, w) for ex in ALL for w in ex.wrong_answers]
RIGHT = [(ex, w) for ex in ALL for w in ex.right_answers]


def test_the_required_exercises_exist() -> None:
    assert set(exercises.ids()) >= REQUIRED


@pytest.mark.parametrize("ex", ALL, ids=lambda e: e.id)
def test_spec_is_complete(ex: exercises.Exercise) -> None:
    assert len(ex.hints) >= 2
    assert ex.must_allow, "an exercise needs at least one request the answer must allow"
    assert ex.must_deny, "and one it must deny"
    assert not ex.workload or ex.workload in WORKLOADS
    assert len(ex.wrong_answers) >= 5, "at least five known-wrong answers"
    assert len(ex.right_answers) >= 3, "at least three differently written right answers"
    kinds = {k for w in ex.wrong_answers for k in w.expect}
    assert "parse" in kinds or "lint" in kinds, "a typo or grammar mistake among the wrong ones"


@pytest.mark.parametrize("ex", ALL, ids=lambda e: e.id)
def test_reference_passes_its_own_grader(ex: exercises.Exercise) -> None:
    result = ex.grade(ex.reference)
    assert result.passed, result.text()
    assert exercises.check(ex.id, dict(ex.reference)) is None


@pytest.mark.parametrize(("ex", "answer"), RIGHT, ids=lambda x: getattr(x, "id", None)
                         or getattr(x, "name", ""))
def test_differently_written_right_answers_pass(ex: exercises.Exercise, answer: object) -> None:
    result = ex.grade(answer.policy)  # type: ignore[attr-defined]
    assert result.passed, result.text()


@pytest.mark.parametrize(("ex", "answer"), WRONG, ids=lambda x: getattr(x, "id", None)
                         or getattr(x, "name", ""))
def test_known_wrong_answers_fail_with_a_concrete_request(ex: exercises.Exercise,
                                                          answer: object) -> None:
    result = ex.grade(answer.policy)  # type: ignore[attr-defined]
    assert not result.passed
    assert {f.kind for f in result.findings} == set(answer.expect)  # type: ignore[attr-defined]
    for f in result.findings:
        if f.kind in REQUEST_KINDS:
            assert f.request is not None and f.request["action"] and f.request["resource"]
            assert f.request["action"] in f.message
            who_or_what = f.request["principal"] if ex.kind == "trust" else f.request["resource"]
            assert who_or_what in f.message


def test_broader_access_is_grouped_most_dangerous_first() -> None:
    ex = exercises.get("ec2-read-reports")
    result = ex.grade({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}]})
    groups = [f.message.split("(", 1)[1].split(")", 1)[0]
              for f in result.findings if f.kind == "broader"]
    assert groups[0] == "Permissions management access"
    assert groups.index("Write access") < groups.index("Read access")


def test_must_deny_names_the_statement_that_allowed() -> None:
    ex = exercises.get("ec2-read-reports")
    result = ex.grade({"Version": "2012-10-17", "Statement": [
        {"Sid": "Reports", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::reports/*"},
        {"Sid": "Oops", "Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "*"}]})
    deny = [f for f in result.findings if f.kind == "must-deny"]
    assert deny and deny[0].statement == "Oops"
    assert deny[0].request is not None and deny[0].request["action"] == "s3:DeleteObject"


def test_must_allow_explains_the_nearest_statement() -> None:
    ex = exercises.get("ec2-read-reports")
    result = ex.grade({"Version": "2012-10-17", "Statement": [
        {"Sid": "Bucket", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::reports"}]})
    first = result.findings[0]
    assert first.kind == "must-allow" and first.statement == "Bucket"
    assert "does not apply" in first.message and "Resource" in first.message


def test_a_typo_is_a_finding_never_a_traceback() -> None:
    ex = exercises.get("ec2-trust")
    for text in ("{", "", "[]", '{"Version": "2012-10-17", "Statement": "nope"}', "null",
                 '{"Statement": [{"Effect": "Allow", "Principal": {"Service": 7}}]}'):
        result = ex.grade(text)
        assert not result.passed
        assert result.findings[0].kind in {"parse", "lint"}


def test_no_answer_yet() -> None:
    with pytest.raises(exercises.NotYet, match="have not written the policy yet"):
        exercises.check("ec2-trust", None)


def test_check_raises_with_request_decision_and_hint() -> None:
    with pytest.raises(AssertionError) as info:
        exercises.check("ec2-trust", {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole"}]})
    text = str(info.value)
    assert text.startswith("Not yet (ec2-trust)")
    assert '"principal": "ec2.amazonaws.com"' in text and "implicitDeny" in text
    assert "Hint:" in text


def test_check_is_silent_when_passed(capsys: pytest.CaptureFixture[str]) -> None:
    assert exercises.check("vendor-external-id",
                           exercises.get("vendor-external-id").reference) is None
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_every_grade_starts_from_a_fresh_world() -> None:
    ex = exercises.get("ec2-read-reports")
    one, two = Stage.build(ex), Stage.build(ex)
    assert one.base is not two.base
    # what a learner does to a world of their own does not reach the grade
    from iamlab.world import scenarios

    mine = scenarios.ec2_reads_s3()
    mine.admin.s3.put_bucket_policy(Bucket="reports", Policy={"Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::reports/*"}]})
    assert ex.grade(ex.reference).passed


def test_boundary_grade_says_which_policy_decided() -> None:
    ex = exercises.get("deny-delete-boundary")
    result = ex.grade(ex.reference)
    assert result.passed and result.decided_by == ("permissions boundary",)


def test_workload_reports_what_broke() -> None:
    ex = exercises.get("lambda-save-order")
    result = ex.grade({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "dynamodb:PutItem",
        "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders"}]})
    workload = [f for f in result.findings if f.kind == "workload"]
    assert workload and "CloudWatch Logs" in workload[0].message


def test_unknown_exercise_suggests_one() -> None:
    with pytest.raises(exercises.UnknownExercise, match="Did you mean 'ec2-trust'"):
        exercises.get("ec2-trus")


@pytest.mark.parametrize(("raw", "message"), [
    ({"id": "Bad Id"}, "kebab-case"),
    ({"id": "x", "title": "t", "goal": "g", "notebook": "n", "task": "t", "world": "w",
      "edits": {"kind": "nope", "role": "R"}}, "edits.kind"),
    ({"id": "x", "title": "t", "goal": "g", "notebook": "n", "task": "t", "world": "w",
      "edits": {"kind": "trust", "role": "R"}, "starter": {}, "reference": {"a": 1},
      "hints": ["one", "two"]}, "starter"),
])
def test_a_malformed_spec_is_a_clear_error(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ExerciseSpecError, match=message):
        exercise_from_dict(raw, "test.json")


# -- the command line: the contract autograders use -----------------------------------------
def _iamlab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iamlab", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_cli_lists_exercises_as_json_lines() -> None:
    done = _iamlab("exercises", "--json")
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0
    assert {r["id"] for r in rows} >= REQUIRED
    assert all(set(r) == {"id", "title", "notebook", "edits"} for r in rows)


def test_cli_grade_exit_codes(tmp_path: Path) -> None:
    ex = exercises.get("ec2-trust")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(ex.reference))
    assert _iamlab("grade", "ec2-trust", str(good)).returncode == 0
    done = _iamlab("grade", "ec2-trust", "-", "--json", stdin="{not json")
    graded = json.loads(done.stdout)
    assert done.returncode == 1 and graded["passed"] is False
    assert graded["findings"][0]["kind"] == "parse"
    assert set(graded["findings"][0]) == {"kind", "message", "request", "statement"}
    assert _iamlab("grade", "no-such-exercise", str(good)).returncode == 2
    missing = _iamlab("grade", "ec2-trust", str(tmp_path / "missing.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_cli_grade_json_names_request_and_statement(tmp_path: Path) -> None:
    answer = tmp_path / "a.json"
    answer.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "All", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    graded = json.loads(_iamlab("grade", "ec2-read-reports", str(answer), "--json").stdout)
    deny = [f for f in graded["findings"] if f["kind"] == "must-deny"]
    assert deny[0]["statement"] == "All"
    assert deny[0]["request"]["resource"] == "arn:aws:s3:::other-bucket/q3.csv"
    assert set(deny[0]["request"]) == {"principal", "action", "resource", "context"}


# -- a passed answer agrees with the reference beyond the requests the grader asked ---------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from iamlab.catalog import catalog  # noqa: E402
from iamlab.exercises.spec import Probe  # noqa: E402
from iamlab.parse import parse_policy  # noqa: E402

COMPARED = [ex for ex in ALL if ex.compare]


def _random_probe(ex: exercises.Exercise) -> st.SearchStrategy[Probe]:
    contexts = st.sampled_from(ex.contexts)
    if ex.kind == "trust":
        role = ex.must_allow[0].resource
        accounts = st.sampled_from(["111122223333", "444455556666", "777788889999"])
        names = st.sampled_from(["alice", "bob", "audit-app", "intern", "x", "Admin"])
        iam = st.builds(lambda a, kind, n: f"arn:aws:iam::{a}:{kind}/{n}", accounts,
                        st.sampled_from(["user", "role"]), names)
        services = st.sampled_from(["ec2.amazonaws.com", "lambda.amazonaws.com",
                                    "ecs-tasks.amazonaws.com", "s3.amazonaws.com"])
        return st.builds(lambda p, c: Probe("sts:AssumeRole", role, p, c),
                         st.one_of(iam, services), contexts)
    actions = [a for s in ex.services for a in catalog().actions(s)]
    keys = st.text(alphabet="abcxyz/._-0123456789", min_size=1, max_size=12)
    resources = st.one_of(st.sampled_from(ex.resources),
                          st.builds(lambda r, k: r + k, st.sampled_from(ex.resources), keys))
    return st.builds(lambda a, r, c: Probe(a, r, "", c), st.sampled_from(actions), resources,
                     contexts)


@pytest.mark.parametrize("ex", COMPARED, ids=lambda e: e.id)
def test_right_answers_agree_with_the_reference_on_random_requests(
        ex: exercises.Exercise) -> None:
    stage = Stage.build(ex)
    reference = stage.with_policy(parse_policy(ex.reference, ex.policy_kind, "reference"))
    answers = [stage.with_policy(parse_policy(a.policy, ex.policy_kind, a.name))
               for a in ex.right_answers]

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(_random_probe(ex))
    def agree(probe: Probe) -> None:
        expected = stage.decide(reference, probe).allowed
        for answer in answers:
            assert stage.decide(answer, probe).allowed == expected, probe

    agree()


def test_a_bucket_policy_answer_is_also_graded_for_another_principal() -> None:
    """The 06 exercise's bucket policy must keep the auditor's access: she is a different
    principal acting directly (same account, no policy of her own, so the bucket policy alone
    allows her: IAM User Guide, "Policy evaluation logic", within one account). Graded in the
    world with the learner's bucket policy installed, with her request as the evidence."""
    ex = exercises.get("protect-confidential-reports")
    only_the_deny = {"Version": "2012-10-17", "Statement": [ex.reference["Statement"][1]]}
    (finding,) = ex.grade(only_the_deny).findings
    assert finding.kind == "workload" and finding.request is not None
    assert finding.request["principal"] == "arn:aws:iam::111122223333:user/auditor"
    assert finding.request["resource"] in finding.message


def test_a_role_trusted_by_a_role_is_asked_as_that_roles_session() -> None:
    """PlatformCleaner trusts the Administrator role only: its requests are made by a session
    the Administrator opened, not by a service the trust policy does not let in."""
    ex = exercises.get("slr-cleanup")
    assert Stage.build(ex).actor.principal == "arn:aws:iam::111122223333:role/Administrator"
    finding = ex.grade(ex.starter).findings[0]
    assert finding.request is not None
    assert finding.request["principal"].startswith(
        "arn:aws:sts::111122223333:assumed-role/PlatformCleaner/")
    assert "i-0" not in finding.request["principal"]


def test_a_must_deny_message_has_one_full_stop() -> None:
    ex = exercises.get("protect-confidential-reports")
    unchanged = ex.wrong_answers[0].policy
    assert all(".." not in f.message for f in ex.grade(unchanged).findings)
