"""The course's ready-made worlds, run step by step with every decision asserted.

References: IAM User Guide, "IAM roles for Amazon EC2" / "Use an IAM role to grant
permissions to applications running on Amazon EC2 instances"; AWS Lambda Developer Guide,
"Defining Lambda function permissions with an execution role"; Amazon ECS Developer Guide,
"Amazon ECS task execution IAM role" and "Amazon ECS task IAM role"; Amazon EC2 Auto
Scaling User Guide, "Service-linked roles for Amazon EC2 Auto Scaling"; IAM User Guide,
"Access to AWS accounts owned by third parties" and "The confused deputy problem".
"""

from __future__ import annotations

import json
import time

import pytest

from iamlab.world import (
    ELSEWHERE_IP,
    AccessDenied,
    ExpiredToken,
    NoCredentials,
    UnmodifiableEntity,
)
from iamlab.world import scenarios as S


def read(session, bucket="reports", key="q3.csv"):
    return session.s3.get_object(Bucket=bucket, Key=key)["Body"].read()


# -- EC2 reads S3 ---------------------------------------------------------------------------
def test_ec2_instance_reads_s3_with_its_role_and_no_key_in_code():
    s = S.ec2_reads_s3()
    assert read(s.instance.session) == b"region,sales\neu,42\nus,57\n"
    last = s.world.call_log.last
    assert last.who.startswith("arn:aws:sts::111122223333:assumed-role/ReportReader/i-0")
    assert last.verdict == "allowed"
    assert 'identity-based policy "ReadReports"' in last.reason
    # the credentials came from the metadata service, assumed by EC2 itself
    assert s.instance.metadata.get("iam/security-credentials/") == "ReportReader"
    info = json.loads(s.instance.metadata.get("iam/security-credentials/ReportReader"))
    assert info["Code"] == "Success" and info["AccessKeyId"].startswith("ASIA")
    ec2_calls = s.world.calls(who="ec2.amazonaws.com")
    assert list(ec2_calls["operation"]) == ["AssumeRole"]
    assert list(ec2_calls["decision"]) == ["allowed"]


def test_the_role_may_only_do_what_its_permissions_policy_says():
    s = S.ec2_reads_s3()
    with pytest.raises(AccessDenied) as err:
        s.instance.session.s3.put_object(Bucket="reports", Key="x.csv", Body="x")
    assert "is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::reports/x.csv" \
        " because no identity-based policy allows the s3:PutObject action" in str(err.value)
    assert err.value.decision.decision == "implicitDeny"


def test_instance_credentials_are_renewed_before_they_expire():
    s = S.ec2_reads_s3()
    first = s.instance.metadata.credentials()
    assert first.expiration is not None
    s.world.clock.advance(hours=3)
    assert s.instance.metadata.credentials() == first  # still valid: not yet renewed
    s.world.clock.advance(hours=2, minutes=56)  # 4 minutes left: EC2 offers new ones
    second = s.instance.metadata.credentials()
    assert second.access_key_id != first.access_key_id
    assert second.expiration > first.expiration
    for _ in range(4):  # a day later the code on the instance still works
        s.world.clock.advance(hours=6)
        assert read(s.instance.session).startswith(b"region")
    # the first credentials, copied off the instance, died long ago
    with pytest.raises(ExpiredToken):
        read(s.world.session(first))


def test_trust_policy_without_ec2_leaves_the_instance_without_credentials():
    s = S.ec2_reads_s3()
    s.admin.iam.update_assume_role_policy(RoleName="ReportReader",
                                          PolicyDocument=S.trust("lambda.amazonaws.com"))
    s.world.clock.advance(hours=6)  # the old credentials have expired
    info = json.loads(s.instance.metadata.get("iam/security-credentials/ReportReader"))
    assert info["Code"] == "AssumeRoleUnauthorizedAccess"
    with pytest.raises(NoCredentials) as err:
        read(s.instance.session)
    assert err.value.decision is not None and not err.value.decision.allowed
    denied = s.world.calls(who="ec2.amazonaws.com", denied=True)
    assert list(denied["operation"]) == ["AssumeRole", "AssumeRole"]


def test_building_the_ec2_scenario_and_deciding_take_a_few_milliseconds():
    S.ec2_reads_s3()  # warm up (imports, compiled policies)
    start = time.perf_counter()
    s = S.ec2_reads_s3()
    built = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(20):
        s.instance.session.can("s3:GetObject", "arn:aws:s3:::reports/q3.csv")
    decided = (time.perf_counter() - start) / 20
    assert built < 0.05 and decided < 0.005, (built, decided)


