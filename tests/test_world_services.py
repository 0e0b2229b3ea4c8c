"""The services of the world: resource policies, passing roles, organisations, the call log.

References: IAM User Guide, "Grant a user permissions to pass a role to an AWS service";
AWS KMS Developer Guide, "Key policies in AWS KMS" and "Default key policy"; AWS Secrets
Manager User Guide, "Secret encryption and decryption"; Amazon SQS Developer Guide, "Using
policies"; Amazon DynamoDB Developer Guide, "Using IAM policy conditions for fine-grained
access control"; AWS Organizations User Guide, "SCP evaluation" and "Resource control
policies"; AWS Lambda Developer Guide, "Lambda execution role".
"""

from __future__ import annotations

import pytest

from iamlab.world import AccessDenied, AwsError, MalformedPolicyDocument, World
from iamlab.world.scenarios import allow, trust

ACCOUNT = "111122223333"


def user(world, name, *policies):
    world.admin.iam.create_user(UserName=name)
    for i, doc in enumerate(policies):
        world.admin.iam.put_user_policy(UserName=name, PolicyName=f"p{i}", PolicyDocument=doc)
    return world.user_session(name)


# -- EC2 and PassRole ----------------------------------------------------------------------
def test_run_instances_with_a_profile_needs_pass_role_to_ec2():
    world = World()
    admin = world.admin
    admin.iam.create_role(RoleName="Web", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    admin.iam.create_instance_profile(InstanceProfileName="Web")
    admin.iam.add_role_to_instance_profile(InstanceProfileName="Web", RoleName="Web")
    dev = user(world, "dev", allow("ec2:RunInstances", "*"))
    with pytest.raises(AccessDenied) as err:
        dev.ec2.run_instances(ImageId="ami-1", IamInstanceProfile={"Name": "Web"})
    assert err.value.code == "UnauthorizedOperation"
    assert err.value.action == "iam:PassRole"
    assert str(err.value).startswith(
        "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You "
        "are not authorized to perform this operation. User: arn:aws:iam::111122223333:user/dev"
        " is not authorized to perform: iam:PassRole on resource: "
        "arn:aws:iam::111122223333:role/Web")
    assert not world.account.instances
    # PassRole limited to the right service
    admin.iam.put_user_policy(UserName="dev", PolicyName="pass", PolicyDocument={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}]})
    with pytest.raises(AccessDenied):
        dev.ec2.run_instances(ImageId="ami-1", IamInstanceProfile={"Name": "Web"})
    admin.iam.put_user_policy(UserName="dev", PolicyName="pass", PolicyDocument={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]})
    launched = dev.ec2.run_instances(ImageId="ami-1", IamInstanceProfile={"Name": "Web"})
    assert launched["Instances"][0]["IamInstanceProfile"]["Arn"].endswith("instance-profile/Web")


def test_a_profile_can_be_associated_with_a_running_instance():
    world = World()
    admin = world.admin
    admin.s3.create_bucket(Bucket="reports")
    admin.s3.put_object(Bucket="reports", Key="a", Body="1")
    iid = admin.ec2.run_instances(ImageId="ami-1")["Instances"][0]["InstanceId"]
    inst = world.instance(iid)
    with pytest.raises(Exception, match="has no role"):
        inst.session.s3.get_object(Bucket="reports", Key="a")
    admin.iam.create_role(RoleName="R", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    admin.iam.attach_role_policy(RoleName="R",
                                 PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    admin.iam.create_instance_profile(InstanceProfileName="R")
    admin.iam.add_role_to_instance_profile(InstanceProfileName="R", RoleName="R")
    admin.ec2.associate_iam_instance_profile(IamInstanceProfile={"Name": "R"}, InstanceId=iid)
    assert inst.session.s3.get_object(Bucket="reports", Key="a")["Body"].read() == b"1"


# -- Lambda --------------------------------------------------------------------------------
def test_create_function_needs_pass_role_and_a_role_lambda_can_assume():
    world = World()
    admin = world.admin
    admin.iam.create_role(RoleName="Fn", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    role = f"arn:aws:iam::{ACCOUNT}:role/Fn"
    with pytest.raises(AwsError, match="The role defined for the function cannot be assumed by "
                                       "Lambda") as err:
        admin.lambda_.create_function(FunctionName="f", Role=role, Handler=lambda e, c: 1)
    assert err.value.code == "InvalidParameterValueException"
    admin.iam.update_assume_role_policy(RoleName="Fn",
                                        PolicyDocument=trust("lambda.amazonaws.com"))
    dev = user(world, "dev", allow("lambda:CreateFunction", "*"))
    with pytest.raises(AccessDenied) as denied:
        dev.lambda_.create_function(FunctionName="f", Role=role, Handler=lambda e, c: 1)
    assert denied.value.action == "iam:PassRole"
    assert not world.account.functions
    admin.lambda_.create_function(FunctionName="f", Role=role, Handler=lambda e, c: {"ok": 1})
    with pytest.raises(AccessDenied) as denied:
        dev.lambda_.invoke(FunctionName="f")
    assert denied.value.action == "lambda:InvokeFunction"


# -- resource policies ---------------------------------------------------------------------
def test_kms_key_policy_must_allow_and_the_default_one_defers_to_iam():
    world = World()
    admin = world.admin
    key = admin.kms.create_key(Description="app")["KeyMetadata"]["KeyId"]
    blob = admin.kms.encrypt(KeyId=key, Plaintext=b"secret")["CiphertextBlob"]
    app = user(world, "app", allow("kms:Decrypt", "*"))
    assert app.kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    # a key policy that names only the root user's ARN as admin, not the account
    admin.kms.put_key_policy(KeyId=key, Policy={"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:PutKeyPolicy", "Resource": "*"}]})
    with pytest.raises(AccessDenied) as err:
        app.kms.decrypt(CiphertextBlob=blob)
    assert err.value.code == "AccessDeniedException"
    assert err.value.decision.blocked_by.value == "resource"


def test_kms_refuses_a_key_policy_that_locks_the_caller_out():
    world = World()
    admin = world.admin
    key = admin.kms.create_key()["KeyMetadata"]["KeyId"]
    before = world.account.keys[key].policy
    with pytest.raises(MalformedPolicyDocument, match="will not allow you to update the key "
                                                      "policy in the future"):
        admin.kms.put_key_policy(KeyId=key, Policy={"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:Decrypt", "Resource": "*"}]})
    assert world.account.keys[key].policy == before


