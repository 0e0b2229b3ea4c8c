"""An exercise's workload: the scenario's application run with the learner's policy in place.

A policy can decide every listed request right and still break the application (a log
stream it forgot, credentials EC2 can no longer renew). Each workload builds a fresh world,
puts the learner's policy where the exercise says through the ordinary IAM calls, runs the
application, and returns what broke as findings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iamlab.errors import IamlabError
from iamlab.exercises.finding import Finding
from iamlab.exercises.spec import Exercise
from iamlab.exercises.stage import build_world
from iamlab.policy import Policy


def install(exercise: Exercise, scenario: Any, policy: Policy) -> None:
    """Put the learner's policy on the exercise's role, as an administrator would."""
    iam = scenario.admin.iam
    role = exercise.role
    document = policy.to_dict()
    if exercise.kind == "trust":
        iam.update_assume_role_policy(RoleName=role, PolicyDocument=document)
    elif exercise.kind == "permissions":
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            iam.delete_role_policy(RoleName=role, PolicyName=name)
        for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=role, PolicyArn=attached["PolicyArn"])
        iam.put_role_policy(RoleName=role, PolicyName="YourAnswer", PolicyDocument=document)
    elif exercise.kind == "boundary":
        arn = iam.create_policy(PolicyName="YourBoundary", PolicyDocument=document)["Policy"]["Arn"]
        iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=arn)
    elif exercise.kind == "resource" and exercise.resource_arn.startswith("arn:aws:s3:::"):
        bucket = exercise.resource_arn.removeprefix("arn:aws:s3:::")
        scenario.admin.s3.put_bucket_policy(Bucket=bucket, Policy=document)
    else:
        raise ValueError(f"no workload can install a {exercise.kind} policy yet")


def ec2_reads_report(scenario: Any) -> str | None:
    """The instance's application reads s3://reports/q3.csv, now and after EC2 has renewed
    the role's credentials (so a trust policy EC2 no longer passes shows)."""
    session = scenario.instance.session
    session.s3.get_object(Bucket="reports", Key="q3.csv")
    scenario.world.clock.advance(hours=7)
    scenario.instance.session.s3.get_object(Bucket="reports", Key="q3.csv")
    return None


def lambda_saves_order(scenario: Any) -> str | None:
    """The function saves an order and its log lines reach CloudWatch Logs."""
    response = scenario.invoke({"order_id": 7, "item": "book"})
    if "FunctionError" in response:
        error = scenario.function.last_error
        return f"the function failed: {error}"
    if not scenario.function.logs_delivered:
        return ("the function ran, but its log lines never reached CloudWatch Logs: the role "
                "must let it create its log group and stream and put log events")
    return None


def _new_task(scenario: Any) -> tuple[Any, str | None]:
    """A new task of the scenario's task definition (its latest revision), started by the
    administrator, and why it is not running (None when it is)."""
    started = scenario.admin.ecs.run_task(taskDefinition="order-reader")
    task = scenario.world.task(started["tasks"][0]["taskArn"])
    if task.last_status != "RUNNING":
        return task, f"the task stopped before the application ran: {task.stopped_reason}"
    return task, None


def _reads_order(scenario: Any, task: Any) -> str | None:
    got = task.session.sqs.receive_message(QueueUrl=scenario.queue_url).get("Messages", [])
    if not got:
        return "the application received no message from the queue orders"
    task.session.sqs.delete_message(QueueUrl=scenario.queue_url,
                                    ReceiptHandle=got[0]["ReceiptHandle"])
    return None


def _ships_log(task: Any) -> str | None:
    if task.log("received order 1"):
        return None
    why = "; ".join(task.agent_log) or ("the container has no awslogs logConfiguration, so "
                                        "what it prints goes nowhere")
    return f"the task ran, but its log line never reached CloudWatch Logs: {why}"


def ecs_task_reads_order(scenario: Any) -> str | None:
    """A new task starts, and its application receives the order and deletes it."""
    task, stopped = _new_task(scenario)
    return stopped or _reads_order(scenario, task)


