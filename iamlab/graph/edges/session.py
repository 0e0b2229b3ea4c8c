"""**session**: a role → a session of it that a trust policy names by its assumed-role ARN.

A trust policy may name one session (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME``): whoever
holds the role with that session name acts as that principal (IAM User Guide, "Role session
principals"). The session name is chosen when the role is assumed (``RoleSessionName``, or the
identity provider's claim), hence the condition ``sts:RoleSessionName``.
"""

from __future__ import annotations

from iamlab.graph.model import Edge, EdgeKind
from iamlab.graph.state import BuildState


def session_edges(state: BuildState) -> list[Edge]:
    edges = []
    for role_arn, sessions in sorted(state.sessions_of.items()):
        for session in sorted(sessions):
            name = session.rsplit("/", 1)[-1]
            edges.append(Edge(role_arn, session, EdgeKind.SESSION, ("sts:RoleSessionName",),
                              (f'sts:RoleSessionName "{name}"',)))
    return edges
