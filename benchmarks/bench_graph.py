"""Access-graph build time and peak memory on the shared dumps and on synthetic ones.

Run: ``.venv/bin/python benchmarks/bench_graph.py [--single-account]`` (or ``make bench``).
The synthetic dumps (10× and 100× ``authz-cloudsplaining-example.json``) are made first by
``benchmarks/make_synthetic_dump.py`` if ``benchmarks/out/`` lacks them. Each dump is measured
in a fresh Python process: load (JSON → Inventory), build (Inventory → AccessGraph), and the
process's peak resident memory (``resource.getrusage``, so the interpreter is included).
Targets (issue 4): the largest shared dump under 1 s; the 100× dump under 60 s and 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_synthetic_dump import OUT, make  # noqa: E402

SHARED = ["authz-cloudmapper-demo.json", "authz-cloudsplaining-teaching.json",
          "authz-cloudsplaining-example.json"]

_CHILD = """
import json, resource, sys, time
from iamlab.authz_dump import load_inventory
from iamlab.graph import build_graph
start = time.perf_counter()
inventory = load_inventory(sys.argv[1])
loaded = time.perf_counter()
graph = build_graph(inventory)
built = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({"users": len(inventory.users), "roles": len(inventory.roles),
                  "nodes": len(graph.nodes), "edges": len(graph.edges),
                  "load": loaded - start, "build": built - loaded, "rss_mib": rss / 1024}))
"""


def measure(path: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--single-account", action="store_true",
                        help="also measure the 10x dump with every copy in one account")
    args = parser.parse_args()
    dumps = [(name, ROOT / "tests" / "data" / name) for name in SHARED]
    for factor in (10, 100):
        path = OUT / f"authz-synthetic-{factor}x.json"
        if not path.exists():
            make(factor)
        dumps.append((f"synthetic {factor}x", path))
    if args.single_account:
        path = OUT / "authz-synthetic-10x-single.json"
        if not path.exists():
            make(10, single_account=True)
        dumps.append(("synthetic 10x, one account", path))
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}")
    header = (f"{'dump':<36} {'users':>6} {'roles':>6} {'nodes':>6} {'edges':>7} "
              f"{'load s':>7} {'build s':>8} {'peak MiB':>9}")
    print(header)
    print("-" * len(header))
    for name, path in dumps:
        r = measure(path)
        print(f"{name:<36} {r['users']:>6} {r['roles']:>6} {r['nodes']:>6} {r['edges']:>7} "
              f"{r['load']:>7.2f} {r['build']:>8.2f} {r['rss_mib']:>9.0f}")


if __name__ == "__main__":
    main()
