"""IAM in the world: its answers and errors, and a world left unchanged by failed calls.

References: IAM API Reference ("CreateRole", "PutRolePolicy", "DeleteRole",
"AddRoleToInstanceProfile", "CreatePolicyVersion", "Common Errors"); IAM User Guide,
"IAM and AWS STS quotas" (one role per instance profile, two access keys per user, five
versions per managed policy), "Use service-linked roles".
"""

from __future__ import annotations

import pytest

from iamlab.world import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
    World,
)
from iamlab.world.managed_policies import bundled
from iamlab.world.scenarios import allow, trust

BAD_EFFECT = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}
  ]
}"""


@pytest.fixture
def world():
    w = World()
    w.admin.iam.create_role(RoleName="App", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    return w


def state(world):
    """Everything a failed call must leave as it was."""
    inv = world.inventory()
    acct = world.account
    return (inv, {n: list(p.roles) for n, p in acct.instance_profiles.items()},
            dict(acct.policies), len(world._keys))


def test_a_malformed_policy_is_refused_with_its_location_and_nothing_changes(world):
    before = state(world)
    with pytest.raises(MalformedPolicyDocument) as err:
        world.admin.iam.put_role_policy(RoleName="App", PolicyName="Read",
                                        PolicyDocument=BAD_EFFECT)
    problem = err.value.problems[0]
    assert (problem.line, problem.path) == (4, ("Statement", 0, "Effect"))
    assert str(err.value).startswith("An error occurred (MalformedPolicyDocument) when calling "
                                     "the PutRolePolicy operation: Syntax errors in policy.")
    assert "line 4" in str(err.value)
    assert state(world) == before


def test_a_trust_policy_with_a_resource_is_malformed(world):
    with pytest.raises(MalformedPolicyDocument):
        world.admin.iam.create_role(RoleName="Bad", AssumeRolePolicyDocument={
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole", "Resource": "*"}]})
    assert "Bad" not in world.account.roles


def test_a_trust_policy_naming_a_missing_role_is_an_invalid_principal(world):
    with pytest.raises(MalformedPolicyDocument, match='Invalid principal in policy: '
                                                      '"AWS":"arn:aws:iam::111122223333:'
                                                      'role/Ghost"'):
        world.admin.iam.create_role(RoleName="Bad", AssumeRolePolicyDocument={
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Ghost"},
                "Action": "sts:AssumeRole"}]})


def test_missing_entities_are_named(world):
    iam = world.admin.iam
    with pytest.raises(NoSuchEntity, match="The role with name Ghost cannot be found"):
        iam.put_role_policy(RoleName="Ghost", PolicyName="P", PolicyDocument=allow("s3:*", "*"))
    with pytest.raises(NoSuchEntity, match="The user with name ghost cannot be found"):
        iam.get_user(UserName="ghost")
    with pytest.raises(NoSuchEntity, match="Policy arn:aws:iam::aws:policy/NoSuch does not "
                                           "exist or is not attachable"):
        iam.attach_role_policy(RoleName="App", PolicyArn="arn:aws:iam::aws:policy/NoSuch")
    with pytest.raises(NoSuchEntity, match="Instance Profile Ghost cannot be found"):
        iam.add_role_to_instance_profile(InstanceProfileName="Ghost", RoleName="App")
    with pytest.raises(NoSuchEntity, match="The role policy with name Nope cannot be found"):
        iam.get_role_policy(RoleName="App", PolicyName="Nope")
    assert world.calls(last=1)["error"].iloc[0] == "NoSuchEntity"


def test_names_paths_and_duplicates(world):
    iam = world.admin.iam
    with pytest.raises(EntityAlreadyExists, match="Role with name App already exists"):
        iam.create_role(RoleName="App", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    with pytest.raises(ValidationError, match="at 'roleName' failed to satisfy constraint"):
        iam.create_role(RoleName="no spaces", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    with pytest.raises(ValidationError, match="The specified value for path is invalid"):
        iam.create_role(RoleName="P", Path="nope", AssumeRolePolicyDocument=trust("x.com"))
    assert set(world.account.roles) == {"App"}


def test_roles_report_themselves_like_get_role(world):
    role = world.admin.iam.get_role(RoleName="App")["Role"]
    assert role["Arn"] == "arn:aws:iam::111122223333:role/App"
    assert role["RoleId"].startswith("AROA")
    assert role["MaxSessionDuration"] == 3600
    assert role["AssumeRolePolicyDocument"] == trust("ec2.amazonaws.com")


def test_delete_conflicts(world):
    iam = world.admin.iam
    iam.put_role_policy(RoleName="App", PolicyName="P", PolicyDocument=allow("s3:*", "*"))
    iam.create_instance_profile(InstanceProfileName="App")
    iam.add_role_to_instance_profile(InstanceProfileName="App", RoleName="App")
    with pytest.raises(DeleteConflict, match="must remove roles from instance profile first"):
        iam.delete_role(RoleName="App")
    with pytest.raises(DeleteConflict, match="must remove roles from instance profile first"):
        iam.delete_instance_profile(InstanceProfileName="App")
    iam.remove_role_from_instance_profile(InstanceProfileName="App", RoleName="App")
    with pytest.raises(DeleteConflict, match="must delete policies first"):
        iam.delete_role(RoleName="App")
    iam.delete_role_policy(RoleName="App", PolicyName="P")
    iam.attach_role_policy(RoleName="App",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    with pytest.raises(DeleteConflict, match="must detach all policies first"):
        iam.delete_role(RoleName="App")
    iam.detach_role_policy(RoleName="App",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    iam.delete_role(RoleName="App")
    assert "App" not in world.account.roles


def test_one_role_per_instance_profile(world):
    iam = world.admin.iam
    iam.create_role(RoleName="Other", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    iam.create_instance_profile(InstanceProfileName="Web")
    iam.add_role_to_instance_profile(InstanceProfileName="Web", RoleName="App")
    with pytest.raises(LimitExceeded, match="InstanceSessionsPerInstanceProfile: 1"):
        iam.add_role_to_instance_profile(InstanceProfileName="Web", RoleName="Other")
    assert world.account.instance_profiles["Web"].roles == ["App"]


def test_adding_a_role_to_a_profile_needs_pass_role(world):
    admin = world.admin
    admin.iam.create_instance_profile(InstanceProfileName="Web")
    admin.iam.create_user(UserName="dev")
    admin.iam.put_user_policy(UserName="dev", PolicyName="Profiles",
                              PolicyDocument=allow("iam:AddRoleToInstanceProfile", "*"))
    dev = world.user_session("dev")
    with pytest.raises(AccessDenied) as err:
        dev.iam.add_role_to_instance_profile(InstanceProfileName="Web", RoleName="App")
    assert err.value.action == "iam:PassRole"
    assert world.account.instance_profiles["Web"].roles == []
    admin.iam.put_user_policy(UserName="dev", PolicyName="Pass", PolicyDocument={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:PassRole",
            "Resource": "arn:aws:iam::111122223333:role/App",
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]})
    dev.iam.add_role_to_instance_profile(InstanceProfileName="Web", RoleName="App")
    assert world.account.instance_profiles["Web"].roles == ["App"]


def test_two_access_keys_per_user(world):
    iam = world.admin.iam
    iam.create_user(UserName="ci")
    iam.create_access_key(UserName="ci")
    iam.create_access_key(UserName="ci")
    with pytest.raises(LimitExceeded, match="AccessKeysPerUser: 2"):
        iam.create_access_key(UserName="ci")
    with pytest.raises(DeleteConflict, match="must delete access keys first"):
        iam.delete_user(UserName="ci")


def test_managed_policy_versions_and_the_default(world):
    iam = world.admin.iam
    arn = iam.create_policy(PolicyName="Reports",
                            PolicyDocument=allow("s3:GetObject", "*"))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="App", PolicyArn=arn)
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:PutObject", "*"))
    role = world.account.roles["App"]
    assert [s.actions for p in world.role_policies(role) for s in p.statements] == \
        [("s3:GetObject",)]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    assert [s.actions for p in world.role_policies(role) for s in p.statements] == \
        [("s3:PutObject",)]
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:ListBucket", "*"))
    with pytest.raises(LimitExceeded, match="up to 5 versions"):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:ListBucket", "*"))
    with pytest.raises(DeleteConflict, match="default version"):
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    with pytest.raises(DeleteConflict, match="attached to entities"):
        iam.delete_policy(PolicyArn=arn)
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == allow("s3:GetObject", "*")
    assert not version["IsDefaultVersion"]


def test_the_bundled_aws_managed_policies_are_there_offline(world):
    names = {d.name for d in bundled().values()}
    assert {"AmazonS3ReadOnlyAccess", "AWSLambdaBasicExecutionRole",
            "AmazonECSTaskExecutionRolePolicy", "AmazonSSMManagedInstanceCore",
            "AmazonDynamoDBReadOnlyAccess", "AutoScalingServiceRolePolicy"} <= names
    got = world.admin.iam.get_policy_version(
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        VersionId="v1")["PolicyVersion"]
    assert got["Document"]["Statement"][0]["Action"] == [
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    for data in bundled().values():
        data.policy()  # every bundled document parses


def test_service_role_policies_attach_only_to_their_service_linked_role(world):
    with pytest.raises(Exception, match="PolicyNotAttachable"):
        world.admin.iam.attach_role_policy(
            RoleName="App",
            PolicyArn="arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy")


def test_permissions_boundary_limits_a_role(world):
    iam = world.admin.iam
    world.admin.s3.create_bucket(Bucket="team-data")
    iam.put_role_policy(RoleName="App", PolicyName="All", PolicyDocument=allow("s3:*", "*"))
    iam.put_role_permissions_boundary(
        RoleName="App", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    iam.update_assume_role_policy(RoleName="App", PolicyDocument={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sts:AssumeRole"}]})
    session = world.session(world.administrator.sts.assume_role(
        RoleArn="arn:aws:iam::111122223333:role/App", RoleSessionName="bounded")["Credentials"])
    assert session.s3.list_objects_v2(Bucket="team-data")["KeyCount"] == 0
    with pytest.raises(AccessDenied) as err:
        session.s3.put_object(Bucket="team-data", Key="k", Body="x")
    assert err.value.decision.blocked_by.value == "boundary"
    assert "because no permissions boundary allows the s3:PutObject action" in str(err.value)


def test_group_policies_reach_members(world):
    iam = world.admin.iam
    world.admin.s3.create_bucket(Bucket="team-data")
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers",
                            PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    iam.create_user(UserName="carol")
    carol = world.user_session("carol")
    with pytest.raises(AccessDenied):
        carol.s3.list_objects_v2(Bucket="team-data")
    iam.add_user_to_group(GroupName="readers", UserName="carol")
    assert carol.s3.list_objects_v2(Bucket="team-data")["Name"] == "team-data"
    user = world.inventory().user("carol")
    assert user.groups == ("arn:aws:iam::111122223333:group/readers",)
    assert [p.name for p in user.policies] == ["AmazonS3ReadOnlyAccess"]


def test_iam_calls_are_authorised_like_any_other(world):
    admin = world.admin
    admin.iam.create_user(UserName="intern")
    admin.iam.put_user_policy(UserName="intern", PolicyName="Roles",
                              PolicyDocument=allow("iam:CreateRole", "*"))
    intern = world.user_session("intern")
    intern.iam.create_role(RoleName="Mine", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    with pytest.raises(AccessDenied) as err:
        intern.iam.put_role_policy(RoleName="Mine", PolicyName="Admin",
                                   PolicyDocument=allow("*", "*"))
    assert str(err.value) == (
        "An error occurred (AccessDenied) when calling the PutRolePolicy operation: User: "
        "arn:aws:iam::111122223333:user/intern is not authorized to perform: "
        "iam:PutRolePolicy on resource: arn:aws:iam::111122223333:role/Mine because no "
        "identity-based policy allows the iam:PutRolePolicy action")
    assert world.account.roles["Mine"].inline == {}


def test_misspelt_parameters_are_refused_before_the_call_like_botocore(world):
    from iamlab.world import ParamValidationError

    count = len(world.call_log)
    with pytest.raises(ParamValidationError) as err:
        world.admin.iam.create_role(RoleName="X", AssumeRolePolicy=trust("ec2.amazonaws.com"))
    assert str(err.value).splitlines() == [
        "Parameter validation failed:",
        'Missing required parameter in input: "AssumeRolePolicyDocument"',
        'Unknown parameter in input: "AssumeRolePolicy", must be one of: RoleName, '
        "AssumeRolePolicyDocument, Path, Description, MaxSessionDuration, PermissionsBoundary, "
        "Tags (did you mean AssumeRolePolicyDocument?)"]
    assert len(world.call_log) == count and "X" not in world.account.roles


def snapshot(world):
    """The world's state, for checking that failed calls change nothing."""
    accounts = {
        a.account_id: (
            {n: (r.trust, dict(r.inline), list(r.attached), r.boundary, dict(r.tags))
             for n, r in a.roles.items()},
            {n: list(p.roles) for n, p in a.instance_profiles.items()},
            {n: (dict(u.inline), list(u.attached), list(u.groups)) for n, u in a.users.items()},
            {arn: (dict(p.versions), p.default_version) for arn, p in a.policies.items()},
            {n: (t.policy, dict(t.items)) for n, t in a.tables.items()},
            {n: (q.policy, len(q.messages)) for n, q in a.queues.items()},
            {k: k2.policy for k, k2 in a.keys.items()},
            {n: (x.policy, x.value) for n, x in a.secrets.items()},
            sorted(a.functions), sorted(a.instances), sorted(a.log_groups))
        for a in world.accounts.values()}
    buckets = {n: (b.policy, sorted(b.objects)) for n, b in world.buckets.items()}
    return accounts, buckets, sorted(world._keys)


