"""Systems Manager and CloudWatch metrics in the world: the agents on an instance act with
its instance profile's role (course point 12).

Systems Manager User Guide, "Configure instance permissions required for Systems Manager":
an EC2 instance is a managed node when the SSM Agent can reach Systems Manager with the
instance profile's role, for which AWS provides ``AmazonSSMManagedInstanceCore``. Service
Authorization Reference: ``cloudwatch:PutMetricData`` has no resource type and supports the
``cloudwatch:namespace`` condition key.
"""

from __future__ import annotations

from typing import Any

import pytest

from iamlab.world.errors import AccessDenied
from iamlab.world.scenarios import ec2_reads_s3

SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
CW_AGENT = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"


def nodes(scenario: Any) -> list[tuple[str, str, str]]:
    found = scenario.admin.ssm.describe_instance_information()["InstanceInformationList"]
    return [(n["InstanceId"], n["PingStatus"], n["IamRole"]) for n in found]


def test_with_the_core_policy_the_instance_becomes_a_managed_node() -> None:
    s = ec2_reads_s3()
    s.admin.iam.attach_role_policy(RoleName="ReportReader", PolicyArn=SSM_CORE)
    assert s.instance.run_ssm_agent()
    call = s.world.calls(last=1).iloc[0]
    assert nodes(s) == [(s.instance.instance_id, "Online", "ReportReader")]
    assert call["action"] == "ssm:UpdateInstanceInformation"
    assert "assumed-role/ReportReader/" in call["who"]


def test_without_the_permission_the_agent_is_refused_and_the_node_not_listed() -> None:
    s = ec2_reads_s3()
    assert not s.instance.run_ssm_agent()
    assert "ssm:UpdateInstanceInformation" in s.instance.agent_log[-1]
    assert "AccessDenied" in s.instance.agent_log[-1]
    assert nodes(s) == []


def test_an_instance_without_a_role_has_no_credentials_for_its_agent() -> None:
    s = ec2_reads_s3()
    bare_id = s.admin.ec2.run_instances(MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    bare = s.world.instance(bare_id)
    assert not bare.run_ssm_agent()
    assert "has no role" in bare.agent_log[-1]


def test_a_node_whose_role_loses_the_permission_is_shown_connection_lost() -> None:
    s = ec2_reads_s3()
    s.admin.iam.attach_role_policy(RoleName="ReportReader", PolicyArn=SSM_CORE)
    assert s.instance.run_ssm_agent()
    s.admin.iam.detach_role_policy(RoleName="ReportReader", PolicyArn=SSM_CORE)
    assert not s.instance.run_ssm_agent()
    assert nodes(s) == [(s.instance.instance_id, "ConnectionLost", "ReportReader")]


def test_the_agents_use_the_role_not_keys_left_for_the_application() -> None:
    """The SDK in the application looks at environment variables first; the agents use the
    instance's role from the metadata service."""
    s = ec2_reads_s3()
    s.admin.iam.attach_role_policy(RoleName="ReportReader", PolicyArn=SSM_CORE)
    s.admin.iam.create_user(UserName="dev")
    key = s.admin.iam.create_access_key(UserName="dev")["AccessKey"]
    s.instance.environment.update(AWS_ACCESS_KEY_ID=key["AccessKeyId"],
                                  AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
    assert s.instance.session.arn.endswith(":user/dev")
    assert s.instance.run_ssm_agent()


def test_metrics_need_put_metric_data_and_honour_the_namespace_condition() -> None:
    s = ec2_reads_s3()
    assert not s.instance.run_cloudwatch_agent()
    assert "cloudwatch:PutMetricData" in s.instance.agent_log[-1]
    s.admin.iam.put_role_policy(RoleName="ReportReader", PolicyName="OnlyCWAgent",
                                PolicyDocument={"Version": "2012-10-17", "Statement": [{
                                    "Effect": "Allow", "Action": "cloudwatch:PutMetricData",
                                    "Resource": "*", "Condition": {"StringEquals": {
                                        "cloudwatch:namespace": "CWAgent"}}}]})
    assert s.instance.run_cloudwatch_agent()
    metrics = s.admin.cloudwatch.list_metrics(Namespace="CWAgent")["Metrics"]
    assert metrics == [{"Namespace": "CWAgent", "MetricName": "mem_used_percent"}]
    with pytest.raises(AccessDenied):
        s.instance.session.cloudwatch.put_metric_data(
            Namespace="Custom", MetricData=[{"MetricName": "x", "Value": 1.0}])


def test_the_cloudwatch_agent_policy_is_enough_for_metrics() -> None:
    s = ec2_reads_s3()
    s.admin.iam.attach_role_policy(RoleName="ReportReader", PolicyArn=CW_AGENT)
    assert s.instance.run_cloudwatch_agent()


def test_metric_data_is_checked_as_botocore_checks_it() -> None:
    from iamlab.world.errors import ParamValidationError

    cloudwatch = ec2_reads_s3().admin.cloudwatch
    with pytest.raises(ParamValidationError, match='Missing required parameter in '
                                                  'MetricData\\[0\\]: "MetricName"'):
        cloudwatch.put_metric_data(Namespace="N", MetricData=[{"Value": 1}])
    with pytest.raises(ParamValidationError, match=r"MetricData\[0\]\.Value, value: high"):
        cloudwatch.put_metric_data(Namespace="N", MetricData=[{"MetricName": "x",
                                                               "Value": "high"}])


def test_the_cloudwatch_agent_ships_log_lines_with_the_role() -> None:
    s = ec2_reads_s3()
    s.admin.iam.attach_role_policy(RoleName="ReportReader", PolicyArn=CW_AGENT)
    s.admin.logs.create_log_group(logGroupName="/web/access")
    assert s.instance.run_cloudwatch_agent(log_group="/web/access", line="GET / 200")
    assert s.instance.run_cloudwatch_agent(log_group="/web/access", line="GET /a 404")
    events = s.admin.logs.get_log_events(logGroupName="/web/access",
                                         logStreamName=s.instance.instance_id)["events"]
    assert [e["message"] for e in events] == ["GET / 200", "GET /a 404"]
    assert not s.instance.run_cloudwatch_agent(log_group="/nowhere")
    assert "ResourceNotFoundException" in s.instance.agent_log[-1]