def ecs_task_starts_and_logs(scenario: Any) -> str | None:
    """A new task starts (the agent pulls its image) and a line it prints reaches its logs."""
    task, stopped = _new_task(scenario)
    return stopped or _ships_log(task)


def ecs_task_reads_order_and_logs(scenario: Any) -> str | None:
    """A new task starts, its application receives the order, and its log line arrives."""
    task, stopped = _new_task(scenario)
    return stopped or _reads_order(scenario, task) or _ships_log(task)


def slr_cleanup(scenario: Any) -> str | None:
    """Once the group is gone, PlatformCleaner deletes the Auto Scaling service-linked role
    and reads the deletion task's status."""
    admin = scenario.admin
    admin.autoscaling.delete_auto_scaling_group(AutoScalingGroupName="web", ForceDelete=True)
    made = admin.sts.assume_role(RoleArn=f"arn:aws:iam::{scenario.world.account.account_id}:"
                                 "role/PlatformCleaner", RoleSessionName="cleanup")
    cleaner = scenario.world.session(made["Credentials"])
    task = cleaner.iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling")
    status = cleaner.iam.get_service_linked_role_deletion_status(
        DeletionTaskId=task["DeletionTaskId"])
    if status["Status"] != "SUCCEEDED":
        return f"the deletion task ended {status['Status']}"
    return None


def auditors_still_read(scenario: Any) -> Finding | None:
    """The auditor, a user of the account with no S3 permission of her own, still reads every
    report through the bucket policy (the confidential ones included)."""
    auditor = scenario.auditor
    for key in ("q3.csv", "confidential/salaries.csv"):
        resource = f"arn:aws:s3:::reports/{key}"
        decision = auditor.can("s3:GetObject", resource)
        if not decision.allowed:
            return Finding("workload", f"the auditor ({auditor.arn}) calling s3:GetObject on "
                                       f"{resource} is denied ({decision.decision}): "
                                       f"{decision.summary} The task says the auditors keep their "
                                       "access.",
                           {"principal": auditor.arn, "action": "s3:GetObject",
                            "resource": resource, "context": {}})
    return None


def web_server_agents_work(scenario: Any) -> str | None:
    """The SSM Agent checks in and the CloudWatch agent ships a metric and an access log line."""
    server = scenario.server
    if not server.run_ssm_agent() or not server.run_cloudwatch_agent(log_group="/web/access"):
        return str(server.agent_log[-1])
    return None


WORKLOADS: dict[str, Callable[[Any], str | Finding | None]] = {
    "ec2_reads_report": ec2_reads_report,
    "lambda_saves_order": lambda_saves_order,
    "ecs_task_reads_order": ecs_task_reads_order,
    "ecs_task_starts_and_logs": ecs_task_starts_and_logs,
    "ecs_task_reads_order_and_logs": ecs_task_reads_order_and_logs,
    "slr_cleanup": slr_cleanup,
    "auditors_still_read": auditors_still_read,
    "web_server_agents_work": web_server_agents_work,
}


def run_workload(exercise: Exercise, policy: Policy) -> list[Finding]:
    """Run the exercise's workload in a fresh world with ``policy``; findings for what broke."""
    scenario = build_world(exercise.world)
    try:
        install(exercise, scenario, policy)
    except (IamlabError, ValueError) as exc:
        return [Finding("workload", f"AWS would not accept the policy on role {exercise.role}: "
                                    f"{exc}")]
    return run_in(exercise, scenario)


def run_in(exercise: Exercise, scenario: Any) -> list[Finding]:
    """Run the exercise's workload in ``scenario`` as it is now; findings for what broke."""
    workload = WORKLOADS[exercise.workload]
    try:
        broke = workload(scenario)
    except IamlabError as exc:
        broke = str(exc)
    if broke is None:
        return []
    if isinstance(broke, Finding):
        return [broke]
    what = (workload.__doc__ or exercise.workload).strip().splitlines()[0]
    return [Finding("workload", f"The workload ({what}) broke: {broke}")]
