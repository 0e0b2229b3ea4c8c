"""Amazon Resource Names: splitting them and telling what kind of principal one names.

Reference: IAM User Guide, "IAM identifiers" and "Amazon Resource Names (ARNs)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

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


def bad_account(arn: Arn) -> str | None:
    """Why an IAM or STS ARN's account cannot be an account (``"11112222333" (11 digits)``),
    or None: an account ID has exactly 12 digits. CloudFront's legacy origin access identity,
    ``arn:aws:iam::cloudfront:user/...``, is the one exception (IAM User Guide, "AWS JSON
    policy elements: Principal")."""
    if arn.service not in ("iam", "sts") or ACCOUNT_ID.match(arn.account) \
            or arn.account == "cloudfront":
        return None
    n = len(arn.account)
    count = f" ({n} digit{'s' if n != 1 else ''})" if arn.account.isdigit() else ""
    return f'"{arn.account}"{count}'


class PrincipalType(str, Enum):
    """What kind of identity makes a request.

    Account, User, AssumedRole, FederatedUser and Anonymous are the values AWS gives
    ``aws:PrincipalType`` (IAM User Guide, "IAM policy elements: Variables and tags",
    "Principal key values"). The others are iamlab's own names for callers that key does
    not describe: a role ARN used directly, an AWS service principal, and an identity
    provider calling ``AssumeRoleWithSAML`` / ``AssumeRoleWithWebIdentity``.
    """

    ACCOUNT = "Account"  # the account root user
    USER = "User"
    ROLE = "Role"  # a role ARN used directly (rare: usually a session)
    ASSUMED_ROLE = "AssumedRole"  # role sessions, including SAML and web identity ones
    FEDERATED_USER = "FederatedUser"  # a GetFederationToken session
    SERVICE = "Service"
    ANONYMOUS = "Anonymous"
    # A SAML or OIDC provider asking for a role session on its user's behalf. Those STS calls
    # are not signed with AWS credentials, so no aws:PrincipalType is sent for them; the
    # session they produce is an AssumedRole.
    IDENTITY_PROVIDER = "IdentityProvider"


# The built-in web identity providers, named without an ARN in a Federated principal
# (IAM User Guide, "AWS JSON policy elements: Principal", "Web identity session principals").
WEB_IDENTITY_PROVIDERS = frozenset({"cognito-identity.amazonaws.com", "www.amazon.com",
                                    "graph.facebook.com", "accounts.google.com"})


@dataclass(frozen=True, slots=True)
class Identity:
    """A request's principal, understood: its kind, account and related ARNs."""

    value: str
    type: PrincipalType
    account: str | None
    role_arn: str | None = None  # for assumed-role sessions: the role behind them

    @property
    def is_service(self) -> bool:
        return self.type is PrincipalType.SERVICE


def identify(principal: str, role_arn: str | None = None) -> Identity:
    """Classify a request principal string (an ARN, a service principal or ``*``).

    ``role_arn`` is the role behind an assumed-role session, given when the role has a path:
    a session ARN (``arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION``) carries only the
    role's name, but policies name the role by its full ARN, path included (IAM User Guide,
    "IAM identifiers"; "AWS global condition context keys", aws:PrincipalArn). Without it
    the role is taken to have no path. It must be that session's role.

    A GetFederationToken session (``arn:aws:sts::ACCOUNT:federated-user/NAME``) is its own
    principal: aws:PrincipalArn is that ARN ("AWS STS federated user principals" under
    aws:PrincipalArn) and aws:userid is ``ACCOUNT:NAME`` ("Principal key values"). NAME is
    "caller-specified", so the session ARN does not tell which IAM user called
    GetFederationToken. A resource-based policy that names that IAM user also covers the
    session ("Session policies": "A resource-based policy can specify the ARN of the user or
    role as a principal"), but iamlab cannot know the user from the request: only a
    Principal naming the federated-user ARN itself (or its account, or ``*``) matches it.
    """
    if role_arn is not None:
        return _session_of(principal, role_arn)
    if principal in ("*", "anonymous", ""):
        return Identity(principal, PrincipalType.ANONYMOUS, None)
    if ACCOUNT_ID.match(principal):
        return Identity(f"arn:aws:iam::{principal}:root", PrincipalType.ACCOUNT, principal)
    arn = parse_arn(principal)
    if arn is None:
        if principal in WEB_IDENTITY_PROVIDERS:
            return Identity(principal, PrincipalType.IDENTITY_PROVIDER, None)
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
        if kind in ("saml-provider", "oidc-provider"):
            return Identity(principal, PrincipalType.IDENTITY_PROVIDER, account)
    if arn.service == "sts":
        if kind == "assumed-role" and "/" in rest:
            role_name = rest.rsplit("/", 1)[0]
            role = f"arn:{arn.partition}:iam::{arn.account}:role/{role_name}"
            return Identity(principal, PrincipalType.ASSUMED_ROLE, account, role_arn=role)
        if kind == "federated-user":
            # NAME is the Name the caller gave GetFederationToken, not the IAM user who called
            # it: the ARN does not say which user that was, so none is guessed (see below).
            return Identity(principal, PrincipalType.FEDERATED_USER, account)
    return Identity(principal, PrincipalType.USER, account)


def _not_a_session(principal: str, role_arn: str) -> str:
    return (f"role_arn {role_arn!r} was given, but {principal!r} is not an assumed-role "
            "session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION): only a session has "
            "a role behind it")


@lru_cache(maxsize=4096)
def _session_of(principal: str, role_arn: str) -> Identity:
    """The identity of an assumed-role session whose role is ``role_arn`` (path and all)."""
    session = parse_arn(principal)
    kind, _, rest = session.resource.partition("/") if session else ("", "", "")
    if session is None or session.service != "sts" or kind != "assumed-role" or "/" not in rest:
        raise ValueError(_not_a_session(principal, role_arn))
    name = rest.rsplit("/", 1)[0]
    role = parse_arn(role_arn)
    if (role is None or role.service != "iam" or not role.resource.startswith("role/")
            or not role.resource.endswith("/" + name) or role.account != session.account
            or role.partition != session.partition):
        raise ValueError(
            f"role_arn {role_arn!r} is not the role of the session {principal!r}: it must be "
            f"arn:{session.partition}:iam::{session.account}:role/{name}, with the role's "
            "path (if any) before the name")
    return Identity(principal, PrincipalType.ASSUMED_ROLE, session.account or None,
                    role_arn=role_arn)


def account_root(account: str, partition: str = "aws") -> str:
    """The ARN that stands for a whole account in a Principal element."""
    return f"arn:{partition}:iam::{account}:root"
