"""Credentials, what stands behind them, and where a call comes from.

Long-term keys of IAM users start ``AKIA`` and work until deleted or made inactive.
Temporary credentials from STS start ``ASIA``, carry a session token and an expiration,
and stop working when the world's clock passes it (IAM User Guide, "Temporary security
credentials in IAM"; "Compare AWS STS credentials").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from iamlab.policy import Policy
from iamlab.request import ContextValue
from iamlab.world.clock import iso

# Where learners' own calls come from unless they say otherwise (documentation addresses,
# RFC 5737): the office, and somewhere else on the internet.
OFFICE_IP = "203.0.113.10"
ELSEWHERE_IP = "198.51.100.66"


@dataclass(frozen=True)
class Credentials:
    """What a caller signs requests with: an access key ID, its secret and, for temporary
    credentials, a session token and an expiration."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    expiration: datetime | None = None

    @property
    def temporary(self) -> bool:
        return self.session_token is not None

    def to_dict(self) -> dict[str, Any]:
        """As STS returns them (``AccessKeyId``, ``SecretAccessKey``, ``SessionToken``,
        ``Expiration``)."""
        out: dict[str, Any] = {"AccessKeyId": self.access_key_id,
                               "SecretAccessKey": self.secret_access_key}
        if self.session_token is not None:
            out["SessionToken"] = self.session_token
        if self.expiration is not None:
            out["Expiration"] = self.expiration
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Credentials:
        """From an STS ``Credentials`` block, an ``AccessKey`` block or the metadata service's
        JSON (which calls the session token ``Token``)."""
        token = data.get("SessionToken", data.get("Token"))
        expiration = data.get("Expiration")
        if isinstance(expiration, str):
            expiration = datetime.fromisoformat(expiration.replace("Z", "+00:00"))
        return cls(str(data["AccessKeyId"]), str(data["SecretAccessKey"]),
                   str(token) if token is not None else None, expiration)

    def __repr__(self) -> str:
        until = f", expires {iso(self.expiration)}" if self.expiration else ""
        return f"Credentials({self.access_key_id}, secret ****{until})"


@dataclass(frozen=True)
class TemporarySession:
    """What STS remembers about temporary credentials it issued.

    ``role_arn`` is None for a user's own session (GetSessionToken). ``context`` holds keys
    the credentials carry wherever they are used (an EC2 instance's VPC and address...).
    """

    credentials: Credentials
    principal_arn: str
    account: str
    userid: str
    issued: datetime
    role_arn: str | None = None
    role_id: str | None = None
    user_arn: str | None = None
    session_name: str = ""
    session_policies: tuple[Policy, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: frozenset[str] = frozenset()
    source_identity: str | None = None
    mfa_time: datetime | None = None
    chained: bool = False
    issued_to: str = ""  # who received them: "sts", or the service that assumed the role
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    @property
    def expiration(self) -> datetime:
        exp = self.credentials.expiration
        assert exp is not None
        return exp


@dataclass(frozen=True)
class Location:
    """Where a call comes from: a public address, or a VPC (with a private address).

    A call from inside a VPC reaches a service through a VPC endpoint when the VPC has one for
    that service; then AWS supplies ``aws:SourceVpc``, ``aws:SourceVpce`` and
    ``aws:VpcSourceIp`` instead of ``aws:SourceIp`` (IAM User Guide, "AWS global condition
    context keys").
    """

    source_ip: str = OFFICE_IP
    vpc_id: str | None = None
    private_ip: str | None = None
    secure_transport: bool = True
