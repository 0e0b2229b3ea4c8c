"""Where code on an instance gets credentials, and who sets a scenario up.

Amazon EC2 User Guide, "Use the Instance Metadata Service to access instance metadata":
"IMDSv2 uses session-oriented requests. ... you create a session token that defines the
session duration ... by using a PUT request"; with HttpTokens "required", "IMDSv1 is not
available"; "the hop limit ... for the PUT response" (default 1, 1 to 64).
AWS SDKs and Tools Reference Guide, "Standardized credential providers": the SDKs look in
environment variables (AWS_ACCESS_KEY_ID...), then the shared credentials file, ..., then
the Amazon EC2 instance metadata service.
IAM User Guide, "Root user best practices": do not use the root user for everyday tasks.
"""

from __future__ import annotations

import json

import pytest

from iamlab.world import AccessDenied, ServiceError, World, scenarios
from iamlab.world.services.lambda_ import LambdaContext


def test_imdsv1_answers_any_get_until_imdsv2_is_required() -> None:
    """An SSRF bug (a GET the attacker chooses) reads the role's credentials under IMDSv1;
    once tokens are required the same GET gets 401, while the SDK (IMDSv2) keeps working."""
    s = scenarios.ec2_reads_s3()
    path = "iam/security-credentials/ReportReader"
    assert '"AccessKeyId": "ASIA' in s.instance.metadata.get(path)
    s.admin.ec2.modify_instance_metadata_options(InstanceId=s.instance.instance_id,
                                                 HttpTokens="required")
    with pytest.raises(ServiceError) as denied:
        s.instance.metadata.get(path)
    assert denied.value.code == "401"
    token = s.instance.metadata.put_token(ttl_seconds=60)
    assert '"Code": "Success"' in s.instance.metadata.get(path, token=token)
    assert s.instance.session.s3.get_object(Bucket="reports", Key="q3.csv")
    options = s.instance.describe()["MetadataOptions"]
    assert options["HttpTokens"] == "required" and options["HttpPutResponseHopLimit"] == 1


def test_a_token_expires_and_the_hop_limit_stops_a_container_one_hop_further() -> None:
    s = scenarios.ec2_reads_s3()
    md = s.instance.metadata
    token = md.put_token(ttl_seconds=60)
    s.world.clock.advance(minutes=2)
    with pytest.raises(ServiceError, match="401"):
        md.get("instance-id", token=token)
    with pytest.raises(ServiceError) as far:
        md.put_token(hops=2)
    assert far.value.code == "RequestTimeout"
    s.admin.ec2.modify_instance_metadata_options(InstanceId=s.instance.instance_id,
                                                 HttpPutResponseHopLimit=2)
    assert md.get("instance-id", token=md.put_token(hops=2)) == s.instance.instance_id


def test_metadata_options_are_checked_and_need_permission() -> None:
    s = scenarios.ec2_reads_s3()
    with pytest.raises(ServiceError, match="HttpTokens"):
        s.admin.ec2.modify_instance_metadata_options(InstanceId=s.instance.instance_id,
                                                     HttpTokens="always")
    launched = s.admin.ec2.run_instances(MetadataOptions={"HttpTokens": "required"})
    assert launched["Instances"][0]["MetadataOptions"]["HttpTokens"] == "required"
    s.admin.iam.create_user(UserName="dev")
    dev = s.world.user_session("dev")
    with pytest.raises(Exception, match="ec2:ModifyInstanceMetadataOptions"):
        dev.ec2.modify_instance_metadata_options(InstanceId=s.instance.instance_id,
                                                 HttpTokens="required")


def test_stray_keys_on_an_instance_override_its_role() -> None:
    """Environment variables come first, then the shared credentials file, then the role."""
    leaky = scenarios.leaked_credentials()
    inst, key = leaky.instance, leaky.baked_key
    assert inst.credential_source() == "instance-metadata"
    assert ":assumed-role/ReportReader/" in inst.session.arn
    inst.credentials_file.update(aws_access_key_id=key.access_key_id,
                                 aws_secret_access_key=key.secret_access_key)
    assert inst.credential_source() == "shared-credentials-file"
    assert inst.session.arn.endswith(":user/report-app")
    inst.credentials_file.clear()
    inst.environment.update(AWS_ACCESS_KEY_ID=key.access_key_id,
                            AWS_SECRET_ACCESS_KEY=key.secret_access_key)
    assert inst.credential_source() == "environment"
    assert inst.session.arn.endswith(":user/report-app")


def test_scenarios_are_set_up_by_an_administrator_role_not_root() -> None:
    """The set-up calls are made by a session of the Administrator role; root only creates
    that role. Its one-hour credentials are renewed, so set-up works after hours pass."""
    s = scenarios.ec2_reads_s3()
    assert s.admin.arn == "arn:aws:sts::111122223333:assumed-role/Administrator/admin"
    who = set(s.world.calls()["who"])
    assert "arn:aws:iam::111122223333:root" in who
    root_ops = set(s.world.calls(who="arn:aws:iam::111122223333:root")["operation"])
    assert root_ops == {"CreateRole", "AttachRolePolicy"}
    first = s.admin.credentials
    s.world.clock.advance(hours=5)
    assert s.admin.credentials != first and s.admin.iam.get_role(RoleName="ReportReader")


def test_the_administrators_sign_in_is_in_the_call_log() -> None:
    """Signing in through single sign-on is an AssumeRoleWithSAML call that the role's trust
    policy allows (IAM User Guide, "SAML 2.0 federation"); CloudTrail logs it, and so does
    the world, once per sign-in (each renewal of the one-hour credentials)."""
    s = scenarios.ec2_reads_s3()
    sign_ins = s.world.calls(who="saml-provider/CorpSSO")
    assert list(sign_ins["action"]) == ["sts:AssumeRoleWithSAML"]
    assert list(sign_ins["decision"]) == ["allowed"]
    assert sign_ins.iloc[0]["resource"] == "arn:aws:iam::111122223333:role/Administrator"
    s.world.clock.advance(hours=2)
    s.admin.iam.get_role(RoleName="ReportReader")
    assert len(s.world.calls(who="saml-provider/CorpSSO")) == 2


