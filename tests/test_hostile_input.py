"""Hostile and malformed input gets a clear answer, never a traceback (issue 13).

Each test is the smallest input that once showed the problem: a malformed dump entry, a
lone surrogate, an escape sequence, NaN, /dev/zero, a wrong parameter type in the world.
References: IAM User Guide, "IAM and AWS STS quotas" (names are ASCII: alphanumeric and
``+=,.@_-``; the external ID likewise); botocore's parameter validation
(``ParamValidationError``); RFC 8259 section 6 (JSON has no NaN or Infinity).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from iamlab import PolicySet, Request, evaluate, parse_policy
from iamlab.authz_dump import load_inventory
from iamlab.cli import json_answer, main, simulate_lines
from iamlab.errors import Problem
from iamlab.graph import build_graph
from iamlab.graph.dot import node_id, to_dot
from iamlab.graph.render import dot_program
from iamlab.inputs import MAX_POLICY_BYTES
from iamlab.lint import lint_policy
from iamlab.printable import printable
from iamlab.world import AccessDenied, ParamValidationError, ServiceError, ValidationError, World

ACCOUNT = "111122223333"
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "sts:AssumeRole"}]}
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                 "Resource": "*"}]}


def role(name: str = "R", **fields: Any) -> dict[str, Any]:
    return {"RoleName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "AssumeRolePolicyDocument": TRUST, **fields}


def user(name: str = "alice", **fields: Any) -> dict[str, Any]:
    return {"UserName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "UserPolicyList": [{"PolicyName": "admin", "PolicyDocument": ADMIN}], **fields}


def strict_json(line: str) -> Any:
    """Parse as strict JSON: NaN and Infinity refused."""
    def refuse(word: str) -> Any:
        raise ValueError(f"not strict JSON: {word}")
    return json.loads(line, parse_constant=refuse)


# -- printable -------------------------------------------------------------------------------

def test_printable_escapes_terminal_controls_and_keeps_ordinary_text() -> None:
    assert printable("\x1b[2J\x1b]0;title\x07") == "\\x1b[2J\\x1b]0;title\\x07"
    assert printable("a\ud800b\u202ec\x9bd") == "a\\ud800b\\u202ec\\x9bd"
    assert printable("line\nnext", keep_newlines=True) == "line\nnext"
    assert printable("line\nnext") == "line\\nnext"
    assert printable("héllo wörld ✓") == "héllo wörld ✓"


# -- dumps -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("where", "field"), [
    ("role", "Tags"), ("role", "AttachedManagedPolicies"), ("role", "RolePolicyList"),
    ("role", "InstanceProfileList"), ("user", "UserPolicyList"), ("user", "GroupList"),
    ("group", "GroupPolicyList"), ("policy", "PolicyVersionList")])
def test_a_field_that_is_not_a_list_is_noted_and_the_rest_loads(where: str, field: str) -> None:
    dump: dict[str, Any] = {"RoleDetailList": [role("Other")], "UserDetailList": [],
                            "GroupDetailList": [], "Policies": []}
    if where == "role":
        dump["RoleDetailList"].append(role(**{field: 5}))
    elif where == "user":
        dump["UserDetailList"].append(user(**{field: 5}))
    elif where == "group":
        dump["GroupDetailList"].append({"GroupName": "g", "Arn": f"arn:aws:iam::{ACCOUNT}:group/g",
                                        field: 5})
    else:
        dump["Policies"].append({"PolicyName": "p", "Arn": f"arn:aws:iam::{ACCOUNT}:policy/p",
                                 field: 5})
    inventory = load_inventory(dump)
    assert any(f"{field} should be a list, not int" in n for n in inventory.notes)
    assert inventory.role("Other") is not None
    build_graph(inventory)


@pytest.mark.parametrize(("entry", "said"), [
    ({}, "RoleDetailList[1]: no Arn"),
    (role(Arn=f"arn:aws:iam::{ACCOUNT}:user/R"), "is not an IAM role ARN"),
    (role(Arn="not-an-arn"), "is not an IAM role ARN")])
def test_a_role_entry_without_a_role_arn_is_skipped_with_where_it_is(
        entry: dict[str, Any], said: str) -> None:
    inventory = load_inventory({"RoleDetailList": [role("Other"), entry],
                                "UserDetailList": [user()]})
    assert [r.name for r in inventory.roles] == ["Other"]
    assert any(said in n for n in inventory.notes)
    graph = build_graph(inventory)
    assert any(e.target.endswith("role/Other") for e in graph.edges)


def test_a_role_name_differing_from_its_arn_in_case_uses_the_arn() -> None:
    inventory = load_inventory({"RoleDetailList": [role("R", RoleName="r")],
                                "UserDetailList": [user()]})
    assert inventory.roles[0].name == "R"
    assert any("RoleName 'r' differs" in n for n in inventory.notes)
    assert build_graph(inventory).edges


def test_deep_nesting_and_huge_numbers_in_a_dump(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"RoleDetailList": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["graph", str(deep)]) == 2
    err = capsys.readouterr().err
    assert "nested too deeply" in err and err.count("\n") == 1
    big = tmp_path / "big.json"
    big.write_text('{"RoleDetailList": [' + json.dumps(role())[:-1]
                   + ', "MaxSessionDuration": ' + "9" * 5000 + "}]}")
    inventory = load_inventory(big)
    assert inventory.roles[0].max_session_duration == 3600


def test_dev_zero_as_a_dump_is_refused_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "/dev/zero"]) == 2
    assert "is not JSON" in capsys.readouterr().err


def test_graph_notes_show_escape_sequences_escaped(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps({"RoleDetailList": [role(Tags="\x1b]0;pwned\x07"),
                                                   role("X", Arn="\x1b[2J")]}))
    assert main(["graph", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2J" in out


def _odd_graph(name: str) -> Any:
    return build_graph(load_inventory({"RoleDetailList": [role(name)],
                                       "UserDetailList": [user()]}))


def test_a_lone_surrogate_in_a_name_draws(tmp_path: Path) -> None:
    graph = _odd_graph("\ud800")
    source = to_dot(graph)
    assert node_id(f"arn:aws:iam::{ACCOUNT}:role/\ud800") in source
    assert "\\ud800" in source
    source.encode("utf-8")  # nothing unencodable reaches the DOT text


@pytest.mark.skipif(dot_program() is None, reason="needs Graphviz's dot program")
@pytest.mark.parametrize("name", ["\x1b", "\x07\x08"])
def test_a_name_made_of_control_characters_draws_as_svg(name: str) -> None:
    from iamlab.graph.render import svg

    assert "<svg" in svg(to_dot(_odd_graph(name)))


def test_the_playground_diagram_draws_a_lone_surrogate() -> None:
    from iamlab.playground import Ask, RolePlayground
    from iamlab.widgets.graphview import diagram_source

    model = RolePlayground(parse_policy(TRUST, "trust"), role_name="App\ud800")
    outcome = model.decide(Ask(f"arn:aws:iam::{ACCOUNT}:user/\ud800", "s3:GetObject",
                               "arn:aws:s3:::b/\ud800"))
    diagram_source(model, outcome).encode("utf-8")


# -- lint ------------------------------------------------------------------------------------

def _lint_text(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> str:
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    main(["lint", str(path)])
    out = capsys.readouterr().out
    out.encode("utf-8")
    return out


def test_lint_text_output_with_a_lone_surrogate_and_escape_sequences(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _lint_text(tmp_path, capsys, '{"Version": "2012-10-17", "Statement": [{"Effect": '
                     '"Allow", "Action": "s3:GetObjec\\u001b[31m", "Resource": "*"}]}')
    assert "\x1b" not in out and "s3:GetObjec\\x1b[31m" in out
    out = _lint_text(tmp_path, capsys, '{"Version": "2012-10-17", "Statement": [{"Effect": '
                     '"Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::\\ud800"}]}')
    assert "arn:aws:s3:::\\ud800" in out


@pytest.mark.parametrize("resource", [[], 5, [5], {}])
def test_lint_on_an_odd_resource_reports_the_grammar_finding(resource: Any) -> None:
    findings = lint_policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}]})
    codes = {f.code for f in findings}
    assert "lint-internal-error" not in codes
    assert codes & {"grammar-empty", "grammar-bad-type"}


def test_lint_refuses_more_than_its_input_limit(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "/dev/zero"]) == 2
    assert "larger than 128 KiB" in capsys.readouterr().err
    huge = tmp_path / "huge.json"
    huge.write_text('{"Version": "2012-10-17", "Id": "' + "x" * 140_000 + '"}')
    assert main(["lint", str(huge)]) == 2
    err = capsys.readouterr().err
    assert "KMS key policy, 32 KiB" in err and err.count("\n") == 1
    assert lint_policy(huge)[0].code == "grammar-too-large"


def _padded(chars: str, size: int) -> str:
    """A policy of about ``size`` characters, padded with ``chars`` in its Id."""
    head, tail = '{"Version": "2012-10-17", "Id": "', '", "Statement": []}'
    return head + chars * ((size - len(head) - len(tail)) // len(chars)) + tail


def test_lint_policy_from_python_has_the_limit_the_command_has(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Text, bytes, a dict (or a list) or a file name given to lint_policy from Python is
    refused past 128 KiB, with the reason the command gives (README, "Input limits"), and
    nothing else is reported: the linter never got to it."""
    over = _padded("x", MAX_POLICY_BYTES + 10)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(over.encode())))
    assert main(["lint", "-"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("iamlab lint: the input is larger than 128 KiB")
    named = tmp_path / "big.json"
    named.write_text(over)
    for source in (over, over.encode(), json.loads(over), [json.loads(over)], str(named)):
        [finding] = lint_policy(source)
        assert finding.code == "grammar-too-large" and finding.severity == "error"
        assert "larger than 128 KiB, the most iamlab reads for a policy" in finding.message
        assert said.split("(", 1)[1].strip() in finding.message  # the same reason


def test_lint_policy_counts_text_from_python_in_utf8_bytes() -> None:
    """As a file would hold it: 70,000 "é" are 140,000 bytes (over the limit) although they
    are fewer characters than the limit; 40,000 are linted."""
    assert lint_policy(_padded("é", 70_000))[0].code == "grammar-too-large"
    assert "grammar-too-large" not in {f.code for f in lint_policy(_padded("é", 40_000))}
    assert "grammar-too-large" not in {f.code for f in lint_policy(_padded("x", 120_000))}


def test_lint_reads_a_policy_just_under_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"Version": "2012-10-17", "Id": "' + "x" * 100_000 + '", "Statement": '
                    '[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}')
    assert any(f.code.startswith("quota-") for f in lint_policy(path))


# -- simulate --------------------------------------------------------------------------------

def test_simulate_never_writes_nan_or_infinity(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cases = '{"id": NaN}\n{"id": 1e999}\n{"id": -Infinity}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(cases.encode())))
    assert main(["simulate"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    answers = [strict_json(line) for line in lines]
    assert "NaN is not a JSON number" in answers[0]["error"]
    assert "1e999 is too large" in answers[1]["error"]
    assert answers[2]["error"].startswith("line 3: invalid JSON")
    fallback = json_answer({"id": float("nan"), "decision": "allowed", "error": None})
    assert fallback["decision"] is None and "cannot be written as JSON" in fallback["error"]


def test_simulate_stops_at_a_line_over_its_limit(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("iamlab.cli.MAX_CASE_LINE_BYTES", 100)
    cases = b'{"id": "a"}\n' + b"x" * 500 + b'\n{"id": "b"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(cases)))
    assert main(["simulate"]) == 1
    lines = [strict_json(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["id"] for a in lines] == ["a", None]
    assert "line 2: the line is larger than 100 bytes" in lines[1]["error"]
    assert "the rest of the input is not read" in lines[1]["error"]


def test_simulate_on_dev_zero_ends(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "/dev/zero"]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert "larger than 1 MiB" in strict_json(line)["error"]


def test_decision_text_shows_escape_sequences_escaped() -> None:
    policy = parse_policy({"Version": "2012-10-17", "Statement": [{
        "Sid": "Evil", "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/\x1b]0;pwned\x07"}]})
    decision = evaluate(Request.of(f"arn:aws:iam::{ACCOUNT}:user/a", "s3:GetObject",
                                   "arn:aws:s3:::b/\x1b[2J"),
                        PolicySet.of(identity=[policy]), explain=True)
    text = decision.text()
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[2J" in text


def test_simulate_lines_answers_every_generated_line_kind() -> None:
    answers = list(simulate_lines(['{"id": "\\ud800", "principal": 1}', "[" * 5000, "7"]))
    assert all(a["error"] for a in answers) and len(answers) == 3


# -- the world -------------------------------------------------------------------------------

@pytest.fixture
def world() -> World:
    w = World()
    w.admin.iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    w.admin.iam.create_user(UserName="ops")
    w.admin.iam.put_user_policy(UserName="ops", PolicyName="admin", PolicyDocument=ADMIN)
    w.admin.s3.create_bucket(Bucket="bkt")
    return w


@pytest.mark.parametrize(("service", "operation", "params", "said"), [
    ("sts", "get_caller_identity", {"Bogus": 1}, 'Unknown parameter in input: "Bogus"'),
    ("iam", "tag_role", {"RoleName": "r", "Tags": "team"},
     "Invalid type for parameter Tags, value: team, type: <class 'str'>"),
    ("iam", "tag_role", {"RoleName": "r", "Tags": [{"Value": "x"}]},
     'Missing required parameter in Tags[0]: "Key"'),
    ("iam", "get_role", {"RoleName": ["x"]}, "Invalid type for parameter RoleName"),
    ("iam", "create_role", {"RoleName": "x", "AssumeRolePolicyDocument": TRUST,
                            "MaxSessionDuration": "3600"},
     "Invalid type for parameter MaxSessionDuration"),
    ("sts", "assume_role", {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
                            "RoleSessionName": "s1", "TransitiveTagKeys": [{}]},
     "Invalid type for parameter TransitiveTagKeys[0]"),
    ("s3", "put_object", {"Bucket": "bkt", "Key": "k", "Body": "\ud800"},
     "lone surrogate (\\ud800)"),
    ("logs", "put_log_events", {"logGroupName": "g", "logStreamName": "s",
                                "logEvents": [{"message": "m"}]},
     'Missing required parameter in logEvents[0]: "timestamp"'),
    ("secretsmanager", "create_secret", {"Name": "n", "Tags": [{"Bogus": "x"}]},
     'Unknown parameter in Tags[0]: "Bogus"'),
])
def test_world_parameters_are_validated_as_botocore_does(
        world: World, service: str, operation: str, params: dict[str, Any], said: str) -> None:
    client = world.user_session("ops").client(service)
    with pytest.raises(ParamValidationError) as err:
        getattr(client, operation)(**params)
    assert str(err.value).startswith("Parameter validation failed:\n")
    assert said in str(err.value)


def test_a_lambda_payload_that_is_not_json(world: World) -> None:
    lam = world.admin.lambda_
    world.admin.iam.update_assume_role_policy(RoleName="r", PolicyDocument={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]})
    lam.create_function(FunctionName="f", Role=f"arn:aws:iam::{ACCOUNT}:role/r",
                        Handler=lambda event, context: event)
    with pytest.raises(ServiceError) as err:
        lam.invoke(FunctionName="f", Payload=b"not json")
    assert err.value.code == "InvalidRequestContentException"
    assert "Could not parse request body into json" in str(err.value)
    assert lam.invoke(FunctionName="f", Payload='{"a": 1}')["Payload"].read() == b'{"a": 1}'


def test_the_root_user_cannot_assume_a_role(world: World) -> None:
    """STS answers AccessDenied "Roles may not be assumed by root accounts." even when the
    trust policy trusts the account; an IAM user of that account may."""
    arn = f"arn:aws:iam::{ACCOUNT}:role/r"
    with pytest.raises(AccessDenied) as err:
        world.admin.sts.assume_role(RoleArn=arn, RoleSessionName="root")
    assert err.value.message == "Roles may not be assumed by root accounts."
    assert err.value.code == "AccessDenied"
    assert world.user_session("ops").sts.assume_role(RoleArn=arn, RoleSessionName="ops")


@pytest.mark.parametrize(("call", "params"), [
    ("create_user", {"UserName": "ü"}),
    ("create_role", {"RoleName": "rôle", "AssumeRolePolicyDocument": TRUST}),
    ("assume_role", {"RoleSessionName": "é-session"}),
    ("assume_role", {"RoleSessionName": "s1", "ExternalId": "exterñal-id"})])
def test_names_and_external_ids_are_ascii(world: World, call: str,
                                          params: dict[str, Any]) -> None:
    session = world.user_session("ops")
    if call == "assume_role":
        with pytest.raises(ValidationError) as err:
            session.sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", **params)
    else:
        with pytest.raises(ValidationError) as err:
            getattr(session.iam, call)(**params)
    assert "Member must satisfy regular expression pattern" in str(err.value)


def test_world_error_messages_show_escape_sequences_escaped(world: World) -> None:
    with pytest.raises(AccessDenied) as err:
        world.user_session("ops").sts.assume_role(
            RoleArn="arn:aws:iam::111122223333:role/\x1b[2J", RoleSessionName="x1")
    assert "\x1b" not in str(err.value) and "\\x1b[2J" in str(err.value)
    assert all("\x1b" not in line for line in err.value._render_traceback_())


# -- the policy editor -----------------------------------------------------------------------

def test_the_editor_caret_counts_lines_as_the_parser_does() -> None:
    from iamlab.widgets.editor import problems_html

    text = '{"Sid": "a\u2028b\x0cc",\n  "Effect": "allow"}'
    html = problems_html([Problem("grammar", "bad", ("Effect",), 2, 13)], text)
    assert '  2 |   &quot;Effect&quot;: &quot;allow&quot;}' in html


def test_huge_counts_are_refused_not_looped_over(world: World) -> None:
    """A count of 10**30 once made the world loop: ECS takes at most 10 tasks a call (ECS API
    reference, RunTask); the simulated account launches at most 100 instances a call."""
    with pytest.raises(ServiceError) as err:
        world.admin.ec2.run_instances(MinCount=10 ** 30, MaxCount=10 ** 30)
    assert err.value.code == "InstanceLimitExceeded"
    ecs = world.user_session("ops").ecs
    ecs.register_task_definition(family="f", containerDefinitions=[{"name": "c", "image": "i"}])
    with pytest.raises(ServiceError) as err:
        ecs.run_task(taskDefinition="f", count=10 ** 30)
    assert err.value.code == "InvalidParameterException"


def test_parse_policy_and_the_world_have_the_same_limit(tmp_path: Path) -> None:
    """parse_policy/check_policy from Python, and so the world's put_*_policy, refuse a
    policy past 128 KiB before parsing it (the limit of iamlab lint and lint_policy)."""
    from iamlab.errors import PolicyError
    from iamlab.parse import check_policy, parse_policy
    from iamlab.world.scenarios import ec2_reads_s3

    over = _padded("x", MAX_POLICY_BYTES + 10)
    named = tmp_path / "big.json"
    named.write_text(over)
    for source in (over, over.encode(), json.loads(over), named):
        with pytest.raises(PolicyError, match="larger than 128 KiB"):
            parse_policy(source)
        policy, problems = check_policy(source)
        assert policy is None and [p.code for p in problems] == ["too-large"]
    with pytest.raises(Exception, match="larger than 128 KiB"):
        ec2_reads_s3().admin.iam.put_role_policy(RoleName="ReportReader", PolicyName="Big",
                                                 PolicyDocument=over)
    _, problems = check_policy(_padded("x", 120_000))  # under the limit: read and checked
    assert "too-large" not in {p.code for p in problems}
