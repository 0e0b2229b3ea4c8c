"""The policy parser: every shape AWS accepts parses; every mistake is a located PolicyError.

Each rule follows the AWS IAM User Guide, "IAM JSON policy element reference"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html) and
"IAM JSON policy grammar"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html); the
element pages are cited test by test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamlab.errors import PolicyError, Problem
from iamlab.parse import check_policy, parse_policy
from iamlab.policy import (
    VERSION_2008,
    VERSION_2012,
    Condition,
    Effect,
    Policy,
    PolicyKind,
    Principal,
    Statement,
)

CANONICAL = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
ALLOW_S3 = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


def doc(*statements: dict[str, Any], version: str | None = VERSION_2012) -> dict[str, Any]:
    out: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        out["Version"] = version
    return out


def problems(source: Any, kind: PolicyKind = PolicyKind.IDENTITY,
             strict: bool = True) -> list[Problem]:
    """The problems check_policy finds; asserts parse_policy agrees (raises iff errors)."""
    policy, found = check_policy(source, kind, strict=strict)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        assert policy is None
        with pytest.raises(PolicyError) as info:
            parse_policy(source, kind, strict=strict)
        assert info.value.problems == found
    else:
        assert policy is not None
    return found


def codes(source: Any, kind: PolicyKind = PolicyKind.IDENTITY) -> list[str]:
    return [p.code for p in problems(source, kind)]


def one(source: Any, code: str, kind: PolicyKind = PolicyKind.IDENTITY) -> Problem:
    """The single problem with ``code`` (there must be exactly one)."""
    found = [p for p in problems(source, kind) if p.code == code]
    assert len(found) == 1, problems(source, kind)
    return found[0]


def text(obj: Any) -> str:
    return json.dumps(obj, indent=2)


# --- JSON syntax ------------------------------------------------------------------------------

def test_invalid_json_names_line_and_column() -> None:
    """A syntax error is reported at its position, never as a traceback."""
    source = '{\n  "Version": "2012-10-17",\n  "Statement": [}\n}'
    problem = one(source, "invalid-json")
    assert (problem.line, problem.column) == (3, 17)
    assert "invalid JSON" in problem.message
    assert str(problem).startswith("line 3, column 17")


@pytest.mark.parametrize("source", [
    "", "   ", "{", "[", '{"Version": "2012-10-17",}', "{'Version': '2012-10-17'}",
    '{"Statement": [] // comment\n}', "nul", "\ufeff{}", '{"a": 01}', '{"a": NaN}',
    '{"Statement": "\\x"}', '{"Statement": "line\nbreak"}', "[" * 2000, '{"a": 1} extra',
])
def test_malformed_text_is_a_policy_error(source: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(source)
    assert info.value.problems[0].code == "invalid-json"
    assert info.value.problems[0].line is not None


def test_duplicate_json_keys_are_rejected_with_their_location() -> None:
    """IAM refuses a document in which an object repeats a key."""
    source = ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow",\n'
              '  "Action": "s3:GetObject", "Action": "s3:PutObject", "Resource": "*"}}')
    problem = one(source, "duplicate-key")
    assert problem.path == ("Statement", "Action")
    assert (problem.line, problem.column) == (2, 29)


@pytest.mark.parametrize("source", [b"\xff\xfe{}", 42, None, ["Statement"], 3.5])
def test_wrong_source_types_are_policy_errors(source: Any) -> None:
    with pytest.raises(PolicyError):
        parse_policy(source)


def test_files_and_bytes_are_read(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(text(doc(ALLOW_S3)), encoding="utf-8")
    assert parse_policy(path) == parse_policy(text(doc(ALLOW_S3)).encode())
    assert parse_policy(path).source == path.read_text(encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        parse_policy(tmp_path / "missing.json")
    assert info.value.problems[0].code == "unreadable"


@pytest.mark.parametrize("source", [
    {1: "x"}, {"Statement": [{"Effect": "Allow", 2: "x"}]}, {"Statement": {"Effect": object()}},
    {"Version": {1, 2}}, {"Statement": [{**ALLOW_S3, "Condition": {"NumericEquals": {
        "s3:max-keys": 10 ** 5000}}}]}, {"Statement": [{**ALLOW_S3, "Sid": float("nan")}]},
])
def test_python_values_that_are_not_json_are_policy_errors(source: Any) -> None:
    """A dict is checked as the JSON text AWS would receive: no traceback for odd values."""
    with pytest.raises(PolicyError):
        parse_policy(source)


# --- top level --------------------------------------------------------------------------------

def test_unknown_top_level_key_suggests_the_right_spelling() -> None:
    """Top-level elements: Version, Id, Statement (IAM JSON policy grammar)."""
    wrong_case = one({"Version": VERSION_2012, "statement": [ALLOW_S3]}, "unknown-key")
    assert 'write "Statement"' in wrong_case.message
    typo = one({"Version": VERSION_2012, "Statment": [ALLOW_S3]}, "unknown-key")
    assert 'did you mean "Statement"' in typo.message
    assert "missing-statement" in codes({"Version": VERSION_2012, "Statment": [ALLOW_S3]})


def test_unknown_statement_key_located_at_the_key() -> None:
    source = text(doc({**ALLOW_S3, "Resorce": "x"}))
    problem = one(source, "unknown-key")
    assert problem.path == ("Statement", 0, "Resorce")
    assert 'did you mean "Resource"' in problem.message
    line = source.splitlines()[problem.line - 1]  # type: ignore[operator]
    assert line[problem.column - 1:].startswith('"Resorce"')  # type: ignore[operator]
    assert 'write "Effect"' in one(doc({**ALLOW_S3, "effect": "Allow"}), "unknown-key").message


@pytest.mark.parametrize("version", ["2012-10-18", "2024-01-01", 2012, None, ""])
def test_unsupported_version(version: Any) -> None:
    """IAM JSON policy elements: Version -- only 2012-10-17 and 2008-10-17 exist.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"""
    problem = one({"Version": version, "Statement": [ALLOW_S3]}, "bad-version")
    assert "2012-10-17" in problem.message


def test_versions_aws_accepts() -> None:
    """A missing Version means the old language (2008-10-17): no policy variables."""
    assert parse_policy(doc(ALLOW_S3)).version == VERSION_2012
    assert parse_policy(doc(ALLOW_S3, version=VERSION_2008)).version == VERSION_2008
    old = parse_policy(doc(ALLOW_S3, version=None))
    assert old.version is None and not old.variables_enabled


def test_statement_must_be_object_or_list() -> None:
    """IAM JSON policy grammar: Statement is one statement object or a list of them."""
    assert codes({"Version": VERSION_2012, "Statement": "Allow"}) == ["bad-type"]
    assert codes({"Version": VERSION_2012}) == ["missing-statement"]
    assert codes(doc()) == ["empty"]
    assert codes({"Version": VERSION_2012, "Statement": [ALLOW_S3, "x"]}) == ["not-object"]
    assert codes('["Statement"]') == ["not-object"]
    assert codes({**doc(ALLOW_S3), "Id": 5}) == ["bad-type"]


# --- Effect, Action, Resource -----------------------------------------------------------------

@pytest.mark.parametrize(("effect", "hint"), [
    ("allow", 'write "Allow"'), ("DENY", 'write "Deny"'), ("Permit", ""), (True, ""),
    (None, ""),
])
def test_effect_must_be_allow_or_deny(effect: Any, hint: str) -> None:
    """IAM JSON policy elements: Effect -- "Allow" or "Deny", case-sensitive.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html"""
    problem = one(doc({**ALLOW_S3, "Effect": effect}), "bad-effect")
    assert hint in problem.message
    no_effect = {k: v for k, v in ALLOW_S3.items() if k != "Effect"}
    assert codes(doc(no_effect)) == ["missing-effect"]


@pytest.mark.parametrize(("first", "second"), [
    ("Action", "NotAction"), ("Resource", "NotResource"),
])
def test_element_and_its_not_form_together(first: str, second: str) -> None:
    """NotAction / NotResource pages: a statement uses one element of each pair.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"""
    statement = {**ALLOW_S3, first: "*", second: "*"}
    problem = one(doc(statement), "both-elements")
    assert first in problem.message and second in problem.message


def test_principal_and_notprincipal_together() -> None:
    """NotPrincipal page: a statement uses Principal or NotPrincipal, not both."""
    statement = {"Effect": "Deny", "Principal": "*", "NotPrincipal": {"AWS": "111122223333"},
                 "Action": "s3:*", "Resource": "*"}
    assert "both-elements" in codes(doc(statement), PolicyKind.RESOURCE)


def test_missing_action_and_resource() -> None:
    """Action/NotAction is required everywhere; Resource/NotResource everywhere except in
    role trust policies (IAM JSON policy elements: Resource)."""
    assert codes(doc({"Effect": "Allow", "Resource": "*"})) == ["missing-action"]
    assert codes(doc({"Effect": "Allow", "Action": "s3:*"})) == ["missing-resource"]
    for kind in (PolicyKind.BOUNDARY, PolicyKind.SCP, PolicyKind.SESSION):
        assert codes(doc({"Effect": "Allow", "Action": "s3:*"}), kind) == ["missing-resource"]
    trust = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
             "Action": "sts:AssumeRole"}
    assert codes(doc(trust), PolicyKind.TRUST) == []
    message = one(doc({"Effect": "Allow", "Resource": "*"}), "missing-action").message
    assert "an identity-based policy needs one" in message


@pytest.mark.parametrize("action", ["GetObject", "s3", "s3:Get Object", "", "s3::Get"])
def test_malformed_action(action: str) -> None:
    """IAM JSON policy elements: Action -- service prefix, colon, action name."""
    problem = one(doc({**ALLOW_S3, "Action": ["s3:ListBucket", action]}), "bad-action")
    assert problem.path == ("Statement", 0, "Action", 1)


@pytest.mark.parametrize(("element", "value"), [
    ("Action", []), ("Resource", []), ("Resource", [None]), ("Action", [1]), ("Resource", {}),
    ("Action", None), ("Sid", 7),
])
def test_element_values_have_the_right_type(element: str, value: Any) -> None:
    found = codes(doc({**ALLOW_S3, element: value}))
    assert found and set(found) <= {"empty", "bad-type"}


# --- Principal --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SCP,
                                  PolicyKind.SESSION])
@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_principal_is_prohibited_in_identity_side_policies(kind: PolicyKind,
                                                           element: str) -> None:
    """IAM JSON policy elements: Principal -- not allowed in identity-based policies
    ("Has prohibited field Principal").
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"""
    statement = {**ALLOW_S3, "Effect": "Deny", element: "*"}
    problem = one(doc(statement), "prohibited-principal", kind)
    assert problem.path == ("Statement", 0, element)


@pytest.mark.parametrize("kind", [PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP])
def test_principal_is_required_in_resource_and_trust_policies(kind: PolicyKind) -> None:
    """Principal page: resource-based and trust policies must say whom they apply to."""
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    if kind is not PolicyKind.TRUST:
        statement["Resource"] = "*"
    assert codes(doc(statement), kind) == ["missing-principal"]


def test_resource_is_prohibited_in_a_trust_policy() -> None:
    """A role trust policy's resource is the role itself (IAM User Guide, "How IAM roles
    differ from resource-based policies")."""
    trust = {"Effect": "Allow", "Principal": {"AWS": "111122223333"},
             "Action": "sts:AssumeRole", "Resource": "*"}
    assert codes(doc(trust), PolicyKind.TRUST) == ["prohibited-resource"]
    trust["NotResource"] = trust.pop("Resource")
    assert codes(doc(trust), PolicyKind.TRUST) == ["prohibited-resource"]


