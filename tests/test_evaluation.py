"""AWS's policy evaluation logic: how the answers of the policy types combine.

References (AWS IAM User Guide unless noted):
- "Policy evaluation logic" and "How AWS enforcement code logic evaluates requests to allow
  or deny access",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
- "Policy evaluation for requests within a single account",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
- "Cross-account policy evaluation logic",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- "Permissions boundaries for IAM entities",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
- "Policies and permissions in IAM", section "Session policies",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
- "AWS JSON policy elements: Principal" (anonymous "*", service principals),
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- AWS KMS Developer Guide, "Key policies in AWS KMS" and "Using IAM policies with AWS KMS",
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
  https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html
- AWS Organizations User Guide, "Service control policies (SCPs)" and "Resource control
  policies (RCPs)",
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
- AWS STS API Reference, "GetCallerIdentity",
  https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
- "IAM identifiers" (role paths; assumed-role session ARNs carry only the role name),
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
- "AWS global condition context keys", aws:PrincipalArn,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from iamlab.decision import Decision, Verdict
from iamlab.engine import PolicySet, evaluate
from iamlab.parse import parse_policy
from iamlab.policy import Policy, PolicyKind
from iamlab.request import ContextValue, Request

ACCOUNT = "111122223333"
OTHER = "444455556666"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/App"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/App/build-1"
OUTSIDER = f"arn:aws:iam::{OTHER}:user/eve"
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
OBJECT = f"{BUCKET}/reports/q1.csv"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TARGET_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Admin"

Statement = dict[str, Any]


def policy(kind: PolicyKind, *statements: Statement, name: str = "") -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind, name)


def allow(action: str = "*", resource: str = "*", **extra: Any) -> Statement:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str = "*", resource: str = "*", **extra: Any) -> Statement:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def identity(*statements: Statement) -> Policy:
    return policy(PolicyKind.IDENTITY, *statements, name="Perms")


def bucket_policy(*principals: Any, effect: str = "Allow",
                  action: str = "s3:GetObject") -> Policy:
    """A bucket policy granting (or denying) ``action`` on the bucket's objects."""
    statements = [{"Effect": effect, "Principal": p, "Action": action,
                   "Resource": f"{BUCKET}/*"} for p in principals]
    return policy(PolicyKind.RESOURCE, *statements, name="BucketPolicy")


def trust(*principals: Any) -> Policy:
    return policy(PolicyKind.TRUST, *[{"Effect": "Allow", "Principal": p,
                                       "Action": "sts:AssumeRole"} for p in principals])


def key_policy(*principals: Any) -> Policy:
    return policy(PolicyKind.RESOURCE, *[{"Effect": "Allow", "Principal": p,
                                          "Action": "kms:*", "Resource": "*"}
                                         for p in principals])


def ev(principal: str, action: str, arn: str, *, account: str | None = ACCOUNT,
       identity: Sequence[Policy] = (), resource: Policy | None = None,
       boundary: Policy | None = None, session: Policy | None = None,
       scps: list[list[Policy]] | None = None, rcps: list[list[Policy]] | None = None,
       context: dict[str, ContextValue] | None = None,
       role_arn: str | None = None) -> Decision:
    """Evaluate quickly and with explanation; both must agree."""
    request = Request.of(principal, action, arn, context, account, role_arn)
    policies = PolicySet.of(identity, resource, boundary, session, scps, rcps)
    quick = evaluate(request, policies)
    explained = evaluate(request, policies, explain=True)
    assert explained.verdict is quick.verdict
    assert explained.blocked_by is quick.blocked_by
    assert explained.summary == quick.summary
    return quick


ALLOW_ALL = identity(allow())


# --- deny evaluation --------------------------------------------------------------------------

def _everything_allows(deny_in: PolicyKind | None) -> dict[str, Any]:
    """Policies of every kind that allow the request; ``deny_in`` also denies it."""
    def kind(k: PolicyKind, *statements: Statement) -> Policy:
        extra = [deny("s3:GetObject")] if k is deny_in else []
        if k in (PolicyKind.RESOURCE, PolicyKind.RCP):
            extra = [{**s, "Principal": "*"} for s in extra]
        return policy(k, *statements, *extra)

    return {
        "identity": [kind(PolicyKind.IDENTITY, allow())],
        "resource": kind(PolicyKind.RESOURCE, {**allow(), "Principal": {"AWS": USER}}),
        "boundary": kind(PolicyKind.BOUNDARY, allow()),
        "scps": [[policy(PolicyKind.SCP, allow())], [kind(PolicyKind.SCP, allow())]],
        "rcps": [[kind(PolicyKind.RCP, {**allow(), "Principal": "*"})]],
    }


