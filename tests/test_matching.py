"""Does a statement apply? Action, Resource, Principal and their Not* forms.

References (AWS IAM User Guide):
- "IAM JSON policy elements: Action",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- "IAM JSON policy elements: NotAction",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
- "IAM JSON policy elements: Resource",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- "IAM JSON policy elements: NotResource",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
- "AWS JSON policy elements: Principal",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- "AWS JSON policy elements: NotPrincipal",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

from typing import Any

import pytest

from iamlab.arn import identify
from iamlab.engine import PolicySet, evaluate
from iamlab.glob import arn_match, glob_match
from iamlab.matching import PrincipalMatch, principal_match
from iamlab.parse import parse_policy
from iamlab.policy import Policy, PolicyKind, Principal
from iamlab.request import Request

ACCOUNT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/App"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/App/build-1"
SAML = f"arn:aws:iam::{ACCOUNT}:saml-provider/CorpSSO"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket/reports/q1.csv"


def policy(*statements: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind)


def decide(action: str, arn: str, *identity: dict[str, Any], principal: str = USER,
           account: str | None = ACCOUNT, **kinds: Any) -> str:
    """The decision for one request; ``identity`` are statements of one identity policy."""
    policies = PolicySet.of(identity=[policy(*identity)] if identity else [], **kinds)
    request = Request.of(principal, action, arn, resource_account=account)
    quick = evaluate(request, policies)
    assert evaluate(request, policies, explain=True).decision == quick.decision
    return quick.decision


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


# --- Action -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "action", "matches"), [
    ("s3:GetObject", "s3:GetObject", True),
    ("S3:getobject", "s3:GetObject", True),  # case-insensitive
    ("s3:GetObject", "S3:GETOBJECT", True),
    ("s3:Get*", "s3:GetObjectAcl", True),
    ("s3:*Object", "s3:PutObject", True),
    ("s3:*Object", "s3:PutObjectAcl", False),
    ("s3:Get?bject", "s3:GetObject", True),
    ("s3:Get?", "s3:GetObject", False),  # ? is exactly one character
    ("s3:Get?Object", "s3:GetObject", False),
    ("*", "iam:CreateUser", True),
    ("s3:*", "s3express:CreateSession", False),
    ("iam:*AccessKey*", "iam:UpdateAccessKey", True),
    ("ec2:Describe*", "ec2:RunInstances", False),
])
def test_action_matching(pattern: str, action: str, matches: bool) -> None:
    """Action page: "The prefix and the action name are case insensitive"; wildcards *
    (any run of characters) and ? (one character) may appear anywhere in the name."""
    expected = "allowed" if matches else "implicitDeny"
    assert decide(action, OBJECT, allow(pattern)) == expected
    assert glob_match(pattern, action, ignore_case=True) is matches


def test_several_actions_are_ored() -> None:
    """Action page: a statement with a list of actions applies to any one of them."""
    statement = allow(["s3:GetObject", "s3:List*"])
    assert decide("s3:ListBucket", OBJECT, statement) == "allowed"
    assert decide("s3:GetObject", OBJECT, statement) == "allowed"
    assert decide("s3:PutObject", OBJECT, statement) == "implicitDeny"


def test_notaction_allow_grants_everything_else() -> None:
    """NotAction page: Allow with NotAction allows every action except those listed; the
    listed ones are not denied, only not allowed by this statement."""
    statement = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert decide("s3:GetObject", OBJECT, statement) == "allowed"
    assert decide("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/bob", statement) \
        == "implicitDeny"
    other = allow("iam:CreateUser")
    assert decide("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/bob", statement, other) \
        == "allowed"


def test_notaction_deny_denies_everything_else() -> None:
    """NotAction page: Deny with NotAction denies every action not listed (a common pattern
    with aws:MultiFactorAuthPresent)."""
    statements = (allow(), {"Effect": "Deny", "NotAction": ["iam:Get*", "sts:*"],
                            "Resource": "*"})
    assert decide("s3:GetObject", OBJECT, *statements) == "explicitDeny"
    assert decide("iam:GetUser", USER, *statements) == "allowed"
    assert decide("IAM:getuser", USER, *statements) == "allowed"


# --- Resource ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "arn", "matches"), [
    ("*", OBJECT, True),
    ("*", "not-even-an-arn", True),
    ("arn:aws:s3:::amzn-s3-demo-bucket/*", OBJECT, True),
    ("arn:aws:s3:::AMZN-S3-DEMO-BUCKET/*", OBJECT, False),  # ARNs are case-sensitive
    ("arn:aws:s3:::amzn-s3-demo-bucket/Reports/*", OBJECT, False),
    ("arn:aws:s3:::amzn-s3-demo-bucket", OBJECT, False),
    ("arn:aws:s3:::amzn-s3-demo-bucket/reports/q?.csv", OBJECT, True),
    ("arn:aws:s3:::amzn-s3-demo-bucket/reports/q?", OBJECT, False),
    ("arn:aws:s3:::*", OBJECT, True),
    ("arn:aws-cn:s3:::amzn-s3-demo-bucket/*", OBJECT, False),
    ("arn:aws:iam::111122223333:user/Alice", USER, False),  # IAM user names are too
    ("arn:aws:iam::*:user/alice", USER, True),
    ("arn:aws:iam::1111?2223333:user/alice", USER, True),
    ("arn:aws:iam::111122223333:user/*", USER, True),
    ("arn:aws:iam::444455556666:user/*", USER, False),
    ("arn:aws:ec2:*:111122223333:instance/*",
     "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", True),
    ("arn:aws:ec2:us-*-1:111122223333:instance/*",
     "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", True),
    ("arn:aws:ec2:us-west-2:111122223333:instance/*",
     "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", False),
    # the resource part may contain colons, and its wildcards span them
    ("arn:aws:logs:us-east-1:111122223333:log-group:app*",
     "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1", True),
])
def test_resource_matching(pattern: str, arn: str, matches: bool) -> None:
    """Resource page, "Using wildcards in resource ARNs": * and ? within the segments of an
    ARN; ARNs and IAM user names are case-sensitive."""
    expected = "allowed" if matches else "implicitDeny"
    assert decide("s3:GetObject", arn, allow(resource=pattern)) == expected
    assert arn_match(pattern, arn) is matches


@pytest.mark.parametrize("resource", ["arn:aws:s3:::reportsx", "arn:aws:s3:::reports-archive",
                                      "arn:aws:s3:::reports-archive/q3.csv"])
def test_each_resource_of_a_list_matches_the_whole_arn(resource: str) -> None:
    """Resource page: a statement with several resources applies when the request's resource
    matches one of them; each ARN is matched as a whole. A bucket ARN listed before its
    objects' ARNs (the usual pair for s3:ListBucket and s3:GetObject) is no prefix: another
    bucket whose name starts the same is not covered."""
    pair = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
    for action in ("s3:GetObject", "s3:ListBucket"):
        assert decide(action, resource, allow(action=action, resource=pair)) == "implicitDeny"
    assert decide("s3:GetObject", "arn:aws:s3:::reports/q3.csv",
                  allow(action="s3:GetObject", resource=pair)) == "allowed"


def test_s3_wildcards_span_slashes() -> None:
    """Resource page: "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*" applies to all of the
    listed objects, and not to 1-test/object.jpg or test/object.jpg."""
    pattern = "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*"
    yes = ["1/test/object.jpg", "1/2/test/object.jpg", "1/2/test/3/object.jpg",
           "1/2/3/test/4/object.jpg", "1///test///object.jpg", "1/test/.jpg",
           "/test/object.jpg", "1/test/"]
    no = ["1-test/object.jpg", "test/object.jpg", "test/1/object.jpg"]
    for key in yes:
        assert arn_match(pattern, f"arn:aws:s3:::amzn-s3-demo-bucket/{key}"), key
    for key in no:
        assert not arn_match(pattern, f"arn:aws:s3:::amzn-s3-demo-bucket/{key}"), key


def test_wildcard_in_account_segment_does_not_cross_a_colon() -> None:
    """Resource page: wildcards act within the individual segments of an ARN (the parts
    separated by colons), so "*" in the account segment covers one account ID only and
    cannot swallow the start of the resource part."""
    pattern = "arn:aws:lambda:us-east-1:*:my-function"
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-function"
    assert not arn_match(pattern, function)
    assert decide("lambda:InvokeFunction", function, allow(resource=pattern)) == "implicitDeny"
    assert arn_match("arn:aws:lambda:us-east-1:*:function:my-function", function)
    assert not arn_match("arn:aws:s3:*:::b", "arn:aws:s3:::b")


def test_several_resources_are_ored() -> None:
    """Resource page: a list of ARNs applies to any one of them."""
    statement = allow("s3:*", ["arn:aws:s3:::a/*", "arn:aws:s3:::amzn-s3-demo-bucket/*"])
    assert decide("s3:GetObject", OBJECT, statement) == "allowed"
    assert decide("s3:GetObject", "arn:aws:s3:::c/x", statement) == "implicitDeny"


def test_notresource_allow_and_deny() -> None:
    """NotResource page: the statement matches every resource except those listed."""
    secret = "arn:aws:s3:::amzn-s3-demo-bucket/secret/*"
    grant = {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": secret}
    assert decide("s3:GetObject", OBJECT, grant) == "allowed"
    assert decide("s3:GetObject", OBJECT.replace("reports", "secret"), grant) == "implicitDeny"
    fence = {"Effect": "Deny", "Action": "s3:*", "NotResource": [
        "arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"]}
    assert decide("s3:GetObject", OBJECT, allow(), fence) == "allowed"
    assert decide("s3:GetObject", "arn:aws:s3:::elsewhere/x", allow(), fence) == "explicitDeny"
    everything = {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "*"}
    assert decide("s3:GetObject", OBJECT, everything) == "implicitDeny"


def test_notaction_with_notresource() -> None:
    """NotAction and NotResource pages: both inverted elements in one Deny statement."""
    statement = {"Effect": "Deny", "NotAction": "s3:GetObject",
                 "NotResource": "arn:aws:s3:::public/*"}
    assert decide("s3:PutObject", OBJECT, allow(), statement) == "explicitDeny"
    assert decide("s3:GetObject", OBJECT, allow(), statement) == "allowed"
    assert decide("s3:PutObject", "arn:aws:s3:::public/x", allow(), statement) == "allowed"


# --- Principal --------------------------------------------------------------------------------

@pytest.mark.parametrize(("entry", "caller", "level"), [
    (Principal("*", "*"), USER, PrincipalMatch.DIRECT),
    (Principal("AWS", "*"), SESSION, PrincipalMatch.DIRECT),
    (Principal("AWS", "*"), "*", PrincipalMatch.DIRECT),  # anonymous
    (Principal("AWS", USER), USER, PrincipalMatch.DIRECT),
    (Principal("AWS", USER.replace("alice", "bob")), USER, PrincipalMatch.NONE),
    (Principal("AWS", ACCOUNT), USER, PrincipalMatch.ACCOUNT),
    (Principal("AWS", f"arn:aws:iam::{ACCOUNT}:root"), SESSION, PrincipalMatch.ACCOUNT),
    (Principal("AWS", f"arn:aws:iam::{OTHER}:root"), USER, PrincipalMatch.NONE),
    (Principal("AWS", f"arn:aws:iam::{ACCOUNT}:root"), f"arn:aws:iam::{ACCOUNT}:root",
     PrincipalMatch.DIRECT),
    (Principal("AWS", ROLE), SESSION, PrincipalMatch.SESSION_ISSUER),
    (Principal("AWS", SESSION), SESSION, PrincipalMatch.DIRECT),
    (Principal("AWS", SESSION), ROLE, PrincipalMatch.NONE),
    (Principal("Service", "ec2.amazonaws.com"), "ec2.amazonaws.com", PrincipalMatch.DIRECT),
    (Principal("Service", "ec2.amazonaws.com"), "lambda.amazonaws.com", PrincipalMatch.NONE),
    (Principal("Service", "ec2.amazonaws.com"), USER, PrincipalMatch.NONE),
    (Principal("AWS", ACCOUNT), "ec2.amazonaws.com", PrincipalMatch.NONE),
    (Principal("AWS", ACCOUNT), "*", PrincipalMatch.NONE),
    (Principal("Federated", "cognito-identity.amazonaws.com"),
     "cognito-identity.amazonaws.com", PrincipalMatch.DIRECT),
    # "All principals": both wildcard forms name services and anonymous callers alike
    (Principal("*", "*"), "ec2.amazonaws.com", PrincipalMatch.DIRECT),
    (Principal("AWS", "*"), "ec2.amazonaws.com", PrincipalMatch.DIRECT),
    (Principal("*", "*"), "*", PrincipalMatch.DIRECT),
    (Principal("AWS", "*"), SAML, PrincipalMatch.DIRECT),
    # an identity provider is named as Federated, never through its account
    (Principal("Federated", SAML), SAML, PrincipalMatch.DIRECT),
    (Principal("AWS", ACCOUNT), SAML, PrincipalMatch.NONE),
    (Principal("AWS", f"arn:aws:iam::{ACCOUNT}:root"), SAML, PrincipalMatch.NONE),
    (Principal("AWS", SAML), SAML, PrincipalMatch.DIRECT),
    (Principal("Service", "accounts.google.com"), "accounts.google.com", PrincipalMatch.NONE),
])
def test_principal_match_levels(entry: Principal, caller: str, level: PrincipalMatch) -> None:
    """Principal page: "*" and {"AWS": "*"} mean everyone, anonymous callers included; an
    account ID or root ARN names the account (it delegates to the account's own policies);
    a role ARN names the role's sessions through the role; a session ARN names that
    session; service principals are named by their service name."""
    assert principal_match(entry, identify(caller)) is level


def test_resource_policy_principal_must_name_the_caller() -> None:
    """Cross-account, only a resource-based policy that names the caller (or its account)
    lets it in."""
    bucket = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    outsider = f"arn:aws:iam::{OTHER}:user/eve"
    for principal, expected in [({"AWS": OTHER}, "allowed"),
                                ({"AWS": outsider}, "allowed"),
                                ({"AWS": ACCOUNT}, "implicitDeny"),
                                ({"AWS": f"arn:aws:iam::{OTHER}:user/mallory"}, "implicitDeny"),
                                ("*", "allowed")]:
        rbp = policy({**bucket, "Principal": principal}, kind=PolicyKind.RESOURCE)
        assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), principal=outsider,
                      resource=rbp) == expected, principal


def test_notprincipal_deny_spares_only_the_named() -> None:
    """NotPrincipal page: with "Effect": "Deny" the statement denies every principal except
    the ones listed. Its example lists user Bob and Bob's account root: "all principals
    except the user named Bob in AWS account 444455556666 are explicitly denied". Naming a
    role does not spare its sessions: "Principals must always name a specific session"."""
    guarded = {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
               "NotPrincipal": {"AWS": [USER, f"arn:aws:iam::{ACCOUNT}:root"]}}
    grant = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
             "Principal": {"AWS": ACCOUNT}}
    rbp = policy(grant, guarded, kind=PolicyKind.RESOURCE)
    assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), resource=rbp) == "allowed"
    bob = USER.replace("alice", "bob")
    assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), principal=bob,
                  resource=rbp) == "explicitDeny"
    assert decide("s3:GetObject", "arn:aws:s3:::other/k", allow(), principal=bob,
                  resource=rbp) == "allowed"
    role_only = {**guarded, "NotPrincipal": {"AWS": [ROLE, f"arn:aws:iam::{ACCOUNT}:root"]}}
    whole_chain = {**guarded, "NotPrincipal": {"AWS": [SESSION, ROLE,
                                                       f"arn:aws:iam::{ACCOUNT}:root"]}}
    for statement, expected in [(role_only, "explicitDeny"), (whole_chain, "allowed")]:
        rbp = policy(grant, statement, kind=PolicyKind.RESOURCE)
        assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), principal=SESSION,
                      resource=rbp) == expected


def test_notprincipal_deny_always_applies_to_a_caller_with_a_boundary() -> None:
    """NotPrincipal page: "The NotPrincipal element with a Deny effect will always deny any
    IAM principal that has a permissions boundary policy attached, regardless of the values
    specified in the NotPrincipal element." (Permissions boundaries page says the same.)"""
    guarded = {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
               "NotPrincipal": {"AWS": [USER, f"arn:aws:iam::{ACCOUNT}:root"]}}
    rbp = policy(guarded, kind=PolicyKind.RESOURCE)
    boundary = policy(allow(), kind=PolicyKind.BOUNDARY)
    assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), resource=rbp) == "allowed"
    assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), resource=rbp,
                  boundary=boundary) == "explicitDeny"
    # it still has to match the action and the resource
    assert decide("s3:GetObject", "arn:aws:s3:::c/k", allow(), resource=rbp,
                  boundary=boundary) == "allowed"
    assert decide("sqs:SendMessage", "arn:aws:s3:::b/k", allow(), resource=rbp,
                  boundary=boundary) == "allowed"


