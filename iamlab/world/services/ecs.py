"""Amazon ECS in the world: task definitions with a task role and a task execution role.

The two roles do different jobs (Amazon ECS Developer Guide, "Amazon ECS task execution IAM
role", "Amazon ECS task IAM role"): the *execution role* is used by the ECS agent, before
and around the application, to pull the container image from Amazon ECR, to fetch the
secrets a container definition names (``secrets``: ``valueFrom`` a Secrets Manager ARN,
injected as environment variables) and to send the container's output to CloudWatch Logs;
the *task role* is what the application code inside the container gets (from the container
credentials endpoint). Both trust
``ecs-tasks.amazonaws.com``; registering or running a task needs ``iam:PassRole`` for both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from iamlab.world.credentials import Credentials, Location, TemporarySession
from iamlab.world.errors import AccessDenied, AwsError, NoCredentials, NotFound, ServiceError
from iamlab.world.services.base import ServiceClient, pass_role

if TYPE_CHECKING:
    from iamlab.world.core import World
    from iamlab.world.services.base import Call
    from iamlab.world.session import Session

ECS_TASKS = "ecs-tasks.amazonaws.com"
TASK_IP = "192.0.2.240"
CREDENTIAL_LIFETIME = 6 * 3600
REFRESH_BEFORE = timedelta(minutes=5)
_ECR_IMAGE = re.compile(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+)")


@dataclass
class TaskDefinition:
    family: str
    revision: int
    arn: str
    account: str
    containers: list[dict[str, Any]]
    task_role_arn: str | None = None
    execution_role_arn: str | None = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"taskDefinitionArn": self.arn, "family": self.family,
                               "revision": self.revision,
                               "containerDefinitions": self.containers, "status": "ACTIVE"}
        if self.task_role_arn:
            out["taskRoleArn"] = self.task_role_arn
        if self.execution_role_arn:
            out["executionRoleArn"] = self.execution_role_arn
        return out


class RoleCredentials:
    """Credentials ECS keeps fresh for a role (the agent's, or the container endpoint's)."""

    def __init__(self, world: World, role_arn: str, task_arn: str, session_name: str) -> None:
        self.world = world
        self.role_arn = role_arn
        self.task_arn = task_arn
        self.session_name = session_name
        self.current: TemporarySession | None = None
        self.failure: Any = None

    def fresh(self) -> TemporarySession | None:
        from iamlab.world.sts import service_assume_role

        world = self.world
        role = world.role_by_arn(self.role_arn)
        now = world.clock.now()
        cur = self.current
        if cur is not None and role is not None and cur.role_id == role.role_id \
                and now < cur.expiration - REFRESH_BEFORE:
            return cur
        if role is None:
            return None
        made, decision = service_assume_role(
            world, ECS_TASKS, role, session_name=self.session_name,
            duration=CREDENTIAL_LIFETIME, source_arn=self.task_arn,
            source_account=role.account)
        self.failure = None if made is not None else decision
        if made is not None:
            self.current = made
        return made


@dataclass
class Task:
    """A running task. ``task.session`` is the application's view: the task role's
    credentials (no role, no credentials: the execution role is never the app's)."""

    world: World
    task_arn: str
    task_id: str
    account: str
    cluster: str
    definition: TaskDefinition
    started: datetime
    last_status: str = "RUNNING"
    stopped_reason: str = ""
    task_role: RoleCredentials | None = None
    execution_role: RoleCredentials | None = None
    agent_log: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)  # secrets the agent injected

    def _task_credentials(self) -> Credentials:
        if self.last_status != "RUNNING":
            raise NoCredentials(f"task {self.task_id} is {self.last_status}")
        if self.task_role is None:
            raise NoCredentials(
                f"task {self.task_id} has no task role, so the container credentials endpoint "
                "offers no credentials (the task execution role is used by the ECS agent "
                "only, never handed to the application)")
        made = self.task_role.fresh()
        if made is None:
            raise NoCredentials("ECS cannot assume the task role", self.task_role.failure)
        return made.credentials

    @property
    def session(self) -> Session:
        from iamlab.world.session import Session

        return Session(self.world, self._task_credentials, Location(TASK_IP))

    def log(self, message: str) -> bool:
        """The application prints a line; the awslogs driver ships it with the execution
        role's credentials. True if it reached CloudWatch Logs."""
        container = self.definition.containers[0] if self.definition.containers else {}
        return _ship(self, container, [message])

    @property
    def agent_session(self) -> Session | None:
        """The ECS agent's view: the execution role's credentials (None without a usable
        execution role). For looking at what the agent may do; the app never gets these."""
        return _agent_session(self)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"taskArn": self.task_arn, "lastStatus": self.last_status,
                               "taskDefinitionArn": self.definition.arn,
                               "clusterArn": self.cluster}
        if self.stopped_reason:
            out["stoppedReason"] = self.stopped_reason
        return out

    def __repr__(self) -> str:
        why = f" ({self.stopped_reason})" if self.stopped_reason else ""
        return f"<Task {self.task_id} {self.last_status}{why}>"


