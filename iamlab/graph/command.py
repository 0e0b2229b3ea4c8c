"""``iamlab graph DUMP.json``: the access graph of a real account's authorization dump.

``--edges`` prints one JSON line per edge; ``--svg``/``--dot`` write the diagram; ``--focus``
and ``--hops`` narrow it. Errors (an unreadable dump, no Graphviz for ``--svg``) are one
message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from iamlab.printable import printable

if TYPE_CHECKING:
    from iamlab.graph.model import AccessGraph

EXIT_ERROR = 2
EXIT_NO_GRAPHVIZ = 3
MAX_NOTES = 10  # a summary, not a log: the rest are one attribute away


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dump", help="output of `aws iam get-account-authorization-details` "
                        "(JSON)")
    parser.add_argument("--edges", action="store_true",
                        help="print one JSON line per edge: source, target, kind, conditions")
    parser.add_argument("--svg", metavar="FILE", help="write the diagram as SVG (needs "
                        "Graphviz's dot program)")
    parser.add_argument("--dot", metavar="FILE", help="write the diagram's Graphviz source")
    parser.add_argument("--focus", metavar="ARN", help="draw only the neighbourhood of this "
                        "principal or role (ARN or unique name)")
    parser.add_argument("--hops", type=int, default=2, metavar="N",
                        help="with --focus: how many edges away to draw (default 2)")
    parser.add_argument("--collapse-services", action="store_true",
                        help="draw every AWS service as one node")
    parser.add_argument("--no-pass-role", action="store_true",
                        help="skip the pass-role edges (faster on very large accounts)")


class ProgressBar:
    """A one-line progress bar on stderr, shown only once the work has taken a second."""

    def __init__(self, stream: TextIO, delay: float = 1.0) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False
        self.last = ""

    def __call__(self, done: int, total: int, stage: str) -> None:
        if time.monotonic() - self.start < self.delay:
            return
        width = 30
        filled = width * done // max(total, 1)
        line = (f"\r{stage:<10} [{'#' * filled}{'.' * (width - filled)}] "
                f"{done}/{total}")
        if line != self.last:
            self.stream.write(line)
            self.stream.flush()
            self.last = line
            self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO | None = None) -> int:
    from iamlab.authz_dump import load_inventory
    from iamlab.errors import IamlabError
    from iamlab.graph.build import build_graph
    from iamlab.graph.errors import GraphvizMissing
    from iamlab.graph.render import dot_program, svg

    err = stderr or sys.stderr
    if args.svg and dot_program() is None:
        print(f"iamlab graph: {GraphvizMissing()}", file=err)
        return EXIT_NO_GRAPHVIZ
    bar = ProgressBar(err)
    try:
        bar(0, 1, "loading")
        inventory = load_inventory(args.dump)
        graph = build_graph(inventory, pass_role=not args.no_pass_role, progress=bar)
        bar.close()
        if args.edges:
            for edge in graph.edges:
                stdout.write(json.dumps(edge.to_json()) + "\n")
        if args.svg or args.dot:
            source = graph.to_dot(focus=args.focus, hops=args.hops,
                                  collapse_services=args.collapse_services)
            if args.dot:
                Path(args.dot).write_text(source, encoding="utf-8")
            if args.svg:
                Path(args.svg).write_text(svg(source), encoding="utf-8")
        if not (args.edges or args.svg or args.dot):
            _summary(graph, stdout)
    except GraphvizMissing as exc:
        bar.close()
        print(f"iamlab graph: {exc}", file=err)
        return EXIT_NO_GRAPHVIZ
    except BrokenPipeError:
        raise
    except (IamlabError, OSError) as exc:
        bar.close()
        print(f"iamlab graph: {printable(str(exc))}", file=err)
        return EXIT_ERROR
    return 0


def _summary(graph: AccessGraph, stdout: TextIO) -> None:
    """Counts per kind of edge, the first notes about the dump, and what to ask next."""
    stdout.write(repr(graph) + "\n")
    for note in graph.notes[:MAX_NOTES]:
        stdout.write(f"note: {printable(note)}\n")
    if len(graph.notes) > MAX_NOTES:
        stdout.write(f"(+{len(graph.notes) - MAX_NOTES} more notes: graph.notes in Python)\n")
    stdout.write("Use --edges for the edge list, --svg FILE or --dot FILE for the diagram.\n")
