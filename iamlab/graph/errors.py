"""Learner-facing errors of the access graph (a name that is not there, no Graphviz...)."""

from __future__ import annotations

from iamlab.errors import IamlabError


class GraphError(IamlabError):
    """A question about the graph that cannot be answered as asked."""


class GraphvizMissing(GraphError):
    """The Graphviz ``dot`` program is not installed, so no SVG can be made here."""

    def __init__(self) -> None:
        super().__init__(
            "the Graphviz `dot` program is not installed, so the diagram cannot be drawn as "
            "SVG. Install it with `apt-get install graphviz` (Debian/Ubuntu), "
            "`brew install graphviz` (macOS) or `conda install graphviz`, or write the DOT "
            "source with --dot instead.")