def _agent_session(task: Task) -> Session | None:
    from iamlab.world.session import Session

    if task.execution_role is None:
        return None
    made = task.execution_role.fresh()
    if made is None:
        return None
    return Session(task.world, made.credentials, Location(TASK_IP), invoked_by=ECS_TASKS)


def _log_config(container: dict[str, Any]) -> tuple[str, str] | None:
    conf = container.get("logConfiguration") or {}
    if conf.get("logDriver") != "awslogs":
        return None
    opts = conf.get("options") or {}
    return str(opts.get("awslogs-group", "")), str(opts.get("awslogs-stream-prefix", "ecs"))


def _ship(task: Task, container: dict[str, Any], lines: list[str]) -> bool:
    conf = _log_config(container)
    if conf is None:
        return False
    agent = _agent_session(task)
    if agent is None:
        task.agent_log.append("no execution role credentials: logs cannot be sent")
        return False
    group, prefix = conf
    stream = f"{prefix}/{container.get('name', 'app')}/{task.task_id}"
    stamp = int(task.world.clock.now().timestamp() * 1000)
    try:
        agent.logs.put_log_events(logGroupName=group, logStreamName=stream,
                                  logEvents=[{"timestamp": stamp, "message": m} for m in lines])
    except AwsError as err:
        task.agent_log.append(f"awslogs: {err}")
        return False
    return True


class EcrClient(ServiceClient):
    """The two ECR calls the ECS agent makes to pull a private image."""

    service = "ecr"
    endpoint = "ecr.amazonaws.com"

    def get_authorization_token(self) -> dict[str, Any]:
        with self._call("GetAuthorizationToken") as call:
            call.authorize("ecr:GetAuthorizationToken", "*", account=call.caller.account)
            return {"authorizationData": [{"authorizationToken": "QVdTOg=="}]}

    def batch_get_image(self, *, registryId: str, repositoryName: str,
                        imageIds: list[dict[str, str]]) -> dict[str, Any]:
        with self._call("BatchGetImage") as call:
            arn = f"arn:aws:ecr:{self.region}:{registryId}:repository/{repositoryName}"
            call.authorize("ecr:BatchGetImage", arn, account=registryId)
            return {"images": [{"imageId": i} for i in imageIds]}