def test_notprincipal_only_with_deny_and_never_in_trust_policies() -> None:
    """AWS JSON policy elements: NotPrincipal -- "NotPrincipal must be used with
    "Effect":"Deny""; it cannot be used in a role trust policy.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"""
    allow = {**ALLOW_S3, "NotPrincipal": {"AWS": "111122223333"}}
    assert codes(doc(allow), PolicyKind.RESOURCE) == ["notprincipal-allow"]
    deny = {**allow, "Effect": "Deny"}
    assert codes(doc(deny), PolicyKind.RESOURCE) == []
    trust = {"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"},
             "Action": "sts:AssumeRole"}
    assert codes(doc(trust), PolicyKind.TRUST) == ["prohibited-notprincipal"]


def test_notprincipal_is_not_supported_in_rcps() -> None:
    """AWS JSON policy elements: NotPrincipal -- "The NotPrincipal element isn't supported in
    Service Control Policies (SCP) and Resource Control Policies (RCP)"."""
    rcp = {"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*",
           "Resource": "*"}
    assert codes(doc(rcp), PolicyKind.RCP) == ["prohibited-notprincipal"]
    rcp = {**rcp, "Principal": "*"}
    del rcp["NotPrincipal"]
    assert codes(doc(rcp), PolicyKind.RCP) == []


