"""Ready-made worlds for the course, each built the way you would build it in AWS.

Every builder is short enough to read top to bottom: it creates the resources, the role
(its trust policy and its permissions policy), hands the role to a service, and returns
the world with the handles a notebook needs. Nothing is hidden: every step is an ordinary
call, and shows in ``world.calls()``.

    >>> from iamlab.world import scenarios
    >>> s = scenarios.ec2_reads_s3()
    >>> s.instance.session.s3.get_object(Bucket="reports", Key="q3.csv")["Body"].read()
    b'region,sales\\neu,42\\nus,57\\n'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamlab.world.core import World
from iamlab.world.credentials import Credentials
from iamlab.world.services.ec2 import Instance
from iamlab.world.services.ecs import Task
from iamlab.world.services.lambda_ import Function, LambdaContext
from iamlab.world.session import Session

VERSION = "2012-10-17"


def trust(service: str) -> dict[str, Any]:
    """A trust policy letting one AWS service assume the role."""
    return {"Version": VERSION, "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def allow(actions: str | list[str], resources: str | list[str]) -> dict[str, Any]:
    """A permissions policy with one Allow statement."""
    return {"Version": VERSION, "Statement": [{
        "Effect": "Allow", "Action": actions, "Resource": resources}]}


# -- 1. An EC2 instance reads S3 (course points 7 to 10) ------------------------------------
@dataclass
class Ec2ReadsS3:
    world: World
    admin: Session
    instance: Instance
    role_name: str = "ReportReader"
    bucket: str = "reports"
    key: str = "q3.csv"


def ec2_reads_s3() -> Ec2ReadsS3:
    """An instance reads ``s3://reports/q3.csv`` with its role's temporary credentials."""
    world = World()
    admin = world.administrator  # a person signed in as the Administrator role, not root

    # the data the application needs
    admin.s3.create_bucket(Bucket="reports")
    admin.s3.put_object(Bucket="reports", Key="q3.csv", Body="region,sales\neu,42\nus,57\n")

    # the role: EC2 may assume it (trust policy); it may read the reports (permissions)
    admin.iam.create_role(RoleName="ReportReader",
                          AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    admin.iam.put_role_policy(RoleName="ReportReader", PolicyName="ReadReports",
                              PolicyDocument=allow("s3:GetObject", "arn:aws:s3:::reports/*"))

    # the instance profile carries the role to the instance, given at launch
    admin.iam.create_instance_profile(InstanceProfileName="ReportReader")
    admin.iam.add_role_to_instance_profile(InstanceProfileName="ReportReader",
                                           RoleName="ReportReader")
    launched = admin.ec2.run_instances(ImageId="ami-0abcdef1234567890", InstanceType="t3.micro",
                                       MinCount=1, MaxCount=1,
                                       IamInstanceProfile={"Name": "ReportReader"})
    instance = world.instance(launched["Instances"][0]["InstanceId"])
    return Ec2ReadsS3(world, admin, instance)


# -- 2. A Lambda function writes to DynamoDB and logs (course point 13) ---------------------
def save_order(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The function's code: store the order it is given, say so in the log."""
    context.session.dynamodb.put_item(TableName="orders", Item={
        "order_id": {"S": str(event["order_id"])}, "item": {"S": str(event.get("item", ""))}})
    print(f"saved order {event['order_id']}")
    return {"saved": event["order_id"]}


@dataclass
class LambdaWritesDynamoDB:
    world: World
    admin: Session
    function: Function
    role_name: str = "OrderWriterRole"
    table: str = "orders"

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """Invoke the function as the admin; returns boto3's response."""
        return self.admin.lambda_.invoke(FunctionName=self.function.name, Payload=event)


def lambda_writes_dynamodb() -> LambdaWritesDynamoDB:
    """A function saves orders to a table; its execution role also lets it write logs."""
    world = World()
    admin = world.administrator  # a person signed in as the Administrator role, not root

    admin.dynamodb.create_table(TableName="orders",
                                KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}])

    # the execution role: Lambda may assume it; it may write orders, and logs (AWS managed)
    admin.iam.create_role(RoleName="OrderWriterRole",
                          AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))
    admin.iam.put_role_policy(
        RoleName="OrderWriterRole", PolicyName="WriteOrders",
        PolicyDocument=allow("dynamodb:PutItem",
                             "arn:aws:dynamodb:us-east-1:111122223333:table/orders"))
    admin.iam.attach_role_policy(
        RoleName="OrderWriterRole",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")

    admin.lambda_.create_function(FunctionName="save-order", Runtime="python3.12",
                                  Role="arn:aws:iam::111122223333:role/OrderWriterRole",
                                  Handler=save_order)
    return LambdaWritesDynamoDB(world, admin, world.function("save-order"))


# -- 3. An ECS task reads SQS: task role vs task execution role (course point 14) ----------
@dataclass
class EcsTaskReadsSqs:
    world: World
    admin: Session
    task: Task
    queue_url: str
    task_role: str = "OrderReaderTaskRole"
    execution_role: str = "OrderReaderExecutionRole"
    log_group: str = "/ecs/order-reader"


def ecs_task_reads_sqs() -> EcsTaskReadsSqs:
    """A container reads orders from a queue (task role); the ECS agent pulls its image
    from ECR and ships its logs (task execution role)."""
    world = World()
    admin = world.administrator  # a person signed in as the Administrator role, not root

    queue_url = admin.sqs.create_queue(QueueName="orders")["QueueUrl"]
    admin.sqs.send_message(QueueUrl=queue_url, MessageBody='{"order_id": 1, "item": "book"}')
    admin.logs.create_log_group(logGroupName="/ecs/order-reader")

    # the task role: what the application in the container may do
    admin.iam.create_role(RoleName="OrderReaderTaskRole",
                          AssumeRolePolicyDocument=trust("ecs-tasks.amazonaws.com"))
    admin.iam.put_role_policy(
        RoleName="OrderReaderTaskRole", PolicyName="ReadOrders",
        PolicyDocument=allow(["sqs:ReceiveMessage", "sqs:DeleteMessage"],
                             "arn:aws:sqs:us-east-1:111122223333:orders"))

    # the task execution role: what the ECS agent may do for the task (image, logs)
    admin.iam.create_role(RoleName="OrderReaderExecutionRole",
                          AssumeRolePolicyDocument=trust("ecs-tasks.amazonaws.com"))
    admin.iam.attach_role_policy(
        RoleName="OrderReaderExecutionRole",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")

    admin.ecs.register_task_definition(
        family="order-reader",
        taskRoleArn="arn:aws:iam::111122223333:role/OrderReaderTaskRole",
        executionRoleArn="arn:aws:iam::111122223333:role/OrderReaderExecutionRole",
        containerDefinitions=[{
            "name": "app",
            "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/order-reader:1",
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/order-reader", "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "ecs"}}}])
    started = admin.ecs.run_task(cluster="default", taskDefinition="order-reader")
    return EcsTaskReadsSqs(world, admin, world.task(started["tasks"][0]["taskArn"]), queue_url)


