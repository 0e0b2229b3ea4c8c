"""Between a world and an :class:`~iamlab.inventory.Inventory` (a snapshot of principals).

``to_inventory`` photographs a world for graphs and tables; ``from_inventory`` builds a
world from a snapshot, for example one read from a real account's
``get-account-authorization-details`` output, so that its roles can be assumed and its
decisions tried out. An inventory lists each principal's effective policies, so a policy
found among the account's managed policies is attached as that managed policy and any
other is made an inline policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from iamlab.arn import parse_arn
from iamlab.inventory import GroupInfo, Inventory, RoleInfo, UserInfo
from iamlab.org import Levels, OrgSnapshot
from iamlab.policy import Policy, PolicyKind
from iamlab.world.model import (
    SERVICE_ROLE_PATH,
    Account,
    Group,
    InstanceProfile,
    ManagedPolicy,
    PolicyVersion,
    Role,
    User,
)

if TYPE_CHECKING:
    from iamlab.world.core import World


def to_inventory(world: World) -> Inventory:
    """Every account's users (with their groups' policies), groups, roles, managed policies,
    and the organisation: its ID, member paths, SCP and RCP levels (the same levels
    :func:`iamlab.org.control_levels` weighs for the world)."""
    users: list[UserInfo] = []
    groups: list[GroupInfo] = []
    roles: list[RoleInfo] = []
    managed: dict[str, Policy] = {}
    for acct in world.accounts.values():
        for group in acct.groups.values():
            groups.append(GroupInfo(group.arn, group.name, acct.account_id,
                                    tuple(world.own_policies(group)), group.path))
        for user in acct.users.values():
            users.append(UserInfo(
                user.arn, user.name, acct.account_id, tuple(world.user_policies(user)),
                world.boundary_of(user.boundary),
                tuple(acct.groups[g].arn for g in user.groups if g in acct.groups),
                dict(user.tags), user.path, user.user_id))
        for role in acct.roles.values():
            profiles = tuple(p.arn for p in acct.instance_profiles.values()
                             if role.name in p.roles)
            roles.append(RoleInfo(
                role.arn, role.name, acct.account_id, role.trust,
                tuple(world.role_policies(role)), world.boundary_of(role.boundary),
                dict(role.tags), role.path, role.role_id, role.max_session_duration,
                role.service_linked is not None, profiles))
        for arn, mp in acct.policies.items():
            managed[arn] = mp.policy
        attached = [*(a for u in acct.users.values() for a in u.attached),
                    *(a for g in acct.groups.values() for a in g.attached),
                    *(a for r in acct.roles.values() for a in r.attached)]
        for arn in attached:
            found = world.managed_policy(arn)
            if found is not None:
                managed.setdefault(arn, found.policy)
    for arn in sorted(world.imported_policies):  # AWS managed policies a dump brought
        found = world.managed_policy(arn)
        if found is not None:
            managed.setdefault(arn, found.policy)
    org = world.organization.snapshot() if world.organization is not None else OrgSnapshot()
    return Inventory(tuple(users), tuple(groups), tuple(roles), managed,
                     _of_accounts(org.scps, world), tuple(world.notes),
                     _of_accounts(org.rcps, world), org.org_id, dict(org.paths))


def _of_accounts(levels: Mapping[str, Levels], world: World) -> dict[str, Levels]:
    """The levels of the world's own accounts, in the world's account order."""
    return {a: levels[a] for a in world.accounts if a in levels}


def _same(a: Policy, b: Policy) -> bool:
    """The same document, whatever kind or name it was given."""
    return a is b or (a.statements == b.statements and a.version == b.version)


def from_inventory(cls: type[World], inventory: Inventory, *, region: str) -> World:
    """A world holding an inventory's accounts, principals and policies."""
    accounts = inventory.accounts or ("111122223333",)
    world = cls(account_id=accounts[0], alias="", region=region)
    for account_id in accounts[1:]:
        world.create_account(account_id)
    now = world.clock.now()
    by_arn: dict[str, ManagedPolicy] = {}
    for arn, policy in inventory.managed_policies.items():
        mp = _add_managed(world, arn, policy, now)
        if mp is not None:
            by_arn[arn] = mp

    def split(policies: Iterable[Policy], skip: Iterable[Policy] = ()) -> tuple[
            dict[str, Policy], list[str]]:
        inline: dict[str, Policy] = {}
        attached: list[str] = []
        skipped = list(skip)
        for policy in policies:
            if any(_same(policy, s) for s in skipped):
                continue
            arn = next((a for a, mp in by_arn.items() if mp.policy is policy), None) or \
                next((a for a, mp in by_arn.items()
                      if mp.policy.name == policy.name and _same(mp.policy, policy)), None)
            if arn is not None:
                if arn not in attached:
                    attached.append(arn)
                continue
            name = policy.name or f"inline-{len(inline) + 1}"
            while name in inline:
                name += "-"
            inline[name] = dataclasses.replace(policy, kind=PolicyKind.IDENTITY, name=name) \
                if policy.kind is not PolicyKind.IDENTITY else policy
        return inline, attached

    def boundary(acct: Account, policy: Policy | None) -> str | None:
        if policy is None:
            return None
        for arn, mp in by_arn.items():
            if _same(mp.policy, policy):
                return arn
        name = policy.name or "PermissionsBoundary"
        arn = f"arn:aws:iam::{acct.account_id}:policy/{name}"
        made = _add_managed(world, arn, dataclasses.replace(policy, kind=PolicyKind.IDENTITY),
                            now)
        if made is not None:
            by_arn[arn] = made
        return arn

    group_policies: dict[str, tuple[Policy, ...]] = {}
    for info in inventory.groups:
        acct = world.get_account(info.account) if info.account in world.accounts \
            else world.create_account(info.account)
        inline, attached = split(info.policies)
        acct.groups[info.name] = Group(info.name, info.arn, world.ids.unique_id("group"),
                                       acct.account_id, info.path, now, inline, attached)
        group_policies[info.arn] = info.policies
    for user_info in inventory.users:
        acct = world.get_account(user_info.account)
        from_groups = [p for g in user_info.groups for p in group_policies.get(g, ())]
        inline, attached = split(user_info.policies, from_groups)
        names = [g.rsplit("/", 1)[-1] for g in user_info.groups]
        acct.users[user_info.name] = User(
            user_info.name, user_info.arn, user_info.user_id or world.ids.unique_id("user"),
            acct.account_id, user_info.path, now, inline, attached,
            [n for n in names if n in acct.groups], dict(user_info.tags),
            boundary(acct, user_info.boundary))
    for role_info in inventory.roles:
        acct = world.get_account(role_info.account)
        inline, attached = split(role_info.policies)
        trust = role_info.trust_policy or Policy((), PolicyKind.TRUST,
                                                 name=f"{role_info.name} trust policy")
        service = _service_of(role_info) if role_info.service_linked else None
        role = Role(role_info.name, role_info.arn,
                    role_info.role_id or world.ids.unique_id("role"), acct.account_id,
                    role_info.path, now, trust, inline, attached,
                    boundary(acct, role_info.boundary), role_info.max_session_duration,
                    dict(role_info.tags), service_linked=service)
        acct.roles[role.name] = role
        for prof_arn in role_info.instance_profiles:
            prof_name = prof_arn.rsplit("/", 1)[-1]
            prof = acct.instance_profiles.get(prof_name)
            if prof is None:
                parsed = parse_arn(prof_arn)
                path = "/"
                if parsed is not None:
                    inner = parsed.resource.split("/", 1)[-1]
                    path = "/" + inner.rsplit("/", 1)[0] + "/" if "/" in inner else "/"
                prof = InstanceProfile(prof_name, prof_arn,
                                       world.ids.unique_id("instance-profile"),
                                       acct.account_id, path, now)
                acct.instance_profiles[prof_name] = prof
            if role.name not in prof.roles:
                prof.roles.append(role.name)
    if inventory.scps:
        _add_organization(world, inventory)
    world.notes.extend(inventory.notes)
    return world


