"""The engine's answer explained: summaries, condition explanations, HTML, tables, AWS wording.

The wording of ``aws_reason`` follows AWS's access-denied messages: IAM User Guide,
"Troubleshoot access denied error messages",
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
("... because no identity-based policy allows the s3:GetObject action", "... with an
explicit deny in a service control policy").
"""

from __future__ import annotations

import html
from typing import Any

import pytest

from iamlab.decision import Decision, Verdict
from iamlab.engine import PolicySet, evaluate
from iamlab.parse import parse_policy
from iamlab.policy import Policy, PolicyKind
from iamlab.request import ContextValue, Request

ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/App/s1"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket/k"
EVIL = "<img src=x onerror=alert(1)>"


def policy(kind: PolicyKind, *statements: dict[str, Any], name: str = "") -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind, name)


def allow(action: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": "*", **extra}


def deny(action: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": "*", **extra}


def explain(action: str = "s3:GetObject", principal: str = USER,
            context: dict[str, ContextValue] | None = None, **policies: Any) -> Decision:
    request = Request.of(principal, action, OBJECT, context, ACCOUNT)
    return evaluate(request, PolicySet.of(**policies), explain=True)


# --- summaries --------------------------------------------------------------------------------

def test_explicit_deny_summary_names_the_statement_and_policy() -> None:
    perms = policy(PolicyKind.IDENTITY, allow(), deny("s3:*", Sid="NoS3"), name="Perms")
    decision = explain(identity=[perms])
    assert decision.verdict is Verdict.EXPLICIT_DENY
    assert decision.summary.startswith(
        'identity-based policy "Perms", statement "NoS3", explicitly denies s3:GetObject')
    assert [r.statement.sid for r in decision.deciding] == ["NoS3"]
    assert decision.cause is not None and decision.cause.statement.sid == "NoS3"


def test_unnamed_statement_is_numbered() -> None:
    scp = policy(PolicyKind.SCP, allow(), deny("s3:GetObject"), name="Guard")
    decision = explain(identity=[policy(PolicyKind.IDENTITY, allow())], scps=[[scp]])
    assert 'service control policy "Guard", statement 2, explicitly denies' in decision.summary


@pytest.mark.parametrize(("kinds", "principal", "phrase"), [
    ({"boundary": (PolicyKind.BOUNDARY, "ec2:*")}, USER,
     "the permissions boundary does not allow s3:GetObject"),
    ({"session": (PolicyKind.SESSION, "ec2:*")}, SESSION,
     "the session policy does not allow s3:GetObject"),
    ({}, USER, "no identity-based policy allows s3:GetObject on " + OBJECT),
])
def test_implicit_deny_summary_names_the_policy_type(kinds: dict[str, Any], principal: str,
                                                    phrase: str) -> None:
    policies: dict[str, Any] = {"identity": [policy(PolicyKind.IDENTITY, allow())]} \
        if kinds else {}
    for field, (kind, action) in kinds.items():
        policies[field] = policy(kind, allow(action))
    decision = explain(principal=principal, **policies)
    assert decision.verdict is Verdict.IMPLICIT_DENY
    assert phrase in decision.summary


def test_allowed_summary_names_the_allowing_statement() -> None:
    perms = policy(PolicyKind.IDENTITY, allow("s3:GetObject", Sid="Read"), name="Perms")
    decision = explain(identity=[perms])
    assert decision.summary == ('Allowed: identity-based policy "Perms", statement "Read", '
                                f"allows s3:GetObject on {OBJECT}, and nothing denies it.")
    assert [r.statement.sid for r in decision.deciding] == ["Read"]


def test_org_level_in_summary() -> None:
    levels = [[policy(PolicyKind.SCP, allow())], [policy(PolicyKind.SCP, allow("ec2:*"))]]
    decision = explain(identity=[policy(PolicyKind.IDENTITY, allow())], scps=levels)
    assert "No service control policy at organisation level 2 allows s3:GetObject" \
        in decision.summary


# --- condition explanations -------------------------------------------------------------------

def test_failed_condition_names_key_operator_values_and_request_value() -> None:
    perms = policy(PolicyKind.IDENTITY, allow("s3:GetObject", Sid="FromOffice", Condition={
        "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}))
    decision = explain(identity=[perms], context={"aws:SourceIp": "198.51.100.7"})
    assert not decision.allowed
    (result,) = decision.statements
    (check,) = result.conditions
    assert not check.passed
    assert (check.operator, check.key) == ("IpAddress", "aws:SourceIp")
    assert check.policy_values == ("203.0.113.0/24", "2001:db8::/32")
    assert check.request_values == ("198.51.100.7",)
    text = check.describe()
    for part in ("IpAddress", "aws:SourceIp", '"203.0.113.0/24"', '"2001:db8::/32"',
                 '"198.51.100.7"', "fails"):
        assert part in text
    assert result.why_not == "a condition fails: " + text
    assert text in decision.text()


def test_missing_key_is_explained() -> None:
    perms = policy(PolicyKind.IDENTITY, allow("s3:GetObject", Condition={
        "Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    (result,) = explain(identity=[perms]).statements
    assert result.conditions[0].request_values is None
    assert "the request has no aws:MultiFactorAuthPresent" in result.why_not


def test_policy_variables_are_shown_resolved() -> None:
    perms = policy(PolicyKind.IDENTITY, allow("s3:GetObject", Condition={
        "StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}))
    decision = explain(identity=[perms], context={"aws:username": "alice",
                                                  "aws:ResourceTag/owner": "bob"})
    check = decision.statements[0].conditions[0]
    assert check.policy_values == ("alice",) and not check.passed


@pytest.mark.parametrize(("statement", "why"), [
    (allow("ec2:*"), "its Action does not cover this action"),
    ({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
     "the action is one of its NotAction exceptions"),
    ({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::other/*"},
     "its Resource does not cover this resource"),
    ({"Effect": "Allow", "Action": "s3:*", "NotResource": OBJECT},
     "the resource is one of its NotResource exceptions"),
])
def test_why_a_statement_does_not_apply(statement: dict[str, Any], why: str) -> None:
    (result,) = explain(identity=[policy(PolicyKind.IDENTITY, statement)]).statements
    assert not result.matched and result.why_not == why
    assert why in result.summary


def test_principal_mismatch_is_explained() -> None:
    rbp = policy(PolicyKind.RESOURCE, {**allow("s3:*"), "Principal": {
        "AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}})
    (result,) = explain(resource=rbp).statements
    assert result.principal_matched is False
    assert result.why_not == "its Principal does not name the caller"


def test_notprincipal_with_boundary_is_noted() -> None:
    rbp = policy(PolicyKind.RESOURCE, {**deny("s3:*"), "NotPrincipal": {"AWS": USER}})
    decision = explain(identity=[policy(PolicyKind.IDENTITY, allow())], resource=rbp,
                       boundary=policy(PolicyKind.BOUNDARY, allow()))
    assert decision.decision == "explicitDeny"
    assert any("NotPrincipal" in note for note in decision.notes)


# --- views ------------------------------------------------------------------------------------

def test_html_escapes_everything_from_the_policy() -> None:
    """Views escape what comes from a policy or a request: Sids, names, condition values."""
    perms = policy(PolicyKind.IDENTITY, allow("s3:*", Sid=EVIL, Condition={
        "StringEquals": {"aws:PrincipalTag/x": "<script>alert(2)</script>"}}),
        name="<b>Perms</b>")
    decision = explain(identity=[perms], context={"aws:PrincipalTag/x": "</td><svg onload=x>"})
    out = decision._repr_html_()
    for raw in (EVIL, "<script>", "<b>Perms</b>", "</td><svg", "<svg onload"):
        assert raw not in out
    for text in (EVIL, "<script>alert(2)</script>", "</td><svg onload=x>"):
        assert html.escape(text) in out
    assert 'data-decision="implicitDeny"' in out


def test_html_escapes_the_request_and_explicit_deny() -> None:
    perms = policy(PolicyKind.IDENTITY, deny(Sid=EVIL))
    request = Request.of(USER, "s3:GetObject", "arn:aws:s3:::b/<i>k</i>",
                         resource_account=ACCOUNT)
    out = evaluate(request, PolicySet.of(identity=[perms]), explain=True)._repr_html_()
    assert "<i>k</i>" not in out and EVIL not in out
    assert html.escape(EVIL) in out and "DENIED (explicit deny)" in out


def test_to_frame_has_one_row_per_statement() -> None:
    perms = policy(PolicyKind.IDENTITY, allow("s3:GetObject", Sid="Read"), allow("ec2:*"),
                   deny("iam:*"), name="Perms")
    boundary = policy(PolicyKind.BOUNDARY, allow("s3:*"), name="Fence")
    decision = explain(identity=[perms], boundary=boundary)
    frame = decision.to_frame()
    assert len(frame) == 4 == len(decision.statements)
    assert list(frame["statement"]) == ["Read", "#2", "#3", "#1"]
    assert list(frame["policy type"]) == ["identity-based policy"] * 3 + ["permissions boundary"]
    assert list(frame["applies"]) == [True, False, False, True]
    assert list(frame["decided"]) == [True, False, False, False]
    assert "why not" in frame.columns


def test_text_and_dict() -> None:
    perms = policy(PolicyKind.IDENTITY, allow("s3:GetObject", Sid="Read"), name="Perms")
    decision = explain(identity=[perms])
    text = decision.text()
    assert text.splitlines()[0] == f"allowed: {decision.summary}"
    assert "Decided by:" in text and "Every statement considered:" in text
    data = decision.to_dict()
    assert data["decision"] == "allowed" and data["blocked_by"] is None
    assert data["statements"][0]["statement"] == 'statement "Read"'
    assert str(decision) == text


def test_quick_decision_carries_no_statements() -> None:
    perms = policy(PolicyKind.IDENTITY, allow())
    request = Request.of(USER, "s3:GetObject", OBJECT, resource_account=ACCOUNT)
    quick = evaluate(request, PolicySet.of(identity=[perms]))
    assert quick.statements == () and quick.deciding == ()
    assert quick.allowed and bool(quick)
    assert quick.summary


# --- AWS's wording ----------------------------------------------------------------------------

@pytest.mark.parametrize(("policies", "principal", "reason"), [
    ({}, USER, "because no identity-based policy allows the s3:GetObject action"),
    ({"identity": [(PolicyKind.IDENTITY, allow())],
      "boundary": (PolicyKind.BOUNDARY, allow("ec2:*"))}, USER,
     "because no permissions boundary allows the s3:GetObject action"),
    ({"identity": [(PolicyKind.IDENTITY, allow())],
      "session": (PolicyKind.SESSION, allow("ec2:*"))}, SESSION,
     "because no session policy allows the s3:GetObject action"),
    ({"identity": [(PolicyKind.IDENTITY, allow())],
      "scps": [[(PolicyKind.SCP, allow("ec2:*"))]]}, USER,
     "because no service control policy allows the s3:GetObject action"),
    ({"identity": [(PolicyKind.IDENTITY, allow())]},
     "arn:aws:iam::444455556666:user/eve",
     "because no resource-based policy allows the s3:GetObject action"),
    ({"identity": [(PolicyKind.IDENTITY, deny())]}, USER,
     "with an explicit deny in an identity-based policy"),
    ({"identity": [(PolicyKind.IDENTITY, allow())],
      "scps": [[(PolicyKind.SCP, allow(), deny("s3:*"))]]}, USER,
     "with an explicit deny in a service control policy"),
])
def test_aws_reason(policies: dict[str, Any], principal: str, reason: str) -> None:
    def build(value: Any) -> Any:
        if isinstance(value, tuple):
            return policy(*value)
        return [build(v) for v in value]

    decision = explain(principal=principal, **{k: build(v) for k, v in policies.items()})
    assert decision.aws_reason == reason


def test_aws_reason_is_empty_when_allowed() -> None:
    assert explain(identity=[policy(PolicyKind.IDENTITY, allow())]).aws_reason == ""