def test_a_secret_under_a_customer_key_needs_the_key_too():
    world = World()
    admin = world.admin
    key = admin.kms.create_key()["KeyMetadata"]["Arn"]
    admin.secretsmanager.create_secret(Name="db", SecretString="hunter2", KmsKeyId=key)
    app = user(world, "app", allow("secretsmanager:GetSecretValue", "*"))
    with pytest.raises(AccessDenied) as err:
        app.secretsmanager.get_secret_value(SecretId="db")
    assert err.value.action == "kms:Decrypt"
    admin.iam.put_user_policy(UserName="app", PolicyName="key", PolicyDocument={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key,
            "Condition": {"StringEquals": {
                "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}}]})
    assert app.secretsmanager.get_secret_value(SecretId="db")["SecretString"] == "hunter2"
    with pytest.raises(AccessDenied):  # directly, not via Secrets Manager: refused
        app.kms.decrypt(CiphertextBlob=app.kms.encrypt(KeyId=key, Plaintext=b"x")
                        ["CiphertextBlob"])


def test_queue_policy_lets_another_account_send():
    world = World()
    other = world.create_account("444455556666")
    url = world.admin.sqs.create_queue(QueueName="inbox")["QueueUrl"]
    sender_root = world.root(other.account_id)
    sender_root.iam.create_user(UserName="sender")
    sender_root.iam.put_user_policy(UserName="sender", PolicyName="send",
                                    PolicyDocument=allow("sqs:SendMessage", "*"))
    sender = world.user_session("sender", account=other.account_id)
    with pytest.raises(AccessDenied) as err:
        sender.sqs.send_message(QueueUrl=url, MessageBody="hi")
    assert err.value.decision.blocked_by.value == "resource"
    world.admin.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": {
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:inbox"}]}})
    sender.sqs.send_message(QueueUrl=url, MessageBody="hi")
    got = world.admin.sqs.receive_message(QueueUrl=url)["Messages"]
    assert [m["Body"] for m in got] == ["hi"]


def test_dynamodb_leading_keys_limit_rows_to_the_caller():
    world = World()
    admin = world.admin
    admin.dynamodb.create_table(TableName="profiles",
                                KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}])
    dana = user(world, "dana", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
        "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/profiles",
        "Condition": {"ForAllValues:StringEquals": {
            "dynamodb:LeadingKeys": ["${aws:username}"]}}}]})
    dana.dynamodb.put_item(TableName="profiles", Item={"user": {"S": "dana"}})
    with pytest.raises(AccessDenied):
        dana.dynamodb.put_item(TableName="profiles", Item={"user": {"S": "erin"}})
    assert dana.dynamodb.get_item(TableName="profiles", Key={"user": {"S": "dana"}})["Item"]


