"""Grading speed (issue 10: one exercise graded in under a second at p95, probe generation
included).

Run: ``.venv/bin/python benchmarks/bench_exercises.py [--rounds N]``. Each grade is what the
Check button and ``iamlab grade`` do: parse and lint the answer, build the exercise's world
afresh, decide the must-allow and must-deny requests, generate the request space from the
catalog and compare with the reference, and run the workload. Every exercise is graded with
its reference, its right answers and its known-wrong answers, ``--rounds`` times each (the
first grade of a process also loads the action catalog: reported apart as "cold"). Wall
clock, since that is what a learner waits for.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from iamlab import exercises


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{len(exercises.ids())} exercises, {args.rounds} rounds")
    start = time.perf_counter()
    first = exercises.all_exercises()[0]
    first.grade(first.reference)
    print(f"cold: first grade in a fresh process {time.perf_counter() - start:.2f} s "
          "(action catalog and linter loaded)")
    everything: list[float] = []
    print(f"{'exercise':<28} {'answers':>7} {'probes':>6} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'max ms':>7}")
    for ex in exercises.all_exercises():
        answers = [ex.reference, *(a.policy for a in ex.right_answers),
                   *(a.policy for a in ex.wrong_answers)]
        times: list[float] = []
        probes = 0
        for _ in range(args.rounds):
            for answer in answers:
                t = time.perf_counter()
                result = ex.grade(answer)
                times.append(time.perf_counter() - t)
                probes = max(probes, result.checked)
        everything += times
        print(f"{ex.id:<28} {len(answers):>7} {probes:>6} {statistics.median(times) * 1e3:>7.0f} "
              f"{percentile(times, 95) * 1e3:>7.0f} {max(times) * 1e3:>7.0f}")
    print(f"all grades: p50 {statistics.median(everything) * 1e3:.0f} ms, "
          f"p95 {percentile(everything, 95) * 1e3:.0f} ms, max {max(everything) * 1e3:.0f} ms "
          f"(target p95 < 1000 ms)")


if __name__ == "__main__":
    main()
