"""Who can assume what: the access graph, decided by the engine, its queries and pictures.

>>> from iamlab.authz_dump import load_inventory
>>> from iamlab.graph import build_graph
>>> graph = build_graph(load_inventory("tests/data/authz-cloudmapper-demo.json"))
>>> graph
<AccessGraph: 11 nodes, 17 edges (7 assume, 1 member-of, 3 pass-role, 6 service-assume)>
>>> for path in graph.who_can_assume("exfiller")[:2]:
...     print(path.describe(graph))
role/bad_role -[pass-role via ec2.amazonaws.com]-> role/exfiller
ec2.amazonaws.com -[service-assume]-> role/exfiller

In a notebook, ``graph.diagram(focus="bad_role", hops=1)`` draws it; ``assume_matrix(graph)``,
``access_matrix(graph, actions, resource)`` and ``graph.edge_frame()`` are the tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iamlab.lazy import lazy_exports

# Names are imported on first use, so that ``iamlab graph --help`` and the other commands
# do not pay for the whole graph package (engine, catalog hints, pandas tables).
_EXPORTS = {
    "build_graph": "iamlab.graph.build", "to_dot": "iamlab.graph.dot",
    "GraphError": "iamlab.graph.errors", "GraphvizMissing": "iamlab.graph.errors",
    "AccessGraph": "iamlab.graph.model", "Edge": "iamlab.graph.model",
    "EdgeKind": "iamlab.graph.model", "Node": "iamlab.graph.model",
    "NodeKind": "iamlab.graph.model",
    "Access": "iamlab.graph.queries", "Admin": "iamlab.graph.queries",
    "Path": "iamlab.graph.queries", "administrators": "iamlab.graph.queries",
    "reachable_from": "iamlab.graph.queries", "who_can": "iamlab.graph.queries",
    "who_can_assume": "iamlab.graph.queries",
    "Diagram": "iamlab.graph.render",
    "access_matrix": "iamlab.graph.tables", "assume_matrix": "iamlab.graph.tables",
    "edge_frame": "iamlab.graph.tables",
}

if TYPE_CHECKING:
    from iamlab.graph.build import build_graph
    from iamlab.graph.dot import to_dot
    from iamlab.graph.errors import GraphError, GraphvizMissing
    from iamlab.graph.model import AccessGraph, Edge, EdgeKind, Node, NodeKind
    from iamlab.graph.queries import (
        Access,
        Admin,
        Path,
        administrators,
        reachable_from,
        who_can,
        who_can_assume,
    )
    from iamlab.graph.render import Diagram
    from iamlab.graph.tables import access_matrix, assume_matrix, edge_frame

__all__ = ["Access", "AccessGraph", "Admin", "Diagram", "Edge", "EdgeKind", "GraphError",
           "GraphvizMissing", "Node", "NodeKind", "Path", "access_matrix", "administrators",
           "assume_matrix", "build_graph", "edge_frame", "reachable_from", "to_dot", "who_can",
           "who_can_assume"]


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