# -- Lambda writes DynamoDB and logs -------------------------------------------------------
def test_lambda_function_writes_dynamodb_and_its_logs_reach_cloudwatch():
    s = S.lambda_writes_dynamodb()
    response = s.invoke({"order_id": 7, "item": "pen"})
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"saved": 7}
    items = s.admin.dynamodb.scan(TableName="orders")["Items"]
    assert items == [{"order_id": {"S": "7"}, "item": {"S": "pen"}}]
    assert s.function.logs_delivered
    stream = s.function.log_stream
    events = s.admin.logs.get_log_events(logGroupName="/aws/lambda/save-order",
                                         logStreamName=stream)["events"]
    assert any(e["message"] == "saved order 7" for e in events)
    writers = set(s.world.calls(who="assumed-role/OrderWriterRole/save-order")["action"])
    assert {"dynamodb:PutItem", "logs:CreateLogGroup", "logs:CreateLogStream",
            "logs:PutLogEvents"} <= writers


def test_without_log_permissions_the_function_runs_but_its_logs_are_lost():
    s = S.lambda_writes_dynamodb()
    s.admin.iam.detach_role_policy(
        RoleName="OrderWriterRole",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    response = s.invoke({"order_id": 8})
    assert "FunctionError" not in response
    assert not s.function.logs_delivered
    assert "/aws/lambda/save-order" not in s.world.account.log_groups
    denied = s.world.calls(denied=True)
    assert list(denied["action"]) == ["logs:CreateLogGroup"]
    assert list(denied["invoked_by"]) == ["lambda.amazonaws.com"]


def test_a_handler_refused_by_aws_reports_the_error_like_lambda():
    s = S.lambda_writes_dynamodb()
    s.admin.iam.delete_role_policy(RoleName="OrderWriterRole", PolicyName="WriteOrders")
    response = s.invoke({"order_id": 9})
    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "ClientError"
    assert "(AccessDeniedException) when calling the PutItem operation" in \
        payload["errorMessage"]
    assert isinstance(s.function.last_error, AccessDenied)
    assert s.function.last_error.decision.blocked_by.value == "identity"


# -- ECS task role vs execution role -------------------------------------------------------
def test_ecs_task_role_is_for_the_app_and_execution_role_for_the_agent():
    s = S.ecs_task_reads_sqs()
    assert s.task.last_status == "RUNNING"
    got = s.task.session.sqs.receive_message(QueueUrl=s.queue_url)["Messages"]
    assert json.loads(got[0]["Body"]) == {"order_id": 1, "item": "book"}
    assert s.task.log("processed order 1")
    calls = s.world.calls()
    by_role = {r: set(calls[calls.who.str.contains(f"assumed-role/{r}/")].action)
               for r in (s.task_role, s.execution_role)}
    assert by_role[s.execution_role] == {"ecr:GetAuthorizationToken", "ecr:BatchGetImage",
                                         "logs:CreateLogStream", "logs:PutLogEvents"}
    assert by_role[s.task_role] == {"sqs:ReceiveMessage"}
    # the execution role's permissions are not the application's
    with pytest.raises(AccessDenied):
        s.task.session.logs.put_log_events(
            logGroupName=s.log_group, logStreamName=f"ecs/app/{s.task.task_id}",
            logEvents=[{"timestamp": 0, "message": "x"}])


def test_without_an_execution_role_policy_the_image_cannot_be_pulled():
    s = S.ecs_task_reads_sqs()
    s.admin.iam.detach_role_policy(
        RoleName=s.execution_role,
        PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
    started = s.admin.ecs.run_task(taskDefinition="order-reader")
    task = s.world.task(started["tasks"][0]["taskArn"])
    assert task.last_status == "STOPPED"
    assert task.stopped_reason.startswith("CannotPullContainerError")
    assert "ecr:GetAuthorizationToken" in task.stopped_reason


def test_a_task_without_a_task_role_gets_no_credentials():
    s = S.ecs_task_reads_sqs()
    s.admin.ecs.register_task_definition(
        family="no-task-role",
        executionRoleArn=f"arn:aws:iam::111122223333:role/{s.execution_role}",
        containerDefinitions=[{"name": "app", "image": "public.ecr.aws/docker/library/python"}])
    task = s.world.task(s.admin.ecs.run_task(taskDefinition="no-task-role")["tasks"][0]
                        ["taskArn"])
    assert task.last_status == "RUNNING"
    with pytest.raises(NoCredentials, match="execution role is used by the ECS agent only"):
        task.session.sqs.receive_message(QueueUrl=s.queue_url)


# -- service-linked role -------------------------------------------------------------------
def test_auto_scaling_creates_and_uses_its_service_linked_role():
    s = S.autoscaling_service_linked_role()
    role = s.admin.iam.get_role(RoleName=s.role_name)["Role"]
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "autoscaling.amazonaws.com"}
    attached = s.admin.iam.list_attached_role_policies(RoleName=s.role_name)
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == [
        "AutoScalingServiceRolePolicy"]
    group = s.admin.autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]
    assert len(group["Instances"]) == 2
    launches = s.world.calls(who="assumed-role/AWSServiceRoleForAutoScaling")
    assert list(launches["action"]) == ["ec2:RunInstances"]
    assert list(launches["decision"]) == ["allowed"]


