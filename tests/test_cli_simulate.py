"""``iamlab simulate``: JSON Lines cases in, one JSON answer per line out, never a traceback.

Run both as a subprocess (``python -m iamlab simulate``, reading a file or stdin) and
in-process through ``iamlab.cli.main``. The case format is in tests/data/cases-README.md;
the decisions use the vocabulary of AWS's policy simulator (``EvalDecision``: allowed,
explicitDeny, implicitDeny; IAM API Reference, "EvaluationResult",
https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iamlab.cli import main, simulate_lines

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"


def case(case_id: str, identity: list[Any] | None = None, action: str = "s3:GetObject",
         **extra: Any) -> dict[str, Any]:
    return {
        "id": case_id,
        "identityPolicies": identity or [],
        "resourcePolicy": None, "permissionBoundaries": None, "scps": None,
        "sessionPolicy": None,
        "request": {"principal": USER, "action": action,
                    "resource": {"arn": "arn:aws:s3:::reports/q3.csv", "accountId": ACCOUNT},
                    "context": {}},
        **extra,
    }


READ = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::reports/*"}]}
DENY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "NoReports", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
GOOD = [case("read", [READ]), case("delete", [READ], "s3:DeleteObject"),
        case("denied", [READ, DENY])]
EXPECTED = [("read", "allowed"), ("delete", "implicitDeny"), ("denied", "explicitDeny")]


def lines(*cases: Any) -> str:
    return "".join((c if isinstance(c, str) else json.dumps(c)) + "\n" for c in cases)


def run_module(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run([sys.executable, "-m", "iamlab", "simulate", *args], input=data,
                          capture_output=True, cwd=ROOT, timeout=120, check=False)


def answers(stdout: str | bytes) -> list[dict[str, Any]]:
    text = stdout.decode() if isinstance(stdout, bytes) else stdout
    return [json.loads(line) for line in text.splitlines()]


# --- as a subprocess --------------------------------------------------------------------------

def test_subprocess_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(lines(*GOOD), encoding="utf-8")
    run = run_module(str(path))
    assert run.returncode == 0 and run.stderr == b""
    out = answers(run.stdout)
    assert [(a["id"], a["decision"]) for a in out] == EXPECTED
    assert all(set(a) == {"id", "decision", "error"} and a["error"] is None for a in out)


@pytest.mark.parametrize("args", [(), ("-",)])
def test_subprocess_reads_stdin(args: tuple[str, ...]) -> None:
    run = run_module(*args, stdin=lines(*GOOD))
    assert run.returncode == 0
    assert [(a["id"], a["decision"]) for a in answers(run.stdout)] == EXPECTED


def test_subprocess_bad_lines_and_the_rest_go_on() -> None:
    broken_policy = case("broken", [{"Version": "2012-10-17", "Statement": [
        {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}])
    data = (lines(GOOD[0], '{"id": "x", "request": ', {"id": "no-request"}, broken_policy,
                  "[1, 2]", GOOD[2]).encode()
            + b'{"id": "caf\xe9"}\n' + ("[" * 100000 + "\n").encode() + lines(GOOD[1]).encode())
    run = run_module(stdin=data)
    assert run.returncode == 1
    assert b"Traceback" not in run.stderr
    out = answers(run.stdout)
    assert [a["decision"] for a in out] == [
        "allowed", None, None, None, None, "explicitDeny", None, None, "implicitDeny"]
    errors = [a["error"] for a in out]
    assert errors[1].startswith("line 2: invalid JSON at column")
    assert errors[2] == "line 3: the case has no request object"
    assert out[2]["id"] == "no-request"
    assert errors[3].startswith("line 4: identityPolicies[0] Statement[0].Effect: ")
    assert 'write "Allow"' in errors[3] and out[3]["id"] == "broken"
    assert errors[4] == "line 5: a case must be a JSON object"
    assert errors[6].startswith("line 7: not UTF-8 text")
    assert errors[7] == "line 8: invalid JSON: nested too deeply"


def test_subprocess_missing_file() -> None:
    run = run_module("/nonexistent/cases.jsonl")
    assert run.returncode == 2
    assert run.stdout == b""
    assert b"cannot read /nonexistent/cases.jsonl" in run.stderr
    assert b"Traceback" not in run.stderr


def test_subprocess_explain() -> None:
    run = run_module("--explain", stdin=lines(GOOD[2]))
    (answer,) = answers(run.stdout)
    explanation = answer["explanation"]
    assert answer["decision"] == "explicitDeny"
    assert explanation["decision"] == "explicitDeny"
    assert 'statement "NoReports", explicitly denies s3:GetObject' in explanation["summary"]
    assert explanation["deciding"] and "NoReports" in explanation["deciding"][0]
    assert {s["statement"] for s in explanation["statements"]} == {
        'statement "ReadReports"', 'statement "NoReports"'}


# --- in-process -------------------------------------------------------------------------------

def test_main_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(lines(*GOOD, "", "   "), encoding="utf-8")  # blank lines are skipped
    assert main(["simulate", str(path)]) == 0
    out = answers(capsys.readouterr().out)
    assert [(a["id"], a["decision"]) for a in out] == EXPECTED


def test_main_reads_stdin(monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines(GOOD[0], "not json")))
    assert main(["simulate", "--explain"]) == 1
    first, second = answers(capsys.readouterr().out)
    assert first["decision"] == "allowed" and first["explanation"]["summary"]
    assert first["explanation"]["deciding"] == [
        'identity-based policy "identityPolicies[0]", statement "ReadReports" (Allow) applies:'
        " it allows the request"]
    assert second == {"id": None, "decision": None,
                      "error": "line 2: invalid JSON at column 1: Expecting value"}


def test_main_readme_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(ROOT / "examples" / "cases.jsonl")]) == 1
    out = answers(capsys.readouterr().out)
    assert [a["decision"] for a in out] == ["allowed", "implicitDeny", "allowed", None]


@pytest.mark.parametrize(("request_", "message"), [
    ({"principal": USER}, "request.action must be a string"),
    ({"principal": 5, "action": "s3:GetObject"}, "request.principal must be a string"),
    ({"principal": USER, "action": "s3:GetObject", "resource": 7},
     'request.resource must be {"arn": ..., "accountId": ...}'),
    ({"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
      "context": {"aws:SourceIp": 10}},
     "request.context must map keys to a string or a list of strings"),
])
def test_malformed_requests(request_: dict[str, Any], message: str) -> None:
    (answer,) = simulate_lines([json.dumps({"id": "c", "request": request_})])
    assert answer == {"id": "c", "decision": None, "error": f"line 1: {message}"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("identityPolicies", {"Statement": []}, "identityPolicies must be a list"),
    ("scps", "root", "scps must be a list of organisation levels or null"),
    ("rcps", 3, "rcps must be a list of organisation levels or null"),
    ("resourcePolicy", {"Version": "2012-10-17", "Statement": [READ["Statement"][0]]},
     "resourcePolicy Statement[0]: the statement has no Principal"),
    ("identityPolicies", [42], "identityPolicies[0] the document: a policy"),
])
def test_malformed_policies_in_a_case(field: str, value: Any, message: str) -> None:
    raw = case("c", [READ])
    raw[field] = value
    (answer,) = simulate_lines([json.dumps(raw)])
    assert answer["decision"] is None
    assert answer["error"].startswith(f"line 1: {message}"), answer["error"]


def test_string_resource_and_bytes_lines() -> None:
    raw = case("c", [READ])
    raw["request"]["resource"] = "arn:aws:s3:::reports/q3.csv"
    (answer,) = simulate_lines([json.dumps(raw).encode()])
    assert answer == {"id": "c", "decision": "allowed", "error": None}


def _answer(line: str) -> dict[str, Any]:
    (answer,) = simulate_lines([line])
    return answer


def test_a_repeated_key_is_refused_as_parse_policy_and_lint_refuse_it() -> None:
    """IAM JSON policy grammar: AWS rejects a policy whose JSON repeats a key, and so do
    parse_policy and lint (grammar-duplicate-key); simulate gives the same answer instead
    of deciding on the value JSON decoding kept (issue 13: this case answered "allowed")."""
    statement = ('{"Effect": "Deny", "Effect": "Allow", "Action": "s3:GetObject", '
                 '"Resource": "*"}')
    text = json.dumps(case("dup", [{"Version": "2012-10-17", "Statement": ["@"]}]))
    answer = _answer(text.replace('"@"', statement))
    assert answer["decision"] is None
    assert '"Effect" appears twice in identityPolicies[0].Statement[0]' in answer["error"]
    assert answer["error"].startswith("line 1: ")
    # the rest of a line is read after the repeated key: bad JSON is still bad JSON
    broken = _answer('{"a": 1, "a": 2, ')
    assert broken["decision"] is None and "invalid JSON" in broken["error"]


def test_a_repeated_sid_is_refused_as_iam_refuses_it() -> None:
    """IAM JSON policy elements: Sid, "In IAM, the Sid value must be unique within a JSON
    policy"; parse_policy and lint refuse it, and so does simulate."""
    twice = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}
    answer = _answer(json.dumps(case("sid", [twice])))
    assert answer["decision"] is None
    assert 'Sid "Read" is used by two statements' in answer["error"]


