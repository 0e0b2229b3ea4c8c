"""The graph as pandas tables: the edge list, the assume matrix and an access matrix.

Cells are plain strings a learner can read: ``yes``, ``if sts:ExternalId`` (the context keys
an edge needs), ``via role/X`` (through a chain), or the engine's decision for the access
matrix. Every decision comes from the engine; these functions only lay answers out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from iamlab.graph.decide import Decider
from iamlab.graph.model import REACH_KINDS, AccessGraph, NodeKind
from iamlab.policy import Policy
from iamlab.request import ContextValue

if TYPE_CHECKING:
    import pandas

_CALLERS = (NodeKind.USER, NodeKind.ROLE, NodeKind.SESSION, NodeKind.EXTERNAL,
            NodeKind.ACCOUNT, NodeKind.ANYONE)


def edge_frame(graph: AccessGraph) -> pandas.DataFrame:
    """One row per edge: who, how, to whom, and the context keys it needs."""
    import pandas

    rows = [{
        "source": e.source, "source kind": graph.nodes[e.source].kind.value,
        "kind": e.kind.value, "target": e.target,
        "target kind": graph.nodes[e.target].kind.value, "via": e.via or "",
        "action": e.action or "", "conditions": ", ".join(e.conditions),
        "requires": "; ".join(e.requires), "allowed by": e.because,
    } for e in graph.edges]
    columns = ["source", "source kind", "kind", "target", "target kind", "via", "action",
               "conditions", "requires", "allowed by"]
    return pandas.DataFrame(rows, columns=columns)


def _cell(conditions: Iterable[str]) -> str:
    keys = sorted(set(conditions), key=str.lower)
    return "if " + ", ".join(keys) if keys else "yes"


def assume_matrix(graph: AccessGraph, transitive: bool = False,
                  labels: bool = True) -> pandas.DataFrame:
    """Principals (rows) × roles (columns): can the principal come to act as the role?

    ``yes`` or ``if KEY, ...`` for a direct edge (assume, service-assume, pass-role, session);
    with ``transitive``, ``via NODE`` for a chain (the first hop's target). Empty: no way.
    """
    import pandas

    from iamlab.graph.queries import _bfs

    found: dict[str, dict[str, list[tuple[str, ...]]]] = {}
    for e in graph.edges:
        if e.kind in REACH_KINDS and graph.nodes[e.target].kind is NodeKind.ROLE:
            found.setdefault(e.source, {}).setdefault(e.target, []).append(e.conditions)
    cells: dict[str, dict[str, str]] = {
        source: {target: "yes" if any(not c for c in conds) else _cell(conds[0])
                 for target, conds in row.items()}
        for source, row in found.items()}
    if transitive:
        for source in list(graph.nodes):
            reach = _bfs(graph, [source], forward=True)
            for target, chain in reach.items():
                if len(chain) > 1 and graph.nodes[target].kind is NodeKind.ROLE:
                    row = cells.setdefault(source, {})
                    row.setdefault(target, "via " + _name(graph, chain[0].target, labels))
    principals = sorted(cells)
    used = sorted({t for row in cells.values() for t in row})
    frame = pandas.DataFrame(
        [[cells[p].get(r, "") for r in used] for p in principals],
        index=[_name(graph, p, labels) for p in principals],
        columns=[_name(graph, r, labels) for r in used])
    frame.index.name = "principal"
    frame.columns.name = "role"
    return frame


def access_matrix(graph: AccessGraph, actions: Iterable[str], resource: str, *,
                  resource_policy: Policy | None = None, resource_account: str | None = None,
                  context: Mapping[str, ContextValue] | None = None,
                  labels: bool = True) -> pandas.DataFrame:
    """Principals (rows) × actions (columns) on one resource → the engine's decision.

    Each cell is ``allowed``, ``allowed if KEY, ...``, ``explicitDeny`` or ``implicitDeny``
    for the principal's own request (use :func:`~iamlab.graph.queries.who_can` for access
    through roles).
    """
    import pandas

    decider = Decider()
    facts: dict[str, ContextValue] = dict(context or {})
    if resource_account:
        facts.setdefault("aws:ResourceAccount", resource_account)
    actions = list(actions)
    rows = []
    index = []
    for node_id, actor in sorted(graph.actors.items()):
        if graph.nodes[node_id].kind not in _CALLERS:
            continue
        row = []
        for action in actions:
            out = decider.decide(actor, action, resource, resource_policy, facts=facts,
                                 resource_account=resource_account)
            if out.allowed:
                row.append("allowed" + (f" if {', '.join(out.conditions)}"
                                        if out.conditions else ""))
            else:
                row.append(out.decision.decision)
        rows.append(row)
        index.append(_name(graph, node_id, labels))
    frame = pandas.DataFrame(rows, index=index, columns=actions)
    frame.index.name = "principal"
    frame.columns.name = "action"
    return frame


def _name(graph: AccessGraph, node: str, labels: bool) -> str:
    return graph.nodes[node].label if labels and node in graph.nodes else node
