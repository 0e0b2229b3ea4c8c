"""What an AWS organisation adds to a request: SCP and RCP levels, and its context keys.

Shared by the simulated world (:mod:`iamlab.world.organization`, whose organisation changes
as the learner works) and the role playground (which keeps an :class:`OrgSnapshot` taken
when it was opened), so that both decide with the same rules (AWS Organizations User Guide,
"SCP evaluation", "RCP evaluation"; IAM User Guide, "AWS global condition context keys"):

* the SCP levels of the caller's account apply, and the RCP levels of the resource's
  account for the services RCPs protect; neither applies to service-linked roles, nor to
  the management account (``levels`` answers None for it);
* ``aws:PrincipalOrgID`` / ``aws:PrincipalOrgPaths`` describe a caller in the organisation,
  ``aws:ResourceOrgID`` / ``aws:ResourceOrgPaths`` a resource owned by one of its accounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from iamlab.policy import Policy, PolicyKind
from iamlab.request import ContextValue

Levels = tuple[tuple[Policy, ...], ...]

# Services whose resources RCPs protect (AWS Organizations User Guide, "Resource control
# policies", list of supported services, first release).
RCP_SERVICES = frozenset({"s3", "sts", "kms", "sqs", "secretsmanager"})


class OrgFacts(Protocol):
    """What deciding a request needs to know about an organisation."""

    @property
    def org_id(self) -> str: ...

    def __contains__(self, account_id: object) -> bool: ...

    def org_path(self, account_id: str) -> str: ...

    def levels(self, account_id: str, kind: PolicyKind) -> Levels | None: ...


@dataclass(frozen=True)
class OrgSnapshot:
    """An organisation frozen at one moment: each member's path and SCP/RCP levels.

    ``paths`` maps a member account to its ``aws:PrincipalOrgPaths`` value; ``scps`` and
    ``rcps`` map an account to its levels (root first) where they apply. A snapshot built
    from an inventory's SCPs alone has no ID and no paths.
    """

    org_id: str = ""
    paths: Mapping[str, str] = field(default_factory=dict)
    scps: Mapping[str, Levels] = field(default_factory=dict)
    rcps: Mapping[str, Levels] = field(default_factory=dict)

    def __contains__(self, account_id: object) -> bool:
        return bool(self.org_id) and account_id in self.paths

    def org_path(self, account_id: str) -> str:
        return self.paths[account_id]

    def levels(self, account_id: str, kind: PolicyKind) -> Levels | None:
        return (self.rcps if kind is PolicyKind.RCP else self.scps).get(account_id)


def control_levels(org: OrgFacts | None, principal_account: str | None,
                   resource_account: str | None, action: str, *,
                   service_linked: bool = False) -> tuple[Levels | None, Levels | None]:
    """The SCP levels (of the caller's account) and RCP levels (of the resource's account,
    for a service RCPs protect) that bear on a request; None where they do not apply."""
    if org is None or service_linked:
        return None, None
    scps = org.levels(principal_account, PolicyKind.SCP) if principal_account else None
    rcps = None
    if resource_account and action.split(":", 1)[0].lower() in RCP_SERVICES:
        rcps = org.levels(resource_account, PolicyKind.RCP)
    return scps, rcps


def principal_org_id(org: OrgFacts | None, account: str | None) -> str | None:
    """``aws:PrincipalOrgID`` for a caller of ``account`` (None outside an organisation)."""
    return org.org_id if org is not None and account and account in org else None


def org_context(org: OrgFacts | None, principal_account: str | None,
                resource_account: str | None) -> dict[str, ContextValue]:
    """``aws:PrincipalOrgPaths``, ``aws:ResourceOrgID`` and ``aws:ResourceOrgPaths``, for
    the accounts in the organisation."""
    keys: dict[str, ContextValue] = {}
    if org is None:
        return keys
    if principal_account and principal_account in org:
        keys["aws:PrincipalOrgPaths"] = [org.org_path(principal_account)]
    if resource_account and resource_account in org:
        keys["aws:ResourceOrgID"] = org.org_id
        keys["aws:ResourceOrgPaths"] = [org.org_path(resource_account)]
    return keys


__all__ = ["RCP_SERVICES", "Levels", "OrgFacts", "OrgSnapshot", "control_levels",
           "org_context", "principal_org_id"]