def test_role_arn_says_which_role_a_session_belongs_to() -> None:
    """IAM identifiers: a session ARN carries only the role's name, while a trust policy
    names the role by its full ARN with its path. ``request.roleArn`` gives the role (path
    and all), as ``iamlab graph`` knows it from the dump; without it the role is taken to
    have no path (issue 13: simulate answered implicitDeny where AWS and the graph allow)."""
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/App/s1"
    role = f"arn:aws:iam::{ACCOUNT}:role/team/App"
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "sts:AssumeRole"}]}
    assume = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
    target = {"arn": f"arn:aws:iam::{ACCOUNT}:role/Target", "accountId": ACCOUNT}

    def assume_case(**request: Any) -> dict[str, Any]:
        c = case("assume", [assume], "sts:AssumeRole", resourcePolicy=trust)
        c["request"].update(principal=session, resource=target, **request)
        return c

    assert _answer(json.dumps(assume_case()))["decision"] == "implicitDeny"
    assert _answer(json.dumps(assume_case(roleArn=role)))["decision"] == "allowed"
    # aws:PrincipalArn holds the role's ARN for a role session: it says the same
    with_key = assume_case(context={"aws:PrincipalArn": role})
    assert _answer(json.dumps(with_key))["decision"] == "allowed"
    # a role that is not the session's is refused, saying why
    wrong = _answer(json.dumps(assume_case(roleArn=f"arn:aws:iam::{ACCOUNT}:role/Other")))
    assert wrong["decision"] is None and "request.roleArn" in wrong["error"]
    assert "not the role of the session" in wrong["error"]
    bad_type = _answer(json.dumps(assume_case(roleArn=7)))
    assert "request.roleArn must be a string" in bad_type["error"]
