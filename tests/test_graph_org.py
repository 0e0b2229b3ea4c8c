"""The graph of a world with an organisation decides as the world does: RCPs guard the roles of
member accounts (AWS Organizations User Guide, "Resource control policies": they cover STS),
and ``aws:PrincipalOrgID`` is a fact about each caller, never a key to supply.

The world's side is the real thing: each user calls ``sts.assume_role`` on every role, and
each service named in a trust policy goes through the world's service AssumeRole.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from iamlab.authz_dump import load_inventory
from iamlab.graph import AccessGraph, EdgeKind, NodeKind, build_graph
from iamlab.world import AccessDenied, World
from iamlab.world.sts import service_assume_role

MEMBER = "444455556666"
OUTSIDER = "777788889999"
VERSION = "2012-10-17"
DATA = Path(__file__).parent / "data"
EC2 = "ec2.amazonaws.com"


def _trust(*accounts: str) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts], "Service": EC2}}]}


def _user(world: World, account: str, name: str) -> None:
    admin = world.root(account)
    admin.iam.create_user(UserName=name)
    admin.iam.put_user_policy(UserName=name, PolicyName="assume", PolicyDocument={
        "Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                           "Resource": "*"}]})


@cache
def _world() -> World:
    """A member account's role trusts the member, an outside account and EC2; an RCP on the
    root denies sts:AssumeRole to callers outside the organisation. The management
    account's role trusts the outsider too: no RCP guards the management account."""
    world = World(alias="management")
    world.create_account(MEMBER)
    world.create_account(OUTSIDER)
    org = world.create_organization(rcps=True)
    org.parents.pop(OUTSIDER)  # the outsider is not in the organisation
    org.create_policy("StsInTheOrg", {"Version": VERSION, "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org.org_id},
                      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]},
        type="RESOURCE_CONTROL_POLICY")
    org.attach_policy("StsInTheOrg", "root")
    world.root(MEMBER).iam.create_role(RoleName="Shared",
                                       AssumeRolePolicyDocument=_trust(MEMBER, OUTSIDER))
    world.admin.iam.create_role(RoleName="Hub", AssumeRolePolicyDocument=_trust(
        world.account.account_id, MEMBER, OUTSIDER))
    _user(world, MEMBER, "dev")
    _user(world, OUTSIDER, "visitor")
    _user(world, world.account.account_id, "boss")
    return world


@cache
def _graph() -> AccessGraph:
    return build_graph(_world().inventory())


def _world_allows() -> set[tuple[str, str]]:
    """Every (caller, role) pair whose AssumeRole the world allows."""
    world = _world()
    roles = [r for acct in world.accounts.values() for r in acct.roles.values()]
    allowed = set()
    for acct in world.accounts.values():
        for user in acct.users.values():
            session = world.user_session(user.name, account=acct.account_id)
            for role in roles:
                try:
                    session.sts.assume_role(RoleArn=role.arn, RoleSessionName="check")
                except AccessDenied:
                    continue
                allowed.add((user.arn, role.arn))
    for role in roles:
        made, _ = service_assume_role(world, EC2, role, session_name="check", duration=3600)
        if made is not None:
            allowed.add((EC2, role.arn))
    return allowed


def _edges(graph: AccessGraph) -> set[tuple[str, str, tuple[str, ...]]]:
    """Assume edges from users and services (the callers the world can act as)."""
    kinds = (EdgeKind.ASSUME, EdgeKind.SERVICE_ASSUME)
    callers = (NodeKind.USER, NodeKind.SERVICE)
    return {(e.source, e.target, e.conditions) for e in graph.edges
            if e.kind in kinds and graph.nodes[e.source].kind in callers}


def test_the_inventory_carries_the_organisation() -> None:
    inv = _world().inventory()
    org = _world().organization
    assert org is not None
    assert inv.org_id == org.org_id
    assert set(inv.org_paths) == {_world().account.account_id, MEMBER}
    assert set(inv.rcps) == {MEMBER}  # not the management account, not the outsider
    assert inv.rcps[MEMBER][0][-1].name == "StsInTheOrg"


def test_no_edge_from_outside_the_organisation_to_a_member_role() -> None:
    graph = _graph()
    shared = f"arn:aws:iam::{MEMBER}:role/Shared"
    visitor = f"arn:aws:iam::{OUTSIDER}:user/visitor"
    assert all(e.target != shared for e in graph.out_edges(visitor))
    # the management account's role is guarded by no RCP: the visitor gets in
    hub = f"arn:aws:iam::{_world().account.account_id}:role/Hub"
    assert (visitor, hub, ()) in _edges(graph)


def test_org_keys_are_facts_never_supplied() -> None:
    assert all(not conditions for _, _, conditions in _edges(_graph()))


def test_edges_equal_what_the_world_decides() -> None:
    got = {(source, target) for source, target, _ in _edges(_graph())}
    expected = _world_allows()
    assert got == expected
    assert (f"arn:aws:iam::{MEMBER}:user/dev", f"arn:aws:iam::{MEMBER}:role/Shared") in got
    assert (EC2, f"arn:aws:iam::{MEMBER}:role/Shared") in got  # services are exempt


def test_without_the_rcp_the_outsider_gets_in() -> None:
    world = _world()
    assert world.organization is not None
    inv = world.inventory()
    graph = build_graph(replace(inv, rcps={}))
    shared = f"arn:aws:iam::{MEMBER}:role/Shared"
    visitor = f"arn:aws:iam::{OUTSIDER}:user/visitor"
    assert (visitor, shared, ()) in _edges(graph)


def test_a_dump_has_no_organisation() -> None:
    inv = load_inventory(DATA / "authz-cloudsplaining-example.json")
    assert inv.organization() is None
    assert (inv.rcps, inv.org_id, inv.org_paths) == ({}, "", {})
