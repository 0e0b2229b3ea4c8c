"""STS and credentials: assuming roles, durations, chaining, MFA, tags, expiry.

References: IAM User Guide, "Temporary security credentials in IAM", "Methods to assume a
role", "Use IAM roles" (role chaining: at most one hour), "Update the maximum session
duration for a role", "Configure MFA-protected API access", "Pass session tags in AWS STS",
"Monitor and control actions taken with assumed roles" (source identity), "Session
policies"; AWS STS API Reference, "AssumeRole" and "GetCallerIdentity".
"""

from __future__ import annotations

import pytest

from iamlab.world import (
    AccessDenied,
    Credentials,
    ExpiredToken,
    InvalidClientTokenId,
    MalformedPolicyDocument,
    SignatureDoesNotMatch,
    ValidationError,
    World,
)
from iamlab.world.scenarios import allow

ROLE = "arn:aws:iam::111122223333:role/Deployer"


def trust_account(condition=None, actions=("sts:AssumeRole",)):
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                 "Action": list(actions)}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.fixture
def world():
    """Bob may assume Deployer (which may read any bucket); both in one account."""
    w = World()
    a = w.admin
    a.s3.create_bucket(Bucket="artifacts")
    a.s3.put_object(Bucket="artifacts", Key="app.zip", Body=b"PK")
    a.iam.create_role(RoleName="Deployer", AssumeRolePolicyDocument=trust_account(),
                      MaxSessionDuration=7200)
    a.iam.put_role_policy(RoleName="Deployer", PolicyName="Read",
                          PolicyDocument=allow(["s3:GetObject", "sts:AssumeRole"], "*"))
    a.iam.create_user(UserName="bob")
    a.iam.put_user_policy(UserName="bob", PolicyName="AssumeDeployer",
                          PolicyDocument=allow(["sts:AssumeRole", "sts:TagSession",
                                                "sts:SetSourceIdentity"], ROLE))
    return w


def bob(world):
    return world.user_session("bob")


def test_temporary_credentials_look_like_aws_and_expire(world):
    out = bob(world).sts.assume_role(RoleArn=ROLE, RoleSessionName="deploy")
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40 and creds["SessionToken"]
    assert (creds["Expiration"] - world.clock.now()).total_seconds() == 3600
    assert out["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::111122223333:assumed-role/Deployer/deploy"
    assert out["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    session = world.session(creds)
    assert session.s3.get_object(Bucket="artifacts", Key="app.zip")["Body"].read() == b"PK"
    world.clock.advance(minutes=59, seconds=59)
    assert session.sts.get_caller_identity()["Account"] == "111122223333"
    world.clock.advance(seconds=1)
    with pytest.raises(ExpiredToken) as err:
        session.sts.get_caller_identity()
    assert str(err.value) == ("An error occurred (ExpiredToken) when calling the "
                              "GetCallerIdentity operation: The security token included in the "
                              "request is expired")
    assert world.calls(last=1)["error"].iloc[0] == "ExpiredToken"
    assert world.calls(last=1)["who"].iloc[0].endswith("assumed-role/Deployer/deploy")


def test_long_term_keys_never_expire_until_deactivated_or_deleted(world):
    made = world.admin.iam.create_access_key(UserName="bob")["AccessKey"]
    assert made["AccessKeyId"].startswith("AKIA")
    session = world.session(made)
    world.clock.advance(days=3650)
    assert session.sts.get_caller_identity()["Arn"] == "arn:aws:iam::111122223333:user/bob"
    world.admin.iam.update_access_key(UserName="bob", AccessKeyId=made["AccessKeyId"],
                                      Status="Inactive")
    with pytest.raises(InvalidClientTokenId, match="The security token included in the "
                                                   "request is invalid"):
        session.sts.get_caller_identity()
    world.admin.iam.update_access_key(UserName="bob", AccessKeyId=made["AccessKeyId"],
                                      Status="Active")
    assert session.sts.get_caller_identity()
    world.admin.iam.delete_access_key(UserName="bob", AccessKeyId=made["AccessKeyId"])
    with pytest.raises(InvalidClientTokenId):
        session.sts.get_caller_identity()


def test_a_key_id_without_its_secret_is_useless(world):
    made = world.admin.iam.create_access_key(UserName="bob")["AccessKey"]
    forged = Credentials(made["AccessKeyId"], "x" * 40)
    with pytest.raises(SignatureDoesNotMatch):
        world.session(forged).sts.get_caller_identity()
    with pytest.raises(InvalidClientTokenId):
        world.session(Credentials("AKIAIOSFODNN7EXAMPLE", "x" * 40)).s3.list_buckets()


def test_get_caller_identity_needs_no_permission(world):
    world.admin.iam.create_user(UserName="nobody")
    who = world.user_session("nobody").sts.get_caller_identity()
    assert who["Arn"] == "arn:aws:iam::111122223333:user/nobody"
    assert who["UserId"].startswith("AIDA")


def test_the_trust_policy_must_allow_even_within_the_account(world):
    world.admin.iam.update_assume_role_policy(
        RoleName="Deployer", PolicyDocument={"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"}]})
    with pytest.raises(AccessDenied) as err:
        bob(world).sts.assume_role(RoleArn=ROLE, RoleSessionName="deploy")
    assert err.value.decision.blocked_by.value == "trust"
    assert err.value.message.startswith(
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: "
        "sts:AssumeRole on resource: arn:aws:iam::111122223333:role/Deployer")


