"""**service can assume**: an AWS service principal → a role whose trust policy lets it in.

A service (``ec2.amazonaws.com``, ``lambda.amazonaws.com``...) calls ``sts:AssumeRole`` with
no identity policy of its own, so the trust policy alone decides (IAM User Guide, "Creating a
role to delegate permissions to an AWS service"). Conditions such as ``aws:SourceAccount`` or
``aws:SourceArn`` (confused-deputy protection) are keys the service supplies: the edge lists
them. Only services a trust policy names are asked about.
"""

from __future__ import annotations

from iamlab.graph.actors import service_actor
from iamlab.graph.edges.assume import ASSUME, role_facts
from iamlab.graph.model import Edge, EdgeKind, Node, NodeKind
from iamlab.graph.state import BuildState


def service_edges(state: BuildState) -> list[Edge]:
    edges: list[Edge] = []
    for service, role_arns in sorted(state.index.by_service.items()):
        state.add(Node(service, NodeKind.SERVICE, service), service_actor(service, state.now))
        actor = state.actors[service]
        for role_arn in role_arns:
            role = state.roles[role_arn]
            out = state.decider.decide(actor, ASSUME, role.arn, role.trust_policy,
                                       facts=role_facts(role))
            if out.allowed:
                edges.append(Edge(service, role.arn, EdgeKind.SERVICE_ASSUME, out.conditions,
                                  out.requires, action=ASSUME, supplied=out.supplied,
                                  because=out.because))
    return edges
