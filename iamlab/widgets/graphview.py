"""The graph view: who can assume what (the access graph of :mod:`iamlab.graph`), with the
request's path drawn on top.

The access graph is built from the playground's inventory and drawn by ``iamlab.graph``;
this module adds the request: its caller → the role (step 1) and the role → the resource
(step 2), thick, green where allowed and dashed red where denied. Labels are quoted for
DOT and Graphviz escapes text in SVG, so a policy cannot inject markup. Without Graphviz's
``dot`` program the same DOT text is drawn in the browser (Graphviz compiled to WebAssembly).
"""

from __future__ import annotations

import hashlib
import re
from html import escape

import ipywidgets as W

from iamlab.errors import IamlabError
from iamlab.playground import Outcome, RolePlayground
from iamlab.render import ALLOWED_COLOUR as _GREEN
from iamlab.render import DENIED_COLOUR as _RED

# what the request's arrows mean, said in colour, line style and words
_LEGEND = (
    "  subgraph cluster_request_legend {\n"
    '    label=<<b>this request</b>>; style="rounded"; color="#d1d5db"; fontcolor="#6b7280";\n'
    '    request_legend [shape=plaintext, fontsize=9, class="iamlab-request-legend", label=<'
    '<table border="0" cellborder="0" cellspacing="0" cellpadding="2">'
    f'<tr><td align="left"><font color="{_GREEN}">\u2501\u2501\u2501\u25b6 \u2714 allowed '
    "(green, solid)</font></td></tr>"
    f'<tr><td align="left"><font color="{_RED}">\u2505\u2505\u2505\u25b7 \u2718 denied '
    "(red, dashed)</font></td></tr></table>>];\n  }")


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
        lines.append(f"  {src} -> {dst} [label={dot_string('✔ may assume')}, color=\"{_GREEN}\", "
                     f'fontcolor="{_GREEN}", penwidth=2.5, class="iamlab-request-assume"];')
    ok = outcome.act.allowed
    verdict = f"✔ {outcome.ask.action}: allowed" if ok else f"✘ {outcome.ask.action}: denied"
    colour = _GREEN if ok else _RED
    lines.append(f"  request_resource [label={dot_string(outcome.ask.resource)}, shape=cylinder, "
                 'style=filled, fillcolor="#eef6ff", fontsize=9, class="iamlab-request-resource"];')
    lines.append(f"  {dst} -> request_resource [label={dot_string(verdict)}, color=\"{colour}\", "
                 f'fontcolor="{colour}", penwidth=2.5, style={"solid" if ok else "dashed"}, '
                 'class="iamlab-request-act"];')
    lines.append(_LEGEND)
    end = base.rstrip().rfind("}")  # the graph's closing brace: add the request inside
    return base[:end] + "\n".join(lines) + "\n}\n"


def render_svg(dot: str) -> str:
    """The SVG element for DOT source (Graphviz's ``dot``, through :mod:`iamlab.graph`)."""
    from iamlab.graph.render import svg

    text = svg(dot)
    # keep only the <svg> element: no XML prolog or DOCTYPE inside an HTML page
    return re.sub(r"\A.*?(?=<svg)", "", text, flags=re.DOTALL)


def browser_renderer(source: str) -> W.Widget | None:
    """The in-browser renderer (Graphviz compiled to WebAssembly, ``graphviz-anywidget``)
    showing ``source``, or None when that package is not installed. Its JavaScript and
    WebAssembly come with the package, through the kernel: nothing is fetched."""
    try:
        from graphviz_anywidget import GraphvizAnyWidget  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a dependency of iamlab
        return None
    widget: W.Widget = GraphvizAnyWidget(dot_source=source, enable_zoom=False)
    widget.add_class("iamlab-graph-wasm")
    return widget


class GraphView(W.VBox):  # type: ignore[misc]
    """Shows a diagram from DOT source; ``source`` keeps the DOT text last shown.

    With Graphviz's ``dot`` program the diagram is SVG made in the kernel (``value`` holds
    it); without it the same DOT text is drawn in the browser by Graphviz compiled to
    WebAssembly (``renderer`` says which: ``"dot"`` or ``"browser"``). Either way
    ``.iamlab-graph`` carries ``data-digest``, a hash of the source, which changes with
    every redraw.
    """

    def __init__(self, source: str = "") -> None:
        self.html = W.HTML()
        self.browser: W.Widget | None = None
        super().__init__([self.html])
        self.source = ""
        self.rendered = False
        self.renderer = ""
        self.add_class("iamlab-graphview")
        if source:
            self.show(source)

    @property
    def value(self) -> str:
        """The HTML shown (the SVG itself when ``dot`` drew it)."""
        return str(self.html.value)

    def message(self, html: str) -> None:
        """Show a message (escaped HTML) instead of the diagram."""
        self.html.value = html
        self.children = [self.html]
        self.rendered = False

    def show(self, source: str) -> None:
        """Redraw (skipped when the source has not changed)."""
        if source == self.source and self.rendered:
            return
        self.source = source
        digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]
        try:
            body = render_svg(source)
            self.renderer = "dot"
        except IamlabError as exc:
            body = self._in_browser(source, exc)
        self.html.value = (f'<div class="iamlab-graph" data-digest="{digest}" '
                           f'data-renderer="{self.renderer}">{body}</div>')
        self.children = [self.html] if self.renderer == "dot" or self.browser is None \
            else [self.html, self.browser]
        self.rendered = True

    def _in_browser(self, source: str, exc: IamlabError) -> str:
        """Hand the source to the in-browser renderer (kept from one redraw to the next);
        the HTML part then only carries the digest. Without the renderer, say so."""
        from iamlab.graph.render import dot_program

        if dot_program() is not None:  # dot is there but failed: that is the message
            self.renderer = "error"
            return f'<div class="iamlab-warning">{escape(str(exc))}</div>'
        if self.browser is None:
            self.browser = browser_renderer(source)
        else:
            self.browser.dot_source = source
        if self.browser is None:
            self.renderer = "none"
            return ('<div class="iamlab-warning">This diagram needs Graphviz: install the '
                    "graphviz program, or the graphviz-anywidget package.</div>")
        self.renderer = "browser"
        return ""
