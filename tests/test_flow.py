"""AWS's evaluation flow for a decided request: the steps in AWS's order, what each said,
and which step and policy decided (IAM User Guide, "Policy evaluation logic": explicit Deny,
then RCPs and SCPs, then the resource-based policy, identity-based policies, permissions
boundary and session policy; "Policy evaluation for requests within a single account";
"Cross-account policy evaluation logic")."""

from __future__ import annotations

from typing import Any

import pytest

from iamlab import PolicySet, Request, evaluate
from iamlab.errors import IamlabError
from iamlab.flow import STEPS

ALICE = "arn:aws:iam::111122223333:user/alice"
OBJECT = "arn:aws:s3:::reports/q3.csv"


def doc(effect: str, action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "S", "Effect": effect, "Action": action, "Resource": resource, **extra}]}


ALL_S3 = doc("Allow", "s3:*")


def flow_of(action: str = "s3:DeleteObject", principal: str = ALICE,
            resource_account: str | None = "111122223333", **policies: Any) -> Any:
    request = Request.of(principal, action, OBJECT, resource_account=resource_account)
    return evaluate(request, PolicySet.of(**policies), explain=True).flow()


def test_the_steps_are_in_aws_order() -> None:
    assert [key for key, _, _ in STEPS] == ["deny", "rcp", "scp", "resource", "identity",
                                            "boundary", "session"]


def test_identity_policy_allows_and_every_step_is_passed() -> None:
    flow = flow_of(identity=[ALL_S3])
    assert flow.decision == "allowed" and flow.decided_at == "identity"
    assert flow.deciding_policy == 'the identity-based policy, statement "S"'
    assert flow.step("identity").outcome == "allow" and flow.step("identity").decided
    assert flow.step("boundary").outcome == "none" and flow.step("deny").outcome == "pass"
    assert flow.path == tuple(key for key, _, _ in STEPS)


def test_a_boundary_that_does_not_allow_decides_and_the_rest_is_not_reached() -> None:
    """"Permissions boundaries for IAM entities": the effective permissions are what both
    the identity-based policy and the boundary allow."""
    flow = flow_of(identity=[ALL_S3], boundary=doc("Allow", "s3:GetObject"))
    assert flow.decision == "implicitDeny" and flow.decided_at == "boundary"
    assert flow.step("identity").outcome == "allow"
    assert flow.step("boundary").outcome == "deny" and flow.step("boundary").decided
    assert flow.step("session").outcome == "not-reached"
    assert flow.deciding_policy == "the permissions boundary does not allow it"
    assert flow.path[-1] == "boundary"


def test_an_explicit_deny_in_an_scp_decides_first() -> None:
    flow = flow_of(identity=[ALL_S3], scps=[[doc("Deny", "s3:DeleteObject")]])
    assert flow.decision == "explicitDeny" and flow.decided_at == "deny"
    assert flow.path == ("deny",)
    assert "service control policy" in flow.deciding_policy
    assert all(s.outcome == "not-reached" for s in flow.steps[1:])


def test_an_scp_that_does_not_allow_decides_at_the_scp_step() -> None:
    flow = flow_of(identity=[ALL_S3], scps=[[doc("Allow", "s3:GetObject")]])
    assert flow.decided_at == "scp" and flow.step("scp").outcome == "deny"
    assert flow.step("resource").outcome == "not-reached"


def test_a_same_account_resource_policy_naming_the_caller_allows_on_its_own() -> None:
    bucket = doc("Allow", "s3:DeleteObject", OBJECT, Principal={"AWS": ALICE})
    flow = flow_of(resource=bucket)
    assert flow.decision == "allowed" and flow.decided_at == "resource" and flow.same_account
    assert flow.step("identity").outcome == "not-reached"
    assert "resource-based policy" in flow.deciding_policy


def test_across_accounts_the_resource_side_must_allow_too() -> None:
    flow = flow_of(identity=[ALL_S3], resource_account="444455556666")
    assert not flow.same_account
    assert flow.decision == "implicitDeny" and flow.decided_at == "resource"
    assert flow.step("resource").outcome == "deny" and not flow.step("resource").present
    assert flow.deciding_policy == "no resource-based policy allows it"


def test_a_session_policy_limits_the_session() -> None:
    """"Session policies": the session's permissions are the intersection of the identity
    policies and the session policy."""
    flow = flow_of(identity=[ALL_S3], session=doc("Allow", "s3:GetObject"))
    assert flow.decided_at == "session" and flow.step("session").outcome == "deny"


def test_the_flow_needs_an_explained_decision() -> None:
    decision = evaluate(Request.of(ALICE, "s3:GetObject", OBJECT), PolicySet.of())
    with pytest.raises(IamlabError, match="explain=True"):
        decision.flow()
    with pytest.raises(IamlabError, match="no step 'nope'"):
        flow_of(identity=[ALL_S3]).step("nope")
