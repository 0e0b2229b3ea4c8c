"""Who is calling: Request.role_arn for role sessions, identity providers, and the keys AWS
adds to the request context for them.

References (AWS IAM User Guide):
- "IAM identifiers" (ARNs of roles with a path; the assumed-role session ARN
  ``arn:aws:sts::account:assumed-role/role-name/role-session-name``),
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
- "AWS global condition context keys": aws:PrincipalArn ("For IAM roles, the request context
  returns the ARN of the role, not the ARN of the user that assumed the role"; "Do not specify
  the assumed role session ARN as a value for this condition key"), aws:PrincipalIsAWSService
  ("present in the request context for all signed API requests that use AWS credentials"),
  aws:FederatedProvider,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
- "AWS JSON policy elements: Principal", "Role session principals" (web identity and SAML
  session principals; the Federated principal names the provider),
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- "IAM policy elements: Variables and tags", "Principal key values" (web identity and SAML
  federated users act as role sessions: aws:userid is role-id:caller-specified-role-name;
  anonymous callers, AWS STS federated user principals and the root user),
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- "AWS global condition context keys", "Properties of the principal": the Availability of
  aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalIsAWSService, aws:PrincipalServiceName,
  aws:PrincipalType, aws:userid and aws:username for anonymous and service callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone

import pytest

from iamlab.arn import PrincipalType, identify
from iamlab.context import aws_context
from iamlab.engine import PolicySet, evaluate
from iamlab.errors import PolicyError, Problem
from iamlab.matching import PrincipalMatch, principal_match
from iamlab.parse import parse_policy
from iamlab.policy import PolicyKind, Principal
from iamlab.request import Context, Request

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/team/RoleName"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/RoleName/session"
SAML = f"arn:aws:iam::{ACCOUNT}:saml-provider/CorpSSO"
OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


# --- Request.role_arn: the role (with its path) behind a session ------------------------------

def test_a_session_arn_drops_the_role_path_and_role_arn_gives_it_back() -> None:
    """IAM identifiers: the session ARN carries the role's name only. Without role_arn the
    role is taken to have no path; with it, the identity names the real role ARN."""
    plain = Request.of(SESSION, "s3:GetObject", "arn:aws:s3:::b/k")
    assert plain.role_arn is None
    assert plain.identity.role_arn == f"arn:aws:iam::{ACCOUNT}:role/RoleName"
    with_path = Request.of(SESSION, "s3:GetObject", "arn:aws:s3:::b/k", role_arn=ROLE)
    assert with_path.role_arn == ROLE
    assert with_path.identity.role_arn == ROLE
    assert with_path.identity.type is PrincipalType.ASSUMED_ROLE
    assert with_path.identity.account == ACCOUNT
    assert with_path != plain  # the role behind the session is part of the request


@pytest.mark.parametrize(("principal", "role_arn", "words"), [
    (SESSION, f"arn:aws:iam::{ACCOUNT}:role/team/OtherRole", "is not the role of the session"),
    (SESSION, "arn:aws:iam::444455556666:role/team/RoleName", "is not the role of the session"),
    (SESSION, f"arn:aws-cn:iam::{ACCOUNT}:role/RoleName", "is not the role of the session"),
    (SESSION, f"arn:aws:iam::{ACCOUNT}:user/team/RoleName", "is not the role of the session"),
    (SESSION, "RoleName", "is not the role of the session"),
    (f"arn:aws:iam::{ACCOUNT}:user/alice", ROLE, "is not an assumed-role session"),
    (f"arn:aws:iam::{ACCOUNT}:role/team/RoleName", ROLE, "is not an assumed-role session"),
    ("*", ROLE, "is not an assumed-role session"),
    ("ec2.amazonaws.com", ROLE, "is not an assumed-role session"),
])
def test_role_arn_must_be_the_sessions_own_role(principal: str, role_arn: str,
                                                 words: str) -> None:
    """A session of RoleName can only have arn:...:role/<path>RoleName behind it, in its own
    account and partition; only a session has a role behind it."""
    with pytest.raises(ValueError, match=words):
        Request.of(principal, "s3:GetObject", "arn:aws:s3:::b/k", role_arn=role_arn)


def test_role_arn_with_and_without_a_path_both_name_the_session() -> None:
    """A role without a path may be given explicitly too; a deep path is fine."""
    plain = f"arn:aws:iam::{ACCOUNT}:role/RoleName"
    deep = f"arn:aws:iam::{ACCOUNT}:role/a/b/c/RoleName"
    assert identify(SESSION, plain).role_arn == plain
    assert identify(SESSION, deep).role_arn == deep


def test_aws_principal_arn_of_a_session_is_its_role_arn_with_the_path() -> None:
    """aws:PrincipalArn: "For IAM roles, the request context returns the ARN of the role"
    -- the role's ARN, which includes its path -- never the session ARN."""
    ctx = aws_context(SESSION, role_arn=ROLE, now=NOW)
    assert ctx["aws:PrincipalArn"] == ROLE
    assert ctx["aws:PrincipalType"] == "AssumedRole"
    assert ctx["aws:PrincipalAccount"] == ACCOUNT
    # without role_arn the role is taken to have no path
    assert aws_context(SESSION, now=NOW)["aws:PrincipalArn"] == \
        f"arn:aws:iam::{ACCOUNT}:role/RoleName"


