"""What the edge finders share while a graph is built: nodes, actors, the index, the engine.

The edge modules (:mod:`iamlab.graph.edges`) add nodes and actors here and ask
:class:`~iamlab.graph.decide.Decider` every question; nothing here decides anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from iamlab.glob import glob_match
from iamlab.graph.actors import Actor
from iamlab.graph.decide import Decider
from iamlab.graph.index import TrustIndex
from iamlab.graph.model import Node, NodeKind
from iamlab.inventory import Inventory, RoleInfo
from iamlab.policy import Effect, Policy

Progress = Callable[[int, int, str], None]
_INVENTORY_KINDS = (NodeKind.USER, NodeKind.ROLE, NodeKind.SESSION)


@dataclass
class BuildState:
    inventory: Inventory
    index: TrustIndex
    now: datetime
    region: str
    decider: Decider = field(default_factory=Decider)
    nodes: dict[str, Node] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    roles: dict[str, RoleInfo] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    progress: Progress | None = None
    # sessions named in trust policies, by the role ARN behind them
    sessions_of: dict[str, list[str]] = field(default_factory=dict)
    _capable: dict[tuple[int, str], bool] = field(default_factory=dict)
    _keep: list[Policy] = field(default_factory=list)  # keeps the ids above valid
    _by_account: dict[str | None, list[Actor]] | None = None

    def add(self, node: Node, actor: Actor | None = None) -> None:
        self.nodes.setdefault(node.id, node)
        if actor is not None and node.id not in self.actors:
            self.actors[node.id] = actor
            self._by_account = None

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def inventory_actors(self, account: str | None = None) -> list[Actor]:
        """Users, roles and named sessions of the dump (of one account if given)."""
        if self._by_account is None:
            index: dict[str | None, list[Actor]] = {None: []}
            for node_id in sorted(self.actors):
                if self.nodes[node_id].kind in _INVENTORY_KINDS:
                    a = self.actors[node_id]
                    index[None].append(a)
                    index.setdefault(a.account, []).append(a)
            self._by_account = index
        return self._by_account.get(account, [])

    def external_actors(self) -> list[Actor]:
        return [self.actors[n] for n in sorted(self.actors) if self.actors[n].external]

    def may_allow(self, actor: Actor, action: str) -> bool:
        """Could any identity statement of the actor allow ``action`` (any resource)?

        A pruning test only, with the engine's glob matcher (:func:`iamlab.glob.glob_match`,
        case-insensitive as actions are): when no Allow statement's Action (or NotAction)
        covers the action, the identity side cannot allow it, so the pair is not worth a
        full decision. It avoids compiling large policies that could never matter. External
        actors are assumed able.
        """
        if actor.external:
            return True
        for policy in actor.identity:
            key = (id(policy), action)
            hit = self._capable.get(key)
            if hit is None:
                hit = policy_may_allow(policy, action)
                self._capable[key] = hit
                self._keep.append(policy)
            if hit:
                return True
        return False


def policy_may_allow(policy: Policy, action: str) -> bool:
    """Could any Allow statement of ``policy`` cover ``action``? (pruning, see may_allow)"""
    for st in policy.statements:
        if st.effect is not Effect.ALLOW:
            continue
        if st.actions is not None and any(glob_match(a, action, True) for a in st.actions):
            return True
        if st.not_actions is not None and not any(glob_match(a, action, True)
                                                  for a in st.not_actions):
            return True
    return False
