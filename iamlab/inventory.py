"""Who exists in an account and which policies they carry: the input of graphs and tables.

An :class:`Inventory` is a frozen snapshot of IAM principals (users, groups, roles) with
their effective identity policies, boundaries and trust policies. It comes from a real
account's ``get-account-authorization-details`` dump (:mod:`iamlab.authz_dump`) or from the
simulated world (``World.inventory()``), and the access graph asks the engine about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from iamlab.org import Levels, OrgSnapshot
from iamlab.policy import Policy


@dataclass(frozen=True)
class GroupInfo:
    """An IAM group: its policies reach every member."""

    arn: str
    name: str
    account: str
    policies: tuple[Policy, ...] = ()
    path: str = "/"


@dataclass(frozen=True)
class UserInfo:
    """An IAM user with every identity policy that applies to it (its own and its groups')."""

    arn: str
    name: str
    account: str
    policies: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    groups: tuple[str, ...] = ()  # group ARNs
    tags: Mapping[str, str] = field(default_factory=dict)
    path: str = "/"
    user_id: str | None = None


@dataclass(frozen=True)
class RoleInfo:
    """An IAM role: who may assume it (trust policy) and what it may do (its policies)."""

    arn: str
    name: str
    account: str
    trust_policy: Policy | None
    policies: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    path: str = "/"
    role_id: str | None = None
    max_session_duration: int = 3600
    service_linked: bool = False
    instance_profiles: tuple[str, ...] = ()  # instance profile ARNs


@dataclass(frozen=True)
class Inventory:
    """A snapshot of one or more accounts' IAM principals.

    ``scps`` maps an account ID to its organisation levels of SCPs (root first), when
    Organizations applies; ``rcps`` likewise maps an account to the RCP levels that guard
    its resources. ``org_id`` and ``org_paths`` (account ID → ``aws:PrincipalOrgPaths``
    value) name the organisation and its members; a ``get-account-authorization-details``
    dump has none of these. ``notes`` records what a loader skipped or repaired, for the
    learner to see.
    """

    users: tuple[UserInfo, ...] = ()
    groups: tuple[GroupInfo, ...] = ()
    roles: tuple[RoleInfo, ...] = ()
    managed_policies: Mapping[str, Policy] = field(default_factory=dict)
    scps: Mapping[str, Levels] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    rcps: Mapping[str, Levels] = field(default_factory=dict)
    org_id: str = ""
    org_paths: Mapping[str, str] = field(default_factory=dict)

    @property
    def accounts(self) -> tuple[str, ...]:
        found = {u.account for u in self.users} | {r.account for r in self.roles}
        return tuple(sorted(found | {g.account for g in self.groups}))

    def organization(self) -> OrgSnapshot | None:
        """The organisation as :mod:`iamlab.org` decides with it (None without one)."""
        if not (self.org_id or self.scps or self.rcps):
            return None
        return OrgSnapshot(self.org_id, dict(self.org_paths), dict(self.scps), dict(self.rcps))

    def user(self, arn_or_name: str) -> UserInfo | None:
        return next((u for u in self.users if arn_or_name in (u.arn, u.name)), None)

    def role(self, arn_or_name: str) -> RoleInfo | None:
        return next((r for r in self.roles if arn_or_name in (r.arn, r.name)), None)
