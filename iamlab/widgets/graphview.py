"""The graph view: who can assume what (the access graph of :mod:`iamlab.graph`), with the
request's path drawn on top.

The access graph is built from the playground's inventory and drawn by ``iamlab.graph``;
this module adds the request: its caller → the role (step 1) and the role → the resource
(step 2), thick, green where allowed and dashed red where denied. Labels are quoted for
DOT and Graphviz escapes text in SVG, so a policy cannot inject markup. Without Graphviz
the view says how to install it and shows the DOT text.
"""

from __future__ import annotations

import hashlib
import re
from html import escape

import ipywidgets as W

from iamlab.errors import IamlabError
from iamlab.playground import Outcome, RolePlayground

_GREEN, _RED = "#15803d", "#b42318"


def diagram_source(model: RolePlayground, outcome: Outcome | None) -> str:
    """DOT text: the access graph of the playground, and the request's two steps."""
    from iamlab.graph import build_graph
    from iamlab.graph.dot import dot_string, node_id

    graph = build_graph(model.inventory())
    role = model.role_arn
    caller = outcome.caller.principal if outcome is not None else None
    existing = bool(caller and graph.nodes.get(caller) and any(
        e.source == caller and e.target == role for e in graph.edges))
    highlight = [caller, role] if existing and outcome and outcome.assume.allowed else None
    base = graph.to_dot(highlight=highlight, hide_isolated=False, legend=False,
                        title=f"Who can assume {model.role_name}, and this request")
    if outcome is None or caller is None:
        return base
    lines: list[str] = []
    src, dst = node_id(caller), node_id(role)
    if caller not in graph.nodes:
        shape = "hexagon" if outcome.caller.is_service else "ellipse"
        lines.append(f"  {src} [label={dot_string(caller)}, shape={shape}, style=filled, "
                     'fillcolor="#f3f4f6", color="#6b7280", class="iamlab-request-caller"];')
    if not outcome.assume.allowed:
        lines.append(f"  {src} -> {dst} [label={dot_string('✘ not trusted: may not assume')}, "
                     f'color="{_RED}", fontcolor="{_RED}", style=dashed, penwidth=2.5, '
                     'class="iamlab-request-assume"];')
    elif not existing:
        lines.append(f"  {src} -> {dst} [label={dot_string('may assume')}, color=\"{_GREEN}\", "
                     f'fontcolor="{_GREEN}", penwidth=2.5, class="iamlab-request-assume"];')
    ok = outcome.act.allowed
    verdict = f"{outcome.ask.action}: allowed" if ok else f"✘ {outcome.ask.action}: denied"
    colour = _GREEN if ok else _RED
    lines.append(f"  request_resource [label={dot_string(outcome.ask.resource)}, shape=cylinder, "
                 'style=filled, fillcolor="#eef6ff", fontsize=9, class="iamlab-request-resource"];')
    lines.append(f"  {dst} -> request_resource [label={dot_string(verdict)}, color=\"{colour}\", "
                 f'fontcolor="{colour}", penwidth=2.5, style={"solid" if ok else "dashed"}, '
                 'class="iamlab-request-act"];')
    end = base.rstrip().rfind("}")  # the graph's closing brace: add the request inside
    return base[:end] + "\n".join(lines) + "\n}\n"


def render_svg(dot: str) -> str:
    """The SVG element for DOT source (Graphviz's ``dot``, through :mod:`iamlab.graph`)."""
    from iamlab.graph.render import svg

    text = svg(dot)
    # keep only the <svg> element: no XML prolog or DOCTYPE inside an HTML page
    return re.sub(r"\A.*?(?=<svg)", "", text, flags=re.DOTALL)


class GraphView(W.HTML):  # type: ignore[misc]
    """Shows a diagram from DOT source; ``source`` keeps the DOT text last shown."""

    def __init__(self, source: str = "") -> None:
        super().__init__()
        self.source = ""
        self.rendered = False
        self.add_class("iamlab-graphview")
        if source:
            self.show(source)

    def show(self, source: str) -> None:
        """Redraw (skipped when the source has not changed)."""
        if source == self.source and self.rendered:
            return
        self.source = source
        digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]
        try:
            body = render_svg(source)
        except IamlabError as exc:
            body = (f'<div class="iamlab-warning">{escape(str(exc))}</div>'
                    f"<details><summary>DOT source</summary><pre>{escape(source)}</pre>"
                    "</details>")
        self.value = f'<div class="iamlab-graph" data-digest="{digest}">{body}</div>'
        self.rendered = True
