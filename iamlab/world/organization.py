"""AWS Organizations in the world: OUs, and SCPs and RCPs attached at each level.

Follows the AWS Organizations User Guide ("SCP evaluation", "RCP evaluation"): an account's
levels are the root, each OU on the way down, and the account itself, and every level must
allow. ``FullAWSAccess`` (and ``RCPFullAWSAccess`` once RCPs are enabled) is attached to
every root, OU and account by default. Neither kind of policy affects the management
account, and neither applies to service-linked roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iamlab.errors import PolicyError
from iamlab.org import RCP_SERVICES, Levels, OrgSnapshot
from iamlab.parse import parse_policy
from iamlab.policy import Policy, PolicyKind
from iamlab.world.errors import MalformedPolicyDocument, NotFound, ServiceError

FULL_AWS_ACCESS = {"Version": "2012-10-17",
                   "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL_AWS_ACCESS = {"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
                                      "Resource": "*"}]}


@dataclass
class OrgPolicy:
    name: str
    kind: PolicyKind  # SCP or RCP
    policy: Policy


@dataclass
class OrganizationalUnit:
    ou_id: str
    name: str
    parent: str  # parent OU id or the root id


@dataclass
class Organization:
    """An organisation: its root, OUs, accounts and the SCPs/RCPs attached to each."""

    org_id: str
    management_account: str
    root_id: str
    ous: dict[str, OrganizationalUnit] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)  # account id -> OU/root id
    policies: dict[str, OrgPolicy] = field(default_factory=dict)
    attached: dict[str, list[str]] = field(default_factory=dict)  # target -> policy names
    rcps_enabled: bool = False
    _next: int = 0

    @classmethod
    def create(cls, management_account: str, *, rcps: bool = False) -> Organization:
        org = cls("o-a1b2c3d4e5", management_account, "r-a1b2")
        org.policies["FullAWSAccess"] = OrgPolicy(
            "FullAWSAccess", PolicyKind.SCP,
            parse_policy(FULL_AWS_ACCESS, PolicyKind.SCP, name="FullAWSAccess"))
        org.attached[org.root_id] = ["FullAWSAccess"]
        org.parents[management_account] = org.root_id
        org.attached[management_account] = ["FullAWSAccess"]
        if rcps:
            org.enable_rcps()
        return org

    def enable_rcps(self) -> None:
        """Turn on RCPs: ``RCPFullAWSAccess`` is attached everywhere, as AWS does."""
        if self.rcps_enabled:
            return
        self.rcps_enabled = True
        self.policies["RCPFullAWSAccess"] = OrgPolicy(
            "RCPFullAWSAccess", PolicyKind.RCP,
            parse_policy(RCP_FULL_AWS_ACCESS, PolicyKind.RCP, name="RCPFullAWSAccess"))
        for target in self._targets():
            self.attached.setdefault(target, []).append("RCPFullAWSAccess")

    def _targets(self) -> list[str]:
        return [self.root_id, *self.ous, *self.parents]

    def _defaults(self) -> list[str]:
        return ["FullAWSAccess"] + (["RCPFullAWSAccess"] if self.rcps_enabled else [])

    # -- structure --------------------------------------------------------------------------
    def create_ou(self, name: str, parent: str | None = None) -> str:
        """Create an organisational unit under ``parent`` (the root by default); its ID."""
        parent_id = self._target(parent) if parent else self.root_id
        if parent_id in self.parents:
            raise ServiceError("An OU can only be created under the root or another OU.",
                               code="InvalidInputException")
        self._next += 1
        ou_id = f"ou-a1b2-{self._next:08d}"
        self.ous[ou_id] = OrganizationalUnit(ou_id, name, parent_id)
        self.attached[ou_id] = self._defaults()
        return ou_id

    def add_account(self, account_id: str, ou: str | None = None) -> None:
        """Bring an account into the organisation, under ``ou`` (the root by default)."""
        parent = self._target(ou) if ou else self.root_id
        self.parents[account_id] = parent
        self.attached.setdefault(account_id, self._defaults())

    def remove_account(self, account_id: str) -> None:
        """Take a member account out of the organisation (RemoveAccountFromOrganization): its
        SCPs and RCPs no longer apply, and it no longer has the organisation's ID."""
        if account_id == self.management_account:
            raise ServiceError("You cannot remove the management account from the "
                               "organization.", code="ConstraintViolationException")
        if account_id not in self.parents:
            raise NotFound(f"Account {account_id} is not in the organization.",
                           code="AccountNotFoundException")
        del self.parents[account_id]
        self.attached.pop(account_id, None)

    def move_account(self, account_id: str, ou: str) -> None:
        if account_id not in self.parents:
            raise NotFound(f"Account {account_id} is not in the organization.",
                           code="AccountNotFoundException")
        self.parents[account_id] = self._target(ou)

    def _target(self, target: str) -> str:
        """An OU/account/root id from a name or id ("root", "Workloads", "ou-...", "1111...")."""
        if target in ("root", "Root", self.root_id):
            return self.root_id
        if target in self.ous or target in self.parents:
            return target
        for ou in self.ous.values():
            if ou.name == target:
                return ou.ou_id
        raise NotFound(f"We can't find a root, OU, or account with the ID {target}.",
                       code="TargetNotFoundException")

    # -- policies ---------------------------------------------------------------------------
    def create_policy(self, name: str, document: str | dict[str, Any], *,
                      type: str = "SERVICE_CONTROL_POLICY") -> OrgPolicy:
        """Create an SCP (``SERVICE_CONTROL_POLICY``) or RCP (``RESOURCE_CONTROL_POLICY``)."""
        kind = PolicyKind.RCP if type.upper() in ("RESOURCE_CONTROL_POLICY", "RCP") \
            else PolicyKind.SCP
        if kind is PolicyKind.RCP and not self.rcps_enabled:
            raise ServiceError("This operation can be performed only for enabled policy types.",
                               code="PolicyTypeNotEnabledException")
        if name in self.policies:
            raise ServiceError("A policy with the same name already exists.",
                               code="DuplicatePolicyException")
        try:
            policy = parse_policy(document, kind, name=name)
        except PolicyError as err:
            raise MalformedPolicyDocument(err.problems,
                                          code="MalformedPolicyDocumentException") from None
        self.policies[name] = made = OrgPolicy(name, kind, policy)
        return made

    def attach_policy(self, name: str, target: str) -> None:
        """Attach a policy (by name) to the root, an OU or an account."""
        if name not in self.policies:
            raise NotFound(f"We can't find a policy with the name {name}.",
                           code="PolicyNotFoundException")
        tid = self._target(target)
        names = self.attached.setdefault(tid, [])
        if name in names:
            raise ServiceError("The selected policy is already attached to the specified "
                               "target.", code="DuplicatePolicyAttachmentException")
        names.append(name)

    def detach_policy(self, name: str, target: str) -> None:
        tid = self._target(target)
        names = self.attached.get(tid, [])
        if name not in names:
            raise NotFound("The policy you specified isn't attached to the specified target.",
                           code="PolicyNotAttachedException")
        names.remove(name)

    # -- what applies -----------------------------------------------------------------------
    def path(self, account_id: str) -> list[str]:
        """The targets from the root down to the account."""
        chain = [account_id]
        node = self.parents[account_id]
        while node != self.root_id:
            chain.append(node)
            node = self.ous[node].parent
        chain.append(self.root_id)
        return list(reversed(chain))

    def org_path(self, account_id: str) -> str:
        """``aws:PrincipalOrgPaths`` value: ``o-.../r-.../ou-.../``."""
        return "/".join([self.org_id, *self.path(account_id)[:-1]]) + "/"

    def levels(self, account_id: str, kind: PolicyKind) -> Levels | None:
        """The policies of ``kind`` at each level above and at ``account_id`` (root first), or
        None when they do not apply (not a member, the management account, RCPs off)."""
        if account_id not in self.parents or account_id == self.management_account:
            return None
        if kind is PolicyKind.RCP and not self.rcps_enabled:
            return None
        return tuple(
            tuple(self.policies[n].policy for n in self.attached.get(target, [])
                  if self.policies[n].kind is kind)
            for target in self.path(account_id))

    def __contains__(self, account_id: object) -> bool:
        return account_id in self.parents

    def snapshot(self) -> OrgSnapshot:
        """The organisation as it is now, for deciding later without it (the playground)."""
        members = list(self.parents)
        scps = {a: lv for a in members if (lv := self.levels(a, PolicyKind.SCP)) is not None}
        rcps = {a: lv for a in members if (lv := self.levels(a, PolicyKind.RCP)) is not None}
        return OrgSnapshot(self.org_id, {a: self.org_path(a) for a in members}, scps, rcps)


__all__ = ["FULL_AWS_ACCESS", "RCP_FULL_AWS_ACCESS", "RCP_SERVICES", "OrgPolicy",
           "Organization", "OrganizationalUnit"]