def test_duration_is_checked_against_max_session_duration(world):
    b = bob(world)
    out = b.sts.assume_role(RoleArn=ROLE, RoleSessionName="long", DurationSeconds=7200)
    assert (out["Credentials"]["Expiration"] - world.clock.now()).total_seconds() == 7200
    with pytest.raises(ValidationError, match="The requested DurationSeconds exceeds the "
                                              "MaxSessionDuration set for this role"):
        b.sts.assume_role(RoleArn=ROLE, RoleSessionName="long", DurationSeconds=7201)
    with pytest.raises(ValidationError, match="Value '600' at 'durationSeconds' failed to "
                                              "satisfy constraint: Member must have value "
                                              "greater than or equal to 900"):
        b.sts.assume_role(RoleArn=ROLE, RoleSessionName="short", DurationSeconds=600)
    with pytest.raises(ValidationError, match="less than or equal to 43200"):
        world.admin.iam.update_role(RoleName="Deployer", MaxSessionDuration=50000)


def test_role_chaining_is_capped_at_one_hour(world):
    first = world.session(bob(world).sts.assume_role(RoleArn=ROLE, RoleSessionName="one")
                          ["Credentials"])
    with pytest.raises(ValidationError, match="exceeds the 1 hour session limit for roles "
                                              "assumed by role chaining"):
        first.sts.assume_role(RoleArn=ROLE, RoleSessionName="two", DurationSeconds=7200)
    chained = first.sts.assume_role(RoleArn=ROLE, RoleSessionName="two")
    assert chained["AssumedRoleUser"]["Arn"].endswith("/Deployer/two")


def test_session_names_are_validated(world):
    with pytest.raises(ValidationError, match="at 'roleSessionName' failed to satisfy "
                                              r"constraint: Member must satisfy regular "
                                              r"expression pattern: \[\\w\+=,.@-\]\*"):
        bob(world).sts.assume_role(RoleArn=ROLE, RoleSessionName="has space")