def test_each_account_has_its_own_administrator() -> None:
    world = World()
    other = world.create_account("444455556666")
    assert world.administrator_of(other.account_id).arn.startswith(
        "arn:aws:sts::444455556666:assumed-role/Administrator/")
    assert world.administrator_of() is world.administrator


def test_a_lambda_function_gets_its_role_credentials_in_environment_variables() -> None:
    """AWS Lambda Developer Guide, "Defined runtime environment variables": AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN - "The access keys obtained from the function's
    execution role"."""
    s = scenarios.lambda_writes_dynamodb()
    seen: dict[str, str] = {}

    def handler(event: object, context: LambdaContext) -> str:
        seen.update(context.environ)
        return context.session.arn

    s.admin.lambda_.create_function(FunctionName="peek", Handler=handler,
                                    Role="arn:aws:iam::111122223333:role/OrderWriterRole")
    arn = json.loads(s.admin.lambda_.invoke(FunctionName="peek")["Payload"].read())
    assert arn == "arn:aws:sts::111122223333:assumed-role/OrderWriterRole/peek"
    assert seen["AWS_ACCESS_KEY_ID"].startswith("ASIA") and seen["AWS_SESSION_TOKEN"]
    assert seen["AWS_LAMBDA_FUNCTION_NAME"] == "peek"


def test_get_policy_returns_the_function_policy_or_not_found() -> None:
    s = scenarios.lambda_writes_dynamodb()
    with pytest.raises(ServiceError) as none:
        s.admin.lambda_.get_policy(FunctionName="save-order")
    assert none.value.code == "ResourceNotFoundException"
    s.admin.lambda_.add_permission(FunctionName="save-order", StatementId="s3",
                                   Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                                   SourceArn="arn:aws:s3:::orders-inbox")
    policy = json.loads(s.admin.lambda_.get_policy(FunctionName="save-order")["Policy"])
    assert policy["Statement"][0]["Condition"] == {
        "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::orders-inbox"}}


def test_the_ecs_agent_fetches_a_tasks_secrets_with_the_execution_role() -> None:
    """Amazon ECS Developer Guide, "Amazon ECS task execution IAM role": the execution role
    is needed to "reference sensitive data using Secrets Manager secrets"
    (secretsmanager:GetSecretValue); without it the task stops at start."""
    s = scenarios.ecs_task_reads_sqs()
    arn = s.admin.secretsmanager.create_secret(Name="db-password", SecretString="s3cret")["ARN"]
    container = {"name": "app", "image": "public.ecr.aws/docker/library/python:3.12",
                 "secrets": [{"name": "DB_PASSWORD", "valueFrom": arn}]}
    execution = "arn:aws:iam::111122223333:role/OrderReaderExecutionRole"
    s.admin.ecs.register_task_definition(family="with-secret", executionRoleArn=execution,
                                         containerDefinitions=[container])
    stopped = s.world.task(s.admin.ecs.run_task(taskDefinition="with-secret")["tasks"][0]
                           ["taskArn"])
    assert stopped.last_status == "STOPPED"
    assert "secretsmanager:GetSecretValue" in stopped.stopped_reason
    s.admin.iam.put_role_policy(RoleName="OrderReaderExecutionRole", PolicyName="Secret",
                                PolicyDocument=scenarios.allow("secretsmanager:GetSecretValue",
                                                               arn))
    running = s.world.task(s.admin.ecs.run_task(taskDefinition="with-secret")["tasks"][0]
                           ["taskArn"])
    assert running.last_status == "RUNNING"
    assert running.environment == {"DB_PASSWORD": "s3cret"}


def test_describe_task_definition_shows_which_role_is_which() -> None:
    s = scenarios.ecs_task_reads_sqs()
    tdef = s.admin.ecs.describe_task_definition(taskDefinition="order-reader")["taskDefinition"]
    assert tdef["taskRoleArn"].endswith("role/OrderReaderTaskRole")
    assert tdef["executionRoleArn"].endswith("role/OrderReaderExecutionRole")
    with pytest.raises(ServiceError, match="Unable to describe task definition"):
        s.admin.ecs.describe_task_definition(taskDefinition="nothing:3")


def test_the_root_user_cannot_assume_a_role() -> None:
    """IAM User Guide, "Methods to assume a role": "You cannot assume a role while signed in
    as the root user"; the API answers AccessDenied "Roles may not be assumed by root
    accounts"."""
    world = World()
    world.administrator.iam.create_role(RoleName="Helper", AssumeRolePolicyDocument={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sts:AssumeRole"}]})
    with pytest.raises(AccessDenied, match="Roles may not be assumed by root accounts"):
        world.admin.sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/Helper",
                                    RoleSessionName="root-session")


def test_deletion_status_is_authorized_on_the_service_linked_role() -> None:
    """Service Authorization Reference, IAM: GetServiceLinkedRoleDeletionStatus acts on the
    resource type role; the task names the role (task/aws-service-role/SERVICE/NAME/ID)."""
    s = scenarios.autoscaling_service_linked_role()
    arn = ("arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/"
           "AWSServiceRoleForAutoScaling")
    task = s.admin.iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling")
    s.admin.iam.get_service_linked_role_deletion_status(DeletionTaskId=task["DeletionTaskId"])
    assert s.world.calls(last=1)["resource"].iloc[0] == arn