def test_service_linked_role_cannot_be_edited_nor_deleted_while_in_use():
    s = S.autoscaling_service_linked_role()
    before = s.world.inventory()
    with pytest.raises(UnmodifiableEntity, match="this role is only modifiable by AWS"):
        s.admin.iam.update_assume_role_policy(RoleName=s.role_name,
                                              PolicyDocument=S.trust("ec2.amazonaws.com"))
    with pytest.raises(UnmodifiableEntity):
        s.admin.iam.put_role_policy(RoleName=s.role_name, PolicyName="More",
                                    PolicyDocument=S.allow("s3:*", "*"))
    with pytest.raises(UnmodifiableEntity):
        s.admin.iam.delete_role(RoleName=s.role_name)
    assert s.world.inventory() == before
    task = s.admin.iam.delete_service_linked_role(RoleName=s.role_name)["DeletionTaskId"]
    status = s.admin.iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "FAILED"
    assert status["Reason"]["RoleUsageList"][0]["Resources"][0].endswith(
        "autoScalingGroupName/web")
    assert s.role_name in s.world.account.roles
    # once the group is gone, the role can go too
    s.admin.autoscaling.delete_auto_scaling_group(AutoScalingGroupName="web", ForceDelete=True)
    task = s.admin.iam.delete_service_linked_role(RoleName=s.role_name)["DeletionTaskId"]
    status = s.admin.iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status == {"Status": "SUCCEEDED"}
    assert s.role_name not in s.world.account.roles


def test_creating_the_first_group_needs_permission_to_create_the_service_linked_role():
    world = S.World()
    admin = world.admin
    admin.ec2.create_launch_template(LaunchTemplateName="web",
                                     LaunchTemplateData={"ImageId": "ami-1"})
    admin.iam.create_user(UserName="ops")
    admin.iam.put_user_policy(UserName="ops", PolicyName="AutoScaling",
                              PolicyDocument=S.allow("autoscaling:*", "*"))
    ops = world.user_session("ops")
    with pytest.raises(AccessDenied) as err:
        ops.autoscaling.create_auto_scaling_group(
            AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateName": "web"},
            MinSize=1, MaxSize=1)
    assert err.value.action == "iam:CreateServiceLinkedRole"
    assert "AWSServiceRoleForAutoScaling" not in world.account.roles
    assert not world.account.auto_scaling_groups


# -- cross-account -------------------------------------------------------------------------
def test_cross_account_access_needs_both_sides():
    s = S.cross_account_s3()
    # Alice's own permissions do not reach the other account's bucket
    with pytest.raises(AccessDenied):
        read(s.alice, s.bucket, s.key)
    session = s.world.session(
        s.alice.sts.assume_role(RoleArn=s.role_arn, RoleSessionName="alice")["Credentials"])
    assert session.sts.get_caller_identity()["Arn"] == \
        "arn:aws:sts::444455556666:assumed-role/SharedDataReader/alice"
    assert read(session, s.bucket, s.key) == b"id,name\n1,Ana\n"
    # without her side (the identity policy), the trust policy alone is not enough
    s.world.root().iam.delete_user_policy(UserName="alice", PolicyName="AssumeSharedDataReader")
    with pytest.raises(AccessDenied) as err:
        s.alice.sts.assume_role(RoleArn=s.role_arn, RoleSessionName="alice")
    assert err.value.decision.blocked_by.value == "identity"


