"""Condition operators, one rule at a time.

References (AWS IAM User Guide):
- "IAM JSON policy elements: Condition operators",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- "IAM JSON policy elements: Condition" (several keys are ANDed, several values ORed),
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
- "Condition with multiple context keys or values",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
- "Single-valued vs. multivalued context keys" (ForAllValues / ForAnyValue),
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

from typing import Any

import pytest

from iamlab.conditions import CompiledCondition, parse_date, parse_number, parse_operator
from iamlab.engine import PolicySet, evaluate
from iamlab.parse import parse_policy
from iamlab.request import Context, ContextValue, Request

USER = "arn:aws:iam::111122223333:user/alice"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket/k"


def holds(operator: str, key: str, values: str | list[str],
          context: dict[str, ContextValue]) -> bool:
    """Whether one condition entry holds; its explanation must say the same."""
    spec = parse_operator(operator)
    assert spec is not None, operator
    wanted = tuple(values) if isinstance(values, list) else (values,)
    condition = CompiledCondition(spec, key, wanted, True)
    ctx = Context(context)
    result = condition.holds(ctx)
    assert condition.check(ctx).passed is result
    return result


def decide(condition: dict[str, Any], context: dict[str, ContextValue],
           effect: str = "Allow") -> str:
    """The decision for s3:GetObject under one statement carrying ``condition``."""
    statements: list[dict[str, Any]] = [{"Effect": effect, "Action": "s3:GetObject",
                                         "Resource": "*", "Condition": condition}]
    if effect == "Deny":
        statements.append({"Effect": "Allow", "Action": "*", "Resource": "*"})
    policy = parse_policy({"Version": "2012-10-17", "Statement": statements})
    request = Request.of(USER, "s3:GetObject", OBJECT, context, "111122223333")
    quick = evaluate(request, PolicySet.of(identity=[policy]))
    assert evaluate(request, PolicySet.of(identity=[policy]), explain=True).decision \
        == quick.decision
    return quick.decision


# --- String -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), [
    ("StringEquals", "Engineering", "Engineering", True),
    ("StringEquals", "Engineering", "engineering", False),  # case-sensitive
    ("StringEquals", "Eng*", "Engineering", False),  # no wildcards
    ("StringNotEquals", "Engineering", "Sales", True),
    ("StringNotEquals", "Engineering", "Engineering", False),
    ("StringEqualsIgnoreCase", "Engineering", "ENGINEERING", True),
    ("StringNotEqualsIgnoreCase", "Engineering", "engineering", False),
    ("StringNotEqualsIgnoreCase", "Engineering", "Sales", True),
    ("StringLike", "home/*", "home/alice/notes.txt", True),
    ("StringLike", "home/?", "home/a", True),
    ("StringLike", "home/?", "home/ab", False),
    ("StringLike", "Home/*", "home/alice", False),  # case-sensitive
    ("StringLike", "*", "", True),
    ("StringNotLike", "home/*", "tmp/x", True),
    ("StringNotLike", "home/*", "home/x", False),
])
def test_string_operators(operator: str, policy: str, request_value: str,
                          expected: bool) -> None:
    """String condition operators: StringEquals is exact and case-sensitive; ...IgnoreCase
    ignores case; StringLike takes * and ? "anywhere in the string"."""
    assert holds(operator, "aws:PrincipalTag/team", policy,
                 {"aws:PrincipalTag/team": request_value}) is expected


# --- Numeric ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), [
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", "10", "9", False),
    ("NumericNotEquals", "10", "9", True),
    ("NumericNotEquals", "10", "10", False),
    ("NumericLessThan", "10", "9", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThan", "10", "100", False),  # numbers, not text ("100" < "10" as text)
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericLessThanEquals", "10", "11", False),
    ("NumericGreaterThan", "10", "11", True),
    ("NumericGreaterThan", "10", "9", False),
    ("NumericGreaterThan", "2.5", "2.75", True),
    ("NumericGreaterThanEquals", "10", "10", True),
    ("NumericGreaterThanEquals", "-1", "-2", False),
    ("NumericEquals", "10", "ten", False),
])
def test_numeric_operators(operator: str, policy: str, request_value: str,
                           expected: bool) -> None:
    """Numeric condition operators compare integer or decimal values."""
    assert holds(operator, "s3:max-keys", policy, {"s3:max-keys": request_value}) is expected


def test_numbers_are_integers_or_decimals() -> None:
    """Numeric condition operators compare "an integer or decimal value"."""
    assert parse_number("10") == 10 and parse_number("-2.5") == -2.5
    for text in ["nan", "inf", "-Infinity", "1_000", "0x10", "", " ", "ten"]:
        assert parse_number(text) is None, text


# --- Date -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), [
    ("DateGreaterThan", "2025-01-01T00:00:00Z", "2025-06-01T12:00:00Z", True),
    ("DateGreaterThan", "2025-01-01T00:00:00Z", "2024-12-31T23:59:59Z", False),
    ("DateLessThan", "2025-01-01T00:00:00Z", "2024-12-31T23:59:59Z", True),
    ("DateLessThan", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", True),
    ("DateGreaterThanEquals", "2025-01-01", "2025-01-01T00:00:00Z", True),  # date only
    ("DateEquals", "2025-01-01T01:00:00+01:00", "2025-01-01T00:00:00Z", True),  # offsets
    ("DateNotEquals", "2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z", True),
    ("DateNotEquals", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", False),
    # epoch (UNIX) seconds, in the policy, in the request, or both
    ("DateGreaterThan", "1735689600", "2025-01-01T00:00:01Z", True),
    ("DateEquals", "2025-01-01T00:00:00Z", "1735689600", True),
    ("DateLessThan", "1735689600", "1735689599", True),
    ("DateLessThan", "1735689600", "1735689600", False),
    ("DateGreaterThan", "2025-01-01T00:00:00Z", "not a date", False),
])
def test_date_operators(operator: str, policy: str, request_value: str,
                        expected: bool) -> None:
    """Date condition operators: "You must specify date/time values with one of the W3C
    implementations of the ISO 8601 date formats or in epoch (UNIX) time."""
    assert holds(operator, "aws:CurrentTime", policy,
                 {"aws:CurrentTime": request_value}) is expected


def test_dates_read_as_epoch_seconds() -> None:
    """Date condition operators: ISO 8601 or epoch (UNIX) time."""
    assert parse_date("1970-01-01T00:00:00Z") == 0
    assert parse_date("2025-01-01T00:00:00Z") == parse_date("1735689600") == 1735689600
    assert parse_date("yesterday") is None


# --- Bool, Binary -----------------------------------------------------------------------------

@pytest.mark.parametrize(("policy", "request_value", "expected"), [
    ("true", "true", True), ("true", "false", False), ("false", "false", True),
    ("true", "TRUE", True), ("True", "true", True),
])
def test_bool(policy: str, request_value: str, expected: bool) -> None:
    """Boolean condition operators compare with "true" or "false"."""
    assert holds("Bool", "aws:SecureTransport", policy,
                 {"aws:SecureTransport": request_value}) is expected


def test_bool_deny_insecure_transport_example() -> None:
    """The guide's BooleanExample: deny s3:* when aws:SecureTransport is false."""
    condition = {"Bool": {"aws:SecureTransport": False}}
    assert decide(condition, {"aws:SecureTransport": "false"}, "Deny") == "explicitDeny"
    assert decide(condition, {"aws:SecureTransport": "true"}, "Deny") == "allowed"
    assert decide(condition, {}, "Deny") == "allowed"  # a missing key does not match