# --- identity providers: the callers of AssumeRoleWithSAML / AssumeRoleWithWebIdentity --------

@pytest.mark.parametrize("provider", [
    SAML, OIDC, "accounts.google.com", "cognito-identity.amazonaws.com", "www.amazon.com",
    "graph.facebook.com",
])
def test_identity_providers_are_neither_users_nor_services(provider: str) -> None:
    """Principal page, "Role session principals": a SAML provider ARN, an OIDC provider ARN or
    a built-in web identity provider is named as "Federated"; none is an IAM user or an AWS
    service. Its users become AssumedRole sessions ("Principal key values")."""
    who = identify(provider)
    assert who.type is PrincipalType.IDENTITY_PROVIDER
    assert not who.is_service
    assert who.account == (ACCOUNT if provider.startswith("arn:") else None)
    assert identify("ec2.amazonaws.com").type is PrincipalType.SERVICE
    assert identify(f"arn:aws:iam::{ACCOUNT}:user/team/alice").type is PrincipalType.USER


def test_identity_provider_context_has_no_principal_keys() -> None:
    """AssumeRoleWithSAML and AssumeRoleWithWebIdentity are not signed with AWS credentials:
    no aws:PrincipalIsAWSService ("present ... for all signed API requests that use AWS
    credentials"), no aws:PrincipalArn ("included in the request context for all signed
    requests"), no aws:PrincipalType of "User". aws:FederatedProvider "is present ... in the
    role-trust policy when an OIDC provider is used to call AssumeRoleWithWebIdentity"."""
    saml = aws_context(SAML, now=NOW, source_ip="203.0.113.7")
    assert saml["aws:SourceIp"] == "203.0.113.7"
    for key in ("aws:PrincipalArn", "aws:PrincipalType", "aws:PrincipalAccount",
                "aws:username", "aws:PrincipalIsAWSService", "aws:FederatedProvider"):
        assert key not in saml, key
    assert aws_context(OIDC, now=NOW)["aws:FederatedProvider"] == OIDC
    assert aws_context("cognito-identity.amazonaws.com", now=NOW)["aws:FederatedProvider"] == \
        "cognito-identity.amazonaws.com"
    assert "aws:PrincipalServiceName" not in aws_context("accounts.google.com", now=NOW)


# --- the principal keys of anonymous callers, service principals and federated users ---------

_PRINCIPAL_KEYS = ("aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType",
                   "aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:userid",
                   "aws:username", "aws:PrincipalOrgID", "aws:PrincipalTag/team",
                   "aws:MultiFactorAuthPresent")


def _principal_keys(ctx: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in ctx.items() if k in _PRINCIPAL_KEYS}


def test_anonymous_context_follows_each_keys_availability() -> None:
    """AWS global condition context keys, "Properties of the principal", each key's
    Availability: aws:PrincipalType and aws:userid are "included in the request context for
    all requests, including anonymous requests", with the values of "Principal key values"
    ("Anonymous caller": aws:userid "anonymous", aws:PrincipalType "Anonymous");
    aws:PrincipalAccount likewise, and "For anonymous requests, the request context returns
    anonymous". aws:PrincipalArn, aws:PrincipalIsAWSService, aws:PrincipalOrgID and
    aws:PrincipalTag: "Anonymous requests do not include this key"; aws:username: "Anonymous
    requests ... do not include this key"; aws:PrincipalServiceName is "not present ... If
    the call is made by an anonymous requester"."""
    ctx = aws_context("*", now=NOW, source_ip="203.0.113.7", org_id="o-example",
                      principal_tags={"team": "red"})
    assert _principal_keys(ctx) == {"aws:PrincipalType": "Anonymous",
                                    "aws:PrincipalAccount": "anonymous",
                                    "aws:userid": "anonymous"}
    assert ctx["aws:SourceIp"] == "203.0.113.7"


def test_anonymous_callers_can_be_told_apart_in_a_policy() -> None:
    """With those keys a bucket policy can single out anonymous callers by aws:PrincipalType,
    and a BoolIfExists on aws:PrincipalIsAWSService sees no key for them."""
    public = parse_policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"StringEquals": {"aws:PrincipalType": "Anonymous",
                                       "aws:PrincipalAccount": "anonymous"},
                      "Null": {"aws:PrincipalIsAWSService": "true"}}}]},
        PolicyKind.RESOURCE)
    request = Request.of("*", "s3:GetObject", "arn:aws:s3:::b/k", aws_context("*", now=NOW),
                         ACCOUNT)
    assert evaluate(request, PolicySet.of(resource=public)).decision == "allowed"


