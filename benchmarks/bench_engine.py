"""Engine speed: decisions per second over the corpus, and the cold ``import iamlab`` time.

Run: ``.venv/bin/python benchmarks/bench_engine.py`` (or ``make bench``). Policies are
parsed once (as the widgets and the world do); each decision builds nothing but its answer.
Targets (issue 2): 50,000 decisions/s without explanation, 10,000 with, import < 0.3 s.
"""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "cases.jsonl"


def decisions_per_second(explain: bool, rounds: int = 9) -> float:
    from iamlab.cases import case_from_dict
    from iamlab.engine import evaluate

    cases = [case_from_dict(json.loads(line)) for line in CASES.read_text().splitlines()]
    for case in cases:  # warm the compiled statements, as a live session would be
        evaluate(case.request, case.policies, explain)
    best = float("inf")
    for _ in range(rounds):  # best of N in CPU time: other processes only ever slow it down
        start = time.process_time()
        for case in cases:
            evaluate(case.request, case.policies, explain)
        best = min(best, time.process_time() - start)
    return len(cases) / best


def import_seconds(rounds: int = 7) -> float:
    code = "import time; t = time.perf_counter(); import iamlab; print(time.perf_counter() - t)"
    times = [float(subprocess.check_output([sys.executable, "-c", code], text=True))
             for _ in range(rounds)]
    return statistics.median(times)


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}")
    print(f"decisions/s without explanation: {decisions_per_second(False):,.0f}")
    print(f"decisions/s with explanation:    {decisions_per_second(True):,.0f}")
    print(f"cold import iamlab:               {import_seconds() * 1000:.1f} ms")


if __name__ == "__main__":
    main()
