"""**can assume** for identity providers: SAML (``sts:AssumeRoleWithSAML``) and OIDC
(``sts:AssumeRoleWithWebIdentity``).

The provider's users reach the role when its trust policy allows the provider for that action
(IAM User Guide, "Creating a role for SAML 2.0 federation", "Creating a role for web identity
or OpenID Connect federation"). Claims such as ``SAML:aud`` or ``accounts.google.com:aud`` come
from the provider's token: they are listed as the edge's conditions.
"""

from __future__ import annotations

from iamlab.graph.actors import federated_actor
from iamlab.graph.edges.assume import federated_action, role_facts
from iamlab.graph.model import Edge, EdgeKind, Node, NodeKind
from iamlab.graph.state import BuildState


def provider_name(provider: str) -> str:
    return provider.split(":", 5)[5] if provider.startswith("arn:") else provider


def federated_edges(state: BuildState) -> list[Edge]:
    edges: list[Edge] = []
    for provider, role_arns in sorted(state.index.by_federated.items()):
        actor = federated_actor(provider, state.now)
        state.add(Node(provider, NodeKind.FEDERATED, provider_name(provider), actor.account),
                  actor)
        action = federated_action(provider)
        for role_arn in role_arns:
            role = state.roles[role_arn]
            out = state.decider.decide(actor, action, role.arn, role.trust_policy,
                                       facts=role_facts(role))
            if out.allowed:
                edges.append(Edge(provider, role.arn, EdgeKind.ASSUME, out.conditions,
                                  out.requires, action=action, supplied=out.supplied,
                                  because=out.because))
    return edges