@pytest.mark.parametrize("kind", [PolicyKind.IDENTITY, PolicyKind.RESOURCE,
                                  PolicyKind.BOUNDARY, PolicyKind.SCP, PolicyKind.RCP])
def test_explicit_deny_wins_in_every_policy_type(kind: PolicyKind) -> None:
    """Deny evaluation: "If the code finds even one explicit deny that applies, the code
    returns a final decision of Deny" -- whichever policy type holds it, and whatever the
    others allow."""
    assert ev(USER, "s3:GetObject", OBJECT, **_everything_allows(None)).allowed
    decision = ev(USER, "s3:GetObject", OBJECT, **_everything_allows(kind))
    assert decision.verdict is Verdict.EXPLICIT_DENY
    assert decision.blocked_by is kind


def test_explicit_deny_in_a_session_policy() -> None:
    """Session policies: an explicit deny in a session policy denies."""
    session_policy = policy(PolicyKind.SESSION, allow(), deny("s3:GetObject"))
    decision = ev(SESSION, "s3:GetObject", OBJECT, identity=[ALLOW_ALL], session=session_policy)
    assert decision.decision == "explicitDeny" and decision.blocked_by is PolicyKind.SESSION


def test_explicit_deny_beats_a_resource_policy_naming_the_caller() -> None:
    """Deny evaluation: an explicit deny overrides even a direct resource-based grant."""
    decision = ev(USER, "s3:GetObject", OBJECT, identity=[identity(deny("s3:*"))],
                  resource=bucket_policy({"AWS": USER}))
    assert decision.decision == "explicitDeny"


def test_a_deny_that_does_not_name_the_caller_does_not_apply() -> None:
    """Principal page: a resource-based statement applies only to the principals it names."""
    decision = ev(USER, "s3:GetObject", OBJECT, identity=[ALLOW_ALL],
                  resource=bucket_policy({"AWS": OUTSIDER}, effect="Deny"))
    assert decision.allowed


def test_implicit_deny() -> None:
    """By default all requests are implicitly denied: nothing allows, nothing denies."""
    for policies in ({}, {"identity": [identity(allow("s3:PutObject"))]},
                     {"identity": [identity(allow("s3:GetObject", f"{BUCKET}/public/*"))]}):
        decision = ev(USER, "s3:GetObject", OBJECT, **policies)
        assert decision.decision == "implicitDeny"
        assert decision.blocked_by is PolicyKind.IDENTITY


# --- one account ------------------------------------------------------------------------------

def test_same_account_identity_policy_alone_allows() -> None:
    """Within one account, an identity-based policy or a resource-based policy can allow."""
    assert ev(USER, "s3:GetObject", OBJECT, identity=[ALLOW_ALL]).allowed


