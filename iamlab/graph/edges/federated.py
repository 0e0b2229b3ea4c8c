"""**can assume** for identity providers: SAML (``sts:AssumeRoleWithSAML``) and OIDC
(``sts:AssumeRoleWithWebIdentity``).

The provider's users reach the role when its trust policy allows the provider for that action
(IAM User Guide, "Creating a role for SAML 2.0 federation", "Creating a role for web identity
or OpenID Connect federation"). Claims such as ``SAML:aud`` or ``accounts.google.com:aud`` come
from the provider's token: they are listed as the edge's conditions.
"""

from __future__ import annotations

from iamlab.arn import parse_arn
from iamlab.graph.actors import federated_actor
from iamlab.graph.edges.assume import federated_action, trust_edge
from iamlab.graph.model import Edge, Node, NodeKind
from iamlab.graph.state import BuildState


def provider_name(provider: str) -> str:
    """``saml-provider/CorpSSO`` for a provider's ARN; a built-in provider's own name."""
    arn = parse_arn(provider)
    return arn.resource if arn is not None else provider


def federated_edges(state: BuildState) -> list[Edge]:
    edges: list[Edge] = []
    for provider, role_arns in sorted(state.index.by_federated.items()):
        actor = federated_actor(provider, state.now, state.decider.org)
        state.add(Node(provider, NodeKind.FEDERATED, provider_name(provider), actor.account),
                  actor)
        action = federated_action(provider)
        found = (trust_edge(state, actor, state.roles[r], action) for r in role_arns)
        edges += [e for e in found if e is not None]
    return edges