@pytest.mark.parametrize(("block", "code"), [
    ({"aws": "*"}, "unknown-key"), ({"Services": "ec2.amazonaws.com"}, "unknown-key"),
    ({}, "empty"), ({"AWS": []}, "empty"), (["*"], "bad-principal"), ("**", "bad-principal"),
    ({"AWS": "alice"}, "bad-principal"), ({"AWS": "arn:aws:iam::111122223333:user/*"},
                                          "bad-principal"),
    ({"AWS": 111122223333}, "bad-type"),
])
def test_malformed_principals(block: Any, code: str) -> None:
    """Principal values: "*", or AWS/Service/Federated/CanonicalUser with account IDs, ARNs
    (no wildcards except "*" alone), service names."""
    statement = {**ALLOW_S3, "Principal": block}
    assert code in codes(doc(statement), PolicyKind.RESOURCE)


@pytest.mark.parametrize(("value", "says"), [
    ("arn:aws:iam::11112222333:root", '"11112222333" (11 digits) is not an account ID'),
    ("arn:aws:sts::1111222233334:assumed-role/R/s", '"1111222233334" (13 digits)'),
    ("arn:aws:iam::acme:role/R", '"acme" is not an account ID'),
    ("arn:aws:iam:111122223333:root", "is not an ARN: an ARN has six parts"),
    ("11112222333", "(11 digits; an account ID has 12)"),
])
def test_a_principal_arn_names_a_12_digit_account(value: str, says: str) -> None:
    """IAM User Guide, "AWS JSON policy elements: Principal": an AWS account principal is
    the 12-digit account ID or arn:aws:iam::AccountID:root, and IAM refuses a policy whose
    principal does not exist ("Invalid principal in policy", IAM troubleshooting). A learner
    who drops a digit is told which part is wrong, not left with a silent implicit deny."""
    problem = one(doc({**ALLOW_S3, "Principal": {"AWS": value}}), "bad-principal",
                  PolicyKind.RESOURCE)
    assert says in problem.message


