"""Diagrams without Graphviz's ``dot`` program (Binder, a laptop without apt): every diagram
of the widgets and notebooks is then drawn in the browser by Graphviz compiled to
WebAssembly (graphviz-anywidget), never replaced by install advice or raw DOT.

The notebooks are run here with ``dot`` hidden from the PATH, the widget state kept, and
every diagram's widget checked; ``tests/test_browser.py`` draws them in Chromium the same way.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from without_dot import path_without_dot

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ADVICE = ("not installed", "--dot", "apt-get", "digraph")  # what a learner must not see


@pytest.fixture
def no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = path_without_dot(tmp_path / "bin")
    monkeypatch.setenv("PATH", path)
    assert shutil.which("dot") is None
    return path


def test_the_playground_diagram_is_drawn_in_the_browser(no_dot: str) -> None:
    from iamlab.widgets import Playground

    pg = Playground(debounce=0)
    graph = pg.graph
    assert graph.renderer == "browser"
    assert graph.browser is not None and graph.browser in graph.children
    assert graph.browser.dot_source == graph.source and graph.source.startswith("digraph")
    assert not any(text in graph.value for text in ADVICE)
    pg.trust.value = pg.trust.value.replace("ec2.amazonaws.com", "lambda.amazonaws.com")
    pg.flush()
    assert "not trusted" in graph.browser.dot_source  # the same widget, redrawn


def _widget_states(nb: Any) -> list[dict[str, Any]]:
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return [m["state"] for m in state.get("state", {}).values()]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_draw_every_diagram_without_dot(path: Path, no_dot: str,
                                                  tmp_path: Path) -> None:
    """Run the notebook top to bottom with ``dot`` hidden: no error (so its assertion cells,
    the checks nbval runs, hold without ``dot`` too), and every diagram is a WebAssembly
    Graphviz widget holding DOT source, with no install advice shown."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}},
                            store_widget_state=True)
    client.execute(env={**os.environ, "PATH": no_dot})
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # a Diagram shown as a cell's value: the widget, with a list of edges for static viewers
    for data in (o.get("data", {}) for o in outputs):
        if "iamlab-graph-fallback" in data.get("text/html", ""):
            assert "application/vnd.jupyter.widget-view+json" in data
    states = _widget_states(nb)
    html = " ".join(str(s.get("value", "")) for s in states if s.get("_model_name") ==
                    "HTMLModel")
    graphs = html.count('class="iamlab-graph"')
    drawn = [s for s in states if "dot_source" in s]
    if 'class="iamlab-graph"' in html:
        assert html.count('data-renderer="browser"') == graphs
        assert len(drawn) >= 1 and all(s["dot_source"].startswith("digraph") for s in drawn)
    assert not any(text in html for text in ADVICE)