class EcsClient(ServiceClient):
    service = "ecs"
    endpoint = "ecs.amazonaws.com"

    def _role_arn(self, call: Call, arn: str | None, member: str,
                  short_name: bool = False) -> str | None:
        """The role's ARN. ``taskRoleArn`` may also be the role's short name ("The short name
        or full Amazon Resource Name (ARN) of the IAM role", ECS API reference,
        RegisterTaskDefinition); ``executionRoleArn`` must be an ARN."""
        if arn is None:
            return None
        if short_name and not arn.startswith("arn:"):
            arn = f"arn:aws:iam::{call.caller.account}:role/{arn}"
        if self.world.role_by_arn(arn) is None:
            raise ServiceError(f"Role is not valid: {member} {arn} does not exist",
                               code="ClientException")
        return arn

    @staticmethod
    def _check_containers(containers: list[dict[str, Any]]) -> None:
        """What ECS itself refuses in container definitions (its ClientException wording)."""
        if not containers:
            raise ServiceError("Container list cannot be empty.", code="ClientException")
        for container in containers:
            for member in ("name", "image"):
                if not container.get(member):
                    raise ServiceError(f"Container.{member} should not be null or empty.",
                                       code="ClientException")

    def register_task_definition(self, *, family: str, containerDefinitions: list[dict[str, Any]],
                                 taskRoleArn: str | None = None,
                                 executionRoleArn: str | None = None,
                                 networkMode: str | None = None,
                                 requiresCompatibilities: list[str] | None = None,
                                 cpu: str | None = None, memory: str | None = None,
                                 volumes: list[Any] | None = None,
                                 placementConstraints: list[Any] | None = None,
                                 tags: list[Any] | None = None,
                                 pidMode: str | None = None, ipcMode: str | None = None,
                                 proxyConfiguration: dict[str, Any] | None = None,
                                 inferenceAccelerators: list[Any] | None = None,
                                 ephemeralStorage: dict[str, Any] | None = None,
                                 runtimePlatform: dict[str, Any] | None = None,
                                 enableFaultInjection: bool | None = None,
                                 trustedExecutionConfiguration: dict[str, Any] | None = None,
                                 ) -> dict[str, Any]:
        """Register a task definition; passing its roles needs ``iam:PassRole`` with
        ``iam:PassedToService`` = ``ecs-tasks.amazonaws.com``. The parameters the world does
        not model (network mode, sizes, volumes) are accepted and kept; any other name is
        refused as botocore refuses it."""
        with self._call("RegisterTaskDefinition") as call:
            acct = self.world.accounts[call.caller.account]
            self._check_containers(containerDefinitions)
            revision = 1 + sum(1 for t in acct.task_definitions.values() if t.family == family)
            arn = (f"arn:aws:ecs:{self.region}:{acct.account_id}:task-definition/"
                   f"{family}:{revision}")
            task_role = self._role_arn(call, taskRoleArn, "taskRoleArn", short_name=True)
            exec_role = self._role_arn(call, executionRoleArn, "executionRoleArn")
            call.authorize("ecs:RegisterTaskDefinition", "*", account=acct.account_id)
            for role_arn in (task_role, exec_role):
                if role_arn:
                    pass_role(call, role_arn, ECS_TASKS)
            tdef = TaskDefinition(family, revision, arn, acct.account_id,
                                  [dict(c) for c in containerDefinitions], task_role, exec_role)
            acct.task_definitions[f"{family}:{revision}"] = tdef
            return {"taskDefinition": tdef.describe()}

    def _definition(self, call: Call, ref: str) -> TaskDefinition:
        acct = self.world.accounts[call.caller.account]
        key = ref.rsplit("/", 1)[-1]
        if ":" not in key:
            revs = [t for t in acct.task_definitions.values() if t.family == key]
            if revs:
                return max(revs, key=lambda t: t.revision)
        found = acct.task_definitions.get(key)
        if found is None:
            raise ServiceError("Unable to describe task definition.", code="ClientException")
        return found

    def describe_task_definition(self, *, taskDefinition: str) -> dict[str, Any]:
        """A task definition by family (latest revision) or ``family:revision``."""
        with self._call("DescribeTaskDefinition") as call:
            tdef = self._definition(call, taskDefinition)
            call.authorize("ecs:DescribeTaskDefinition", "*", account=tdef.account)
            return {"taskDefinition": tdef.describe()}

    def run_task(self, *, taskDefinition: str, cluster: str = "default", count: int = 1,
                 launchType: str = "FARGATE", **_: Any) -> dict[str, Any]:
        """Start tasks: the agent pulls the image and sets up logs with the execution role;
        the application gets the task role. A step the execution role may not do stops the
        task, with the reason in ``stoppedReason``."""
        with self._call("RunTask") as call:
            tdef = self._definition(call, taskDefinition)
            acct = self.world.accounts[tdef.account]
            cluster_arn = f"arn:aws:ecs:{self.region}:{acct.account_id}:cluster/{cluster}"
            call.authorize("ecs:RunTask", tdef.arn, account=tdef.account,
                           context={"ecs:cluster": cluster_arn})
            for role_arn in (tdef.task_role_arn, tdef.execution_role_arn):
                if role_arn:
                    pass_role(call, role_arn, ECS_TASKS)
            if not 1 <= count <= 10:  # "You can specify up to 10 tasks for each call."
                raise ServiceError("count must be between 1 and 10 (ECS API reference, "
                                   "RunTask).", code="InvalidParameterException")
            tasks = []
            for _n in range(count):
                task_id = self.world.ids.hex(32)
                task_arn = f"arn:aws:ecs:{self.region}:{acct.account_id}:task/{cluster}/{task_id}"
                task = Task(self.world, task_arn, task_id, acct.account_id, cluster_arn, tdef,
                            self.world.clock.now())
                if tdef.task_role_arn:
                    task.task_role = RoleCredentials(self.world, tdef.task_role_arn, task_arn,
                                                     task_id)
                    if task.task_role.fresh() is None:
                        raise ServiceError(
                            f"ECS was unable to assume the role '{tdef.task_role_arn}' that was "
                            "provided for this task. Please verify that the role being passed "
                            "has the proper trust relationship and permissions and that your "
                            "IAM user has permissions to pass this role.",
                            code="ClientException")
                if tdef.execution_role_arn:
                    task.execution_role = RoleCredentials(self.world, tdef.execution_role_arn,
                                                          task_arn, task_id)
                self._start(task)
                acct.tasks[task_id] = task
                tasks.append(task)
            return {"tasks": [t.describe() for t in tasks], "failures": []}

    def _start(self, task: Task) -> None:
        """What the agent does before the app runs: pull the image, create the log stream."""
        for container in task.definition.containers:
            image = str(container.get("image", ""))
            private = _ECR_IMAGE.match(image)
            needs_agent = (private is not None or _log_config(container) is not None
                           or bool(container.get("secrets")))
            agent = _agent_session(task) if needs_agent else None
            if needs_agent and agent is None:
                self._stop(task, "ResourceInitializationError: unable to pull secrets or "
                           "registry auth: the task has no usable execution role (the ECS "
                           "agent needs one to pull from Amazon ECR and to send logs)")
                return
            try:
                if private is not None and agent is not None:
                    ecr = EcrClient(agent)
                    ecr.get_authorization_token()
                    ecr.batch_get_image(registryId=private.group(1),
                                        repositoryName=private.group(3),
                                        imageIds=[{"imageTag": image.rsplit(":", 1)[-1]}])
                for secret in container.get("secrets") or ():
                    if agent is None:
                        self._stop(task, "ResourceInitializationError: unable to pull secrets "
                                   "or registry auth: the task has no execution role")
                        return
                    got = agent.secretsmanager.get_secret_value(SecretId=secret["valueFrom"])
                    task.environment[str(secret["name"])] = str(got["SecretString"])
                conf = _log_config(container)
                if conf is not None and agent is not None:
                    group, prefix = conf
                    agent.logs.create_log_stream(
                        logGroupName=group,
                        logStreamName=f"{prefix}/{container.get('name', 'app')}/{task.task_id}")
            except AccessDenied as err:
                stage = ("CannotPullContainerError: pull image manifest has been retried 1 "
                         "time(s): failed to resolve ref " + image + ": "
                         if err.action.startswith("ecr:") else
                         "ResourceInitializationError: unable to pull secrets or registry auth: "
                         "retrieve secret from Secrets Manager: "
                         if err.action.startswith("secretsmanager:") else
                         "ResourceInitializationError: failed to validate logger args: "
                         "create stream has been retried 1 times: failed to create Cloudwatch "
                         "log stream: ")
                self._stop(task, f"{stage}{err.code}: {err.message}")
                return
            except AwsError as err:
                self._stop(task, f"ResourceInitializationError: failed to validate logger "
                           f"args: {err.code}: {err.message}")
                return

    @staticmethod
    def _stop(task: Task, reason: str) -> None:
        task.last_status = "STOPPED"
        task.stopped_reason = reason
        task.agent_log.append(reason)

    def describe_tasks(self, *, tasks: list[str], cluster: str = "default") -> dict[str, Any]:
        with self._call("DescribeTasks") as call:
            acct = self.world.accounts[call.caller.account]
            found = []
            for ref in tasks:
                task = acct.tasks.get(ref.rsplit("/", 1)[-1])
                if task is None:
                    raise NotFound(f"The referenced task was not found: {ref}",
                                   code="ClientException")
                call.authorize("ecs:DescribeTasks", task.task_arn, account=task.account)
                found.append(task.describe())
            return {"tasks": found, "failures": []}

    def stop_task(self, *, task: str, cluster: str = "default",
                  reason: str = "") -> dict[str, Any]:
        with self._call("StopTask") as call:
            acct = self.world.accounts[call.caller.account]
            found = acct.tasks.get(task.rsplit("/", 1)[-1])
            if found is None:
                raise NotFound(f"The referenced task was not found: {task}",
                               code="ClientException")
            call.authorize("ecs:StopTask", found.task_arn, account=found.account)
            self._stop(found, reason or "Task stopped by user")
            return {"task": found.describe()}
