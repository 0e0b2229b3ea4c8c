"""What every service client shares: a call is signed, authorised, performed and logged.

A call runs inside :meth:`ServiceClient._call`: the credentials are checked first (unknown,
inactive or expired ones are refused before any policy is read), then each permission the
operation needs is decided by the engine, and the outcome is written to the call log,
whether it succeeded or not.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import json
import re
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from iamlab.arn import parse_arn
from iamlab.decision import Decision
from iamlab.errors import IamlabError, PolicyError
from iamlab.parse import parse_policy
from iamlab.policy import Policy, PolicyKind
from iamlab.printable import printable
from iamlab.request import ContextValue
from iamlab.world.calllog import CallRecord
from iamlab.world.errors import (
    AccessDenied,
    AwsError,
    MalformedPolicyDocument,
    ParamValidationError,
    UnknownOperation,
)
from iamlab.world.shapes import ANY, operation_shapes, problems_in

if TYPE_CHECKING:
    from iamlab.world.core import Caller, World
    from iamlab.world.session import Session


class Call:
    """One API call in progress: who makes it, what was decided, and its log entry."""

    def __init__(self, client: ServiceClient, operation: str) -> None:
        self.client = client
        self.operation = operation
        self.world = client.world
        self.decision: Decision | None = None
        self.action = ""
        self.resource = ""
        self.caller: Caller

    def __enter__(self) -> Call:
        world = self.world
        session = self.client.session
        try:
            # credentials first: fetching them may itself make calls (a metadata service
            # asking STS for fresh ones), which then come first in the log
            creds = session.credentials
        except IamlabError as err:
            self.time, self.slot = world.clock.now(), world.call_log.reserve()
            self._log("", "", err)
            raise
        self.time = world.clock.now()
        self.slot = world.call_log.reserve()
        self.access_key = creds.access_key_id
        try:
            self.caller = world.resolve(creds, self.client.service)
        except IamlabError as err:
            if isinstance(err, AwsError) and err.operation is None:
                err.operation = self.operation
            self._log(self.access_key, world.owner_of(self.access_key), err)
            raise
        return self

    def authorize(self, action: str, resource: str, *, account: str | None,
                  policy: Policy | None = None,
                  context: Mapping[str, ContextValue] | None = None,
                  note: str = "") -> Decision:
        """Ask the engine; raise the service's AccessDenied when it says no."""
        decision = self.world.decide(self.caller, self.client.session.location, action,
                                     resource, resource_account=account,
                                     resource_policy=policy, context=context)
        if self.decision is None or not decision.allowed:
            # the log shows the operation's main permission, or the one that was refused
            self.decision, self.action, self.resource = decision, action, resource
        if not decision.allowed:
            raise AccessDenied(decision, principal=self.caller.arn, action=action,
                               resource=resource, code=self.client.denied_code,
                               operation=self.operation, note=note)
        return decision

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        if isinstance(err, AwsError) and err.operation is None:
            err.operation = self.operation
        self._log(self.access_key, self.caller.arn, err)

    def _log(self, key: str, who: str, err: BaseException | None) -> None:
        code = message = ""
        if isinstance(err, AwsError):
            code, message = err.code, err.message
        elif err is not None:
            code, message = type(err).__name__, str(err)
        session = self.client.session
        self.world.call_log.fill(self.slot, CallRecord(
            self.time, who or "(unknown)", self.client.endpoint, self.operation, self.action,
            self.resource, self.decision, code, message, session.location.source_ip
            if not session.location.vpc_id else session.location.vpc_id, key,
            session.invoked_by))


def _checked(method: Callable[..., Any], service: str) -> Callable[..., Any]:
    """Check a call's parameters first, as botocore does (ParamValidationError): their
    names, then each value against its shape (:mod:`iamlab.world.shapes`)."""
    sig = inspect.signature(method)
    shapes = operation_shapes(service, method)
    params = [p for p in sig.parameters.values() if p.name != "self"]
    names = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    required = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY
                and p.default is inspect.Parameter.empty]
    open_ended = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)

    @functools.wraps(method)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        lines = []
        if args:
            lines.append(f"{method.__name__}() takes keyword arguments only, as boto3 does "
                         f"(for example {names[0] if names else 'Name'}=...)")
        lines += [f'Missing required parameter in input: "{n}"' for n in required
                  if n not in kwargs]
        if not open_ended:
            for key in kwargs:
                if key not in names:
                    close = difflib.get_close_matches(key, names, n=1, cutoff=0.5) or \
                        [n for n in names if n.lower() == key.lower()]
                    hint = f" (did you mean {close[0]}?)" if close else ""
                    allowed = ", ".join(names) or "(none: it takes no parameters)"
                    lines.append(f'Unknown parameter in input: "{printable(key)}", must be '
                                 f"one of: {allowed}{hint}")
        for key, value in kwargs.items():
            shape, nullable = shapes.get(key, (ANY, True))
            if not (value is None and nullable):
                lines += problems_in(value, shape, key)
        if lines:
            raise ParamValidationError("Parameter validation failed:\n" + "\n".join(lines))
        return method(self, **kwargs)

    return checked