def test_cloudfront_origin_access_identity_is_a_principal() -> None:
    """The one IAM principal ARN without an account ID: CloudFront's legacy origin access
    identity (Amazon CloudFront Developer Guide, "Restricting access to an Amazon S3
    origin")."""
    oai = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE"
    assert codes(doc({**ALLOW_S3, "Principal": {"AWS": oai}}), PolicyKind.RESOURCE) == []


def test_principal_shapes_aws_accepts() -> None:
    """Every form on the Principal page parses to typed entries."""
    def principals(block: Any) -> tuple[Principal, ...] | None:
        policy = parse_policy(doc({**ALLOW_S3, "Principal": block}), PolicyKind.RESOURCE)
        return policy.statements[0].principals

    assert principals("*") == (Principal("*", "*"),)
    assert principals({"AWS": "*"}) == (Principal("AWS", "*"),)
    assert principals({"AWS": "*"})[0].is_wildcard  # type: ignore[index]
    assert principals({"AWS": "111122223333"}) == (Principal("AWS", "111122223333"),)
    assert principals({"AWS": ["arn:aws:iam::111122223333:root",
                               "arn:aws:iam::444455556666:role/R"],
                       "Service": "ec2.amazonaws.com",
                       "Federated": "cognito-identity.amazonaws.com",
                       "CanonicalUser": CANONICAL}) == (
        Principal("AWS", "arn:aws:iam::111122223333:root"),
        Principal("AWS", "arn:aws:iam::444455556666:role/R"),
        Principal("Service", "ec2.amazonaws.com"),
        Principal("Federated", "cognito-identity.amazonaws.com"),
        Principal("CanonicalUser", CANONICAL),
    )
    assert principals({"AWS": "AIDACKCEVSQ6C2EXAMPLE"}) == (
        Principal("AWS", "AIDACKCEVSQ6C2EXAMPLE"),)


# --- Condition --------------------------------------------------------------------------------

@pytest.mark.parametrize(("operator", "suggestion"), [
    ("StringEqual", "StringEquals"), ("stringequals", "StringEquals"),
    ("IpAdress", "IpAddress"), ("ForAnyValue:StringLik", "StringLike"),
    ("ForSomeValues:StringEquals", "StringEquals"), ("Banana", None),
])
def test_unknown_condition_operator_with_suggestion(operator: str,
                                                    suggestion: str | None) -> None:
    """IAM JSON policy elements: Condition operators.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"""
    statement = {**ALLOW_S3, "Condition": {operator: {"aws:username": "alice"}}}
    problem = one(text(doc(statement)), "unknown-operator")
    assert problem.path == ("Statement", 0, "Condition", operator)
    assert problem.line is not None
    if suggestion:
        assert f'did you mean "{suggestion}' in problem.message
    else:
        assert "did you mean" not in problem.message