@pytest.mark.parametrize("caller", [
    USER, SESSION, f"arn:aws:iam::{OTHER}:user/eve", "s3.amazonaws.com", "*", SAML])
def test_aws_star_is_the_same_as_star_for_every_caller(caller: str) -> None:
    """Principal page, "All principals": "You can use a wildcard (*) to specify all principals
    in the Principal element"; "For anonymous users, the following elements are equivalent:
    "Principal": "*" / "Principal" : { "AWS" : "*" }". AWS services are among the principals
    the page lists, and S3 event notifications are let in to an SNS topic by
    {"AWS": "*"} with an aws:SourceArn condition, so {"AWS": "*"} names a service too. The two
    forms give the same answer for users, sessions, services, anonymous callers and identity
    providers, in allows and in denies."""
    action, resource = "sns:Publish", f"arn:aws:sns:us-east-1:{ACCOUNT}:uploads"
    for effect, expected in [("Allow", "allowed"), ("Deny", "explicitDeny")]:
        answers = set()
        for principal in ("*", {"AWS": "*"}):
            statements = [{"Effect": effect, "Principal": principal, "Action": action,
                           "Resource": resource}]
            if effect == "Deny":  # something to deny: an allow naming the caller
                statements.append({"Effect": "Allow", "Principal": "*", "Action": action,
                                   "Resource": resource})
            rbp = policy(*statements, kind=PolicyKind.RESOURCE)
            answers.add(decide(action, resource, allow(), principal=caller, resource=rbp))
        assert answers == {expected}, (caller, effect)