class ServiceClient:
    """Base of the service clients: the service's name, endpoint and error codes.

    Its operations are the public methods that take keyword arguments only, as boto3's do
    (``operations`` lists them); asking for one it does not have raises
    :class:`UnknownOperation`, which says which it has.
    """

    service: ClassVar[str] = ""
    endpoint: ClassVar[str] = ""
    denied_code: ClassVar[str] = "AccessDeniedException"
    malformed_code: ClassVar[str] = "MalformedPolicyDocumentException"
    operations: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(value) and _is_operation(value):
                setattr(cls, name, _checked(value, cls.service))
        cls.operations = tuple(sorted(
            name for name in dir(cls) if not name.startswith("_")
            and inspect.isfunction(getattr(cls, name)) and _is_operation(getattr(cls, name))))

    def __init__(self, session: Session) -> None:
        self.session = session
        self.world: World = session.world

    if not TYPE_CHECKING:  # mypy keeps checking attribute names statically
        def __getattr__(self, name: str) -> Any:
            """Only called for a name the client does not have: a plain AttributeError for
            private and special names (Python and IPython probe for those), otherwise
            :class:`UnknownOperation`."""
            if name.startswith("_"):
                raise AttributeError(
                    f"{type(self).__name__!r} object has no attribute {name!r}")
            raise UnknownOperation(self.service or type(self).__name__, name,
                                   type(self).operations)

    def _call(self, operation: str) -> Call:
        return Call(self, operation)

    @property
    def region(self) -> str:
        return self.world.region

    @staticmethod
    def _located(call: Call, name_or_arn: Any, prefix: str) -> tuple[str, str]:
        """The account and name of a resource given by name (in the caller's account) or
        by ARN (in any account); ``prefix`` begins the ARN's resource part (``table/``,
        ``key/``, ``function:``), and whatever follows the name (a qualifier) is dropped."""
        text = str(name_or_arn)
        arn = parse_arn(text)
        if arn is not None and arn.resource.startswith(prefix):
            return arn.account, re.split("[/:]", arn.resource[len(prefix):], maxsplit=1)[0]
        return call.caller.account, text

    def _parse(self, document: Any, kind: PolicyKind, name: str = "",
               what: str = "policy") -> Policy:
        """A policy document given to an operation, or MalformedPolicyDocument saying where."""
        if not isinstance(document, (str, dict)):
            raise MalformedPolicyDocument(
                [], code=self.malformed_code,
                message=f"The {what} document must be JSON text (or a dict), not "
                        f"{type(document).__name__}.")
        try:
            return parse_policy(document, kind, name=name)
        except PolicyError as err:
            raise MalformedPolicyDocument.from_policy_error(
                err, what=what, code=self.malformed_code) from None

    def _resource_policy(self, document: Any, name: str) -> tuple[Policy, str]:
        """A resource-based policy given to an operation, checked as AWS checks it (its
        grammar, and the IAM users and roles it names must exist), and its text as the
        service gives it back."""
        policy = self._parse(document, PolicyKind.RESOURCE, name=name)
        self._check_principals(policy)
        return policy, document_text(document)

    def _check_principals(self, policy: Policy) -> None:
        """AWS refuses a policy naming an IAM user or role that does not exist."""
        for st in policy.statements:
            for p in (*(st.principals or ()), *(st.not_principals or ())):
                if p.type == "AWS" and self.world.principal_exists(p.value) is False:
                    raise MalformedPolicyDocument(
                        [], code=self.malformed_code,
                        message=f'Invalid principal in policy: "AWS":"{p.value}"')


def _is_operation(method: Callable[..., Any]) -> bool:
    """An API operation takes keyword arguments only (boto3's style); a helper that takes a
    call or positional arguments is not one."""
    params = list(inspect.signature(inspect.unwrap(method)).parameters.values())[1:]
    return all(p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD)
               for p in params)


def document_text(document: str | Mapping[str, Any]) -> str:
    """A policy document as AWS gives it back: the text as sent, or the dict as JSON."""
    return document if isinstance(document, str) else json.dumps(document)


def tags_context(tags: Mapping[str, str]) -> dict[str, ContextValue]:
    """``aws:RequestTag/key`` for each tag and ``aws:TagKeys`` for a request that tags."""
    ctx: dict[str, ContextValue] = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    if tags:
        ctx["aws:TagKeys"] = list(tags)
    return ctx


def resource_tags(tags: Mapping[str, str], prefix: str = "aws") -> dict[str, ContextValue]:
    """``aws:ResourceTag/key`` for each tag of the resource acted on."""
    return {f"{prefix}:ResourceTag/{k}": v for k, v in tags.items()}


def tag_list(tags: Any) -> dict[str, str]:
    """``[{"Key": k, "Value": v}, ...]`` (boto3's shape) or a plain dict, as a dict."""
    if not tags:
        return {}
    if isinstance(tags, Mapping):
        return {str(k): str(v) for k, v in tags.items()}
    # KMS names the members TagKey and TagValue; Secrets Manager's Key is optional
    pairs = ((t.get("Key", t.get("TagKey")), t.get("Value", t.get("TagValue", "")))
             for t in tags)
    return {str(k): str(v) for k, v in pairs if k is not None}


def pass_role(call: Call, role_arn: str, service: str, associated: str | None = None) -> None:
    """``iam:PassRole``: may the caller hand ``role_arn`` to ``service``? (IAM User Guide,
    "Grant a user permissions to pass a role to an AWS service".)"""
    role = call.world.role_by_arn(role_arn)
    ctx: dict[str, ContextValue] = {"iam:PassedToService": service}
    if associated:
        ctx["iam:AssociatedResourceArn"] = associated
    if role is not None:
        ctx.update(resource_tags(role.tags))
        ctx.update(resource_tags(role.tags, "iam"))
    account = role.account if role is not None else call.caller.account
    call.authorize("iam:PassRole", role_arn, account=account, context=ctx)
