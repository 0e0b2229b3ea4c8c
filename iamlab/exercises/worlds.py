"""Worlds for the exercises that the course's scenarios do not already build.

Each is built the way you would build it in AWS, by an administrator of each account signed in
through single sign-on (never the root user for daily work), and returns a dataclass of
handles like the builders in :mod:`iamlab.world.scenarios`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamlab.world.core import World
from iamlab.world.scenarios import VERSION, allow, ec2_reads_s3, trust
from iamlab.world.session import Session

DATA_ACCOUNT = "111122223333"
PARTNER_ACCOUNT = "444455556666"


@dataclass
class TrustExerciseWorld:
    world: World
    admin: Session
    role_name: str


def _trust_account(principal: str) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]}


def _users_who_may_assume(world: World, account: str, users: tuple[str, ...],
                          roles: str) -> None:
    """Users of ``account``, each with an identity policy allowing sts:AssumeRole on
    ``roles`` (their side of a cross-account agreement)."""
    iam = world.administrator_of(account).iam
    for user in users:
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName="AssumeRoles",
                            PolicyDocument=allow("sts:AssumeRole", roles))


def vendor_audit() -> TrustExerciseWorld:
    """Our account (111122223333) lets a vendor (444455556666) audit it through role
    ``VendorAudit``; the vendor's application ``audit-app`` assumes its customers' roles."""
    world = World(alias="us")
    world.create_account(PARTNER_ACCOUNT, alias="vendor")
    admin = world.administrator
    admin.s3.create_bucket(Bucket="audit-logs")
    admin.iam.create_role(RoleName="VendorAudit",
                          AssumeRolePolicyDocument=_trust_account(f"arn:aws:iam::"
                                                                  f"{PARTNER_ACCOUNT}:root"))
    admin.iam.attach_role_policy(RoleName="VendorAudit",
                                 PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    _users_who_may_assume(world, PARTNER_ACCOUNT, ("audit-app", "intern"),
                          "arn:aws:iam::*:role/*")
    return TrustExerciseWorld(world, admin, "VendorAudit")


def data_reader() -> TrustExerciseWorld:
    """Role ``DataReader`` in the data account (111122223333) is for alice of account
    444455556666; bob works there too, and both may assume roles elsewhere."""
    world = World(alias="data")
    world.create_account(PARTNER_ACCOUNT, alias="analytics")
    admin = world.administrator
    admin.s3.create_bucket(Bucket="shared-data")
    admin.iam.create_role(RoleName="DataReader",
                          AssumeRolePolicyDocument=_trust_account(f"arn:aws:iam::"
                                                                  f"{PARTNER_ACCOUNT}:root"))
    admin.iam.put_role_policy(RoleName="DataReader", PolicyName="ReadSharedData",
                              PolicyDocument=allow("s3:GetObject", "arn:aws:s3:::shared-data/*"))
    _users_who_may_assume(world, PARTNER_ACCOUNT, ("alice", "bob"),
                          f"arn:aws:iam::{DATA_ACCOUNT}:role/DataReader")
    return TrustExerciseWorld(world, admin, "DataReader")


def report_reader_too_broad() -> Any:
    """The EC2 scenario, but someone gave ReportReader every S3 permission: the boundary
    exercise must hold whatever the permissions policy says."""
    scenario = ec2_reads_s3()
    admin = scenario.admin
    admin.iam.delete_role_policy(RoleName="ReportReader", PolicyName="ReadReports")
    admin.iam.put_role_policy(RoleName="ReportReader", PolicyName="EverythingInS3",
                              PolicyDocument=allow("s3:*", "*"))
    return scenario


__all__ = ["SlrCleanupWorld", "TrustExerciseWorld", "WebServerWorld", "autoscaling_cleanup",
           "data_reader", "ecs_fix_task_definition", "report_reader_too_broad", "trust",
           "vendor_audit", "web_server_agents"]


@dataclass
class SlrCleanupWorld:
    world: World
    admin: Session
    role_name: str = "PlatformCleaner"


def autoscaling_cleanup() -> SlrCleanupWorld:
    """The Auto Scaling world (group ``web`` and its service-linked role), and a role
    ``PlatformCleaner`` the administrator assumes to tidy the account up."""
    from iamlab.world.scenarios import autoscaling_service_linked_role

    scenario = autoscaling_service_linked_role()
    admin = scenario.admin
    admin.iam.create_role(RoleName="PlatformCleaner",
                          AssumeRolePolicyDocument=_trust_account(
                              f"arn:aws:iam::{DATA_ACCOUNT}:role/Administrator"))
    return SlrCleanupWorld(scenario.world, admin)


def ecs_fix_task_definition() -> Any:
    """The ECS world of notebook 04 with two more things a team accumulates: a second queue,
    ``payments``, and ``OrdersTeamRole``, one old role for everything the team's tasks do
    (any queue, and the agent's image and log permissions). It works in either field of a
    task definition, and is too broad for both."""
    from iamlab.world.scenarios import ecs_task_reads_sqs

    scenario = ecs_task_reads_sqs()
    admin = scenario.admin
    admin.sqs.create_queue(QueueName="payments")
    admin.iam.create_role(RoleName="OrdersTeamRole",
                          AssumeRolePolicyDocument=trust("ecs-tasks.amazonaws.com"))
    admin.iam.put_role_policy(RoleName="OrdersTeamRole", PolicyName="AnyQueue",
                              PolicyDocument=allow("sqs:*", "*"))
    admin.iam.attach_role_policy(
        RoleName="OrdersTeamRole",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
    return scenario


@dataclass
class WebServerWorld:
    world: World
    admin: Session
    server: Any  # the web server instance, with instance profile WebServer
    role_name: str = "WebServerRole"


def web_server_agents() -> WebServerWorld:
    """A web server launched with instance profile ``WebServer`` (role ``WebServerRole``, no
    permissions yet), its log group ``/web/access``, and bucket ``reports`` it has no business
    reading."""
    world = World()
    admin = world.administrator
    admin.s3.create_bucket(Bucket="reports")
    admin.logs.create_log_group(logGroupName="/web/access")
    admin.logs.create_log_group(logGroupName="/payments/audit")
    admin.iam.create_role(RoleName="WebServerRole",
                          AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    admin.iam.create_instance_profile(InstanceProfileName="WebServer")
    admin.iam.add_role_to_instance_profile(InstanceProfileName="WebServer",
                                           RoleName="WebServerRole")
    launched = admin.ec2.run_instances(MinCount=1, MaxCount=1,
                                       IamInstanceProfile={"Name": "WebServer"})
    return WebServerWorld(world, admin, world.instance(launched["Instances"][0]["InstanceId"]))