def test_notprincipal_deny_with_a_boundary_also_catches_role_sessions() -> None:
    """NotPrincipal page, "Key points" (and "Permissions boundaries for IAM entities"): "The
    NotPrincipal element with a Deny effect will always deny any IAM principal that has a
    permissions boundary policy attached, regardless of the values specified in the
    NotPrincipal element." A role session whose role has a boundary is such a principal, even
    when the statement names the session, its role and its account, as the page's example
    recommends; the same caller without a boundary is spared. A caller from another account
    with a boundary is denied too."""
    grant = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
             "Principal": {"AWS": [ACCOUNT, OTHER]}}
    spared = {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
              "NotPrincipal": {"AWS": [SESSION, ROLE, f"arn:aws:iam::{ACCOUNT}:root"]}}
    rbp = policy(grant, spared, kind=PolicyKind.RESOURCE)
    boundary = policy(allow(), kind=PolicyKind.BOUNDARY)
    assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), principal=SESSION,
                  resource=rbp) == "allowed"
    assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), principal=SESSION,
                  resource=rbp, boundary=boundary) == "explicitDeny"
    eve = f"arn:aws:iam::{OTHER}:user/eve"
    outsider_spared = policy(grant, {**spared, "NotPrincipal": {"AWS": [
        eve, f"arn:aws:iam::{OTHER}:root"]}}, kind=PolicyKind.RESOURCE)
    assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), principal=eve,
                  resource=outsider_spared) == "allowed"
    assert decide("s3:GetObject", "arn:aws:s3:::b/k", allow(), principal=eve,
                  resource=outsider_spared, boundary=boundary) == "explicitDeny"
