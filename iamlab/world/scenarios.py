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

from iamlab.decision import Decision
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


# -- 8. How AWS decides: every kind of policy on one request (the "beyond the basics" bullet) -
WORKLOADS = "111122223333"
MANAGEMENT = "999988887777"
PARTNER = "444455556666"


@dataclass
class HowAwsDecides:
    world: World
    admin: Session  # the workloads account (111122223333), for changing things
    erin: Session  # a data engineer; she works through the DataEngineer role
    engineer: Session  # Erin's session of DataEngineer: identity policy, boundary, SCPs
    auditor: Session  # an IAM user with no policy of her own; the bucket policy names her
    outsider: Session  # a user of another account (444455556666), also named by it
    role_arn: str = "arn:aws:iam::111122223333:role/DataEngineer"
    boundary_arn: str = "arn:aws:iam::111122223333:policy/DataEngineerBoundary"
    bucket: str = "reports"
    archive: str = "archive"

    def questions(self) -> tuple[Question, ...]:
        """Twelve requests to predict, one or more decided by each kind of policy here."""
        eng, role = self.engineer, "Erin's DataEngineer session"
        asked = [
            (role, eng, "s3:GetObject", "arn:aws:s3:::reports/q3.csv"),
            (role, eng, "s3:DeleteObject", "arn:aws:s3:::archive/2019/q1.csv"),
            (role, eng, "s3:GetObject", "arn:aws:s3:::payroll/2025-01.csv"),
            (role, eng, "s3:PutBucketPolicy", "arn:aws:s3:::reports"),
            (role, eng, "s3:DeleteBucket", "arn:aws:s3:::reports"),
            (role, eng, "s3:DeleteObject", "arn:aws:s3:::reports/q3.csv"),
            (role, eng, "s3:PutObject", "arn:aws:s3:::archive/2025/q1.csv"),
            (role, eng, "s3:DeleteBucket", "arn:aws:s3:::archive"),
            ("auditor (no policy of her own)", self.auditor, "s3:GetObject",
             "arn:aws:s3:::reports/q3.csv"),
            ("auditor (no policy of her own)", self.auditor, "s3:PutObject",
             "arn:aws:s3:::reports/notes.csv"),
            ("pat, account 444455556666", self.outsider, "s3:GetObject",
             "arn:aws:s3:::reports/q3.csv"),
            ("Erin herself (user erin)", self.erin, "s3:GetObject",
             "arn:aws:s3:::reports/q3.csv"),
        ]
        return tuple(Question(who, session, action, resource)
                     for who, session, action, resource in asked)


@dataclass(frozen=True)
class Question:
    """A request to predict: who asks, for which action on which resource. ``decide()``
    asks the world (as ``Session.can``: nothing is called, nothing changes)."""

    who: str
    session: Session
    action: str
    resource: str

    def decide(self) -> Decision:
        return self.session.can(self.action, self.resource)


def how_aws_decides() -> HowAwsDecides:
    """One request, every kind of policy: the organisation's SCPs above the workloads
    account, a role with a permissions policy (with a Deny) and a permissions boundary,
    a bucket policy, and a user of another account."""
    world = World(account_id=MANAGEMENT, alias="management")
    world.create_account(WORKLOADS, alias="workloads")
    world.create_account(PARTNER, alias="partner")
    admin = world.administrator_of(WORKLOADS)  # signed in as the Administrator role, not root

    # the organisation: the workloads account sits in an OU whose SCP forbids deleting buckets
    org = world.create_organization()
    org.create_ou("Workloads")
    org.move_account(WORKLOADS, "Workloads")
    org.create_policy("NoBucketDeletion", {"Version": VERSION, "Statement": [{
        "Sid": "NoBucketDeletion", "Effect": "Deny", "Action": "s3:DeleteBucket",
        "Resource": "*"}]})
    org.attach_policy("NoBucketDeletion", "Workloads")

    # the data: reports (with a bucket policy) and an archive nobody should ever delete from
    admin.s3.create_bucket(Bucket="reports")
    admin.s3.put_object(Bucket="reports", Key="q3.csv", Body="region,sales\neu,42\nus,57\n")
    admin.s3.put_object(Bucket="reports", Key="confidential/salaries.csv", Body="name,pay\n")
    admin.s3.create_bucket(Bucket="archive")
    admin.s3.put_object(Bucket="archive", Key="2019/q1.csv", Body="region,sales\neu,12\n")

    # the role: its permissions policy allows all of S3 on both buckets, except deleting from
    # the archive; its permissions boundary caps it at reading, listing and writing objects
    admin.iam.create_policy(PolicyName="DataEngineerBoundary", PolicyDocument=allow(
        ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"], "*"))
    admin.iam.create_role(RoleName="DataEngineer", AssumeRolePolicyDocument={
        "Version": VERSION, "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sts:AssumeRole"}]},
        PermissionsBoundary="arn:aws:iam::111122223333:policy/DataEngineerBoundary")
    admin.iam.put_role_policy(RoleName="DataEngineer", PolicyName="S3Work", PolicyDocument={
        "Version": VERSION, "Statement": [
            {"Sid": "AllS3OnOurBuckets", "Effect": "Allow", "Action": "s3:*", "Resource": [
                "arn:aws:s3:::reports", "arn:aws:s3:::reports/*",
                "arn:aws:s3:::archive", "arn:aws:s3:::archive/*"]},
            {"Sid": "NeverDeleteTheArchive", "Effect": "Deny", "Action": "s3:DeleteObject",
             "Resource": "arn:aws:s3:::archive/*"}]})

    # Erin may assume the role (her own policy allows it, the trust policy trusts the account)
    admin.iam.create_user(UserName="erin")
    admin.iam.put_user_policy(UserName="erin", PolicyName="AssumeDataEngineer",
                              PolicyDocument=allow("sts:AssumeRole",
                                                   "arn:aws:iam::111122223333:role/DataEngineer"))
    erin = world.user_session("erin", account=WORKLOADS)
    made = erin.sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/DataEngineer",
                                RoleSessionName="erin")
    engineer = world.session(made["Credentials"])

    # the bucket policy names two users who have no identity policy allowing S3 at all
    admin.iam.create_user(UserName="auditor")
    world.administrator_of(PARTNER).iam.create_user(UserName="pat")
    admin.s3.put_bucket_policy(Bucket="reports", Policy={"Version": VERSION, "Statement": [{
        "Sid": "AuditorsRead", "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::111122223333:user/auditor",
                              "arn:aws:iam::444455556666:user/pat"]},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]})
    return HowAwsDecides(world, admin, erin, engineer,
                         world.user_session("auditor", account=WORKLOADS),
                         world.user_session("pat", account=PARTNER))


