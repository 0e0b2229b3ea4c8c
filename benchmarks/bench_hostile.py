"""Hostile input: every IAM wildcard match is linear in the value's length, a 100 KB
hostile policy is decided or rejected within a second (issue 13), and a 50 MB policy given
to ``lint_policy`` from Python is refused at once, as the command refuses it.

Run: ``.venv/bin/python benchmarks/bench_hostile.py``. Times are CPU time
(``time.process_time``), best of several rounds: the machine is shared, and other work only
ever slows a round down. With a backtracking regular expression (each ``*`` a ``.*``) the
first table's right-hand columns would take minutes to hours; linear means each column about
ten times the one before it (the value is ten times longer).
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from typing import Any

from iamlab.cli import simulate_lines
from iamlab.engine import PolicySet, evaluate
from iamlab.glob import glob_match
from iamlab.parse import parse_policy
from iamlab.request import Request

ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
STARS = "a*" * 10 + "c*b"  # against "aaa...ab": every "a" is found, the "c" never is
PATH_STARS = "*/" * 6 + "*.gz"  # logs/*/*/*/*/*/*/*.gz
LENGTHS = (1_000, 10_000, 100_000)


def best_of(fn: Callable[[], Any], rounds: int = 5) -> float:
    """The least CPU time of ``rounds`` calls of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def _decide(statement: dict[str, Any], action: str, resource: str,
            context: dict[str, str] | None = None) -> Callable[[], Any]:
    policies = PolicySet.of(identity=[parse_policy(
        {"Version": "2012-10-17", "Statement": [statement]})])
    request = Request.of(USER, action, resource, context, resource_account=ACCOUNT)

    def run() -> None:
        quick = evaluate(request, policies)
        assert evaluate(request, policies, explain=True).decision == quick.decision
    return run


