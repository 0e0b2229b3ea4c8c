"""Widget speed: from an edit in the trust-policy editor to the updated decision, and to the
redrawn diagram.

Run: ``.venv/bin/python benchmarks/bench_widgets.py`` (or ``make bench``). The playground runs
inside an asyncio event loop, as in a Jupyter kernel, so the diagram is debounced exactly as
a learner sees it. Each round sets the editor's text (as typing does) and times until the
decision widget shows the new answer; then until the diagram widget shows the new SVG.
Targets (issue 5): decision well under 100 ms, diagram under 0.5 s.
"""

from __future__ import annotations

import asyncio
import platform
import statistics
import time


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(rounds: int) -> dict[str, list[float]]:
    from iamlab.widgets import Playground

    pg = Playground()  # debounced diagram, as in a notebook
    pg.flush()
    texts = [pg.trust.value,
             pg.trust.value.replace("ec2.amazonaws.com", "lambda.amazonaws.com")]
    out: dict[str, list[float]] = {"decision": [], "diagram": [], "draw": [], "form": []}
    for i in range(rounds):
        before_decision, before_graph = pg.view.assume.value, pg.graph.value
        start = time.perf_counter()
        pg.trust.value = texts[(i + 1) % 2]
        while pg.view.assume.value == before_decision:  # updated synchronously in practice
            await asyncio.sleep(0)
        out["decision"].append(time.perf_counter() - start)
        while pg.graph.value == before_graph:
            await asyncio.sleep(0.002)
        out["diagram"].append(time.perf_counter() - start)
        # the diagram's own cost, without the pause that waits for typing to stop
        pg.graph.source = ""  # force a redraw of the same picture
        t = time.perf_counter()
        pg._draw()
        out["draw"].append(time.perf_counter() - t)
        t = time.perf_counter()
        pg.trust.form.show(None)
        pg.trust.flush()
        pg.trust._update_form()
        out["form"].append(time.perf_counter() - t)
    return out


def main(rounds: int = 40) -> None:
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}")
    start = time.perf_counter()
    from iamlab.widgets import Playground

    Playground(debounce=0)
    print(f"first playground (imports, catalog, first drawing): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
    results = asyncio.run(measure(rounds))
    names = {"decision": "edit -> decision shown",
             "diagram": "edit -> diagram shown (incl. 0.2 s typing pause)",
             "draw": "diagram redraw alone (engine + dot)",
             "form": "form rebuilt from the policy"}
    for key, label in names.items():
        ms = [v * 1000 for v in results[key]]
        print(f"{label:50s} median {statistics.median(ms):7.1f} ms   "
              f"p95 {percentile(ms, 0.95):7.1f} ms   max {max(ms):7.1f} ms")


if __name__ == "__main__":
    main()
