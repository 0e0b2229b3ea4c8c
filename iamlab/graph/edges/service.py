"""**service can assume**: an AWS service principal → a role whose trust policy lets it in.

A service (``ec2.amazonaws.com``, ``lambda.amazonaws.com``...) calls ``sts:AssumeRole`` with
no identity policy of its own, so the trust policy alone decides (IAM User Guide, "Creating a
role to delegate permissions to an AWS service"). Conditions such as ``aws:SourceAccount`` or
``aws:SourceArn`` (confused-deputy protection) are keys the service supplies: the edge lists
them. Only services a trust policy names are asked about.
"""

from __future__ import annotations

from iamlab.graph.actors import service_actor
from iamlab.graph.edges.assume import ASSUME, trust_edge
from iamlab.graph.model import Edge, Node, NodeKind
from iamlab.graph.state import BuildState


def service_edges(state: BuildState) -> list[Edge]:
    edges: list[Edge] = []
    for service, role_arns in sorted(state.index.by_service.items()):
        state.add(Node(service, NodeKind.SERVICE, service),
                  service_actor(service, state.now, state.decider.org))
        actor = state.actors[service]
        found = (trust_edge(state, actor, state.roles[r], ASSUME) for r in role_arns)
        edges += [e for e in found if e is not None]
    return edges