def _service_of(role: RoleInfo) -> str:
    """The service that owns a service-linked role (from its path or its trust policy)."""
    if role.path.startswith(SERVICE_ROLE_PATH):
        rest = role.path[len(SERVICE_ROLE_PATH):].strip("/")
        if rest:
            return rest
    if role.trust_policy is not None:
        for st in role.trust_policy.statements:
            for p in st.principals or ():
                if p.type == "Service":
                    return p.value
    return "unknown.amazonaws.com"


def _add_managed(world: World, arn: str, policy: Policy, now: datetime) -> ManagedPolicy | None:
    parsed = parse_arn(arn)
    if parsed is None:
        return None
    name = parsed.resource.rsplit("/", 1)[-1]
    inner = parsed.resource.split("/", 1)[-1]
    path = "/" + inner.rsplit("/", 1)[0] + "/" if "/" in inner else "/"
    doc = dataclasses.replace(policy, kind=PolicyKind.IDENTITY, name=policy.name or name)
    mp = ManagedPolicy(arn, name, path, world.ids.unique_id("policy"), parsed.account,
                       {"v1": PolicyVersion("v1", doc, doc.to_dict(), now)}, "v1", now)
    if parsed.account == "aws":
        world.aws_policies[arn] = mp
        world.imported_policies.add(arn)
    else:
        acct = world.accounts.get(parsed.account) or world.create_account(parsed.account)
        acct.policies[arn] = mp
    return mp


def _add_organization(world: World, inventory: Inventory) -> None:
    """An organisation reproducing each account's SCP levels (one OU chain per account).
    Its management account is none of the loaded ones, so every loaded level applies."""
    from iamlab.world.organization import Organization, OrgPolicy

    org = Organization.create("000000000000")
    del org.parents["000000000000"]
    org.attached = {org.root_id: []}
    world.organization = org
    count = 0

    def attach(target: str, policies: tuple[Policy, ...]) -> None:
        nonlocal count
        names = []
        for policy in policies:
            count += 1
            name = f"{policy.name or 'SCP'}-{count}"
            org.policies[name] = OrgPolicy(name, PolicyKind.SCP, policy)
            names.append(name)
        org.attached[target] = names

    root_done = False
    for account_id, levels in inventory.scps.items():
        if not levels:
            continue
        if account_id not in world.accounts:
            world.create_account(account_id)
        if not root_done:
            attach(org.root_id, levels[0])
            root_done = True
        parent = org.root_id
        for depth, level in enumerate(levels[1:-1], start=1):
            ou = org.create_ou(f"{account_id}-level-{depth}", parent)
            attach(ou, level)
            parent = ou
        org.parents[account_id] = parent
        if len(levels) > 1:
            attach(account_id, levels[-1])
        else:
            org.attached[account_id] = ["FullAWSAccess"]
