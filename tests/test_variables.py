"""Policy variables in Resource and Condition values.

Reference: AWS IAM User Guide, "IAM policy elements: Variables and tags",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
(sections "Using variables in policies", "Where you can use policy variables", "Policy
variables with no value", "Special characters", "Specifying default values"), and
"IAM JSON policy elements: Condition operators" (which operators take variables),
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from typing import Any

import pytest

from iamlab.engine import PolicySet, evaluate
from iamlab.errors import PolicyError
from iamlab.parse import parse_policy
from iamlab.policy import VERSION_2008, VERSION_2012
from iamlab.request import Context, ContextValue, Request
from iamlab.variables import split_template, substitute, variable_keys

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
HOME = "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"


def decide(statement: dict[str, Any], arn: str, context: dict[str, ContextValue],
           action: str = "s3:GetObject", version: str | None = VERSION_2012) -> str:
    document: dict[str, Any] = {"Statement": [statement]}
    if version is not None:
        document["Version"] = version
    if statement["Effect"] == "Deny":
        document["Statement"].append({"Effect": "Allow", "Action": "*", "Resource": "*"})
    policies = PolicySet.of(identity=[parse_policy(document)])
    request = Request.of(ALICE, action, arn, context, ACCOUNT)
    quick = evaluate(request, policies)
    assert evaluate(request, policies, explain=True).decision == quick.decision
    return quick.decision


def grant(resource: str, condition: dict[str, Any] | None = None,
          effect: str = "Allow") -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Action": "s3:GetObject", "Resource": resource}
    if condition:
        out["Condition"] = condition
    return out


def home(user: str, key: str = "notes.txt") -> str:
    return f"arn:aws:s3:::amzn-s3-demo-bucket/home/{user}/{key}"


# --- in Resource ------------------------------------------------------------------------------

def test_username_in_resource() -> None:
    """Using variables in policies: ${aws:username} is replaced by the friendly name of the
    user making the request, so one policy gives each user a home folder."""
    assert decide(grant(HOME), home("alice"), {"aws:username": "alice"}) == "allowed"
    assert decide(grant(HOME), home("bob"), {"aws:username": "alice"}) == "implicitDeny"
    assert decide(grant(HOME), home("Alice"), {"aws:username": "alice"}) == "implicitDeny"


def test_userid_principal_tag_and_any_context_key_in_resource() -> None:
    """Any request context key can be a variable: aws:userid, aws:PrincipalTag/<key>,
    service keys... ("Tags as policy variables", "Request information that you can use")."""
    by_id = grant("arn:aws:s3:::amzn-s3-demo-bucket/${aws:userid}/*")
    assert decide(by_id, "arn:aws:s3:::amzn-s3-demo-bucket/AIDAEXAMPLE/x",
                  {"aws:userid": "AIDAEXAMPLE"}) == "allowed"
    by_tag = grant("arn:aws:s3:::bucket-${aws:PrincipalTag/team}/*")
    assert decide(by_tag, "arn:aws:s3:::bucket-blue/x",
                  {"aws:PrincipalTag/team": "blue"}) == "allowed"
    assert decide(by_tag, "arn:aws:s3:::bucket-red/x",
                  {"aws:PrincipalTag/team": "blue"}) == "implicitDeny"
    by_region = grant("arn:aws:s3:::logs-${aws:RequestedRegion}/*")
    assert decide(by_region, "arn:aws:s3:::logs-eu-west-1/x",
                  {"aws:RequestedRegion": "eu-west-1"}) == "allowed"


def test_variable_key_names_are_case_insensitive() -> None:
    """Key names are case-insensitive, in variables too."""
    statement = grant("arn:aws:s3:::amzn-s3-demo-bucket/home/${AWS:UserName}/*")
    assert decide(statement, home("alice"), {"aws:username": "alice"}) == "allowed"


def test_absent_key_never_matches() -> None:
    """Policy variables with no value: a variable whose key is not in the request context
    matches nothing, so an Allow does not apply -- and neither does a Deny."""
    assert decide(grant(HOME), home("alice"), {}) == "implicitDeny"
    assert decide(grant("*"), home("alice"), {}) == "allowed"
    deny = grant(HOME, effect="Deny")
    assert decide(deny, home("alice"), {"aws:username": "alice"}) == "explicitDeny"
    assert decide(deny, home("alice"), {}) == "allowed"


# --- in Condition -----------------------------------------------------------------------------

def test_variables_in_string_conditions() -> None:
    """Where you can use policy variables: in Condition values with string operators."""
    prefix = {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}
    statement = grant("*", prefix)
    assert decide(statement, "x", {"aws:username": "alice", "s3:prefix": "home/alice/a"}) \
        == "allowed"
    assert decide(statement, "x", {"aws:username": "alice", "s3:prefix": "home/bob/a"}) \
        == "implicitDeny"
    assert decide(statement, "x", {"aws:username": "alice", "s3:prefix": ""}) == "allowed"
    same_account = {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}
    context: dict[str, ContextValue] = {"aws:PrincipalAccount": ACCOUNT,
                                        "aws:ResourceAccount": ACCOUNT}
    assert decide(grant("*", same_account), "x", context) == "allowed"
    assert decide(grant("*", same_account), "x",
                  {**context, "aws:ResourceAccount": "444455556666"}) == "implicitDeny"
    tagged = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    assert decide(grant("*", tagged), "x", {"aws:ResourceTag/team": "blue",
                                           "aws:PrincipalTag/team": "blue"}) == "allowed"


def test_variables_in_arn_conditions() -> None:
    """ARN condition operators: "You can use a policy variable with the ARN condition
    operator"."""
    condition = {"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:user/${aws:username}"}}
    assert decide(grant("*", condition), "x", {"aws:username": "alice",
                                               "aws:SourceArn": ALICE}) == "allowed"
    assert decide(grant("*", condition), "x", {"aws:username": "bob",
                                               "aws:SourceArn": ALICE}) == "implicitDeny"


