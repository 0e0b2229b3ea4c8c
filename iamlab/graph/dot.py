"""Graphviz DOT source for the access graph: one cluster per account, a legend, highlights.

Readable at lesson scale and usable at account scale: ``focus`` + ``hops`` keep a
neighbourhood, ``collapse_services`` folds every AWS service into one node, ``hide_isolated``
drops nodes with no edge shown. The output is sorted and node ids are hashes of the node's
ARN, so the same graph always gives the same text and a small policy change gives a small
diff (and a similar layout). Every name and label is escaped: node and edge labels are
HTML-like labels with ``& < > " '`` turned into entities, tooltips are DOT strings with
``\\`` and ``"`` escaped; nothing from a policy reaches the DOT text unescaped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from iamlab.graph.model import AccessGraph, Edge, EdgeKind, Node, NodeKind
from iamlab.printable import printable
from iamlab.render import ALLOWED_COLOUR

SERVICES_NODE = "aws-services"

# kind -> (shape, fill colour, border colour)
NODE_STYLE: dict[NodeKind, tuple[str, str, str]] = {
    NodeKind.USER: ("ellipse", "#dbeafe", "#1d4ed8"),
    NodeKind.GROUP: ("folder", "#fef9c3", "#a16207"),
    NodeKind.ROLE: ("box", "#ffedd5", "#c2410c"),
    NodeKind.SESSION: ("note", "#fde68a", "#b45309"),
    NodeKind.SERVICE: ("hexagon", "#dcfce7", "#15803d"),
    NodeKind.ACCOUNT: ("house", "#e5e7eb", "#374151"),
    NodeKind.EXTERNAL: ("box", "#f3f4f6", "#6b7280"),
    NodeKind.FEDERATED: ("component", "#ede9fe", "#6d28d9"),
    NodeKind.ANYONE: ("doubleoctagon", "#fee2e2", "#b91c1c"),
}
# kind -> (colour, style, arrowhead)
EDGE_STYLE: dict[EdgeKind, tuple[str, str, str]] = {
    EdgeKind.ASSUME: ("#111827", "solid", "normal"),
    EdgeKind.SERVICE_ASSUME: ("#15803d", "solid", "normal"),
    EdgeKind.PASS_ROLE: ("#1d4ed8", "dashed", "vee"),
    EdgeKind.MEMBER_OF: ("#9ca3af", "dotted", "odot"),
    EdgeKind.SESSION: ("#b45309", "dotted", "normal"),
}
HIGHLIGHT = ALLOWED_COLOUR  # a path that works: green, as "allowed" is everywhere
CONDITIONAL = "#92400e"  # the label of an edge that holds only under conditions


def html_escape(text: str) -> str:
    """Text for inside a Graphviz HTML-like label (control characters shown escaped)."""
    text = printable(text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def dot_string(text: str) -> str:
    """A double-quoted DOT string showing ``text`` literally (for tooltips and ids)."""
    text = printable(text, keep_newlines=True).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\n", "\\n") + '"'


def node_id(node: str) -> str:
    """A short id derived from the node's ARN: the same node always gets the same id."""
    return "n" + hashlib.blake2b(node.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


def _wrap(text: str, width: int = 30) -> list[str]:
    """Split a long name into lines, preferably after a separator."""
    lines = []
    while len(text) > width:
        cut = max((text.rfind(c, 0, width) for c in "-_/.@:"), default=-1)
        cut = cut + 1 if cut >= width // 2 else width
        lines.append(text[:cut])
        text = text[cut:]
    return [*lines, text]


@dataclass(frozen=True)
class Shown:
    """One edge as drawn (parallel edges merged, services maybe collapsed)."""

    source: str
    target: str
    kind: EdgeKind
    label: str
    conditional: bool
    tooltip: str


def select(graph: AccessGraph, *, focus: str | None = None, hops: int = 1,
           kinds: Iterable[EdgeKind] | None = None, hide_isolated: bool = True,
           self_loops: bool = False) -> tuple[list[Node], list[Edge]]:
    """The nodes and edges to draw."""
    wanted = set(kinds) if kinds is not None else set(EdgeKind)
    edges = [e for e in graph.edges if e.kind in wanted and (self_loops or e.source != e.target)]
    keep: set[str] | None = None
    if focus is not None:
        start = graph.node(focus).id
        keep = {start}
        frontier = {start}
        for _ in range(max(hops, 0)):
            if not frontier:  # nothing left to visit: more hops add nothing
                break
            nxt = {e.target for e in edges if e.source in frontier}
            nxt |= {e.source for e in edges if e.target in frontier}
            frontier = nxt - keep
            keep |= nxt
        edges = [e for e in edges if e.source in keep and e.target in keep]
    if hide_isolated:
        used = {e.source for e in edges} | {e.target for e in edges}
        if focus is not None:
            used.add(graph.node(focus).id)
        nodes = [graph.nodes[n] for n in sorted(used) if n in graph.nodes]
    else:
        nodes = [n for n in graph.nodes.values() if keep is None or n.id in keep]
    return nodes, edges


def _merge(edges: list[Edge], graph: AccessGraph, collapse_services: bool) -> list[Shown]:
    groups: dict[tuple[str, str, EdgeKind], list[Edge]] = {}
    for e in edges:
        source = e.source
        if collapse_services and graph.nodes[source].kind is NodeKind.SERVICE:
            source = SERVICES_NODE
        groups.setdefault((source, e.target, e.kind), []).append(e)
    shown = []
    for (source, target, kind), group in sorted(groups.items(), key=lambda kv: (
            kv[0][0], kv[0][1], kv[0][2].value)):
        label = kind.value
        vias = sorted({e.via.split(".")[0] for e in group if e.via})
        if vias:
            label += " via " + ", ".join(vias)
        if source == SERVICES_NODE:
            label += " by " + ", ".join(sorted({e.source.split(".")[0] for e in group}))
        if group[0].action and group[0].action not in ("sts:AssumeRole", "iam:PassRole"):
            label += f" ({group[0].action.split(':')[1]})"
        conds = sorted({c for e in group for c in e.conditions}, key=str.lower)
        conditional = all(e.conditions for e in group)
        if conds:
            label += ("\nif " if conditional else "\nor if ") + ", ".join(conds)
        tooltip = "\n".join(e.describe() for e in group)
        shown.append(Shown(source, target, kind, label, conditional, tooltip))
    return shown


def _node_line(node: Node, highlighted: bool, indent: str) -> str:
    shape, fill, border = NODE_STYLE[node.kind]
    lines = _wrap(node.name or node.id or "(no name)")
    title = "<br/>".join(f"<b>{html_escape(line)}</b>" for line in lines)
    sub = node.kind.label + (" (service-linked)" if node.service_linked else "")
    label = f'<{title}<br/><font point-size="8">{html_escape(sub)}</font>>'
    style = "filled,rounded" if node.kind in (NodeKind.ROLE, NodeKind.EXTERNAL) else "filled"
    if node.kind is NodeKind.EXTERNAL:
        style += ",dashed"
    attrs = [f"label={label}", f"shape={shape}", f'style="{style}"', f'fillcolor="{fill}"',
             f'color="{HIGHLIGHT if highlighted else border}"',
             f"penwidth={3 if highlighted else 1}", f"tooltip={dot_string(node.id)}",
             f'id="{node_id(node.id)}"', f'class="iamlab-{node.kind.value}"']
    return f"{indent}{node_id(node.id)} [{', '.join(attrs)}];"


def _edge_line(edge: Shown, highlighted: bool) -> str:
    colour, style, head = EDGE_STYLE[edge.kind]
    colour = HIGHLIGHT if highlighted else colour
    text = "<br/>".join(html_escape(line) for line in edge.label.split("\n"))
    font = CONDITIONAL if edge.conditional else colour
    attrs = [f'label=<<font color="{font}">{text}</font>>', f'color="{colour}"',
             f'style="{style}"', f"arrowhead={head}", f"penwidth={2.5 if highlighted else 1}",
             f"tooltip={dot_string(edge.tooltip)}",
             f'class="iamlab-edge iamlab-{edge.kind.value}"']
    return f"  {node_id(edge.source)} -> {node_id(edge.target)} [{', '.join(attrs)}];"


def _highlights(graph: AccessGraph, highlight: object) -> tuple[set[str], set[tuple[str, str]]]:
    """Nodes and (source, target) pairs to highlight: a node, a list of nodes, or a Path."""
    if highlight is None:
        return set(), set()
    nodes_attr = getattr(highlight, "nodes", None)
    if isinstance(nodes_attr, tuple):  # a queries.Path
        seq = [graph.node(n).id for n in nodes_attr]
    elif isinstance(highlight, str):
        seq = [graph.node(highlight).id]
    elif isinstance(highlight, Iterable):
        seq = [graph.node(str(n)).id for n in highlight]
    else:
        seq = []
    return set(seq), set(pairwise(seq))


def to_dot(graph: AccessGraph, *, focus: str | None = None, hops: int = 1,
           highlight: object = None, kinds: Iterable[EdgeKind] | None = None,
           collapse_services: bool = False, hide_isolated: bool = True,
           self_loops: bool = False, legend: bool = True, rankdir: str = "LR",
           title: str | None = None) -> str:
    """The DOT source of (part of) the graph.

    ``focus`` (an ARN or unique name) with ``hops`` keeps the nodes within that many edges
    of it, in either direction; ``highlight`` is a node, a sequence of nodes or a
    :class:`~iamlab.graph.queries.Path` drawn thick in green (a way in that works);
    ``kinds`` limits the edge kinds.
    """
    nodes, edges = select(graph, focus=focus, hops=hops, kinds=kinds,
                          hide_isolated=hide_isolated, self_loops=self_loops)
    lit_nodes, lit_edges = _highlights(graph, highlight)
    shown = _merge(edges, graph, collapse_services)
    services = [n for n in nodes if n.kind is NodeKind.SERVICE]
    if collapse_services and services:
        nodes = [n for n in nodes if n.kind is not NodeKind.SERVICE]
    out = ["digraph iamlab {",
           f'  graph [rankdir={rankdir if rankdir in ("LR", "TB", "RL", "BT") else "LR"}, '
           'fontname="Helvetica", fontsize=11, newrank=true, nodesep=0.25, ranksep=0.7, '
           'tooltip=" "];',
           '  node [fontname="Helvetica", fontsize=10, margin="0.12,0.04"];',
           '  edge [fontname="Helvetica", fontsize=8];']
    if title:
        out.append(f'  label=<<b>{html_escape(title)}</b>>; labelloc=t;')
    by_cluster: dict[str, list[Node]] = {}
    for n in nodes:
        if n.kind is NodeKind.SERVICE:
            key = "services"
        elif n.kind is NodeKind.ANYONE or not n.account:
            key = ""
        else:
            key = n.account
        by_cluster.setdefault(key, []).append(n)
    in_dump = set(graph.inventory.accounts)
    for key in sorted(by_cluster):
        members = by_cluster[key]
        if key == "":
            out += [_node_line(n, n.id in lit_nodes, "  ") for n in members]
            continue
        if key == "services":
            out.append("  subgraph cluster_services {")
            out.append('    label=<<b>AWS services</b>>; style="rounded"; color="#15803d"; '
                       'fontcolor="#15803d";')
        else:
            note = "" if key in in_dump else " (not in the dump)"
            out.append(f"  subgraph cluster_{_cluster_id(key)} {{")
            out.append(f'    label=<<b>account {html_escape(key)}</b>{html_escape(note)}>; '
                       'style="rounded,dashed"; color="#6b7280"; fontcolor="#374151";')
        out += [_node_line(n, n.id in lit_nodes, "    ") for n in members]
        out.append("  }")
    if collapse_services and services:
        collapsed = Node(SERVICES_NODE, NodeKind.SERVICE, "AWS services")
        out.append(_node_line(collapsed, False, "  "))
    out += [_edge_line(e, (e.source, e.target) in lit_edges) for e in shown]
    if legend and (nodes or services):
        out += _legend({n.kind for n in nodes} | ({NodeKind.SERVICE} if services else set()),
                       {e.kind for e in shown})
    out.append("}")
    return "\n".join(out) + "\n"


def _cluster_id(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", key) + "_" + hashlib.blake2b(
        key.encode("utf-8", "surrogatepass"), digest_size=3).hexdigest()


_EDGE_SAMPLE = {"solid": "\u2500\u2500\u2500\u25b6", "dashed": "\u2504\u2504\u2504\u25b7",
                "dotted": "\u00b7\u00b7\u00b7\u00b7\u25cb"}


def _legend(node_kinds: set[NodeKind], edge_kinds: set[EdgeKind]) -> list[str]:
    """One row: a sample of each node kind shown (its shape and colours), then the edge
    kinds as coloured sample lines in a small table."""
    out = ["  subgraph cluster_legend {",
           '    label=<<b>legend</b>>; style="rounded"; color="#d1d5db"; fontcolor="#6b7280";']
    row: list[str] = []
    for node_kind in NodeKind:
        if node_kind not in node_kinds:
            continue
        shape, fill, border = NODE_STYLE[node_kind]
        name = f"legend_{node_kind.name.lower()}"
        rounded = ",rounded" if node_kind in (NodeKind.ROLE, NodeKind.EXTERNAL) else ""
        dashed = ",dashed" if node_kind is NodeKind.EXTERNAL else ""
        out.append(f'    {name} [label="{node_kind.label}", shape={shape}, '
                   f'style="filled{rounded}{dashed}", fillcolor="{fill}", color="{border}", '
                   'fontsize=8, class="iamlab-legend"];')
        row.append(name)
    lines = []
    for edge_kind in EdgeKind:
        if edge_kind not in edge_kinds:
            continue
        colour, style, _ = EDGE_STYLE[edge_kind]
        lines.append(f'<tr><td align="left"><font color="{colour}">{_EDGE_SAMPLE[style]} '
                     f"{html_escape(edge_kind.label)}</font></td></tr>")
    if lines:
        out.append('    legend_edges [shape=plaintext, fontsize=8, class="iamlab-legend", '
                   'label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
                   + "".join(lines) + f'<tr><td align="left"><font color="{CONDITIONAL}">'
                   "label with if ...: only when the context keys it names hold"
                   "</font></td></tr></table>>];")
        row.append("legend_edges")
    out += [f"    {x} -> {y} [style=invis];" for x, y in pairwise(row)]
    out.append("  }")
    return out