def _sites(n: int) -> dict[str, Callable[[], Any]]:
    """One decision per place a wildcard is matched, with a value of about n characters
    chosen so that the matcher has to scan all of it (its worst case): the pattern's first
    and last parts match, one in the middle is missing."""
    long = "a" * n + "b"
    key = "arn:aws:s3:::logs/" + "x" * n + "/y.gz"
    anything = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    return {
        "Action": _decide({"Effect": "Allow", "Action": f"s3:{STARS}", "Resource": "*"},
                          f"s3:{long}", "*"),
        "NotAction": _decide({"Effect": "Allow", "NotAction": f"s3:{STARS}", "Resource": "*"},
                             f"s3:{long}", "*"),
        "Resource": _decide({"Effect": "Allow", "Action": "s3:GetObject",
                             "Resource": f"arn:aws:s3:::logs/{PATH_STARS}"},
                            "s3:GetObject", key),
        "NotResource": _decide({"Effect": "Allow", "Action": "s3:GetObject",
                                "NotResource": f"arn:aws:s3:::logs/{PATH_STARS}"},
                               "s3:GetObject", key),
        "Resource with ${aws:username}": _decide(
            {"Effect": "Allow", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::logs/${aws:username}/" + PATH_STARS},
            "s3:GetObject", key.replace("logs/", "logs/alice/"), {"aws:username": "alice"}),
        "StringLike": _decide({**anything, "Condition": {"StringLike": {"aws:userid": STARS}}},
                              "s3:GetObject", "*", {"aws:userid": long}),
        "ArnLike": _decide({**anything, "Condition": {"ArnLike": {
            "aws:SourceArn": f"arn:aws:*:*:*:{STARS}"}}},
            "s3:GetObject", "*", {"aws:SourceArn": f"arn:aws:sns:eu-west-1:1:{long}"}),
        "graph pruning (glob_match)": lambda: glob_match(f"s3:{STARS}", f"s3:{long}", True),
    }


def linear_table() -> None:
    print("\n## Wildcard matching: CPU time of one decision (quick + explained) vs value length\n")
    print("| where | " + " | ".join(f"{n:,} chars" for n in LENGTHS) + " | 100k / 1k |")
    print("| --- | " + " | ".join("---:" for _ in LENGTHS) + " | ---: |")
    rows: dict[str, list[float]] = {}
    for n in LENGTHS:
        for name, fn in _sites(n).items():
            rows.setdefault(name, []).append(best_of(fn))
    for name, times in rows.items():
        cells = " | ".join(f"{t * 1000:.3f} ms" for t in times)
        print(f"| {name} | {cells} | {times[-1] / max(times[0], 1e-9):.0f}x |")
    print(f"| world: s3.get_object, key of 60 path segments | {world_get_object() * 1000:.2f} ms"
          " | | | |")


def world_get_object() -> float:
    """The world's answer (AccessDenied) for a deep key against ``logs/*/*/.../*.gz``."""
    from iamlab.world import World
    world = World()
    admin = world.admin
    admin.s3.create_bucket(Bucket="logs")
    admin.iam.create_user(UserName="reader")
    admin.iam.put_user_policy(UserName="reader", PolicyName="gz", PolicyDocument={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": f"arn:aws:s3:::logs/{PATH_STARS}"}]})
    reader = world.user_session("reader")
    key = "/".join(["x"] * 60)

    def run() -> None:
        try:
            reader.s3.get_object(Bucket="logs", Key=key)
        except Exception as exc:  # AccessDenied, as AWS answers
            assert "AccessDenied" in type(exc).__name__ + str(exc), exc
    return best_of(run)


def hostile_case(size: int = 100_000) -> dict[str, Any]:
    """A case of about ``size`` bytes: many stars everywhere, long values, unclosed ``${``."""
    statements = []
    i = 0
    while len(json.dumps(statements)) < size - 2_000:
        statements.append({
            "Sid": f"S{i}", "Effect": "Allow", "Action": [f"s3:{STARS}", f"s*:{STARS}?"],
            "Resource": [f"arn:aws:s3:::logs/{PATH_STARS}", "arn:aws:*:*:*:" + STARS,
                         "arn:aws:s3:::" + "${" * 40],
            "Condition": {"StringLike": {"aws:userid": [STARS, "${" * 20 + "*"]}}})
        i += 1
    return {"id": "hostile", "identityPolicies": [{"Version": "2012-10-17",
                                                   "Statement": statements}],
            "resourcePolicy": None, "permissionBoundaries": None, "scps": None,
            "sessionPolicy": None,
            "request": {"principal": USER, "action": "s3:" + "a" * 5_000 + "b",
                        "resource": {"arn": "arn:aws:s3:::logs/" + "x/" * 2_000,
                                     "accountId": ACCOUNT},
                        "context": {"aws:userid": "a" * 5_000 + "b"}}}


def whole_inputs() -> None:
    from iamlab.graph import build_graph
    from iamlab.lint import lint_policy, prepare
    prepare()
    case = hostile_case()
    line = json.dumps(case)
    policy_text = json.dumps(case["identityPolicies"][0])
    unclosed = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::" + "${" * 30_000}]})
    unclosed_case = json.dumps({**case, "identityPolicies": [json.loads(unclosed)],
                                "request": {**case["request"], "action": "s3:GetObject"}})
    long_service = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "x" * 60_000 + ":GetObject", "Resource": "*"}]})

    def simulate(text: str) -> Callable[[], Any]:
        return lambda: list(simulate_lines([text], explain=True))

    from pathlib import Path

    from iamlab.authz_dump import load_inventory
    dump = Path(__file__).resolve().parent.parent / "tests/data/authz-cloudmapper-demo.json"
    graph = build_graph(load_inventory(dump))
    rows = [
        (f"simulate --explain, hostile case ({len(line) / 1000:.0f} KB, "
         f"{len(case['identityPolicies'][0]['Statement'])} statements)", simulate(line)),
        (f"lint, the same policy ({len(policy_text) / 1000:.0f} KB)",
         lambda: lint_policy(policy_text)),
        ('simulate --explain, "${" x 30,000 in a Resource (60 KB)', simulate(unclosed_case)),
        ('lint, "${" x 30,000 in a Resource (60 KB)', lambda: lint_policy(unclosed)),
        ("lint, a 60,000-character unknown service prefix", lambda: lint_policy(long_service)),
        ("graph to_dot --hops 10**20 (demo dump)",
         lambda: graph.to_dot(focus="level1", hops=10**20)),
    ]
    print("\n## Whole hostile inputs (target: each within 1 s)\n")
    print("| input | CPU s, first run | CPU s, best of 3 more |")
    print("| --- | ---: | ---: |")
    for name, fn in rows:
        first = best_of(fn, 1)  # cold: nothing about this input cached yet
        print(f"| {name} | {first:.3f} | {best_of(fn, 3):.3f} |")
    answer = next(iter(simulate_lines([line])))
    print(f"\nthe hostile case's answer: {(answer['decision'] or answer['error'])[:200]}")


def python_inputs() -> None:
    """A 50 MB policy handed to ``lint_policy`` from Python (a string, bytes, a dict): refused
    at once, as ``iamlab lint`` refuses a file past 128 KiB, rather than parsed and linted."""
    import tracemalloc

    from iamlab.lint import lint_policy, prepare
    prepare()
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    doc = {"Version": "2012-10-17",
           "Statement": [statement] * (50_000_000 // len(json.dumps(statement)))}
    text = json.dumps(doc)
    sources: list[tuple[str, Any]] = [
        (f"a string of {len(text) / 1e6:.0f} MB ({len(doc['Statement']):,} statements)", text),
        ("the same as bytes", text.encode()), ("the same as a dict", doc)]
    print("\n## lint_policy from Python, 50 MB (target: the command's answer, within 1 s)\n")
    print("| source | CPU s, best of 3 | peak memory allocated by the call | findings |")
    print("| --- | ---: | ---: | --- |")
    for name, source in sources:
        seconds = best_of(lambda source=source: lint_policy(source), 3)
        tracemalloc.start()
        findings = lint_policy(source)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        codes = ", ".join(sorted({f.code for f in findings}))
        print(f"| {name} | {seconds:.3f} | {peak / 1e6:.1f} MB | {codes} |")


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    linear_table()
    whole_inputs()
    python_inputs()


if __name__ == "__main__":
    main()