@pytest.mark.parametrize(("operator", "value"), [
    ("StringEquals", {"a": "b"}), ("StringEquals", None), ("StringEquals", [["x"]]),
    ("NumericLessThan", "ten"), ("NumericLessThan", "nan"), ("NumericEquals", "1_000"),
    ("DateGreaterThan", "yesterday"), ("DateLessThan", "2025-13-01"),
    ("IpAddress", "10.0.0.0/33"), ("NotIpAddress", "300.1.2.3"), ("IpAddress", "2001:db8::/129"),
    ("Bool", "yes"), ("Null", "maybe"),
])
def test_condition_value_of_the_wrong_type(operator: str, value: Any) -> None:
    """Condition operators: values must suit the operator (number, date, CIDR, true/false)."""
    statement = {**ALLOW_S3, "Condition": {operator: {"aws:SomeKey": value}}}
    problem = one(text(doc(statement)), "bad-condition-value")
    assert problem.path[:5] == ("Statement", 0, "Condition", operator, "aws:SomeKey")
    assert problem.line is not None


@pytest.mark.parametrize("block", [
    "StringEquals", [], {"StringEquals": "x"}, {"StringEquals": {}},
    {"StringEquals": {"aws:username": []}},
])
def test_malformed_condition_blocks(block: Any) -> None:
    found = codes(doc({**ALLOW_S3, "Condition": block}))
    assert found and set(found) <= {"bad-type", "empty"}


def test_condition_values_become_the_strings_aws_compares() -> None:
    """JSON true/false and numbers are compared as text ("true", "10")."""
    statement = {**ALLOW_S3, "Condition": {
        "Bool": {"aws:SecureTransport": True},
        "NumericLessThanEquals": {"s3:max-keys": [10, 2.5]},
        "DateGreaterThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"},
        "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]},
    }}
    conditions = parse_policy(doc(statement)).statements[0].conditions
    assert conditions == (
        Condition("Bool", "aws:SecureTransport", ("true",)),
        Condition("NumericLessThanEquals", "s3:max-keys", ("10", "2.5")),
        Condition("DateGreaterThan", "aws:CurrentTime", ("2025-01-01T00:00:00Z",)),
        Condition("IpAddress", "aws:SourceIp", ("203.0.113.0/24", "2001:DB8:1234:5678::/64")),
    )


@pytest.mark.parametrize("operator", [
    "StringEquals", "StringNotEqualsIgnoreCase", "StringLikeIfExists", "NumericGreaterThan",
    "DateLessThanEqualsIfExists", "Bool", "BinaryEquals", "IpAddress", "NotIpAddressIfExists",
    "ArnLike", "ArnNotEquals", "Null", "ForAnyValue:StringLike", "ForAllValues:StringEquals",
    "ForAllValues:ArnLikeIfExists",
])
def test_condition_operators_aws_accepts(operator: str) -> None:
    """Condition operators: every operator, ...IfExists and set-operator form parses."""
    value = {"Numeric": "5", "Date": "1700000000", "Bool": "true", "IpAdd": "10.0.0.0/8",
             "NotIp": "10.0.0.0/8", "Null": "false"}
    base = operator.rpartition(":")[2]
    v = next((val for prefix, val in value.items() if base.startswith(prefix)), "x")
    statement = {**ALLOW_S3, "Condition": {operator: {"aws:SomeKey": v}}}
    assert codes(doc(statement)) == []


# --- Sid, several problems at once ------------------------------------------------------------

def test_duplicate_sids() -> None:
    """IAM JSON policy elements: Sid -- "In IAM, the Sid value must be unique within a JSON
    policy." Evaluators cope, so strict=False keeps it as a warning.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"""
    policy = doc({**ALLOW_S3, "Sid": "Read"}, {**ALLOW_S3, "Sid": "Read"})
    problem = one(text(policy), "duplicate-sid")
    assert problem.path == ("Statement", 1, "Sid") and problem.severity == "error"
    lenient = problems(policy, strict=False)
    assert [(p.code, p.severity) for p in lenient] == [("duplicate-sid", "warning")]
    assert len(parse_policy(policy, strict=False).statements) == 2