def test_service_principal_context_has_only_the_service_keys() -> None:
    """aws:PrincipalServiceName: "present in the request when the call is made by an AWS
    service principal"; aws:PrincipalIsAWSService: "set to true when a service uses a service
    principal to perform a direct action on your resources". The "Principal key values" table
    and aws:PrincipalArn's list of principal types give no value for a service principal, so
    no aws:PrincipalArn, aws:PrincipalType, aws:PrincipalAccount, aws:userid or aws:username
    is made up for one."""
    ctx = aws_context("cloudtrail.amazonaws.com", now=NOW, org_id="o-example",
                      principal_tags={"team": "red"}, mfa_age_seconds=5)
    assert _principal_keys(ctx) == {"aws:PrincipalServiceName": "cloudtrail.amazonaws.com",
                                    "aws:PrincipalIsAWSService": "true"}


FEDERATED = f"arn:aws:sts::{ACCOUNT}:federated-user/Bob"


def test_federated_user_context() -> None:
    """A GetFederationToken session: aws:PrincipalArn for "AWS STS federated user principals"
    is arn:aws:sts::123456789012:federated-user/user-name (the session's own ARN);
    "Principal key values": aws:username (not present), aws:userid
    "account:caller-specified-name", aws:PrincipalType "FederatedUser". The root user's
    aws:userid is its "AWS account ID" (same table)."""
    ctx = aws_context(FEDERATED, now=NOW)
    assert ctx["aws:PrincipalArn"] == FEDERATED
    assert ctx["aws:PrincipalType"] == "FederatedUser"
    assert ctx["aws:PrincipalAccount"] == ACCOUNT
    assert ctx["aws:userid"] == f"{ACCOUNT}:Bob"
    assert "aws:username" not in ctx
    assert aws_context(FEDERATED, now=NOW, userid="given")["aws:userid"] == "given"
    root = aws_context(ACCOUNT, now=NOW)
    assert (root["aws:PrincipalType"], root["aws:userid"]) == ("Account", ACCOUNT)
    assert "aws:username" not in root


def test_no_iam_user_is_guessed_behind_a_federated_user_session() -> None:
    """The name in a federated-user ARN is "caller-specified-name": whatever the caller passed
    to GetFederationToken ("Principal key values"), not the IAM user who called it. So a
    resource-based policy naming arn:aws:iam::ACCOUNT:user/Bob says nothing about the session
    federated-user/Bob (it may belong to any user); one naming the session's own ARN
    ("Principal": {"AWS": "arn:aws:sts::AWS-account-ID:federated-user/user-name"}, Principal
    page, "AWS STS federated user principals") does, and so does its account."""
    who = identify(FEDERATED)
    assert who.type is PrincipalType.FEDERATED_USER
    assert who.role_arn is None
    assert principal_match(Principal("AWS", f"arn:aws:iam::{ACCOUNT}:user/Bob"), who) is \
        PrincipalMatch.NONE
    assert principal_match(Principal("AWS", FEDERATED), who) is PrincipalMatch.DIRECT
    assert principal_match(Principal("AWS", ACCOUNT), who) is PrincipalMatch.ACCOUNT
    bucket = parse_policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/Bob"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}, PolicyKind.RESOURCE)
    request = Request.of(FEDERATED, "s3:GetObject", "arn:aws:s3:::b/k", {}, ACCOUNT)
    assert evaluate(request, PolicySet.of(resource=bucket)).decision == "implicitDeny"


# --- Problem.where ----------------------------------------------------------------------------

def test_a_problem_with_the_whole_document_reads_naturally() -> None:
    """No "((document))": a problem at the root is placed by its line and column, or called
    "the document" when there are no lines; problems inside keep their path."""
    assert Problem("x", "m", (), 1, 1).where == "line 1, column 1"
    assert Problem("x", "m").where == "the document"
    assert str(Problem("x", "the policy has no Statement")) == \
        "the document: the policy has no Statement"
    assert Problem("x", "m", ("Statement", 0, "Effect"), 4, 7).where == \
        "line 4, column 7 (Statement[0].Effect)"
    assert Problem("x", "m", ("Statement", 0)).where == "Statement[0]"
    with pytest.raises(PolicyError) as err:
        parse_policy('{"Version": "2012-10-17"}')
    assert str(err.value) == ("1 problem in the identity-based policy:\n"
                              "  - line 1, column 1: the policy has no Statement")
    with pytest.raises(PolicyError) as err:
        parse_policy({"Version": "2012-10-17"})
    assert "(document)" not in str(err.value)
    assert "  - the document: the policy has no Statement" in str(err.value)


def test_merged_context_adds_keys_and_later_ones_win_in_any_case() -> None:
    base = Context({"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"], "k": "v"})
    merged = base.merged({"AWS:SOURCEIP": "192.0.2.1", "aws:TagKeys": "single", "new": ["x"]})
    assert merged.to_dict() == {"AWS:SOURCEIP": "192.0.2.1", "aws:TagKeys": "single",
                                "k": "v", "new": ["x"]}
    assert merged.multivalued == frozenset({"new"})
    assert merged.get_values("aws:sourceip") == ("192.0.2.1",)
    assert base.to_dict() == {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"], "k": "v"}