# -- 9. Sessions: how long they last, what they carry, how to end them ----------------------
@dataclass
class Sessions:
    world: World
    admin: Session
    dana: Session  # an analyst (IAM user) who assumes ReportsAnalyst
    role_arn: str = "arn:aws:iam::111122223333:role/ReportsAnalyst"
    publisher_arn: str = "arn:aws:iam::111122223333:role/ReportsPublisher"
    bucket: str = "reports"


def sessions() -> Sessions:
    """Dana assumes ReportsAnalyst (up to four hours, with session tags and a source
    identity); from that session she may assume ReportsPublisher (role chaining)."""
    world = World()
    admin = world.administrator  # a person signed in as the Administrator role, not root

    admin.s3.create_bucket(Bucket="reports")
    for key in ("2024/q4.csv", "2025/q1.csv", "2025/q2.csv",
                "teams/finance/budget.csv", "teams/sales/pipeline.csv"):
        admin.s3.put_object(Bucket="reports", Key=key, Body=f"{key}\n")

    # ReportsAnalyst: Dana may assume it, tag her session and set her source identity;
    # sessions may last up to 4 hours; it reads the reports, and its team's folder by tag
    admin.iam.create_user(UserName="dana")
    admin.iam.create_role(RoleName="ReportsAnalyst", MaxSessionDuration=4 * 3600,
                          AssumeRolePolicyDocument={"Version": VERSION, "Statement": [{
                              "Effect": "Allow",
                              "Principal": {"AWS": "arn:aws:iam::111122223333:user/dana"},
                              "Action": ["sts:AssumeRole", "sts:TagSession",
                                         "sts:SetSourceIdentity"]}]})
    admin.iam.put_role_policy(RoleName="ReportsAnalyst", PolicyName="ReadReports",
                              PolicyDocument={"Version": VERSION, "Statement": [
        {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": ["arn:aws:s3:::reports/2024/*", "arn:aws:s3:::reports/2025/*"]},
        {"Sid": "ReadOwnTeam", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::reports/teams/${aws:PrincipalTag/team}/*"},
        {"Sid": "ListReports", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::reports"},
        {"Sid": "BecomePublisher", "Effect": "Allow",
         "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
         "Resource": "arn:aws:iam::111122223333:role/ReportsPublisher"}]})

    # ReportsPublisher: assumed from a ReportsAnalyst session (role chaining); may last
    # 12 hours when assumed directly, but a chained session is capped at one hour; it
    # accepts the transitive tag and the source identity the analyst session passes on
    admin.iam.create_role(RoleName="ReportsPublisher", MaxSessionDuration=12 * 3600,
                          AssumeRolePolicyDocument={"Version": VERSION, "Statement": [{
                              "Effect": "Allow", "Principal": {
                                  "AWS": "arn:aws:iam::111122223333:role/ReportsAnalyst"},
                              "Action": ["sts:AssumeRole", "sts:TagSession",
                                         "sts:SetSourceIdentity"]}]})
    admin.iam.put_role_policy(RoleName="ReportsPublisher", PolicyName="PublishTeamReports",
                              PolicyDocument=allow("s3:PutObject", "arn:aws:s3:::reports/"
                                                   "teams/${aws:PrincipalTag/team}/*"))
    return Sessions(world, admin, world.user_session("dana"))


__all__ = [
    "AutoScalingServiceLinkedRole", "CrossAccountS3", "Ec2ReadsS3", "EcsTaskReadsSqs",
    "HowAwsDecides", "LambdaWritesDynamoDB", "LeakedCredentials", "Question", "Sessions",
    "ThirdPartyExternalId", "allow", "autoscaling_service_linked_role", "cross_account_s3",
    "ec2_reads_s3", "ecs_task_reads_sqs", "how_aws_decides", "lambda_writes_dynamodb",
    "leaked_credentials", "save_order", "sessions", "third_party_external_id", "trust",
]