def test_a_bucket_policy_can_grant_another_account_directly():
    s = S.cross_account_s3()
    owner = s.world.root("444455556666")
    owner.s3.put_bucket_policy(Bucket=s.bucket, Policy={"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]})
    with pytest.raises(AccessDenied) as err:  # Alice's account must allow it too
        read(s.alice, s.bucket, s.key)
    assert err.value.decision.blocked_by.value == "identity"
    s.world.root().iam.put_user_policy(UserName="alice", PolicyName="ReadShared",
                                       PolicyDocument=S.allow("s3:GetObject", "*"))
    assert read(s.alice, s.bucket, s.key) == b"id,name\n1,Ana\n"


# -- third party and external ID -----------------------------------------------------------
def test_third_party_must_present_the_external_id():
    s = S.third_party_external_id()
    ok = s.partner.sts.assume_role(RoleArn=s.role_arn, RoleSessionName="audit",
                                   ExternalId=s.external_id)
    audit = s.world.session(ok["Credentials"])
    assert read(audit, "audit-logs", "2025/01/06.log") == b"login ok\n"
    for wrong in ({}, {"ExternalId": "another-customer-id"}):
        with pytest.raises(AccessDenied) as err:
            s.partner.sts.assume_role(RoleArn=s.role_arn, RoleSessionName="audit", **wrong)
        assert err.value.decision.blocked_by.value == "trust"
        assert "sts:ExternalId" in err.value.explain()


# -- long-term keys vs temporary credentials -----------------------------------------------
def test_a_leaked_long_term_key_works_from_anywhere_for_ever():
    s = S.leaked_credentials()
    thief = s.world.session(s.baked_key, source_ip=ELSEWHERE_IP)
    assert read(thief) == b"region,sales\neu,42\nus,57\n"
    s.world.clock.advance(days=365)
    assert read(thief) == b"region,sales\neu,42\nus,57\n"
    # until someone deactivates it
    s.admin.iam.update_access_key(UserName="report-app", AccessKeyId=s.baked_key.access_key_id,
                                  Status="Inactive")
    with pytest.raises(Exception, match="InvalidAccessKeyId"):
        read(thief)


def test_stolen_instance_credentials_expire_and_can_be_fenced_to_the_vpc():
    s = S.leaked_credentials()
    stolen = s.world.session(s.instance.metadata.credentials(), source_ip=ELSEWHERE_IP)
    assert read(stolen)  # usable elsewhere... for now
    # a data-perimeter statement: role credentials only from the instance's own VPC
    s.admin.iam.put_role_policy(RoleName="ReportReader", PolicyName="OnlyFromOwnVpc",
                                PolicyDocument={"Version": "2012-10-17", "Statement": [{
                                    "Effect": "Deny", "Action": "*", "Resource": "*",
                                    "Condition": {
                                        "StringNotEquals": {
                                            "aws:ec2InstanceSourceVPC": "${aws:SourceVpc}"},
                                        "Null": {"ec2:SourceInstanceARN": "false"},
                                        "BoolIfExists": {"aws:ViaAWSService": "false"}}}]})
    s.admin.ec2.create_vpc_endpoint(VpcId=s.instance.vpc_id,
                                    ServiceName="com.amazonaws.us-east-1.s3")
    with pytest.raises(AccessDenied) as err:
        read(stolen)
    assert err.value.decision.decision == "explicitDeny"
    assert read(s.instance.session)  # through the VPC endpoint: still fine
    s.world.clock.advance(hours=6)
    with pytest.raises(ExpiredToken):
        read(stolen)


def test_an_ip_condition_limits_where_a_key_works():
    s = S.leaked_credentials()
    s.admin.iam.put_user_policy(UserName="report-app", PolicyName="OnlyFromOffice",
                                PolicyDocument={"Version": "2012-10-17", "Statement": [{
                                    "Effect": "Deny", "Action": "*", "Resource": "*",
                                    "Condition": {"NotIpAddress": {
                                        "aws:SourceIp": "203.0.113.0/24"}}}]})
    assert read(s.world.session(s.baked_key))  # from the office (203.0.113.10)
    with pytest.raises(AccessDenied) as err:
        read(s.world.session(s.baked_key, source_ip=ELSEWHERE_IP))
    assert "with an explicit deny in an identity-based policy" in str(err.value)