def test_mfa_from_the_call_satisfies_a_trust_policy_that_requires_it(world):
    admin = world.admin
    admin.iam.update_assume_role_policy(RoleName="Deployer", PolicyDocument=trust_account(
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    serial = admin.iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")[
        "VirtualMFADevice"]["SerialNumber"]
    admin.iam.enable_mfa_device(UserName="bob", SerialNumber=serial,
                                AuthenticationCode1=world.mfa_code(serial, offset=-1),
                                AuthenticationCode2=world.mfa_code(serial))
    b = bob(world)
    with pytest.raises(AccessDenied) as err:
        b.sts.assume_role(RoleArn=ROLE, RoleSessionName="no-mfa")
    assert "aws:MultiFactorAuthPresent" in err.value.explain()
    with pytest.raises(AccessDenied, match="invalid MFA one time pass code"):
        wrong = "000000" if world.mfa_code(serial) != "000000" else "111111"
        b.sts.assume_role(RoleArn=ROLE, RoleSessionName="mfa", SerialNumber=serial,
                          TokenCode=wrong)
    out = b.sts.assume_role(RoleArn=ROLE, RoleSessionName="mfa", SerialNumber=serial,
                            TokenCode=world.mfa_code(serial))
    session = world.session(out["Credentials"])
    decision = session.can("s3:GetObject", "arn:aws:s3:::artifacts/app.zip")
    assert decision.request.context.get_values("aws:MultiFactorAuthPresent") == ("true",)


def test_session_tags_need_sts_tag_session_in_the_trust_policy(world):
    b = bob(world)
    with pytest.raises(AccessDenied) as err:
        b.sts.assume_role(RoleArn=ROLE, RoleSessionName="tagged",
                          Tags=[{"Key": "team", "Value": "blue"}])
    assert err.value.action == "sts:TagSession"
    world.admin.iam.update_assume_role_policy(RoleName="Deployer", PolicyDocument=trust_account(
        actions=("sts:AssumeRole", "sts:TagSession")))
    out = b.sts.assume_role(RoleArn=ROLE, RoleSessionName="tagged",
                            Tags=[{"Key": "team", "Value": "blue"}])
    decision = world.session(out["Credentials"]).can("s3:GetObject", "arn:aws:s3:::artifacts/x")
    assert decision.request.context.get_values("aws:PrincipalTag/team") == ("blue",)


def test_source_identity_needs_sts_set_source_identity_and_is_kept(world):
    b = bob(world)
    with pytest.raises(AccessDenied) as err:
        b.sts.assume_role(RoleArn=ROLE, RoleSessionName="ss", SourceIdentity="bob@example.com")
    assert err.value.action == "sts:SetSourceIdentity"
    world.admin.iam.update_assume_role_policy(RoleName="Deployer", PolicyDocument=trust_account(
        actions=("sts:AssumeRole", "sts:SetSourceIdentity")))
    out = b.sts.assume_role(RoleArn=ROLE, RoleSessionName="ss", SourceIdentity="bob@example.com")
    assert out["SourceIdentity"] == "bob@example.com"
    decision = world.session(out["Credentials"]).can("s3:GetObject", "arn:aws:s3:::artifacts/x")
    assert decision.request.context.get_values("aws:SourceIdentity") == ("bob@example.com",)


def test_a_session_policy_limits_the_session(world):
    out = bob(world).sts.assume_role(
        RoleArn=ROLE, RoleSessionName="narrow",
        Policy=allow("s3:GetObject", "arn:aws:s3:::other-bucket/*"))
    session = world.session(out["Credentials"])
    with pytest.raises(AccessDenied) as err:
        session.s3.get_object(Bucket="artifacts", Key="app.zip")
    assert err.value.decision.blocked_by.value == "session"
    assert "because no session policy allows the s3:GetObject action" in err.value.message


def test_a_malformed_session_policy_says_where(world):
    with pytest.raises(MalformedPolicyDocument) as err:
        bob(world).sts.assume_role(RoleArn=ROLE, RoleSessionName="bad",
                                   Policy='{"Version": "2012-10-17", "Statement": '
                                          '[{"Effect": "allow", "Action": "s3:*", '
                                          '"Resource": "*"}]}')
    assert err.value.problems[0].line == 1
    assert "Effect" in err.value.where


def test_a_missing_role_answers_access_denied_as_aws_does(world):
    with pytest.raises(AccessDenied) as err:
        bob(world).sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/Nope",
                                   RoleSessionName="xx")
    assert "there is no role arn:aws:iam::111122223333:role/Nope" in err.value.note


def test_a_deleted_roles_sessions_lose_their_permissions(world):
    session = world.session(bob(world).sts.assume_role(RoleArn=ROLE, RoleSessionName="xx")
                            ["Credentials"])
    admin = world.admin
    admin.iam.delete_role_policy(RoleName="Deployer", PolicyName="Read")
    admin.iam.delete_role(RoleName="Deployer")
    admin.iam.create_role(RoleName="Deployer", AssumeRolePolicyDocument=trust_account())
    admin.iam.put_role_policy(RoleName="Deployer", PolicyName="Read",
                              PolicyDocument=allow("s3:GetObject", "*"))
    with pytest.raises(AccessDenied):  # a new role with the same name is another role
        session.s3.get_object(Bucket="artifacts", Key="app.zip")