def test_same_account_resource_policy_naming_the_caller_allows_alone() -> None:
    """Single account: a resource-based policy that names the user (or the session) grants
    access with no identity-based policy at all."""
    assert ev(USER, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": USER})).allowed
    assert ev(SESSION, "s3:GetObject", OBJECT,
              resource=bucket_policy({"AWS": SESSION})).allowed
    assert ev(USER, "s3:GetObject", OBJECT, resource=bucket_policy("*")).allowed


def test_same_account_resource_policy_naming_the_account_delegates() -> None:
    """A resource-based policy naming the account (its root ARN or ID) delegates to the
    account's identity-based policies: on its own it grants the users nothing."""
    for principal in ({"AWS": ACCOUNT}, {"AWS": ROOT}):
        rbp = bucket_policy(principal)
        alone = ev(USER, "s3:GetObject", OBJECT, resource=rbp)
        assert alone.decision == "implicitDeny" and alone.blocked_by is PolicyKind.IDENTITY
        assert ev(USER, "s3:GetObject", OBJECT, resource=rbp, identity=[ALLOW_ALL]).allowed


def test_resource_policy_for_the_role_needs_the_session_policy() -> None:
    """Session policies: a resource-based policy naming the role's ARN adds its permissions
    before the session is created, so the session policy limits them; one naming the
    session ARN adds them after, and the session policy does not limit them."""
    session_policy = policy(PolicyKind.SESSION, allow("ec2:*"))
    for_role = ev(SESSION, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": ROLE}),
                  session=session_policy)
    assert for_role.decision == "implicitDeny" and for_role.blocked_by is PolicyKind.SESSION
    assert ev(SESSION, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": ROLE})).allowed
    assert ev(SESSION, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": SESSION}),
              session=session_policy).allowed


def test_unknown_resource_account_is_the_callers() -> None:
    """An S3 ARN carries no account; without one the resource is taken to be the caller's,
    so an identity-based policy decides (as for "*" resources such as s3:ListAllMyBuckets)."""
    assert ev(USER, "s3:GetObject", OBJECT, account=None, identity=[ALLOW_ALL]).allowed
    assert ev(USER, "s3:ListAllMyBuckets", "*", account=None, identity=[ALLOW_ALL]).allowed


# --- across accounts --------------------------------------------------------------------------

def test_cross_account_needs_both_sides() -> None:
    """Cross-account policy evaluation logic: the identity-based policy in the caller's
    account and the resource-based policy in the resource's account must both allow."""
    rbp = bucket_policy({"AWS": OTHER})
    ident = identity(allow("s3:GetObject"))
    only_identity = ev(OUTSIDER, "s3:GetObject", OBJECT, identity=[ident])
    assert only_identity.decision == "implicitDeny"
    assert only_identity.blocked_by is PolicyKind.RESOURCE
    only_resource = ev(OUTSIDER, "s3:GetObject", OBJECT, resource=rbp)
    assert only_resource.decision == "implicitDeny"
    assert only_resource.blocked_by is PolicyKind.IDENTITY
    assert ev(OUTSIDER, "s3:GetObject", OBJECT, identity=[ident], resource=rbp).allowed


def test_cross_account_resource_policy_naming_the_caller_still_needs_identity() -> None:
    """Naming the caller's ARN directly does not replace its own account's permission: the
    exception for direct grants holds only within one account."""
    rbp = bucket_policy({"AWS": OUTSIDER})
    assert ev(OUTSIDER, "s3:GetObject", OBJECT, resource=rbp).decision == "implicitDeny"
    assert ev(OUTSIDER, "s3:GetObject", OBJECT, resource=rbp,
              identity=[identity(allow("s3:*"))]).allowed
    wrong_account = bucket_policy({"AWS": "999988887777"})
    assert not ev(OUTSIDER, "s3:GetObject", OBJECT, resource=wrong_account,
                  identity=[ALLOW_ALL]).allowed


def test_cross_account_boundary_still_limits() -> None:
    """Permissions boundaries and cross-account evaluation: the caller's side includes its
    boundary."""
    boundary = policy(PolicyKind.BOUNDARY, allow("ec2:*"))
    decision = ev(OUTSIDER, "s3:GetObject", OBJECT, identity=[ALLOW_ALL], boundary=boundary,
                  resource=bucket_policy({"AWS": OUTSIDER}))
    assert decision.decision == "implicitDeny" and decision.blocked_by is PolicyKind.BOUNDARY


# --- role trust policies and KMS key policies -------------------------------------------------

def test_trust_policy_must_allow_even_within_one_account() -> None:
    """Single account: role trust policies are an exception -- identity-based permissions
    are not enough, the trust policy must allow sts:AssumeRole."""
    can_assume = identity(allow("sts:AssumeRole", TARGET_ROLE))
    no_trust = ev(USER, "sts:AssumeRole", TARGET_ROLE, identity=[can_assume],
                  resource=trust({"Service": "ec2.amazonaws.com"}))
    assert no_trust.decision == "implicitDeny"
    assert no_trust.blocked_by is PolicyKind.TRUST
    missing = ev(USER, "sts:AssumeRole", TARGET_ROLE, identity=[can_assume])
    assert missing.decision == "implicitDeny"
    assert ev(USER, "sts:AssumeRole", TARGET_ROLE, identity=[can_assume],
              resource=trust({"AWS": ACCOUNT})).allowed


def test_trust_policy_naming_the_account_still_needs_identity_permission() -> None:
    """Role trust policies: naming the account delegates to its identity-based policies."""
    decision = ev(USER, "sts:AssumeRole", TARGET_ROLE, resource=trust({"AWS": ROOT}))
    assert decision.decision == "implicitDeny" and decision.blocked_by is PolicyKind.IDENTITY


def test_trust_policy_naming_the_user_directly_is_enough_in_one_account() -> None:
    """Single account: a trust policy naming the user allows it on its own."""
    assert ev(USER, "sts:AssumeRole", TARGET_ROLE, resource=trust({"AWS": USER})).allowed


def test_cross_account_assume_role_needs_both_sides() -> None:
    """Cross-account policy evaluation logic, applied to sts:AssumeRole."""
    can_assume = identity(allow("sts:AssumeRole", TARGET_ROLE))
    assert ev(OUTSIDER, "sts:AssumeRole", TARGET_ROLE, identity=[can_assume],
              resource=trust({"AWS": OTHER})).allowed
    assert not ev(OUTSIDER, "sts:AssumeRole", TARGET_ROLE,
                  resource=trust({"AWS": OTHER})).allowed
    assert not ev(OUTSIDER, "sts:AssumeRole", TARGET_ROLE, identity=[can_assume],
                  resource=trust({"AWS": ACCOUNT})).allowed


def test_kms_key_policy_must_allow_even_within_one_account() -> None:
    """Key policies in AWS KMS: "Unless the key policy explicitly allows it, you cannot use
    IAM policies to allow access to a KMS key"; the default key policy's statement for the
    account root enables IAM policies; a key policy naming a user grants it access itself."""
    use_key = identity(allow("kms:Decrypt", KEY))
    no_key_policy = ev(USER, "kms:Decrypt", KEY, identity=[use_key])
    assert no_key_policy.decision == "implicitDeny"
    assert no_key_policy.blocked_by is PolicyKind.RESOURCE
    assert "key policy" in no_key_policy.summary
    assert not ev(USER, "kms:Decrypt", KEY, identity=[use_key],
                  resource=key_policy({"AWS": f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"})).allowed
    assert ev(USER, "kms:Decrypt", KEY, identity=[use_key],
              resource=key_policy({"AWS": ROOT})).allowed
    assert ev(USER, "kms:Decrypt", KEY, resource=key_policy({"AWS": USER})).allowed
    root_only = ev(ROOT, "kms:Decrypt", KEY)
    assert root_only.decision == "implicitDeny"  # not even the root user


def test_kms_actions_on_no_particular_key_need_only_iam() -> None:
    """Using IAM policies with AWS KMS: IAM policies control operations "such as CreateKey,
    that can't be controlled by a key policy because they don't involve any particular KMS
    key"."""
    perms = identity(allow("kms:CreateKey"), allow("kms:ListKeys"))
    assert ev(USER, "kms:CreateKey", "*", identity=[perms]).allowed
    assert ev(USER, "kms:ListKeys", "*", identity=[perms]).allowed
    assert not ev(USER, "kms:ListAliases", "*", identity=[perms]).allowed


# --- service principals and anonymous callers -------------------------------------------------

def test_service_principal_needs_the_resource_policy() -> None:
    """Principal page, AWS service principals: a service is granted access by naming it in
    the resource's policy (a trust policy for roles); it has no identity-based policies."""
    service = "lambda.amazonaws.com"
    lambda_role = f"arn:aws:iam::{ACCOUNT}:role/LambdaExec"
    assert ev(service, "sts:AssumeRole", lambda_role,
              resource=trust({"Service": service})).allowed
    other = ev(service, "sts:AssumeRole", lambda_role,
               resource=trust({"Service": "ec2.amazonaws.com"}))
    assert other.decision == "implicitDeny" and other.blocked_by is PolicyKind.TRUST
    assert not ev(service, "sts:AssumeRole", lambda_role, identity=[ALLOW_ALL]).allowed
    assert not ev(service, "sts:AssumeRole", lambda_role, resource=trust({"AWS": ROOT})).allowed
    scp = [[policy(PolicyKind.SCP, deny())]]
    assert ev(service, "sts:AssumeRole", lambda_role, resource=trust({"Service": service}),
              scps=scp).allowed  # SCPs govern the organisation's principals, not services
    rbp = bucket_policy({"Service": "logging.s3.amazonaws.com"})
    assert ev("logging.s3.amazonaws.com", "s3:GetObject", OBJECT, resource=rbp).allowed


def test_anonymous_requests_need_a_public_resource_policy() -> None:
    """Principal page, "All principals": "*" (or {"AWS": "*"}) includes anonymous users;
    nothing else lets an unauthenticated caller in."""
    for principal in ("*", {"AWS": "*"}):
        assert ev("*", "s3:GetObject", OBJECT, resource=bucket_policy(principal)).allowed
    named = ev("*", "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": ACCOUNT}))
    assert named.decision == "implicitDeny"
    assert ev("*", "s3:GetObject", OBJECT).decision == "implicitDeny"
    blocked = ev("*", "s3:GetObject", OBJECT, resource=policy(
        PolicyKind.RESOURCE, {**allow("s3:GetObject", f"{BUCKET}/*"), "Principal": "*"},
        {**deny("s3:GetObject", f"{BUCKET}/reports/*"), "Principal": "*"}))
    assert blocked.decision == "explicitDeny"


def test_scps_do_not_apply_to_anonymous_callers() -> None:
    """SCPs are "principal-centric controls": they limit the principals in member accounts,
    which an anonymous caller is not (Organizations, "Authorization policies")."""
    scps = [[policy(PolicyKind.SCP, allow("ec2:*"))]]
    assert ev("*", "s3:GetObject", OBJECT, resource=bucket_policy("*"), scps=scps).allowed
    rcps = [[policy(PolicyKind.RCP, {**deny("s3:*"), "Principal": "*"})]]
    assert ev("*", "s3:GetObject", OBJECT, resource=bucket_policy("*"),
              rcps=rcps).decision == "explicitDeny"


def test_root_user() -> None:
    """By default all requests are denied "with the exception of the AWS account root user,
    which has full access" -- but SCPs and explicit denies still apply to it."""
    assert ev(ROOT, "s3:GetObject", OBJECT).allowed
    assert ev(ACCOUNT, "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/bob").allowed
    scps = [[policy(PolicyKind.SCP, allow("ec2:*"))]]
    limited = ev(ROOT, "s3:GetObject", OBJECT, scps=scps)
    assert limited.decision == "implicitDeny" and limited.blocked_by is PolicyKind.SCP
    assert ev(ROOT, "s3:GetObject", OBJECT,
              resource=bucket_policy("*", effect="Deny")).decision == "explicitDeny"


# --- permissions boundaries and session policies ----------------------------------------------

def test_boundary_limits_and_never_grants() -> None:
    """Permissions boundaries: the entity can do only what both its identity-based policies
    and its boundary allow; a boundary alone grants nothing."""
    boundary = policy(PolicyKind.BOUNDARY, allow("s3:*"), name="Fence")
    assert ev(USER, "s3:GetObject", OBJECT, identity=[ALLOW_ALL], boundary=boundary).allowed
    outside = ev(USER, "iam:CreateUser", USER, identity=[ALLOW_ALL], boundary=boundary)
    assert outside.decision == "implicitDeny"
    assert outside.blocked_by is PolicyKind.BOUNDARY
    alone = ev(USER, "s3:GetObject", OBJECT, boundary=boundary)
    assert alone.decision == "implicitDeny" and alone.blocked_by is PolicyKind.IDENTITY


def test_boundary_exceptions_for_resource_policies() -> None:
    """Permissions boundaries, resource-based policies: within one account a resource-based
    policy naming the IAM user (or the role session) directly is not limited by an implicit
    deny in the boundary; one naming the role ARN is."""
    boundary = policy(PolicyKind.BOUNDARY, allow("ec2:*"))
    assert ev(USER, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": USER}),
              boundary=boundary).allowed
    assert ev(SESSION, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": SESSION}),
              boundary=boundary).allowed
    via_role = ev(SESSION, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": ROLE}),
                  boundary=boundary)
    assert via_role.decision == "implicitDeny"
    assert via_role.blocked_by is PolicyKind.BOUNDARY
    via_account = ev(USER, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": ACCOUNT}),
                     boundary=boundary, identity=[ALLOW_ALL])
    assert via_account.decision == "implicitDeny"


def test_a_grant_to_the_role_arn_is_limited_by_the_roles_boundary() -> None:
    """Permissions boundaries for IAM entities, resource-based policies, and "Policy
    evaluation for requests within a single account": within one account an implicit deny
    in the permissions boundary limits what a resource-based policy grants to a role's ARN;
    only a grant to a role session ARN (or an IAM user ARN) is not limited. That holds when
    the request's principal is the role ARN itself, as it is for the session behind it
    (issue 13: the role ARN named by a queue policy escaped the boundary)."""
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:reports"
    role = f"arn:aws:iam::{ACCOUNT}:role/ReportingRole"
    queue_policy = policy(PolicyKind.RESOURCE, {
        "Effect": "Allow", "Principal": {"AWS": role}, "Action": "sqs:ReceiveMessage",
        "Resource": queue})
    boundary = policy(PolicyKind.BOUNDARY, allow("s3:*"))
    limited = ev(role, "sqs:ReceiveMessage", queue, identity=[identity(allow("s3:*"))],
                 resource=queue_policy, boundary=boundary)
    assert limited.decision == "implicitDeny"
    assert limited.blocked_by is PolicyKind.BOUNDARY
    assert limited.reason == "resource-role-limited"
    # without a boundary the grant to the role's ARN is enough on its own
    alone = ev(role, "sqs:ReceiveMessage", queue, resource=queue_policy)
    assert alone.allowed and alone.reason == "resource-role"
    # a boundary that allows the action lets the grant through
    assert ev(role, "sqs:ReceiveMessage", queue, resource=queue_policy,
              boundary=policy(PolicyKind.BOUNDARY, allow("sqs:*"))).allowed


def test_not_principal_naming_the_role_spares_the_role() -> None:
    """NotPrincipal: a Deny with NotPrincipal naming a role ARN does not apply to a request
    made as that role ARN (it does apply to the role's sessions, which are not named)."""
    role = f"arn:aws:iam::{ACCOUNT}:role/App"
    rbp = policy(PolicyKind.RESOURCE,
                 {"Effect": "Deny", "NotPrincipal": {"AWS": role}, "Action": "s3:*",
                  "Resource": f"{BUCKET}/*"},
                 {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                  "Resource": f"{BUCKET}/*"})
    assert ev(role, "s3:GetObject", OBJECT, resource=rbp).allowed
    assert ev(SESSION, "s3:GetObject", OBJECT, resource=rbp).decision == "explicitDeny"


def test_session_policy_limits_and_never_grants() -> None:
    """Session policies "limit the permissions that the role or user's identity-based
    policy grants to the session" and "don't grant permissions" themselves."""
    session_policy = policy(PolicyKind.SESSION, allow("s3:GetObject"))
    assert ev(SESSION, "s3:GetObject", OBJECT, identity=[ALLOW_ALL],
              session=session_policy).allowed
    narrower = ev(SESSION, "s3:PutObject", OBJECT, identity=[ALLOW_ALL], session=session_policy)
    assert narrower.decision == "implicitDeny" and narrower.blocked_by is PolicyKind.SESSION
    alone = ev(SESSION, "s3:GetObject", OBJECT, session=session_policy)
    assert alone.decision == "implicitDeny" and alone.blocked_by is PolicyKind.IDENTITY


def test_several_boundary_documents_act_as_one() -> None:
    """PolicySet: a boundary given as several documents allows if any of them does."""
    request = Request.of(USER, "s3:GetObject", OBJECT, resource_account=ACCOUNT)
    two = PolicySet.of(identity=[ALLOW_ALL], boundary=[
        policy(PolicyKind.BOUNDARY, allow("ec2:*")), policy(PolicyKind.BOUNDARY, allow("s3:*"))])
    assert evaluate(request, two).allowed


# --- SCPs and RCPs ----------------------------------------------------------------------------

def test_every_scp_level_must_allow() -> None:
    """SCP evaluation: a permission must be allowed at every level from the root through
    each OU to the account; an SCP never grants."""
    full = policy(PolicyKind.SCP, allow())
    ec2_only = policy(PolicyKind.SCP, allow("ec2:*"))
    s3_only = policy(PolicyKind.SCP, allow("s3:*"))
    assert ev(USER, "s3:GetObject", OBJECT, identity=[ALLOW_ALL],
              scps=[[full], [full], [full]]).allowed
    gap = ev(USER, "s3:GetObject", OBJECT, identity=[ALLOW_ALL],
             scps=[[full], [ec2_only], [full]])
    assert gap.decision == "implicitDeny" and gap.blocked_by is PolicyKind.SCP
    assert gap.level == 1 and "level 2" in gap.summary
    assert ev(USER, "s3:GetObject", OBJECT, identity=[ALLOW_ALL],
              scps=[[full], [ec2_only, s3_only], [full]]).allowed  # one SCP of a level is enough
    empty_level = ev(USER, "s3:GetObject", OBJECT, identity=[ALLOW_ALL], scps=[[full], []])
    assert not empty_level.allowed
    no_grant = ev(USER, "s3:GetObject", OBJECT, scps=[[full]])
    assert no_grant.decision == "implicitDeny" and no_grant.blocked_by is PolicyKind.IDENTITY


def test_scp_deny_at_any_level() -> None:
    """SCP evaluation: an explicit deny in an SCP at any level denies."""
    full = policy(PolicyKind.SCP, allow())
    fence = policy(PolicyKind.SCP, allow(), deny("s3:*", f"{BUCKET}/*"))
    decision = ev(USER, "s3:GetObject", OBJECT, identity=[ALLOW_ALL],
                  scps=[[full], [full], [fence]])
    assert decision.decision == "explicitDeny" and decision.blocked_by is PolicyKind.SCP
    assert decision.level == 2


def test_scps_limit_resource_policy_grants_too() -> None:
    """Policy evaluation logic: SCPs are checked before resource-based policies, so they limit
    those grants too."""
    scps = [[policy(PolicyKind.SCP, allow("ec2:*"))]]
    decision = ev(USER, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": USER}),
                  scps=scps)
    assert decision.decision == "implicitDeny"


def test_every_rcp_level_must_allow() -> None:
    """RCPs set the maximum permissions for resources in member accounts: every level must
    allow (RCPFullAWSAccess is attached by default), and an RCP never grants."""
    full = policy(PolicyKind.RCP, {**allow(), "Principal": "*"})
    s3_only = policy(PolicyKind.RCP, {**allow("s3:*"), "Principal": "*"})
    ec2_only = policy(PolicyKind.RCP, {**allow("ec2:*"), "Principal": "*"})
    rbp = bucket_policy({"AWS": OTHER})
    ident = identity(allow("s3:*"))
    assert ev(OUTSIDER, "s3:GetObject", OBJECT, identity=[ident], resource=rbp,
              rcps=[[full], [s3_only]]).allowed
    gap = ev(OUTSIDER, "s3:GetObject", OBJECT, identity=[ident], resource=rbp,
             rcps=[[full], [ec2_only]])
    assert gap.decision == "implicitDeny" and gap.blocked_by is PolicyKind.RCP
    assert not ev(USER, "s3:GetObject", OBJECT, rcps=[[full]]).allowed
    perimeter = policy(PolicyKind.RCP, {**deny("s3:*"), "Principal": "*", "Condition": {
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}})
    denied = ev(OUTSIDER, "s3:GetObject", OBJECT, identity=[ident], resource=rbp,
                rcps=[[full, perimeter]], context={"aws:PrincipalOrgID": "o-other"})
    assert denied.decision == "explicitDeny" and denied.blocked_by is PolicyKind.RCP


# --- sts:GetCallerIdentity --------------------------------------------------------------------

@pytest.mark.parametrize("policies", [
    {},
    {"identity": [identity(deny())]},
    {"identity": [ALLOW_ALL], "scps": [[policy(PolicyKind.SCP, deny())]]},
    {"boundary": policy(PolicyKind.BOUNDARY, deny("sts:*"))},
])
def test_get_caller_identity_is_always_allowed(policies: dict[str, Any]) -> None:
    """GetCallerIdentity: "No permissions are required to perform this operation. If an
    administrator attaches a policy to your identity that explicitly denies access to the
    sts:GetCallerIdentity action, you can still perform this operation.\""""
    for principal in (USER, SESSION, OUTSIDER):
        decision = ev(principal, "sts:GetCallerIdentity", "*", **policies)
        assert decision.allowed
        assert "needs no permission" in decision.summary
    assert ev(USER, "STS:getcalleridentity", "*", **policies).allowed


# --- a role with a path: its sessions are named by the role ARN, path included ----------------

TEAM_ROLE = f"arn:aws:iam::{ACCOUNT}:role/team/App"  # the role behind SESSION, with a path


def test_resource_policy_naming_a_role_with_a_path_names_its_sessions() -> None:
    """IAM identifiers: a role created with the path /team/ has the ARN
    arn:aws:iam::111122223333:role/team/App, while its session is
    arn:aws:sts::111122223333:assumed-role/App/build-1 (no path). Principal page, "IAM role
    principals": naming the role grants its sessions, limited by their boundary and session
    policy. The request says which role is behind the session (Request.role_arn)."""
    rbp = bucket_policy({"AWS": TEAM_ROLE})
    decision = ev(SESSION, "s3:GetObject", OBJECT, resource=rbp, role_arn=TEAM_ROLE)
    assert decision.allowed and decision.reason == "resource-session"
    # without the path the engine cannot know the role is /team/App: the policy names nobody
    assert ev(SESSION, "s3:GetObject", OBJECT, resource=rbp).decision == "implicitDeny"
    # and a policy naming the path-less ARN does not name the role /team/App
    assert ev(SESSION, "s3:GetObject", OBJECT, resource=bucket_policy({"AWS": ROLE}),
              role_arn=TEAM_ROLE).decision == "implicitDeny"
    # still limited like any grant to the role ("IAM role principals")
    limited = ev(SESSION, "s3:GetObject", OBJECT, resource=rbp, role_arn=TEAM_ROLE,
                 session=policy(PolicyKind.SESSION, allow("ec2:*")))
    assert limited.decision == "implicitDeny" and limited.blocked_by is PolicyKind.SESSION


def test_principal_arn_condition_with_the_role_path() -> None:
    """aws:PrincipalArn: "For IAM roles, the request context returns the ARN of the role" and
    "Do not specify the assumed role session ARN as a value for this condition key". The
    context the caller's side supplies holds the role ARN with its path."""
    from iamlab.context import aws_context

    rbp = policy(PolicyKind.RESOURCE, {
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": TEAM_ROLE}}})
    ctx = aws_context(SESSION, role_arn=TEAM_ROLE, resource_account=ACCOUNT)
    assert ev(SESSION, "s3:GetObject", OBJECT, resource=rbp, context=ctx,
              role_arn=TEAM_ROLE).allowed
    plain = aws_context(SESSION, resource_account=ACCOUNT)
    assert ev(SESSION, "s3:GetObject", OBJECT, resource=rbp,
              context=plain).decision == "implicitDeny"


def test_cross_account_trust_naming_a_role_with_a_path() -> None:
    """Cross-account policy evaluation logic: the trust policy names the other account's role
    by its ARN (path included); its session may assume the role when its own policies allow."""
    partner_role = f"arn:aws:iam::{OTHER}:role/ops/Partner"
    partner = f"arn:aws:sts::{OTHER}:assumed-role/Partner/nightly"
    may_assume = identity(allow("sts:AssumeRole", TARGET_ROLE))
    assert ev(partner, "sts:AssumeRole", TARGET_ROLE, identity=[may_assume],
              resource=trust({"AWS": partner_role}), role_arn=partner_role).allowed
    assert not ev(partner, "sts:AssumeRole", TARGET_ROLE, identity=[may_assume],
                  resource=trust({"AWS": partner_role})).allowed


def test_notprincipal_naming_a_role_with_a_path_still_denies_its_sessions() -> None:
    """NotPrincipal page, "IAM role in the same or different account": the NotPrincipal element
    "contains the ARN of the assumed-role user (cross-account-audit-app), the role
    (cross-account-read-only-role), and the AWS account"; "Principals must always name a
    specific session". Naming the role (by its ARN with the path) does not spare a session."""
    statements = [allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": ACCOUNT}),
                  deny("s3:GetObject", f"{BUCKET}/*",
                       NotPrincipal={"AWS": [TEAM_ROLE, SESSION, ROOT]})]
    rbp = policy(PolicyKind.RESOURCE, *statements)
    assert ev(SESSION, "s3:GetObject", OBJECT, identity=[ALLOW_ALL], resource=rbp,
              role_arn=TEAM_ROLE).allowed
    only_role = policy(PolicyKind.RESOURCE, statements[0],
                       deny("s3:GetObject", f"{BUCKET}/*",
                            NotPrincipal={"AWS": [TEAM_ROLE, ROOT]}))
    assert ev(SESSION, "s3:GetObject", OBJECT, identity=[ALLOW_ALL], resource=only_role,
              role_arn=TEAM_ROLE).decision == "explicitDeny"


# --- identity providers: AssumeRoleWithSAML and AssumeRoleWithWebIdentity ---------------------

SAML_PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/CorpSSO"
OIDC_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


def federated_trust(principal: Any, action: str) -> Policy:
    return policy(PolicyKind.TRUST, {"Effect": "Allow", "Principal": principal,
                                     "Action": action})


@pytest.mark.parametrize(("provider", "action"), [
    (SAML_PROVIDER, "sts:AssumeRoleWithSAML"),
    (OIDC_PROVIDER, "sts:AssumeRoleWithWebIdentity"),
    ("accounts.google.com", "sts:AssumeRoleWithWebIdentity"),
])
def test_identity_provider_is_let_in_by_the_trust_policy_alone(provider: str,
                                                               action: str) -> None:
    """Principal page, "SAML session principals" / "Web identity session principals": the role
    trust policy names the provider as "Federated". The provider has no identity-based
    policies of its own, is no principal of a member account (SCPs do not apply to it), and
    an account principal does not name it ("AWS account principals": the account must
    "grant access to an identity (IAM user or role)")."""
    named = ev(provider, action, TARGET_ROLE, resource=federated_trust({"Federated": provider},
                                                                       action))
    assert named.allowed and named.reason == "service-allowed"
    assert "the identity provider" in named.summary
    scps = [[policy(PolicyKind.SCP, deny())]]
    assert ev(provider, action, TARGET_ROLE, scps=scps,
              resource=federated_trust({"Federated": provider}, action)).allowed
    for principal in ({"AWS": ACCOUNT}, {"AWS": ROOT}, {"Service": "ec2.amazonaws.com"},
                      {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/Other"}):
        other = ev(provider, action, TARGET_ROLE, identity=[ALLOW_ALL],
                   resource=federated_trust(principal, action))
        assert other.decision == "implicitDeny", principal
        assert other.blocked_by is PolicyKind.TRUST


def test_the_root_user_cannot_assume_a_role() -> None:
    """STS API reference, AssumeRole: "You cannot use AWS account root user credentials to call
    AssumeRole. You must use credentials for an IAM user or an IAM role to call AssumeRole."
    Even a trust policy naming the root user's own account does not change that."""
    from iamlab import PolicySet, Request, evaluate, parse_policy

    trust = parse_policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "sts:AssumeRole"}]}, "trust")
    request = Request.of("arn:aws:iam::111122223333:root", "sts:AssumeRole",
                         "arn:aws:iam::111122223333:role/Admin")
    for explain in (False, True):
        decision = evaluate(request, PolicySet.of(resource=trust), explain=explain)
        assert decision.decision == "implicitDeny"
        assert "root user cannot assume a role" in decision.summary