def test_binary_equals() -> None:
    """BinaryEquals compares the base-64 encoded value exactly."""
    value = "QmluYXJ5VmFsdWVJbkJhc2U2NA=="
    assert holds("BinaryEquals", "k", value, {"k": value})
    assert not holds("BinaryEquals", "k", value, {"k": value.lower()})
    assert not holds("BinaryEquals", "k", value, {})


# --- IP address -------------------------------------------------------------------------------

@pytest.mark.parametrize(("operator", "policy", "source_ip", "expected"), [
    ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
    ("IpAddress", "203.0.113.0/24", "203.0.114.7", False),
    ("IpAddress", "203.0.113.7", "203.0.113.7", True),  # no prefix means /32
    ("IpAddress", "203.0.113.7", "203.0.113.8", False),
    ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678:abcd::1", True),
    ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False),
    ("IpAddress", "203.0.113.0/24", "2001:db8::1", False),  # IPv6 caller, IPv4 range
    ("IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "2001:db8:1234:5678::9",
     True),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
    ("NotIpAddress", ["10.0.0.0/8", "203.0.113.0/24"], "203.0.113.1", False),
])
def test_ip_address_operators(operator: str, policy: str | list[str], source_ip: str,
                              expected: bool) -> None:
    """IP address condition operators: standard CIDR for IPv4 or IPv6; "If you specify an IP
    address without the associated routing prefix, IAM uses the default prefix value of
    /32"."""
    assert holds(operator, "aws:SourceIp", policy, {"aws:SourceIp": source_ip}) is expected


# --- ARN --------------------------------------------------------------------------------------

def test_arn_operators_match_segment_by_segment() -> None:
    """ARN condition operators, the guide's own example: with StringLike the first * spans
    colons and the match succeeds; with ArnLike, which matches elements between colons, it
    fails."""
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = ("arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:"
             "finance/document.txt")
    context: dict[str, ContextValue] = {"aws:SourceArn": value}
    assert holds("StringLike", "aws:SourceArn", pattern, context)
    assert not holds("ArnLike", "aws:SourceArn", pattern, context)
    assert holds("ArnNotLike", "aws:SourceArn", pattern, context)


