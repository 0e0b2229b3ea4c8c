"""Building the access graph of an :class:`~iamlab.inventory.Inventory` with the engine.

Order: users, groups and roles become nodes and actors; trust policies are indexed by the
principals they name (:mod:`iamlab.graph.index`); every principal they name gets a node;
then each kind of edge is found by its module in :mod:`iamlab.graph.edges`, which asks the
engine (through :mod:`iamlab.graph.decide`) about the candidate pairs only.
"""

from __future__ import annotations

from datetime import datetime, timezone

from iamlab.graph.actors import role_actor, user_actor
from iamlab.graph.decide import Decider
from iamlab.graph.edges.assume import assume_edges, resolve_named
from iamlab.graph.edges.federated import federated_edges
from iamlab.graph.edges.membership import membership_edges
from iamlab.graph.edges.passrole import passrole_edges
from iamlab.graph.edges.service import service_edges
from iamlab.graph.edges.session import session_edges
from iamlab.graph.index import index_trusts
from iamlab.graph.model import AccessGraph, Node, NodeKind
from iamlab.graph.state import BuildState, Progress
from iamlab.inventory import Inventory


def build_graph(inventory: Inventory, *, now: datetime | None = None,
                region: str = "us-east-1", pass_role: bool = True,
                progress: Progress | None = None) -> AccessGraph:
    """Who can assume, be passed or belong to what, decided by the engine.

    ``now`` is the time conditions see (``aws:CurrentTime``; default: now); ``region`` the
    region of the launch requests behind pass-role edges; ``progress(done, total, stage)``
    is called as roles are processed.
    """
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    state = BuildState(inventory, index_trusts(inventory.roles), moment, region,
                       Decider(inventory.organization()), progress=progress)
    for user in inventory.users:
        state.add(Node(user.arn, NodeKind.USER, user.name, user.account, user.path),
                  user_actor(user, inventory, moment))
    for group in inventory.groups:
        state.add(Node(group.arn, NodeKind.GROUP, group.name, group.account, group.path))
    for role in inventory.roles:
        state.roles[role.arn] = role
        state.add(Node(role.arn, NodeKind.ROLE, role.name, role.account, role.path,
                       role.service_linked), role_actor(role, inventory, moment))
    resolve_named(state)
    edges = membership_edges(state)
    edges += session_edges(state)
    services = service_edges(state)
    edges += services
    edges += federated_edges(state)
    edges += assume_edges(state)
    if pass_role:
        edges += passrole_edges(state, services)
    return AccessGraph(state.nodes.values(), edges, inventory,
                       [*inventory.notes, *state.notes], state.actors)
