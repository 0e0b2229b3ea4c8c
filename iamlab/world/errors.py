"""Errors of the simulated world, named and worded as AWS names and words them.

Each reads like what the AWS CLI or boto3 prints: ``An error occurred (AccessDenied) when
calling the GetObject operation: User: arn:aws:iam::111122223333:user/alice is not
authorized to perform: s3:GetObject on resource: arn:aws:s3:::reports/q3.csv because no
identity-based policy allows the s3:GetObject action``. Like botocore's ``ClientError`` they
carry ``response["Error"]["Code"]``; unlike AWS, an :class:`AccessDenied` also carries the
engine's :class:`~iamlab.decision.Decision`, so the learner can ask why.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from iamlab.errors import IamlabError, PolicyError, Problem
from iamlab.printable import printable

if TYPE_CHECKING:
    from iamlab.decision import Decision

__all__ = [
    "AccessDenied", "AwsError", "DeleteConflict", "EntityAlreadyExists", "ExpiredToken",
    "InvalidClientTokenId", "InvalidInput", "LimitExceeded", "MalformedPolicyDocument",
    "NoCredentials", "NoSuchEntity", "NotFound", "ParamValidationError", "ServiceError",
    "SignatureDoesNotMatch", "UnknownOperation", "UnmodifiableEntity", "ValidationError",
]


class AwsError(IamlabError):
    """An error response from a simulated AWS service (botocore's ``ClientError``)."""

    default_code = "InternalFailure"
    status = 400

    def __init__(self, message: str, *, code: str | None = None,
                 operation: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.operation = operation

    @property
    def response(self) -> dict[str, Any]:
        """The parsed error response, shaped as botocore shapes it."""
        return {"Error": {"Code": self.code, "Message": self.message},
                "ResponseMetadata": {"HTTPStatusCode": self.status}}

    def __str__(self) -> str:
        """As boto3 words it, with control characters from the request shown escaped (a
        message quotes names and policies, which must not take over a terminal)."""
        if self.operation:
            return printable(f"An error occurred ({self.code}) when calling the "
                             f"{self.operation} operation: {self.message}")
        return printable(f"{self.code}: {self.message}")

    def explain(self) -> str:
        """What iamlab can add to AWS's message ("" when nothing)."""
        return ""

    def _render_traceback_(self) -> list[str]:
        """How IPython shows this error in a notebook: AWS's words and the explanation, no
        Python traceback (the error is about the request, not about the learner's code)."""
        lines = [f"{type(self).__name__}: {self}"]
        extra = self.explain()
        if extra:
            lines += ["", *(printable(line) for line in extra.split("\n"))]
        return lines


class ServiceError(AwsError):
    """Any other named AWS error (``NoSuchKey``, ``ResourceNotFoundException``...)."""


class NotFound(ServiceError):
    """A resource that does not exist (``NoSuchBucket``, ``ResourceNotFoundException``...)."""

    status = 404


class AccessDenied(AwsError):
    """The request was denied; ``decision`` says which policy decided and why.

    ``code`` differs by service as in AWS (``AccessDenied`` for IAM, STS and S3,
    ``AccessDeniedException`` for DynamoDB, KMS, Lambda..., ``UnauthorizedOperation`` for
    EC2); catch them all as ``AccessDenied``.
    """

    default_code = "AccessDenied"
    status = 403

    def __init__(self, decision: Decision | None, *, principal: str, action: str,
                 resource: str, code: str | None = None, operation: str | None = None,
                 note: str = "", message: str | None = None) -> None:
        reason = decision.aws_reason if decision is not None else ""
        text = f"User: {principal} is not authorized to perform: {action} on resource: {resource}"
        if reason:
            text += f" {reason}"
        if code == "UnauthorizedOperation":
            text = "You are not authorized to perform this operation. " + text
        if message is not None:
            text = message
        super().__init__(text, code=code, operation=operation)
        self.decision = decision
        self.principal = principal
        self.action = action
        self.resource = resource
        self.note = note

    @property
    def summary(self) -> str:
        """One plain-English sentence saying why (from the engine)."""
        parts = [self.decision.summary] if self.decision is not None else []
        if self.note:
            parts.append(self.note)
        return " ".join(parts)

    def explain(self) -> str:
        """The engine's full explanation: every statement weighed and why it did not apply."""
        text = self.decision.text() if self.decision is not None else ""
        return f"{text}\n{self.note}".strip() if self.note else text


class NoSuchEntity(NotFound):
    default_code = "NoSuchEntity"


class EntityAlreadyExists(AwsError):
    default_code = "EntityAlreadyExists"
    status = 409


class MalformedPolicyDocument(AwsError):
    """A policy AWS would refuse, with every problem and where it is (line, column, path)."""

    default_code = "MalformedPolicyDocument"

    def __init__(self, problems: Sequence[Problem], *, what: str = "policy",
                 code: str | None = None, message: str | None = None) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"] or self.problems
        if message is None:
            details = "; ".join(str(p) for p in errors)
            message = f"Syntax errors in {what}. {details}" if details else \
                f"Syntax errors in {what}."
        super().__init__(message, code=code)

    @classmethod
    def from_policy_error(cls, err: PolicyError, *, what: str = "policy",
                          code: str | None = None) -> MalformedPolicyDocument:
        return cls(err.problems, what=what, code=code)

    @property
    def where(self) -> str:
        """Where the first problem is (``line 3, column 7 (Statement[0].Effect)``)."""
        return self.problems[0].where if self.problems else ""

    def explain(self) -> str:
        return "\n".join(f"  - {p}" for p in self.problems)


class ValidationError(AwsError):
    default_code = "ValidationError"


class InvalidInput(AwsError):
    default_code = "InvalidInput"


class LimitExceeded(AwsError):
    default_code = "LimitExceeded"
    status = 409


class DeleteConflict(AwsError):
    default_code = "DeleteConflict"
    status = 409


class UnmodifiableEntity(AwsError):
    default_code = "UnmodifiableEntity"


class ExpiredToken(AwsError):
    """Temporary credentials used after their expiration."""

    default_code = "ExpiredToken"

    def __init__(self, message: str = "The security token included in the request is expired",
                 *, code: str | None = None, expired_at: str = "") -> None:
        super().__init__(message, code=code)
        self.expired_at = expired_at


class InvalidClientTokenId(AwsError):
    """An access key that does not exist, was deleted, or is inactive."""

    default_code = "InvalidClientTokenId"
    status = 403

    def __init__(self, message: str = "The security token included in the request is invalid.",
                 *, code: str | None = None) -> None:
        super().__init__(message, code=code)


class SignatureDoesNotMatch(AwsError):
    """The right access key ID with the wrong secret: the key ID alone proves nothing."""

    default_code = "SignatureDoesNotMatch"
    status = 403

    def __init__(self) -> None:
        super().__init__("The request signature we calculated does not match the signature you "
                         "provided. Check your AWS Secret Access Key and signing method. Consult "
                         "the service documentation for details.")


class ParamValidationError(IamlabError):
    """A call with a missing or misspelt parameter, refused before it is sent (botocore's
    ``ParamValidationError``)."""

    def __str__(self) -> str:
        """botocore's lines, with control characters from the parameters shown escaped."""
        return printable(super().__str__(), keep_newlines=True)

    def _render_traceback_(self) -> list[str]:
        return [f"ParamValidationError: {self}"]


class NoCredentials(IamlabError):
    """Code asked for credentials and none were there (botocore's ``NoCredentialsError``)."""

    def _render_traceback_(self) -> list[str]:
        lines = [f"NoCredentials: {printable(str(self))}"]
        if self.decision is not None:
            lines += ["", *self.decision.text().split("\n")]
        return lines

    def __init__(self, why: str, decision: Decision | None = None) -> None:
        super().__init__(f"Unable to locate credentials: {why}")
        self.why = why
        self.decision = decision


# -- an operation a client does not have (no call is made) ---------------------------------

class UnknownOperation(IamlabError, AttributeError):
    """An operation the client does not have (``session.iam.get_rol(...)``).

    An AttributeError, as boto3 raises for a misspelt method (so ``hasattr`` and
    ``getattr(client, name, default)`` behave), saying which operations the client has and
    which one was probably meant. No call is made, so none is logged.
    """

    def __init__(self, service: str, name: str, operations: tuple[str, ...]) -> None:
        close = _closest(name, operations)
        hint = f" Did you mean {close[0]}?" if close else ""
        listed = textwrap.fill(", ".join(operations) + ".", width=88, initial_indent="  ",
                               subsequent_indent="  ", break_on_hyphens=False)
        super().__init__(f"The {service} client has no operation {name!r}.{hint}\n"
                         f"Its {len(operations)} operations:\n{listed}")
        self.service = service
        self.operations = operations
        self.suggestion = close[0] if close else None
        # AttributeError.name, for tools; ``obj`` stays unset so that Python does not add a
        # second "Did you mean" of its own to the message.
        self.name = name

    def _render_traceback_(self) -> list[str]:
        """How IPython shows it in a notebook: the message, no Python traceback."""
        return [f"UnknownOperation: {self}"]


def _snake(name: str) -> str:
    """``GetRole`` → ``get_role``: boto3's method name for an API operation's name."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _closest(name: str, operations: tuple[str, ...]) -> list[str]:
    """The operation ``name`` most likely meant (the API's CamelCase name, a typo), or []."""
    snake = _snake(name)
    if snake in operations:
        return [snake]
    return difflib.get_close_matches(snake, operations, n=1, cutoff=0.6)
