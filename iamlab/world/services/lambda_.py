"""AWS Lambda in the world: functions with an execution role, run as Python handlers.

CreateFunction needs ``iam:PassRole`` for the execution role, and Lambda checks that it can
assume the role (``InvalidParameterValueException: The role defined for the function cannot
be assumed by Lambda.``). Invoking runs the learner's handler ``handler(event, context)``
with the role's temporary credentials in ``context.session``; what it prints goes to
CloudWatch Logs (``/aws/lambda/NAME``) only if the role allows ``logs:CreateLogGroup``,
``logs:CreateLogStream`` and ``logs:PutLogEvents`` (AWS Lambda Developer Guide, "Defining
Lambda function permissions with an execution role", "Sending Lambda function logs to
CloudWatch Logs").
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from iamlab.policy import Policy, PolicyKind
from iamlab.world.credentials import Location, TemporarySession
from iamlab.world.errors import AwsError, NotFound, ServiceError
from iamlab.world.services.base import Call, ServiceClient, pass_role, tag_list, tags_context
from iamlab.world.services.s3 import StreamingBody

if TYPE_CHECKING:
    from iamlab.world.core import World
    from iamlab.world.session import Session

LAMBDA = "lambda.amazonaws.com"
LAMBDA_IP = "192.0.2.250"  # where function code calls from (an AWS-owned address)
CREDENTIAL_LIFETIME = 12 * 3600
REFRESH_BEFORE = timedelta(minutes=5)
Handler = Callable[[Any, "LambdaContext"], Any]


@dataclass
class Function:
    name: str
    arn: str
    account: str
    role_arn: str
    handler: Handler
    runtime: str
    created: datetime
    timeout: int = 3
    environment: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    policy_statements: list[dict[str, Any]] = field(default_factory=list)
    policy: Policy | None = None
    log_stream: str | None = None
    credentials: TemporarySession | None = None
    last_error: BaseException | None = None
    last_log: list[str] = field(default_factory=list)
    logs_delivered: bool = False

    def configuration(self) -> dict[str, Any]:
        return {"FunctionName": self.name, "FunctionArn": self.arn, "Role": self.role_arn,
                "Runtime": self.runtime, "Handler": getattr(self.handler, "__name__", "handler"),
                "Timeout": self.timeout, "State": "Active",
                "Environment": {"Variables": dict(self.environment)}}


class LambdaContext:
    """The ``context`` a handler receives; ``context.session`` calls AWS as the execution
    role (what boto3 does inside Lambda with the environment's credentials).

    ``context.environ`` is the function's environment (``os.environ`` in real Lambda): its
    own variables plus what the runtime sets, among them the execution role's temporary
    credentials in ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and
    ``AWS_SESSION_TOKEN`` (AWS Lambda Developer Guide, "Defined runtime environment
    variables"). A function has no instance metadata service.
    """

    def __init__(self, function: Function, request_id: str, session: Session) -> None:
        self.function_name = function.name
        self.invoked_function_arn = function.arn
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = function.log_stream or ""
        self.session = session
        creds = session.credentials
        self.environ: dict[str, str] = {
            **function.environment, "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_REGION": session.world.region, "AWS_ACCESS_KEY_ID": creds.access_key_id,
            "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
            "AWS_SESSION_TOKEN": creds.session_token or "",
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group_name}

    def client(self, service: str) -> Any:
        return self.session.client(service)


class LambdaClient(ServiceClient):
    service = "lambda"
    endpoint = "lambda.amazonaws.com"

    def _arn(self, account: str, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{account}:function:{name}"

    def _function(self, call: Call, name: Any) -> Function:
        account, fname = self._located(call, name, "function:")
        acct = self.world.accounts.get(account)
        fn = acct.functions.get(fname) if acct else None
        if fn is None:
            raise NotFound(f"Function not found: {self._arn(account, fname)}",
                           code="ResourceNotFoundException")
        return fn

    def _lambda_can_assume(self, role_arn: str) -> None:
        role = self.world.role_by_arn(role_arn)
        ok = False
        if role is not None:
            decision = self.world.decide_service(LAMBDA, "sts:AssumeRole", role.arn,
                                                 resource_account=role.account,
                                                 resource_policy=role.trust)
            ok = decision.allowed
        if not ok:
            raise ServiceError("The role defined for the function cannot be assumed by Lambda.",
                               code="InvalidParameterValueException")

    def create_function(self, *, FunctionName: str, Role: str, Handler: Handler,
                        Runtime: str = "python3.12", Timeout: int = 3,
                        Environment: dict[str, Any] | None = None, Tags: Any = None,
                        **_: Any) -> dict[str, Any]:
        """Create a function whose code is ``Handler``, a Python ``handler(event, context)``
        (iamlab runs Python functions instead of uploaded zip files)."""
        with self._call("CreateFunction") as call:
            account = call.caller.account
            if not callable(Handler):
                raise ServiceError("iamlab runs Python functions: pass the handler itself, "
                                   "Handler=my_handler, where my_handler(event, context) is a "
                                   "function you defined.", code="InvalidParameterValueException")
            arn = self._arn(account, FunctionName)
            tags = tag_list(Tags)
            call.authorize("lambda:CreateFunction", arn, account=account,
                           context=tags_context(tags))
            pass_role(call, Role, LAMBDA)
            self._lambda_can_assume(Role)
            acct = self.world.accounts[account]
            if FunctionName in acct.functions:
                raise ServiceError(f"Function already exist: {FunctionName}",
                                   code="ResourceConflictException")
            fn = Function(FunctionName, arn, account, Role, Handler, Runtime,
                          self.world.clock.now(), Timeout,
                          dict((Environment or {}).get("Variables", {})), tags)
            acct.functions[FunctionName] = fn
            return fn.configuration()

    def get_function(self, *, FunctionName: str) -> dict[str, Any]:
        with self._call("GetFunction") as call:
            fn = self._function(call, FunctionName)
            call.authorize("lambda:GetFunction", fn.arn, account=fn.account, policy=fn.policy)
            return {"Configuration": fn.configuration()}

    def update_function_configuration(self, *, FunctionName: str, Role: str | None = None,
                                      Timeout: int | None = None) -> dict[str, Any]:
        with self._call("UpdateFunctionConfiguration") as call:
            fn = self._function(call, FunctionName)
            call.authorize("lambda:UpdateFunctionConfiguration", fn.arn, account=fn.account,
                           policy=fn.policy)
            if Role is not None:
                pass_role(call, Role, LAMBDA)
                self._lambda_can_assume(Role)
                fn.role_arn, fn.credentials = Role, None
            if Timeout is not None:
                fn.timeout = Timeout
            return fn.configuration()

    def delete_function(self, *, FunctionName: str) -> dict[str, Any]:
        with self._call("DeleteFunction") as call:
            fn = self._function(call, FunctionName)
            call.authorize("lambda:DeleteFunction", fn.arn, account=fn.account,
                           policy=fn.policy)
            del self.world.accounts[fn.account].functions[fn.name]
            return {}

    def add_permission(self, *, FunctionName: str, StatementId: str, Action: str,
                       Principal: str, SourceArn: str | None = None,
                       SourceAccount: str | None = None) -> dict[str, Any]:
        """Add a statement to the function's resource-based policy (who may invoke it)."""
        with self._call("AddPermission") as call:
            fn = self._function(call, FunctionName)
            who = {"Service": Principal} if "." in Principal else {"AWS": Principal}
            statement: dict[str, Any] = {"Sid": StatementId, "Effect": "Allow",
                                         "Principal": who, "Action": Action,
                                         "Resource": fn.arn}
            cond: dict[str, Any] = {}
            if SourceArn:
                cond["ArnLike"] = {"AWS:SourceArn": SourceArn}
            if SourceAccount:
                cond["StringEquals"] = {"AWS:SourceAccount": SourceAccount}
            if cond:
                statement["Condition"] = cond
            statements = [*fn.policy_statements, statement]
            policy = self._parse({"Version": "2012-10-17", "Id": "default",
                                  "Statement": statements}, PolicyKind.RESOURCE,
                                 name=f"{fn.name} function policy")
            call.authorize("lambda:AddPermission", fn.arn, account=fn.account,
                           policy=fn.policy)
            if any(s.get("Sid") == StatementId for s in fn.policy_statements):
                raise ServiceError("The statement id provided already exists. Please provide a "
                                   "new statement id, or remove the existing statement.",
                                   code="ResourceConflictException")
            fn.policy_statements, fn.policy = statements, policy
            return {"Statement": json.dumps(statement)}

    def get_policy(self, *, FunctionName: str) -> dict[str, Any]:
        """The function's resource-based policy, as a JSON string (who may invoke it)."""
        with self._call("GetPolicy") as call:
            fn = self._function(call, FunctionName)
            call.authorize("lambda:GetPolicy", fn.arn, account=fn.account, policy=fn.policy)
            if not fn.policy_statements:
                raise NotFound("The resource you requested does not exist.",
                               code="ResourceNotFoundException")
            return {"Policy": json.dumps({"Version": "2012-10-17", "Id": "default",
                                          "Statement": fn.policy_statements}),
                    "RevisionId": self.world.ids.uuid()}

    def invoke(self, *, FunctionName: str, Payload: Any = b"{}",
               InvocationType: str = "RequestResponse", LogType: str = "None") -> dict[str, Any]:
        """Run the function: ``lambda:InvokeFunction`` for the caller, then the handler runs
        with the execution role's credentials."""
        with self._call("Invoke") as call:
            fn = self._function(call, FunctionName)
            call.authorize("lambda:InvokeFunction", fn.arn, account=fn.account,
                           policy=fn.policy)
            return run(self.world, fn, _event(Payload), LogType == "Tail")


def _event(payload: Any) -> Any:
    """The event a payload carries: JSON text or bytes (or a file-like object holding
    them), or a Python value as is. Not JSON: Lambda's InvalidRequestContentException."""
    if hasattr(payload, "read"):
        payload = payload.read()
    if not isinstance(payload, (bytes, bytearray, str)):
        return payload
    try:
        return json.loads(payload or b"{}")
    except (ValueError, RecursionError) as err:  # JSONDecodeError, not UTF-8, too deep
        why = "nested too deeply" if isinstance(err, RecursionError) else str(err)
        raise ServiceError("Could not parse request body into json: Could not parse payload "
                           f"into json: {why}", code="InvalidRequestContentException"
                           ) from None


def _role_session(world: World, fn: Function) -> TemporarySession:
    """Lambda's credentials for the execution role, assumed again when they near expiry."""
    from iamlab.world.sts import service_assume_role

    now = world.clock.now()
    cur = fn.credentials
    role = world.role_by_arn(fn.role_arn)
    if cur is not None and role is not None and cur.role_id == role.role_id \
            and now < cur.expiration - REFRESH_BEFORE:
        return cur
    made = None
    if role is not None:
        made, _ = service_assume_role(world, LAMBDA, role, session_name=fn.name,
                                      duration=CREDENTIAL_LIFETIME)
    if made is None:
        raise ServiceError("The role defined for the function cannot be assumed by Lambda.",
                           code="InvalidParameterValueException")
    fn.credentials = made
    return made


def run(world: World, fn: Function, event: Any, tail: bool) -> dict[str, Any]:
    """One invocation: the handler runs; its output goes to CloudWatch Logs if it may."""
    from iamlab.world.session import Session

    temp = _role_session(world, fn)
    session = Session(world, temp.credentials, Location(LAMBDA_IP))
    runtime = Session(world, temp.credentials, Location(LAMBDA_IP), invoked_by=LAMBDA)
    request_id = world.ids.uuid()
    if fn.log_stream is None:
        fn.log_stream = f"{world.clock.now():%Y/%m/%d}/[$LATEST]{world.ids.hex(32)}"
    context = LambdaContext(fn, request_id, session)
    out = io.StringIO()
    error: BaseException | None = None
    result: Any = None
    with contextlib.redirect_stdout(out):
        try:
            result = fn.handler(event, context)
        except Exception as err:  # the function failed: Lambda reports it, it does not crash
            error = err
    fn.last_error = error
    lines = [f"START RequestId: {request_id} Version: $LATEST",
             *out.getvalue().splitlines()]
    if error is not None:
        lines.append(f"[ERROR] {_error_type(error)}: {error}")
    lines.append(f"END RequestId: {request_id}")
    fn.last_log = lines
    fn.logs_delivered = _ship_logs(world, runtime, fn, lines)
    response: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
    if error is not None:
        response["FunctionError"] = "Unhandled"
        body: Any = {"errorMessage": str(error), "errorType": _error_type(error),
                     "requestId": request_id, "stackTrace": []}
    else:
        body = result
    response["Payload"] = StreamingBody(json.dumps(body, default=str).encode())
    if tail:
        response["LogResult"] = base64.b64encode("\n".join(lines)[-4096:].encode()).decode()
    return response


def _error_type(err: BaseException) -> str:
    return "ClientError" if isinstance(err, AwsError) else type(err).__name__


def _ship_logs(world: World, runtime: Session, fn: Function, lines: list[str]) -> bool:
    """The Lambda runtime writes the lines to /aws/lambda/NAME with the execution role's
    credentials; without permission they are lost (and the call log shows why)."""
    group = f"/aws/lambda/{fn.name}"
    logs = runtime.logs
    acct = world.accounts[fn.account]
    stamp = int(world.clock.now().timestamp() * 1000)
    try:
        if group not in acct.log_groups:
            logs.create_log_group(logGroupName=group)
        assert fn.log_stream is not None
        if fn.log_stream not in acct.log_groups[group].streams:
            logs.create_log_stream(logGroupName=group, logStreamName=fn.log_stream)
        logs.put_log_events(logGroupName=group, logStreamName=fn.log_stream,
                            logEvents=[{"timestamp": stamp, "message": m} for m in lines])
    except AwsError:
        return False
    return True