# -- 4. A service-linked role for Auto Scaling (course point 15) ----------------------------
@dataclass
class AutoScalingServiceLinkedRole:
    world: World
    admin: Session
    group: str = "web"
    role_name: str = "AWSServiceRoleForAutoScaling"


def autoscaling_service_linked_role() -> AutoScalingServiceLinkedRole:
    """Creating the first Auto Scaling group creates AWSServiceRoleForAutoScaling, which
    Auto Scaling then uses to launch the group's instances."""
    world = World()
    admin = world.administrator  # a person signed in as the Administrator role, not root

    admin.ec2.create_launch_template(
        LaunchTemplateName="web",
        LaunchTemplateData={"ImageId": "ami-0abcdef1234567890", "InstanceType": "t3.micro"})
    admin.autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateName": "web"},
        MinSize=1, MaxSize=3, DesiredCapacity=2)
    return AutoScalingServiceLinkedRole(world, admin)


# -- 5. Cross-account access: a role in the account that owns the data ----------------------
@dataclass
class CrossAccountS3:
    world: World
    alice: Session  # a developer in the dev account (111122223333)
    role_arn: str = "arn:aws:iam::444455556666:role/SharedDataReader"
    bucket: str = "shared-data"
    key: str = "customers.csv"


def cross_account_s3() -> CrossAccountS3:
    """Alice, in the dev account, reads a bucket of the data account by assuming a role
    there: the role trusts the dev account, and Alice's own policy lets her assume it."""
    world = World(alias="dev")
    data = world.create_account("444455556666", alias="data")
    owner = world.administrator_of(data.account_id)
    dev = world.administrator

    # in the data account: the bucket, and a role the dev account may assume
    owner.s3.create_bucket(Bucket="shared-data")
    owner.s3.put_object(Bucket="shared-data", Key="customers.csv", Body="id,name\n1,Ana\n")
    owner.iam.create_role(RoleName="SharedDataReader", AssumeRolePolicyDocument={
        "Version": VERSION, "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sts:AssumeRole"}]})
    owner.iam.put_role_policy(RoleName="SharedDataReader", PolicyName="ReadSharedData",
                              PolicyDocument=allow("s3:GetObject",
                                                   "arn:aws:s3:::shared-data/*"))

    # in the dev account: Alice may assume that role (her side of the agreement)
    dev.iam.create_user(UserName="alice")
    dev.iam.put_user_policy(UserName="alice", PolicyName="AssumeSharedDataReader",
                            PolicyDocument=allow("sts:AssumeRole",
                                                 "arn:aws:iam::444455556666:role/"
                                                 "SharedDataReader"))
    return CrossAccountS3(world, world.user_session("alice"))


