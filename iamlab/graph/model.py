"""The access graph as data: nodes (who), edges (who can become or act as whom).

Nodes are identified by the string a policy would use for them: an ARN, a service principal
(``ec2.amazonaws.com``), a federated provider, or ``*`` for anyone. Edges say how one node
reaches another; every ``assume``, ``service-assume`` and ``pass-role`` edge was decided by
the engine (:mod:`iamlab.graph.build`). Everything here is immutable and sorted, so the same
inventory always gives the same graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from iamlab.inventory import Inventory

if TYPE_CHECKING:
    import pandas

    from iamlab.graph.actors import Actor


class NodeKind(str, Enum):
    """What a node stands for."""

    USER = "user"
    GROUP = "group"
    ROLE = "role"
    SESSION = "session"  # a role session named in a trust policy (assumed-role ARN)
    SERVICE = "service"  # an AWS service principal
    ACCOUNT = "account"  # another account, not in the dump: its admins decide who acts
    EXTERNAL = "external"  # a user or role of an account that is not in the dump
    FEDERATED = "federated"  # a SAML or OIDC identity provider
    ANYONE = "anyone"  # "*": every AWS principal and anonymous callers

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    NodeKind.USER: "IAM user", NodeKind.GROUP: "IAM group", NodeKind.ROLE: "IAM role",
    NodeKind.SESSION: "role session", NodeKind.SERVICE: "AWS service",
    NodeKind.ACCOUNT: "other account", NodeKind.EXTERNAL: "principal of another account",
    NodeKind.FEDERATED: "identity provider", NodeKind.ANYONE: "anyone (*)",
}


class EdgeKind(str, Enum):
    """How the source reaches the target."""

    ASSUME = "assume"  # sts:AssumeRole (or ...WithSAML / ...WithWebIdentity) is allowed
    SERVICE_ASSUME = "service-assume"  # the role's trust policy lets this service in
    PASS_ROLE = "pass-role"  # iam:PassRole to a service the source may also launch
    MEMBER_OF = "member-of"  # a user in a group (its policies are the user's)
    SESSION = "session"  # a role's session with the name a trust policy names

    @property
    def label(self) -> str:
        return _EDGE_LABELS[self]


_EDGE_LABELS = {
    EdgeKind.ASSUME: "can assume", EdgeKind.SERVICE_ASSUME: "service can assume",
    EdgeKind.PASS_ROLE: "can pass role to a service", EdgeKind.MEMBER_OF: "member of",
    EdgeKind.SESSION: "session of the role",
}

# Edges along which a principal comes to act with the target's permissions.
REACH_KINDS = frozenset({EdgeKind.ASSUME, EdgeKind.SERVICE_ASSUME, EdgeKind.PASS_ROLE,
                         EdgeKind.SESSION})


@dataclass(frozen=True, slots=True)
class Node:
    """One principal (or group) in the graph."""

    id: str
    kind: NodeKind
    name: str
    account: str | None = None
    path: str = "/"
    service_linked: bool = False

    @property
    def label(self) -> str:
        """A short readable name: ``role/Admin``, ``ec2.amazonaws.com``, ``account 1111…``."""
        if self.kind in (NodeKind.USER, NodeKind.ROLE, NodeKind.GROUP):
            return f"{self.kind.value}/{self.name}"
        return self.name


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` reaches ``target``; ``conditions`` are the context keys it needs.

    ``conditions`` is empty when the edge holds for a request that supplies none of the
    optional keys (MFA, ExternalId, SourceIp...). ``requires`` says in words what those keys
    must be; ``supplied`` is the context under which the engine allowed it. ``via`` is the
    service a pass-role edge goes through; ``action`` the API call an assume edge uses.
    """

    source: str
    target: str
    kind: EdgeKind
    conditions: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    via: str | None = None
    action: str | None = None
    supplied: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    because: str = field(default="", compare=False)

    @property
    def unconditional(self) -> bool:
        return not self.conditions

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Sort key: stable whatever order the edges were found in."""
        return (self.source, self.target, self.kind.value, self.via or "")

    def to_json(self) -> dict[str, Any]:
        """The ``iamlab graph --edges`` line for this edge."""
        out: dict[str, Any] = {"source": self.source, "target": self.target,
                               "kind": self.kind.value, "conditions": list(self.conditions)}
        if self.via:
            out["via"] = self.via
        if self.action and self.action != "sts:AssumeRole":
            out["action"] = self.action
        if self.requires:
            out["requires"] = list(self.requires)
        return out

    def describe(self) -> str:
        """``user/alice can assume role/Admin if sts:ExternalId StringEquals "x"``."""
        how = self.kind.label + (f" {self.via}" if self.via else "")
        cond = f" if {' and '.join(self.requires or self.conditions)}" if self.conditions else ""
        why = f" (allowed by {self.because})" if self.because else ""
        return f"{self.source} {how} {self.target}{cond}{why}"


class AccessGraph:
    """Nodes and edges, with adjacency for the queries. Built by :func:`build_graph`."""

    def __init__(self, nodes: Iterable[Node], edges: Iterable[Edge],
                 inventory: Inventory | None = None, notes: Iterable[str] = (),
                 actors: Mapping[str, Actor] | None = None) -> None:
        self.nodes: dict[str, Node] = {n.id: n for n in sorted(nodes, key=lambda n: n.id)}
        self.edges: tuple[Edge, ...] = tuple(sorted(set(edges), key=lambda e: e.key))
        self.inventory = inventory or Inventory()
        self.notes = tuple(notes)
        self.actors: dict[str, Actor] = dict(actors or {})
        self._out: dict[str, list[Edge]] = {}
        self._in: dict[str, list[Edge]] = {}
        for e in self.edges:
            self._out.setdefault(e.source, []).append(e)
            self._in.setdefault(e.target, []).append(e)

    def node(self, id_or_name: str) -> Node:
        """The node with this id, or the only user/role/group with this name."""
        found = self.nodes.get(id_or_name)
        if found is not None:
            return found
        named = [n for n in self.nodes.values()
                 if id_or_name in (n.name, n.label)]
        if len(named) == 1:
            return named[0]
        from iamlab.graph.errors import GraphError

        if named:
            raise GraphError(f"{id_or_name!r} names {len(named)} nodes: "
                             + ", ".join(n.id for n in named) + "; give the ARN")
        raise GraphError(f"no node {id_or_name!r} in the graph")

    def out_edges(self, node: str, kinds: Iterable[EdgeKind] | None = None) -> list[Edge]:
        wanted = set(kinds) if kinds is not None else None
        return [e for e in self._out.get(node, []) if wanted is None or e.kind in wanted]

    def in_edges(self, node: str, kinds: Iterable[EdgeKind] | None = None) -> list[Edge]:
        wanted = set(kinds) if kinds is not None else None
        return [e for e in self._in.get(node, []) if wanted is None or e.kind in wanted]

    def edges_of(self, kind: EdgeKind) -> list[Edge]:
        return [e for e in self.edges if e.kind is kind]

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for e in self.edges:
            counts[e.kind.value] = counts.get(e.kind.value, 0) + 1
        shown = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        return f"<AccessGraph: {len(self.nodes)} nodes, {len(self.edges)} edges ({shown})>"

    # queries and views, imported on use so that the model stays light
    def who_can_assume(self, role: str, transitive: bool = True) -> list[Any]:
        """See :func:`iamlab.graph.queries.who_can_assume`."""
        from iamlab.graph.queries import who_can_assume

        return who_can_assume(self, role, transitive)

    def reachable_from(self, principal: str) -> list[Any]:
        """See :func:`iamlab.graph.queries.reachable_from`."""
        from iamlab.graph.queries import reachable_from

        return reachable_from(self, principal)

    def who_can(self, action: str, resource: str, **options: Any) -> list[Any]:
        """See :func:`iamlab.graph.queries.who_can`."""
        from iamlab.graph.queries import who_can

        return who_can(self, action, resource, **options)

    def administrators(self) -> list[Any]:
        """See :func:`iamlab.graph.queries.administrators`."""
        from iamlab.graph.queries import administrators

        return administrators(self)

    def to_dot(self, **options: Any) -> str:
        """Graphviz source; see :func:`iamlab.graph.dot.to_dot` for the options."""
        from iamlab.graph.dot import to_dot

        return to_dot(self, **options)

    def diagram(self, **options: Any) -> Any:
        """A displayable diagram (SVG in a notebook); see :class:`iamlab.graph.render.Diagram`."""
        from iamlab.graph.render import Diagram

        return Diagram(self, **options)

    def edge_frame(self) -> pandas.DataFrame:
        from iamlab.graph.tables import edge_frame

        return edge_frame(self)
