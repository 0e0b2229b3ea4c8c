"""Drawing the graph: SVG with Graphviz's ``dot`` program, and a notebook fallback without it.

With ``dot`` installed (Debian ``graphviz``, conda ``graphviz``), :class:`Diagram` shows as
SVG in a notebook and :func:`svg` returns it. Without ``dot``:

* in a notebook, the diagram is drawn in the browser by ``graphviz-anywidget``, a PyPI
  dependency whose widget bundles Graphviz compiled to WebAssembly (``@hpcc-js/wasm``, the
  ``.wasm`` inlined in its JavaScript): it is installed with iamlab and served to the browser
  through the kernel, so nothing is fetched from the network at run time. A static viewer
  that cannot run widgets shows the plain HTML list of edges sent with it;
* :func:`svg` (and ``iamlab graph --svg``) raise :class:`GraphvizMissing`, whose message
  says how to install Graphviz.
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from pathlib import Path
from typing import Any

from iamlab.graph.dot import select, to_dot
from iamlab.graph.errors import GraphError, GraphvizMissing
from iamlab.graph.model import AccessGraph

TIMEOUT = 300  # seconds; a very large graph can take minutes to lay out


def dot_program() -> str | None:
    """The path of Graphviz's ``dot``, or None when it is not installed."""
    return shutil.which("dot")


def svg(dot_source: str) -> str:
    """Lay out DOT source as SVG with ``dot`` (raises :class:`GraphvizMissing` without it)."""
    program = dot_program()
    if program is None:
        raise GraphvizMissing()
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot_source.encode("utf-8"),
                              capture_output=True, timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        raise GraphvizMissing() from None
    except subprocess.TimeoutExpired:
        raise GraphError(f"Graphviz took more than {TIMEOUT} s to lay the diagram out; "
                         "narrow it with focus=... and hops=...") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GraphError(f"Graphviz could not draw the diagram: {message}")
    return done.stdout.decode("utf-8")


def fallback_html(graph: AccessGraph, dot_source: str, **options: Any) -> str:
    """Readable HTML without Graphviz: the edges shown, as a list (everything escaped)."""
    wanted = ("focus", "hops", "kinds", "hide_isolated", "self_loops")
    _, edges = select(graph, **{k: v for k, v in options.items() if k in wanted})
    rows = []
    for e in edges:
        cond = ", ".join(e.conditions)
        via = f" via {e.via}" if e.via else ""
        rows.append(f"<tr><td>{escape(graph.nodes[e.source].label)}</td>"
                    f"<td>{escape(e.kind.value + via)}</td>"
                    f"<td>{escape(graph.nodes[e.target].label)}</td><td>{escape(cond)}</td></tr>")
    return ('<div class="iamlab-graph-fallback"><p>The Graphviz <code>dot</code> program is '
            "not installed, so here is the list of edges (install Graphviz with "
            "<code>apt-get install graphviz</code> or <code>conda install graphviz</code> for "
            "the picture).</p><table><tr><th>from</th><th>how</th><th>to</th>"
            "<th>needs</th></tr>" + "".join(rows) + "</table>"
            f"<details><summary>DOT source</summary><pre>{escape(dot_source)}</pre></details>"
            "</div>")


class Diagram:
    """A picture of (part of) the graph; the options are those of :func:`to_dot`."""

    def __init__(self, graph: AccessGraph, **options: Any) -> None:
        self.graph = graph
        self.options = options
        self.source = to_dot(graph, **options)

    def svg(self) -> str:
        return svg(self.source)

    def save(self, path: str | Path) -> Path:
        """Write ``.svg`` (needs ``dot``) or, for any other suffix, the DOT source."""
        target = Path(path)
        text = self.svg() if target.suffix.lower() == ".svg" else self.source
        target.write_text(text, encoding="utf-8")
        return target

    def widget(self) -> Any:
        """The in-browser (WebAssembly Graphviz) widget, or None if it is not installed."""
        try:
            from graphviz_anywidget import GraphvizAnyWidget  # type: ignore[import-untyped]
        except ImportError:
            return None
        return GraphvizAnyWidget(dot_source=self.source)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        text = f"<Diagram: {self.source.count(' -> ')} arrows; .svg() or .save(path)>"
        if dot_program() is not None:
            return {"image/svg+xml": self.svg(), "text/plain": text}
        html = fallback_html(self.graph, self.source, **self.options)
        bundle: dict[str, Any] = {"text/plain": text, "text/html": html}
        widget = self.widget()
        if widget is not None:
            shown = widget._repr_mimebundle_()
            data = shown[0] if isinstance(shown, tuple) else shown
            if data and "application/vnd.jupyter.widget-view+json" in data:
                bundle["application/vnd.jupyter.widget-view+json"] = \
                    data["application/vnd.jupyter.widget-view+json"]
        return bundle

    def _repr_html_(self) -> str:
        """For viewers that ask for HTML only: the SVG inline, or the fallback list."""
        if dot_program() is not None:
            return f'<div class="iamlab-graph">{self.svg()}</div>'
        return fallback_html(self.graph, self.source, **self.options)