@pytest.mark.parametrize(("operator", "pattern", "expected"), [
    ("ArnEquals", "arn:aws:sns:us-east-1:111122223333:topic", True),
    ("ArnEquals", "arn:aws:sns:*:111122223333:top?c", True),  # ArnEquals == ArnLike
    ("ArnLike", "arn:aws:sns:*:111122223333:*", True),
    ("ArnLike", "arn:aws:sns:*:111122223333:Topic", False),  # case-sensitive
    ("ArnLike", "arn:aws:sns:*:444455556666:*", False),
    ("ArnNotEquals", "arn:aws:sns:us-east-1:111122223333:topic", False),
    ("ArnNotLike", "arn:aws:sns:*:444455556666:*", True),
])
def test_arn_operators(operator: str, pattern: str, expected: bool) -> None:
    """"ArnEquals and ArnLike condition operators behave identically": case-sensitive,
    each of the six components checked separately with * and ? wildcards."""
    context: dict[str, ContextValue] = {
        "aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}
    assert holds(operator, "aws:SourceArn", pattern, context) is expected


# --- Null, missing keys, ...IfExists ----------------------------------------------------------

def test_null_checks_presence() -> None:
    """Null: true means the key is absent, false that it is present."""
    assert holds("Null", "aws:TokenIssueTime", "true", {})
    assert not holds("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": "x"})
    assert holds("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": "x"})
    assert not holds("Null", "aws:TokenIssueTime", "false", {})
    assert decide({"Null": {"aws:TokenIssueTime": "true"}}, {}) == "allowed"


@pytest.mark.parametrize(("operator", "value", "expected"), [
    ("StringEquals", "x", False), ("StringLike", "*", False), ("NumericLessThan", "5", False),
    ("DateGreaterThan", "2020-01-01", False), ("Bool", "false", False),
    ("IpAddress", "0.0.0.0/0", False), ("ArnLike", "*", False), ("BinaryEquals", "eA==", False),
    # negated operators are true when the key is missing
    ("StringNotEquals", "x", True), ("StringNotLike", "*", True),
    ("StringNotEqualsIgnoreCase", "x", True), ("NumericNotEquals", "5", True),
    ("DateNotEquals", "2020-01-01", True), ("NotIpAddress", "10.0.0.0/8", True),
    ("ArnNotEquals", "*", True), ("ArnNotLike", "*", True),
])
def test_missing_key(operator: str, value: str, expected: bool) -> None:
    """Condition operators, Important: "If the key that you specify in a policy condition is
    not present in the request context, the values do not match and the condition is false.
    If the policy condition requires that the key is not matched, such as StringNotLike or
    ArnNotLike, and the right key is not present, the condition is true.\""""
    assert holds(operator, "aws:SomeKey", value, {"aws:Other": "x"}) is expected


@pytest.mark.parametrize(("operator", "value", "present", "expected_present"), [
    ("StringEqualsIfExists", "t2.micro", "t2.micro", True),
    ("StringEqualsIfExists", "t2.micro", "m5.large", False),
    ("StringLikeIfExists", "t2.*", "m5.large", False),
    ("StringNotEqualsIfExists", "t2.micro", "t2.micro", False),
    ("NumericLessThanIfExists", "5", "9", False),
    ("BoolIfExists", "true", "true", True),
    ("IpAddressIfExists", "10.0.0.0/8", "10.1.2.3", True),
    ("ArnLikeIfExists", "arn:aws:iam::*:role/*", "arn:aws:iam::1:user/x", False),
])
def test_if_exists(operator: str, value: str, present: str, expected_present: bool) -> None:
    """...IfExists: "If the policy key is present in the context of the request, process the
    key as specified in the policy. If the key is not present, evaluate the condition
    element as true.\""""
    assert holds(operator, "ec2:InstanceType", value, {}) is True
    assert holds(operator, "ec2:InstanceType", value,
                 {"ec2:InstanceType": present}) is expected_present


def test_negated_if_exists_deny_still_denies_when_missing() -> None:
    """...IfExists: "If you are using an "Effect": "Deny" element with a negated condition
    operator like StringNotEqualsIfExists, the request is still denied even if the tag is
    missing.\""""
    condition = {"StringNotEqualsIfExists": {"aws:ResourceTag/team": "blue"}}
    assert decide(condition, {}, "Deny") == "explicitDeny"
    assert decide(condition, {"aws:ResourceTag/team": "red"}, "Deny") == "explicitDeny"
    assert decide(condition, {"aws:ResourceTag/team": "blue"}, "Deny") == "allowed"


