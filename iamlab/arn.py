"""Amazon Resource Names: splitting them and telling what kind of principal one names.

Reference: IAM User Guide, "IAM identifiers" and "Amazon Resource Names (ARNs)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

ACCOUNT_ID = re.compile(r"\d{12}\Z")


@dataclass(frozen=True, slots=True)
class Arn:
    """The six parts of ``arn:partition:service:region:account:resource``."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its parts, or None when ``text`` is not an ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


class PrincipalType(str, Enum):
    """What kind of identity makes a request (the values of ``aws:PrincipalType``)."""

    ACCOUNT = "Account"  # the account root user
    USER = "User"
    ROLE = "Role"  # a role ARN used directly (rare: usually a session)
    ASSUMED_ROLE = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    SERVICE = "Service"
    ANONYMOUS = "Anonymous"


@dataclass(frozen=True, slots=True)
class Identity:
    """A request's principal, understood: its kind, account and related ARNs."""

    value: str
    type: PrincipalType
    account: str | None
    role_arn: str | None = None  # for assumed-role sessions: the role behind them
    user_arn: str | None = None  # for federated-user sessions: the IAM user behind them

    @property
    def is_service(self) -> bool:
        return self.type is PrincipalType.SERVICE


def identify(principal: str) -> Identity:
    """Classify a request principal string (an ARN, a service principal or ``*``)."""
    if principal in ("*", "anonymous", ""):
        return Identity(principal, PrincipalType.ANONYMOUS, None)
    if ACCOUNT_ID.match(principal):
        return Identity(f"arn:aws:iam::{principal}:root", PrincipalType.ACCOUNT, principal)
    arn = parse_arn(principal)
    if arn is None:
        return Identity(principal, PrincipalType.SERVICE, None)
    kind, _, rest = arn.resource.partition("/")
    account = arn.account or None
    if arn.service == "iam":
        if arn.resource == "root":
            return Identity(principal, PrincipalType.ACCOUNT, account)
        if kind == "user":
            return Identity(principal, PrincipalType.USER, account)
        if kind == "role":
            return Identity(principal, PrincipalType.ROLE, account)
    if arn.service == "sts":
        if kind == "assumed-role" and "/" in rest:
            role_name = rest.rsplit("/", 1)[0]
            role = f"arn:{arn.partition}:iam::{arn.account}:role/{role_name}"
            return Identity(principal, PrincipalType.ASSUMED_ROLE, account, role_arn=role)
        if kind == "federated-user":
            user = f"arn:{arn.partition}:iam::{arn.account}:user/{rest}"
            return Identity(principal, PrincipalType.FEDERATED_USER, account, user_arn=user)
    return Identity(principal, PrincipalType.USER, account)


def account_root(account: str, partition: str = "aws") -> str:
    """The ARN that stands for a whole account in a Principal element."""
    return f"arn:{partition}:iam::{account}:root"