def test_every_problem_is_reported_at_once_each_with_its_place() -> None:
    source = text({
        "Version": "2012-10-17",
        "Statment": [],
        "Statement": [
            {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:*", "Resource": "*",
             "Principal": "*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
             "Condition": {"StringEqual": {"aws:username": "a"},
                           "NumericLessThan": {"s3:max-keys": "many"}}},
        ],
    })
    with pytest.raises(PolicyError) as info:
        parse_policy(source, name="Broken")
    found = info.value.problems
    assert sorted(p.code for p in found) == sorted([
        "unknown-key", "bad-effect", "both-elements", "prohibited-principal",
        "unknown-operator", "bad-condition-value"])
    assert all(p.line is not None and p.column is not None for p in found)
    message = str(info.value)
    assert message.startswith('6 problems in identity-based policy "Broken":')
    assert "line 4, column 17 (Statement[0].Effect)" not in message  # Statment is line 3
    effect = next(p for p in found if p.code == "bad-effect")
    assert source.splitlines()[effect.line - 1][effect.column - 1:].startswith('"allow"')  # type: ignore[operator]
    assert f"line {effect.line}, column {effect.column} (Statement[0].Effect)" in message


# --- accepted shapes and the round trip -------------------------------------------------------

def test_single_statement_object_and_string_values() -> None:
    """Statement may be one object; Action/Resource a string or a list (grammar)."""
    single = parse_policy({"Version": VERSION_2012, "Statement": ALLOW_S3})
    listed = parse_policy(doc({**ALLOW_S3, "Action": ["s3:GetObject"],
                               "Resource": ["arn:aws:s3:::b/*"]}))
    assert single.statements == listed.statements
    assert single.statements[0] == Statement(Effect.ALLOW, None, ("s3:GetObject",), None,
                                             ("arn:aws:s3:::b/*",))


def test_statement_labels_and_index() -> None:
    policy = parse_policy(doc({**ALLOW_S3, "Sid": "Read"}, ALLOW_S3), name="P")
    assert [s.label for s in policy.statements] == ['statement "Read"', "statement 2"]
    assert policy.label == 'identity-based policy "P"'
    assert parse_policy(doc(ALLOW_S3)).label == "the identity-based policy"


ROUND_TRIP = [
    (PolicyKind.IDENTITY, doc(ALLOW_S3)),
    (PolicyKind.IDENTITY, {"Version": VERSION_2012, "Id": "x", "Statement": {
        "Sid": "A", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "NotResource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": False},
                      "StringLike": {"s3:prefix": ["home/", "home/${aws:username}/*"]},
                      "ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}}}),
    (PolicyKind.RESOURCE, doc({**ALLOW_S3, "Principal": "*"},
                              {**ALLOW_S3, "Effect": "Deny",
                               "NotPrincipal": {"AWS": ["111122223333",
                                                        "arn:aws:iam::444455556666:root"]}})),
    (PolicyKind.TRUST, doc({"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
                            "Principal": {"Service": ["ec2.amazonaws.com",
                                                      "lambda.amazonaws.com"],
                                          "AWS": "*"}})),
    (PolicyKind.SCP, doc({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
        "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}, version=VERSION_2008)),
    (PolicyKind.BOUNDARY, doc(ALLOW_S3, version=None)),
]


@pytest.mark.parametrize(("kind", "document"), ROUND_TRIP)
def test_round_trip(kind: PolicyKind, document: dict[str, Any]) -> None:
    policy = parse_policy(document, kind, name="n")
    assert parse_policy(policy.to_json(), kind, name="n") == policy
    assert parse_policy(policy.to_dict(), kind, name="n") == policy
    assert isinstance(policy, Policy)


def test_check_policy_returns_problems_and_never_raises() -> None:
    policy, found = check_policy("{not json")
    assert policy is None and found[0].code == "invalid-json"
    policy, found = check_policy(doc(ALLOW_S3), "identity")
    assert policy is not None and found == []
    policy, found = check_policy(object())  # type: ignore[arg-type]
    assert policy is None and found[0].code == "bad-type"



@pytest.mark.parametrize("operator", ["NullIfExists", "ForAnyValue:Null", "IfExists",
                                      "ForAllValues:", "StringEquals:ForAnyValue"])
def test_operators_that_do_not_exist(operator: str) -> None:
    """IfExists goes with any operator except Null; set operators prefix an operator."""
    statement = {**ALLOW_S3, "Condition": {operator: {"aws:SomeKey": "true"}}}
    assert "unknown-operator" in codes(doc(statement))