def test_unresolved_variable_in_conditions() -> None:
    """Policy variables with no value: operators like StringEquals or StringLike do not match
    a variable with no value, while inverted operators like StringNotEquals do."""
    equals = {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    not_equals = {"StringNotEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    context: dict[str, ContextValue] = {"aws:ResourceTag/owner": "alice"}
    assert decide(grant("*", equals), "x", context) == "implicitDeny"
    assert decide(grant("*", not_equals), "x", context) == "allowed"
    assert decide(grant("*", not_equals), "x",
                  {**context, "aws:username": "alice"}) == "implicitDeny"


@pytest.mark.parametrize("operator", ["NumericEquals", "DateLessThan", "IpAddress",
                                      "BinaryEquals", "Null"])
def test_operators_without_variables(operator: str) -> None:
    """Condition operators: "You can not use a policy variable with" the Numeric, Date,
    Binary, IP address or Null operators -- the text stays literal, and where it must be a
    number, date, address or true/false the parser says so."""
    document = {"Version": VERSION_2012, "Statement": [
        grant("*", {operator: {"aws:SomeKey": "${aws:SomeValue}"}})]}
    if operator == "BinaryEquals":
        policy = parse_policy(document)
        request = Request.of(ALICE, "s3:GetObject", "x",
                             {"aws:SomeKey": "v", "aws:SomeValue": "v"}, ACCOUNT)
        assert not evaluate(request, PolicySet.of(identity=[policy])).allowed
        return
    with pytest.raises(PolicyError) as info:
        parse_policy(document)
    assert info.value.problems[0].code == "bad-condition-value"


# --- special characters and defaults ----------------------------------------------------------

@pytest.mark.parametrize(("template", "arn", "matches"), [
    ("arn:aws:s3:::b/star${*}", "arn:aws:s3:::b/star*", True),
    ("arn:aws:s3:::b/star${*}", "arn:aws:s3:::b/starX", False),
    ("arn:aws:s3:::b/what${?}", "arn:aws:s3:::b/what?", True),
    ("arn:aws:s3:::b/what${?}", "arn:aws:s3:::b/whatX", False),
    ("arn:aws:s3:::b/price${$}", "arn:aws:s3:::b/price$", True),
    ("arn:aws:s3:::b/${$}{aws:username}", "arn:aws:s3:::b/${aws:username}", True),
    ("arn:aws:s3:::b/${$}{aws:username}", "arn:aws:s3:::b/alice", False),
    ("arn:aws:s3:::b/${*}/*", "arn:aws:s3:::b/*/anything", True),
    ("arn:aws:s3:::b/${*}/*", "arn:aws:s3:::b/x/anything", False),
])
def test_special_characters(template: str, arn: str, matches: bool) -> None:
    """Special characters: ${*}, ${?} and ${$} stand for a literal *, ? and $."""
    expected = "allowed" if matches else "implicitDeny"
    assert decide(grant(template), arn, {"aws:username": "alice"}) == expected


@pytest.mark.parametrize(("template", "arn", "context", "matches"), [
    # a variable before the fifth colon is not replaced: "${...}" is plain text there
    ("arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:queue",
     "arn:aws:sqs:us-east-1:111122223333:queue", {"aws:PrincipalAccount": ACCOUNT}, False),
    ("arn:aws:sqs:${aws:RequestedRegion}:111122223333:queue",
     "arn:aws:sqs:eu-west-1:111122223333:queue", {"aws:RequestedRegion": "eu-west-1"}, False),
    # ... so a "*" or "?" in the value cannot act as a wildcard there either
    ("arn:aws:sqs:${aws:RequestedRegion}:111122223333:queue",
     "arn:aws:sqs:eu-west-1:111122223333:queue", {"aws:RequestedRegion": "*"}, False),
    ("arn:aws:sqs:us-east-1:${aws:PrincipalTag/acct}:queue",
     "arn:aws:sqs:us-east-1:111122223333:queue", {"aws:PrincipalTag/acct": "11112222333?"},
     False),
    # the escapes are predefined policy variables too ("can be used in any string where you
    # can use regular policy variables"), so before the fifth colon they are plain text
    ("arn:aws:sqs:${*}:111122223333:queue", "arn:aws:sqs:eu-west-1:111122223333:queue",
     {}, False),
    ("arn:aws:sqs:${*}:111122223333:queue", "arn:aws:sqs:*:111122223333:queue", {}, False),
    ("arn:aws:sqs:us-east-${?}:111122223333:queue",
     "arn:aws:sqs:us-east-1:111122223333:queue", {}, False),
    ("arn:aws:sqs:us-east-1:${acct}:queue", "arn:aws:sqs:us-east-1:444455556666:queue",
     {"acct": "*"}, False),
    ("arn:aws:sqs:us-east-1:${acct}:queue", "arn:aws:sqs:us-east-1:111122223333:queue",
     {"acct": ACCOUNT}, False),
    # the literal text matches itself; wildcards written before the fifth colon still act
    ("arn:aws:sqs:${aws:RequestedRegion}:111122223333:queue",
     "arn:aws:sqs:${aws:RequestedRegion}:111122223333:queue", {}, True),
    ("arn:aws:sqs:*:${aws:PrincipalAccount}:queue-${aws:username}",
     "arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:queue-alice", {}, True),
    # in the resource part the variable is replaced, and its value is matched literally
    ("arn:aws:sqs:*:111122223333:queue-${aws:username}",
     "arn:aws:sqs:us-east-1:111122223333:queue-alice", {}, True),
    ("arn:aws:s3:::b/${aws:PrincipalTag/team}/*", "arn:aws:s3:::b/red/x",
     {"aws:PrincipalTag/team": "*"}, False),
    ("arn:aws:s3:::b/${aws:PrincipalTag/team}/*", "arn:aws:s3:::b/*/x",
     {"aws:PrincipalTag/team": "*"}, True),
])
def test_variables_only_in_the_resource_part_of_an_arn(
        template: str, arn: str, context: dict[str, ContextValue], matches: bool) -> None:
    """Where you can use policy variables, "Resource element": "You can use a policy variable
    in the Resource element, but only in the resource portion of the ARN. This portion of the
    ARN appears after the fifth colon (:). You can't use a variable to replace parts of the
    ARN before the fifth colon, such as the service or account." Before the fifth colon
    "${...}" is left as written, so no variable value can widen the match there; after it, a
    value's "*" or "?" is matched literally, as the ${*} and ${?} escapes are ("Special
    characters")."""
    expected = "allowed" if matches else "implicitDeny"
    action = "sqs:SendMessage" if ":sqs:" in template else "s3:GetObject"
    statement = {**grant(template), "Action": action}
    assert decide(statement, arn, {"aws:username": "alice", **context}, action) == expected


def test_special_characters_in_string_like() -> None:
    """Special characters: ${*} is a literal * in a StringLike value too."""
    condition = {"StringLike": {"s3:prefix": "literal${*}"}}
    assert decide(grant("*", condition), "x", {"s3:prefix": "literal*"}) == "allowed"
    assert decide(grant("*", condition), "x", {"s3:prefix": "literalX"}) == "implicitDeny"


def test_default_values() -> None:
    """Specifying default values: ${key, 'default'} uses the default when the key is
    absent, and the key's value when it is present."""
    statement = grant("arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username, 'guest'}/*")
    assert decide(statement, home("guest"), {}) == "allowed"
    assert decide(statement, home("alice"), {}) == "implicitDeny"
    assert decide(statement, home("alice"), {"aws:username": "alice"}) == "allowed"
    assert decide(statement, home("guest"), {"aws:username": "alice"}) == "implicitDeny"
    condition = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team, 'none'}"}}
    assert decide(grant("*", condition), "x", {"aws:ResourceTag/team": "none"}) == "allowed"


def test_templates_taken_apart() -> None:
    """Variables and tags: the ${key} and ${key, 'default'} syntax."""
    assert split_template("a/${aws:username}/b") == (
        (False, "a/", None), (True, "aws:username", None), (False, "/b", None))
    assert split_template("${ aws:PrincipalTag/team , 'x y' }") == (
        (True, "aws:PrincipalTag/team", "x y"),)
    assert variable_keys("${*}${aws:userid}${?}${$}") == ["aws:userid"]
    context = Context({"aws:username": "alice"})
    assert substitute("home/${aws:username}/${*}", context) == "home/alice/*"
    assert substitute("${aws:userid}", context) is None
    assert substitute("${aws:userid, 'anonymous'}", context) == "anonymous"
    assert substitute("no variables", context) == "no variables"


# --- language version -------------------------------------------------------------------------

@pytest.mark.parametrize("version", [VERSION_2008, None])
def test_no_substitution_in_old_language_versions(version: str | None) -> None:
    """Using variables in policies: "If you don't include the Version element and set it to
    an appropriate version date, variables like ${aws:username} are treated as literal
    strings in the policy." Variables came with 2012-10-17."""
    statement = grant(HOME)
    context: dict[str, ContextValue] = {"aws:username": "alice"}
    assert decide(statement, home("alice"), context, version=version) == "implicitDeny"
    literal = "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/notes.txt"
    assert decide(statement, literal, context, version=version) == "allowed"
    condition = {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    assert decide(grant("*", condition), "x", {**context, "aws:ResourceTag/owner": "alice"},
                  version=version) == "implicitDeny"
    assert decide(grant("*", condition), "x", {"aws:ResourceTag/owner": "${aws:username}"},
                  version=version) == "allowed"
