"""**member of**: a user → each group it belongs to (the group's policies are the user's)."""

from __future__ import annotations

from iamlab.graph.model import Edge, EdgeKind
from iamlab.graph.state import BuildState


def membership_edges(state: BuildState) -> list[Edge]:
    return [Edge(user.arn, group, EdgeKind.MEMBER_OF)
            for user in state.inventory.users for group in user.groups
            if group in state.nodes]