def test_failed_calls_leave_the_world_unchanged():
    from iamlab.world import AwsError
    from iamlab.world import scenarios as S

    s = S.lambda_writes_dynamodb()
    world, admin = s.world, s.admin
    admin.s3.create_bucket(Bucket="kept")
    admin.iam.create_user(UserName="limited")
    limited = world.user_session("limited")
    before = snapshot(world)
    bad_doc = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}'
    attempts = [
        lambda: admin.iam.create_role(RoleName="New", AssumeRolePolicyDocument=bad_doc),
        lambda: admin.iam.put_role_policy(RoleName="OrderWriterRole", PolicyName="P",
                                          PolicyDocument=bad_doc),
        lambda: admin.iam.put_role_policy(RoleName="Ghost", PolicyName="P",
                                          PolicyDocument=allow("s3:*", "*")),
        lambda: admin.iam.create_role(RoleName="OrderWriterRole",
                                      AssumeRolePolicyDocument=trust("ec2.amazonaws.com")),
        lambda: admin.iam.create_policy(PolicyName="P", PolicyDocument=bad_doc),
        lambda: admin.iam.attach_role_policy(RoleName="OrderWriterRole",
                                             PolicyArn="arn:aws:iam::aws:policy/Nope"),
        lambda: admin.s3.put_bucket_policy(Bucket="kept", Policy=bad_doc),
        lambda: admin.sqs.create_queue(QueueName="q", Attributes={"Policy": bad_doc}),
        lambda: admin.kms.create_key(Policy=bad_doc),
        lambda: admin.dynamodb.put_resource_policy(
            ResourceArn="arn:aws:dynamodb:us-east-1:111122223333:table/orders", Policy=bad_doc),
        lambda: admin.lambda_.create_function(
            FunctionName="g", Role="arn:aws:iam::111122223333:role/Ghost",
            Handler=lambda e, c: 1),
        lambda: limited.iam.create_user(UserName="sneaky"),
        lambda: limited.s3.put_object(Bucket="kept", Key="k", Body="x"),
        lambda: limited.dynamodb.put_item(TableName="orders", Item={"order_id": {"S": "1"}}),
        lambda: limited.ec2.run_instances(ImageId="ami-1"),
        lambda: limited.lambda_.invoke(FunctionName="save-order"),
    ]
    for attempt in attempts:
        with pytest.raises(AwsError):
            attempt()
        assert snapshot(world) == before
