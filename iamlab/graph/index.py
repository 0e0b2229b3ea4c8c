"""Trust policies indexed by the principals they name, so only pairs that can match are asked.

A trust policy can only let in what its Allow statements name (IAM User Guide, "IAM JSON
policy elements: Principal"): specific users, roles, sessions, accounts (``root`` or a bare
account ID, which delegates to that account's own policies), services, identity providers,
or ``*``. The index keeps, per role, the principal values its Allow statements name; the
engine still decides every pair (a Deny, a condition or the caller's own policies may refuse).
An Allow with ``NotPrincipal`` (which IAM refuses to store) is indexed as ``*``, to be safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from iamlab.arn import ACCOUNT_ID, account_root
from iamlab.inventory import RoleInfo
from iamlab.policy import Effect

STAR = "*"


@dataclass
class Named:
    """What one role's trust policy names, by principal type."""

    aws: set[str] = field(default_factory=set)  # ARNs (account IDs turned into root ARNs)
    services: set[str] = field(default_factory=set)  # lower case
    federated: set[str] = field(default_factory=set)
    star: bool = False  # "*" or {"AWS": "*"}


@dataclass
class TrustIndex:
    """Per role ARN what its trust policy names, and the reverse maps."""

    named: dict[str, Named] = field(default_factory=dict)
    by_aws: dict[str, list[str]] = field(default_factory=dict)
    by_service: dict[str, list[str]] = field(default_factory=dict)
    by_federated: dict[str, list[str]] = field(default_factory=dict)
    star: list[str] = field(default_factory=list)


def normalise(value: str) -> str:
    """A bare account ID in a Principal means that account's root ARN."""
    return account_root(value) if ACCOUNT_ID.match(value) else value


def index_trusts(roles: tuple[RoleInfo, ...] | list[RoleInfo]) -> TrustIndex:
    index = TrustIndex()
    for role in sorted(roles, key=lambda r: r.arn):
        if role.trust_policy is None:
            continue
        named = Named()
        for st in role.trust_policy.statements:
            if st.effect is not Effect.ALLOW:
                continue
            if st.not_principals is not None:
                named.star = True
                continue
            for p in st.principals or ():
                if p.is_wildcard:
                    named.star = True
                elif p.type == "AWS":
                    named.aws.add(normalise(p.value))
                elif p.type == "Service":
                    named.services.add(p.value.lower())
                elif p.type == "Federated":
                    named.federated.add(p.value)
        index.named[role.arn] = named
        for value in sorted(named.aws):
            index.by_aws.setdefault(value, []).append(role.arn)
        for value in sorted(named.services):
            index.by_service.setdefault(value, []).append(role.arn)
        for value in sorted(named.federated):
            index.by_federated.setdefault(value, []).append(role.arn)
        if named.star:
            index.star.append(role.arn)
    return index