# -- 6. A third party with an external ID (the confused deputy) -----------------------------
@dataclass
class ThirdPartyExternalId:
    world: World
    admin: Session  # our account (111122223333)
    partner: Session  # the partner's application, in account 777788889999
    role_arn: str = "arn:aws:iam::111122223333:role/PartnerAuditRole"
    external_id: str = "Example-Corp-7f3a9c"


def third_party_external_id() -> ThirdPartyExternalId:
    """A partner (account 777788889999) audits our account through a role it may assume
    only with the external ID it gave us, so that another of its customers cannot trick
    it into using our role."""
    world = World(alias="us")
    partner_account = world.create_account("777788889999", alias="partner")
    admin = world.administrator  # a person signed in as the Administrator role, not root
    partner_admin = world.administrator_of(partner_account.account_id)

    admin.s3.create_bucket(Bucket="audit-logs")
    admin.s3.put_object(Bucket="audit-logs", Key="2025/01/06.log", Body="login ok\n")
    admin.iam.create_role(RoleName="PartnerAuditRole", AssumeRolePolicyDocument={
        "Version": VERSION, "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::777788889999:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "Example-Corp-7f3a9c"}}}]})
    admin.iam.attach_role_policy(RoleName="PartnerAuditRole",
                                 PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")

    # the partner's application may assume roles its customers create for it
    partner_admin.iam.create_user(UserName="audit-app")
    partner_admin.iam.put_user_policy(UserName="audit-app", PolicyName="AssumeCustomerRoles",
                                      PolicyDocument=allow("sts:AssumeRole",
                                                           "arn:aws:iam::*:role/*"))
    partner = world.user_session("audit-app", account=partner_account.account_id)
    return ThirdPartyExternalId(world, admin, partner)


# -- 7. Keys in code versus a role (course point 7) -----------------------------------------
@dataclass
class LeakedCredentials:
    world: World
    admin: Session
    instance: Instance
    baked_key: Credentials  # the long-term key written into the application's code
    bucket: str = "reports"
    key: str = "q3.csv"


def leaked_credentials() -> LeakedCredentials:
    """The same application two ways: a long-term access key in its code, and the role
    of ec2_reads_s3. Use either from another address to see which one a thief can keep."""
    scenario = ec2_reads_s3()
    world, admin = scenario.world, scenario.admin

    admin.iam.create_user(UserName="report-app")
    admin.iam.put_user_policy(UserName="report-app", PolicyName="ReadReports",
                              PolicyDocument=allow("s3:GetObject", "arn:aws:s3:::reports/*"))
    made = admin.iam.create_access_key(UserName="report-app")["AccessKey"]
    return LeakedCredentials(world, admin, scenario.instance, Credentials.from_dict(made))


__all__ = [
    "AutoScalingServiceLinkedRole", "CrossAccountS3", "Ec2ReadsS3", "EcsTaskReadsSqs",
    "LambdaWritesDynamoDB", "LeakedCredentials", "ThirdPartyExternalId", "allow",
    "autoscaling_service_linked_role", "cross_account_s3", "ec2_reads_s3",
    "ecs_task_reads_sqs", "lambda_writes_dynamodb", "leaked_credentials", "save_order",
    "third_party_external_id", "trust",
]