def test_s3_list_bucket_sees_the_prefix():
    world = World()
    admin = world.admin
    admin.s3.create_bucket(Bucket="home")
    admin.s3.put_object(Bucket="home", Key="frank/notes.txt", Body="n")
    admin.s3.put_object(Bucket="home", Key="gina/notes.txt", Body="n")
    frank = user(world, "frank", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::home",
        "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}}]})
    listed = frank.s3.list_objects_v2(Bucket="home", Prefix="frank/")
    assert [o["Key"] for o in listed["Contents"]] == ["frank/notes.txt"]
    with pytest.raises(AccessDenied):
        frank.s3.list_objects_v2(Bucket="home", Prefix="gina/")
    with pytest.raises(AccessDenied):
        frank.s3.list_objects_v2(Bucket="home")


def test_a_malformed_bucket_policy_changes_nothing():
    world = World()
    world.admin.s3.create_bucket(Bucket="data-bucket")
    with pytest.raises(MalformedPolicyDocument) as err:
        world.admin.s3.put_bucket_policy(Bucket="data-bucket", Policy={
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::data-bucket/*"}]})  # no Principal
    assert err.value.code == "MalformedPolicy"
    assert world.buckets["data-bucket"].policy is None


# -- organisations -------------------------------------------------------------------------
def test_an_scp_limits_a_member_account_even_its_root_user():
    world = World(alias="management")
    member = world.create_account("444455556666", alias="workloads")
    org = world.create_organization()
    ou = org.create_ou("Workloads")
    org.move_account(member.account_id, ou)
    org.create_policy("NoS3Delete", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]})
    org.attach_policy("NoS3Delete", "Workloads")
    root = world.root(member.account_id)
    root.s3.create_bucket(Bucket="member-data")
    root.s3.put_object(Bucket="member-data", Key="k", Body="v")
    with pytest.raises(AccessDenied) as err:
        root.s3.delete_object(Bucket="member-data", Key="k")
    assert "with an explicit deny in a service control policy" in str(err.value)
    # the management account is not affected by SCPs
    world.admin.s3.create_bucket(Bucket="mgmt-data")
    world.admin.s3.put_object(Bucket="mgmt-data", Key="k", Body="v")
    world.admin.s3.delete_object(Bucket="mgmt-data", Key="k")
    # detaching FullAWSAccess from the OU leaves nothing allowed below it
    org.detach_policy("FullAWSAccess", "Workloads")
    with pytest.raises(AccessDenied) as err:
        root.s3.get_object(Bucket="member-data", Key="k")
    assert err.value.decision.blocked_by.value == "scp"
    levels = world.inventory().scps[member.account_id]
    assert len(levels) == 3  # root, the OU, the account


def test_scps_do_not_apply_to_service_linked_roles():
    world = World(alias="management")
    member = world.create_account("444455556666")
    org = world.create_organization()
    org.create_policy("NoEc2", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"}]})
    org.attach_policy("NoEc2", member.account_id)
    root = world.root(member.account_id)
    root.ec2.create_launch_template(LaunchTemplateName="t", LaunchTemplateData={})
    with pytest.raises(AccessDenied):
        root.ec2.run_instances(ImageId="ami-1")
    root.autoscaling.create_auto_scaling_group(AutoScalingGroupName="g",
                                               LaunchTemplate={"LaunchTemplateName": "t"},
                                               MinSize=1, MaxSize=1)
    assert len(member.auto_scaling_groups["g"].instances) == 1


def test_an_rcp_keeps_outsiders_away_from_member_resources():
    world = World(alias="management")
    member = world.create_account("444455556666")
    outsider = world.create_account("777788889999")
    org = world.create_organization(rcps=True)
    org.parents.pop(outsider.account_id)  # the outsider is not in the organisation
    org.create_policy("OrgOnly", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org.org_id},
                      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]},
        type="RESOURCE_CONTROL_POLICY")
    org.attach_policy("OrgOnly", "root")
    owner = world.root(member.account_id)
    owner.s3.create_bucket(Bucket="member-bucket")
    owner.s3.put_object(Bucket="member-bucket", Key="k", Body="v")
    owner.s3.put_bucket_policy(Bucket="member-bucket", Policy={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::777788889999:root"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::member-bucket/*"}]})
    with pytest.raises(AccessDenied) as err:
        world.root(outsider.account_id).s3.get_object(Bucket="member-bucket", Key="k")
    assert "with an explicit deny in a resource control policy" in str(err.value)


# -- the call log and questions ------------------------------------------------------------
def test_the_call_log_is_a_small_cloudtrail():
    world = World()
    world.admin.s3.create_bucket(Bucket="logbook")
    app = user(world, "app")
    with pytest.raises(AccessDenied):
        app.s3.get_object(Bucket="logbook", Key="k")
    frame = world.calls()
    assert list(frame.columns) == ["time", "who", "service", "operation", "action",
                                   "resource", "decision", "error", "reason", "source_ip",
                                   "access_key", "invoked_by"]
    last = frame.iloc[-1]
    assert (last.who, last.operation, last.decision, last.error) == (
        "arn:aws:iam::111122223333:user/app", "GetObject", "implicitDeny", "AccessDenied")
    assert last.reason.startswith("Denied because no identity-based policy allows")
    assert len(world.calls(denied=True)) == 1
    assert world.call_log.last.decision.request.action == "s3:GetObject"


def test_can_asks_without_calling():
    world = World()
    world.admin.s3.create_bucket(Bucket="quiet")
    app = user(world, "app", allow("s3:GetObject", "arn:aws:s3:::quiet/*"))
    count = len(world.call_log)
    assert app.can("s3:GetObject", "arn:aws:s3:::quiet/a").allowed
    assert not app.can("s3:PutObject", "arn:aws:s3:::quiet/a").allowed
    assert len(world.call_log) == count


def test_in_a_notebook_an_error_shows_aws_words_and_the_explanation_not_a_traceback():
    world = World()
    app = user(world, "app", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    with pytest.raises(AccessDenied) as err:
        app.s3.list_buckets()
    shown = err.value._render_traceback_()
    assert shown[0].startswith("AccessDenied: An error occurred (AccessDenied) when calling "
                               "the ListBuckets operation: User: arn:aws:iam::111122223333:"
                               "user/app is not authorized")
    assert any('identity-based policy "p0", statement 1' in line for line in shown)
    assert not any("Traceback" in line for line in shown)


# -- an operation a client does not have ------------------------------------------------------

def test_an_operation_the_client_lacks_says_which_it_has_and_suggests_one():
    """boto3 raises AttributeError for a misspelt method; the world's error is one too, but
    names the client's operations and the closest one, and makes no call."""
    from iamlab.errors import IamlabError
    from iamlab.world.services.base import UnknownOperation

    world = World()
    s = world.admin
    count = len(world.call_log)
    with pytest.raises(UnknownOperation) as err:
        s.iam.get_rol(RoleName="x")
    assert isinstance(err.value, AttributeError) and isinstance(err.value, IamlabError)
    first, *rest = str(err.value).splitlines()
    assert first == "The iam client has no operation 'get_rol'. Did you mean get_role?"
    assert rest[0] == f"Its {len(s.iam.operations)} operations:"
    assert "get_role," in " ".join(rest) and "put_role_policy" in " ".join(rest)
    assert err.value.name == "get_rol" and err.value.suggestion == "get_role"
    assert err.value._render_traceback_() == [f"UnknownOperation: {err.value}"]
    with pytest.raises(AttributeError, match=r"no operation 'nosuch'\.\nIts 9 operations:"):
        s.s3.nosuch()
    # the API's own name, in CamelCase, points to boto3's
    with pytest.raises(UnknownOperation, match=r"Did you mean assume_role\?"):
        s.sts.AssumeRole  # noqa: B018
    assert len(world.call_log) == count
    # Python's tools still behave: hasattr, getattr with a default, private names
    assert not hasattr(s.s3, "nosuch") and getattr(s.s3, "nosuch", None) is None
    with pytest.raises(AttributeError) as private:
        s.s3.__deepcopy_me__  # noqa: B018
    assert not isinstance(private.value, UnknownOperation)
    # tab completion lists the operations (and no helper that takes a call)
    assert {"get_role", "create_role", "list_users"} <= set(dir(s.iam))
    assert "get_object" in dir(s.client("s3"))
    assert s.sts.operations == ("assume_role", "get_caller_identity", "get_session_token")
    assert "key" not in s.kms.operations and "instance" not in s.ec2.operations
    # helpers are private, so tab completion offers only operations and the client's settings
    settings = {"denied_code", "endpoint", "malformed_code", "operations", "region", "service",
                "session", "world"}
    for client in (s.kms, s.ec2, s.secretsmanager):
        public = {n for n in dir(client) if not n.startswith("_")}
        assert public - settings == set(client.operations)
    assert {"key", "authorize_key"}.isdisjoint(dir(s.kms)) and "instance" not in dir(s.ec2)


def test_unknown_operation_is_exported_by_the_world() -> None:
    from iamlab import world as world_pkg
    from iamlab.world import errors
    from iamlab.world.services.base import UnknownOperation

    assert world_pkg.UnknownOperation is errors.UnknownOperation is UnknownOperation
    assert "UnknownOperation" in world_pkg.__all__ and "UnknownOperation" in errors.__all__
    with pytest.raises(world_pkg.UnknownOperation, match="no operation 'key'"):
        World().admin.kms.key  # noqa: B018  (a helper now private: not an operation)
