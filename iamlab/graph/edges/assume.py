"""**can assume**: an AWS principal → a role, when the engine allows its ``sts:AssumeRole``.

The request is the one AWS authorises (IAM User Guide, "Granting a user permissions to switch
roles", "Cross-account policy evaluation logic"): the caller's identity policies, boundary and
SCPs on one side, the role's trust policy as the resource-based policy on the other; the
engine applies the same-account and cross-account rules.

Only pairs the trust policy can match are asked (:mod:`iamlab.graph.index`):

* a principal it names (a user, a role — and that role's named sessions —, a session);
* an account it names (``root``): every user, role and session of that account whose identity
  policies have an Allow whose Action covers ``sts:AssumeRole`` (without one the engine would
  refuse anyway); an account that is not in the dump becomes an ``account`` node;
* ``*``: every principal of the role's own account, and the able ones of other accounts, plus
  the ``anyone`` node.
"""

from __future__ import annotations

from iamlab.arn import parse_arn
from iamlab.graph.actors import (
    Actor,
    anyone_actor,
    external_actor,
    role_actor,
    session_arn,
)
from iamlab.graph.index import STAR
from iamlab.graph.model import Edge, EdgeKind, Node, NodeKind
from iamlab.graph.state import BuildState
from iamlab.inventory import RoleInfo

ASSUME = "sts:AssumeRole"


def federated_action(provider: str) -> str:
    """SAML providers are ``...:saml-provider/NAME`` ARNs; anything else is OIDC."""
    return "sts:AssumeRoleWithSAML" if ":saml-provider/" in provider \
        else "sts:AssumeRoleWithWebIdentity"


def role_facts(role: RoleInfo) -> dict[str, str]:
    """Facts about the role being assumed: its account and its tags."""
    facts = {"aws:ResourceAccount": role.account}
    for key, value in role.tags.items():
        facts[f"aws:ResourceTag/{key}"] = value
        facts[f"iam:ResourceTag/{key}"] = value
    return facts


def trust_edge(state: BuildState, actor: Actor, role: RoleInfo, action: str,
               facts: dict[str, str] | None = None) -> Edge | None:
    """``actor`` → ``role`` when the engine allows ``action`` (sts:AssumeRole or a federated
    form) on the role with its trust policy; a service's edge is ``service-assume``."""
    out = state.decider.decide(actor, action, role.arn, role.trust_policy,
                               facts=role_facts(role) if facts is None else facts)
    if not out.allowed:
        return None
    kind = EdgeKind.SERVICE_ASSUME if actor.is_service else EdgeKind.ASSUME
    return Edge(actor.node, role.arn, kind, out.conditions, out.requires, action=action,
                supplied=out.supplied, because=out.because)


ACCOUNT_PRINCIPAL = "any-principal-of-this-account"


def resolve_named(state: BuildState) -> None:
    """Give every AWS principal a trust policy names a node (and an actor, if it can call)."""
    accounts = set(state.inventory.accounts)
    by_name = {(r.account, r.name): r for r in state.inventory.roles}
    for role_arn, named in sorted(state.index.named.items()):
        for value in sorted(named.aws):
            if value in state.nodes:
                continue
            what = f"the trust policy of {role_arn}"
            arn = parse_arn(value)
            if arn is None:
                state.note(f"{what} names {value!r}, which is not an ARN (a unique ID left "
                           "behind by a deleted principal?); it matches nobody")
                continue
            account = arn.account
            kind, _, rest = arn.resource.partition("/")
            if arn.service == "iam" and arn.resource == "root":
                if account not in accounts:
                    # the node stands for the account's IAM users and roles (its root user
                    # cannot assume roles): one of them asks, with its own side allowed
                    someone = f"arn:{arn.partition}:iam::{account}:user/{ACCOUNT_PRINCIPAL}"
                    state.add(Node(value, NodeKind.ACCOUNT, f"account {account}", account),
                              external_actor(someone, account, state.now, node=value,
                                             org=state.decider.org))
                continue
            if arn.service == "sts" and kind == "assumed-role" and "/" in rest:
                role_name, session = rest.rsplit("/", 1)
                role = by_name.get((account, role_name))
                if role is not None:
                    state.add(Node(value, NodeKind.SESSION, f"{role_name}/{session}", account),
                              role_actor(role, state.inventory, state.now, value, value))
                    state.sessions_of.setdefault(role.arn, []).append(value)
                    continue
            if account in accounts:
                state.note(f"{what} names {value}, which is not in the dump; it matches "
                           "nobody here")
                continue
            role_arn_behind = value if (arn.service, kind) == ("iam", "role") else None
            principal = value
            if role_arn_behind:  # a role of another account calls as one of its sessions
                name = rest.rsplit("/", 1)[-1]
                principal = f"arn:{arn.partition}:sts::{account}:assumed-role/{name}/iamlab-graph"
            state.add(Node(value, NodeKind.EXTERNAL, arn.resource, account or None),
                      external_actor(principal, account or None, state.now, role_arn_behind,
                                     value, state.decider.org))
        if named.star and STAR not in state.nodes:
            state.add(Node(STAR, NodeKind.ANYONE, "*"), anyone_actor(state.now))


def candidates(state: BuildState, role: RoleInfo) -> list[Actor]:
    """The callers worth asking about for this role (see the module docstring)."""
    named = state.index.named.get(role.arn)
    if named is None:
        return []
    found: dict[str, Actor] = {}
    for value in sorted(named.aws):
        actor = state.actors.get(value)
        if actor is not None:
            found[actor.node] = actor
        for session in state.sessions_of.get(value, ()):
            found[session] = state.actors[session]
        arn = parse_arn(value)
        if arn is not None and arn.service == "iam" and arn.resource == "root":
            for a in state.inventory_actors(arn.account):
                if state.may_allow(a, ASSUME):
                    found[a.node] = a
            for a in state.external_actors():  # principals of that (outside) account
                if a.account == arn.account:
                    found[a.node] = a
    if named.star:
        for a in state.inventory_actors():
            if a.account == role.account or state.may_allow(a, ASSUME):
                found[a.node] = a
        for a in state.external_actors():
            found[a.node] = a
        for node_id, a in state.actors.items():  # services and identity providers too
            if state.nodes[node_id].kind in (NodeKind.SERVICE, NodeKind.FEDERATED):
                found[node_id] = a
        found[STAR] = state.actors[STAR]
    return [found[k] for k in sorted(found)]


def assume_edges(state: BuildState) -> list[Edge]:
    edges: list[Edge] = []
    roles = sorted(state.inventory.roles, key=lambda r: r.arn)
    for done, role in enumerate(roles, start=1):
        if role.trust_policy is not None:
            facts = role_facts(role)
            for actor in candidates(state, role):
                kind = state.nodes[actor.node].kind
                action = federated_action(actor.node) if kind is NodeKind.FEDERATED else ASSUME
                edge = trust_edge(state, actor, role, action, facts)
                if edge is not None:
                    edges.append(edge)
        if state.progress is not None:
            state.progress(done, len(roles), "assume")
    return edges


__all__ = ["ASSUME", "assume_edges", "candidates", "resolve_named", "role_facts",
           "session_arn", "trust_edge"]