def test_get_session_token_with_mfa(world):
    admin = world.admin
    serial = admin.iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")[
        "VirtualMFADevice"]["SerialNumber"]
    admin.iam.enable_mfa_device(UserName="bob", SerialNumber=serial,
                                AuthenticationCode1=world.mfa_code(serial, offset=-1),
                                AuthenticationCode2=world.mfa_code(serial))
    out = bob(world).sts.get_session_token(SerialNumber=serial,
                                           TokenCode=world.mfa_code(serial))
    session = world.session(out["Credentials"])
    world.clock.advance(minutes=10)
    ctx = session.can("s3:GetObject", "arn:aws:s3:::artifacts/x").request.context
    assert ctx.get_values("aws:MultiFactorAuthPresent") == ("true",)
    assert ctx.get_values("aws:MultiFactorAuthAge") == ("600",)
    with pytest.raises(AccessDenied, match="Cannot call GetSessionToken with session "
                                           "credentials"):
        session.sts.get_session_token()


BUILDER = "arn:aws:iam::111122223333:role/team/Builder"


@pytest.mark.parametrize("statement", [
    {"Principal": {"AWS": BUILDER}},
    {"Principal": "*", "Condition": {"ArnEquals": {"aws:PrincipalArn": BUILDER}}},
])
def test_session_of_a_role_with_a_path_is_named_by_the_role_arn(world, statement):
    """IAM identifiers: a role created with Path /team/ is arn:aws:iam::111122223333:role/team/
    Builder, but its session ARN is arn:aws:sts::111122223333:assumed-role/Builder/NAME.
    A bucket policy that names the role (Principal, or aws:PrincipalArn: "For IAM roles, the
    request context returns the ARN of the role") lets its sessions in; the role itself has no
    permissions policy, so nothing else could."""
    a = world.admin
    role = a.iam.create_role(RoleName="Builder", Path="/team/",
                             AssumeRolePolicyDocument=trust_account())["Role"]
    assert role["Arn"] == BUILDER
    a.iam.put_user_policy(UserName="bob", PolicyName="AssumeBuilder",
                          PolicyDocument=allow("sts:AssumeRole", role["Arn"]))
    a.s3.put_bucket_policy(Bucket="artifacts", Policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*",
         **statement}]})
    out = bob(world).sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ci-1")
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/Builder/ci-1"
    session = world.session(out["Credentials"])
    assert session.s3.get_object(Bucket="artifacts", Key="app.zip")["Body"].read() == b"PK"


# -- source identity along a chain of roles ---------------------------------------------------
PUBLISHER = "arn:aws:iam::111122223333:role/Publisher"