# --- several keys, several values, key names --------------------------------------------------

def test_several_values_are_ored() -> None:
    """Condition element: several values for one key are evaluated with a logical OR."""
    values = ["alice", "bob"]
    assert holds("StringEquals", "aws:username", values, {"aws:username": "bob"})
    assert not holds("StringEquals", "aws:username", values, {"aws:username": "carol"})
    # a negated operator holds when the value matches none of them
    assert holds("StringNotEquals", "aws:username", values, {"aws:username": "carol"})
    assert not holds("StringNotEquals", "aws:username", values, {"aws:username": "bob"})


def test_several_keys_and_operators_are_anded() -> None:
    """Condition element: several keys in one operator, and several operators, are ANDed."""
    condition = {"StringEquals": {"aws:PrincipalTag/team": "blue",
                                  "aws:RequestedRegion": ["eu-west-1", "eu-west-3"]},
                 "Bool": {"aws:SecureTransport": "true"}}
    good: dict[str, ContextValue] = {"aws:PrincipalTag/team": "blue",
                                     "aws:RequestedRegion": "eu-west-3",
                                     "aws:SecureTransport": "true"}
    assert decide(condition, good) == "allowed"
    for key, wrong in [("aws:PrincipalTag/team", "red"), ("aws:RequestedRegion", "us-east-1"),
                       ("aws:SecureTransport", "false")]:
        assert decide(condition, {**good, key: wrong}) == "implicitDeny", key
    missing = {k: v for k, v in good.items() if k != "aws:RequestedRegion"}
    assert decide(condition, missing) == "implicitDeny"


def test_condition_key_names_are_case_insensitive() -> None:
    """Global condition context keys: "Key names are case-insensitive" (aws:CurrentTime
    equals AWS:currenttime); the values keep their case."""
    assert holds("StringEquals", "AWS:PrincipalTag/Team", "blue",
                 {"aws:principaltag/team": "blue"})
    assert not holds("StringEquals", "aws:PrincipalTag/team", "Blue",
                     {"AWS:PRINCIPALTAG/TEAM": "blue"})
    assert decide({"StringEquals": {"AWS:SourceVpc": "vpc-1"}}, {"aws:sourcevpc": "vpc-1"}) \
        == "allowed"


# --- multivalued keys: ForAnyValue / ForAllValues ---------------------------------------------

@pytest.mark.parametrize(("operator", "request_values", "expected"), [
    ("ForAnyValue:StringEquals", ["a", "x"], True),
    ("ForAnyValue:StringEquals", ["x", "y"], False),
    ("ForAnyValue:StringEquals", [], False),  # empty: false
    ("ForAnyValue:StringEquals", None, False),  # missing: false
    ("ForAllValues:StringEquals", ["a", "b"], True),
    ("ForAllValues:StringEquals", ["a", "x"], False),
    ("ForAllValues:StringEquals", [], True),  # empty: true
    ("ForAllValues:StringEquals", None, True),  # missing: true
    ("ForAllValues:StringLike", ["a1", "b2"], True),
    ("ForAnyValue:StringNotEquals", ["a", "x"], True),  # some value is not listed
    ("ForAnyValue:StringNotEquals", ["a", "b"], False),
    ("ForAllValues:StringNotEquals", ["x", "y"], True),  # no value is listed
    ("ForAllValues:StringNotEquals", ["x", "a"], False),
    ("ForAllValues:StringNotEquals", None, True),
    ("ForAnyValue:StringNotEquals", None, False),
])
def test_set_operators(operator: str, request_values: list[str] | None,
                       expected: bool) -> None:
    """Multivalued context keys: ForAnyValue is true if at least one request value matches;
    ForAllValues if every request value matches at least one policy value. "If the key
    values in the request resolve to an empty data set (for example, an empty string), a
    condition operator modified by ForAllValues returns true, and a condition operator
    modified by ForAnyValue returns false" -- the same when the key is missing."""
    values = ["a", "b"] if "Like" not in operator else ["a*", "b*"]
    context: dict[str, ContextValue] = {} if request_values is None else {
        "aws:TagKeys": request_values}
    assert holds(operator, "aws:TagKeys", values, context) is expected


def test_forallvalues_allow_with_missing_key_is_a_known_trap() -> None:
    """Because ForAllValues is true for a missing key, an Allow with it grants access to
    requests that carry no tags at all (the guide recommends adding a Null check)."""
    condition = {"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]}}
    assert decide(condition, {"aws:TagKeys": ["project"]}) == "allowed"
    assert decide(condition, {"aws:TagKeys": ["project", "owner"]}) == "implicitDeny"
    assert decide(condition, {}) == "allowed"
    guarded = {**condition, "Null": {"aws:TagKeys": "false"}}
    assert decide(guarded, {}) == "implicitDeny"