def chain_world(world, *, trust_actions=("sts:AssumeRole", "sts:SetSourceIdentity"),
                deployer_actions=("sts:AssumeRole", "sts:SetSourceIdentity"), trusted=ROLE):
    """Deployer may set a source identity; Publisher trusts ``trusted`` with
    ``trust_actions``; Deployer's own policy allows ``deployer_actions`` on Publisher."""
    a = world.admin
    a.iam.update_assume_role_policy(RoleName="Deployer", PolicyDocument=trust_account(
        actions=("sts:AssumeRole", "sts:SetSourceIdentity")))
    a.iam.put_role_policy(RoleName="Deployer", PolicyName="BecomePublisher",
                          PolicyDocument=allow(list(deployer_actions), PUBLISHER))
    a.iam.create_role(RoleName="Publisher", AssumeRolePolicyDocument={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": trusted}, "Action": list(trust_actions)}]})


def deployer_session(world, source_identity="bob"):
    kwargs = {"SourceIdentity": source_identity} if source_identity else {}
    out = bob(world).sts.assume_role(RoleArn=ROLE, RoleSessionName="deploy", **kwargs)
    return world.session(out["Credentials"])


def test_a_chained_call_cannot_change_the_source_identity(world):
    """IAM User Guide, "Monitor and control actions taken with assumed roles", "Role chaining
    and cross-account requirements": "If the user attempts to set a source identity that is
    different from the value set when CriticalRole was assumed, the assume role request will
    be denied." Even though every policy allows sts:SetSourceIdentity."""
    chain_world(world)
    deployer = deployer_session(world, "bob")
    with pytest.raises(AccessDenied) as err:
        deployer.sts.assume_role(RoleArn=PUBLISHER, RoleSessionName="pub",
                                 SourceIdentity="mallory")
    assert err.value.code == "AccessDenied" and err.value.action == "sts:SetSourceIdentity"
    assert err.value.message == (
        "User: arn:aws:sts::111122223333:assumed-role/Deployer/deploy is not authorized to "
        f"perform: sts:SetSourceIdentity on resource: {PUBLISHER}")
    assert "already carries the source identity 'bob'" in err.value.summary
    assert "'mallory'" in err.value.explain()
    last = world.call_log.records[-1]
    assert (last.operation, last.action, last.error) == \
        ("AssumeRole", "sts:SetSourceIdentity", "AccessDenied")
    # nothing was issued: the caller is still the Deployer session
    assert deployer.sts.get_caller_identity()["Arn"].endswith("assumed-role/Deployer/deploy")


def test_a_chained_call_may_repeat_or_omit_the_source_identity(world):
    """Same section: "The source identity was set during the assumption of CriticalRole, so
    it does not need to be explicitly set again"; it "persists from the first assumed role
    session", so both aws:SourceIdentity and sts:SourceIdentity are in the request context."""
    chain_world(world)
    deployer = deployer_session(world, "bob")
    repeated = deployer.sts.assume_role(RoleArn=PUBLISHER, RoleSessionName="again",
                                        SourceIdentity="bob")
    omitted = deployer.sts.assume_role(RoleArn=PUBLISHER, RoleSessionName="left-out")
    assert repeated["SourceIdentity"] == omitted["SourceIdentity"] == "bob"
    decided = world.call_log.records[-1].decision
    assert decided is not None and decided.request.action == "sts:AssumeRole"
    assert decided.request.context.get_values("sts:SourceIdentity") == ("bob",)
    assert decided.request.context.get_values("aws:SourceIdentity") == ("bob",)
    publisher = world.session(omitted["Credentials"])
    decision = publisher.can("s3:GetObject", "arn:aws:s3:::artifacts/app.zip")
    assert decision.request.context.get_values("aws:SourceIdentity") == ("bob",)


def test_a_carried_source_identity_needs_sts_set_source_identity_on_both_sides(world):
    """"Permissions required to set source identity": with role chaining, sts:SetSourceIdentity
    is required in both the permissions policy of the principal who is assuming the role and
    in the role trust policy of the target role, "Otherwise, the assume role operation will
    fail" (the chain's example call sets no source identity and its policies allow it)."""
    chain_world(world, trust_actions=("sts:AssumeRole",))
    with pytest.raises(AccessDenied) as err:
        deployer_session(world, "bob").sts.assume_role(RoleArn=PUBLISHER,
                                                       RoleSessionName="pub")
    assert err.value.action == "sts:SetSourceIdentity"
    assert err.value.decision.blocked_by.value == "trust"
    assert "passes to the new session" in err.value.summary
    # without a source identity, the same chain needs no sts:SetSourceIdentity
    plain = deployer_session(world, None).sts.assume_role(RoleArn=PUBLISHER,
                                                          RoleSessionName="pub")
    assert "SourceIdentity" not in plain


def test_a_carried_source_identity_needs_the_callers_own_permission(world):
    """Same section: the permissions policy of the principal who is assuming the role (here the
    Deployer role) must allow sts:SetSourceIdentity too when the trust policy trusts the
    account rather than naming the role (a trust policy naming the role itself grants alone
    in the same account, as for sts:AssumeRole)."""
    chain_world(world, deployer_actions=("sts:AssumeRole",),
                trusted="arn:aws:iam::111122223333:root")
    with pytest.raises(AccessDenied) as err:
        deployer_session(world, "bob").sts.assume_role(RoleArn=PUBLISHER,
                                                       RoleSessionName="pub")
    assert err.value.action == "sts:SetSourceIdentity"
    assert err.value.decision.blocked_by.value == "identity"
