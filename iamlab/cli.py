"""The ``iamlab`` command: ``simulate`` decides JSON Lines cases (more subcommands join it)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from iamlab.cases import CaseError, case_from_dict
from iamlab.engine import evaluate


def simulate_lines(lines: Iterable[str], explain: bool = False) -> Iterable[dict[str, Any]]:
    """One answer per non-blank input line: ``{"id", "decision", "error"}`` (+ explanation)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        case_id: Any = None
        try:
            raw = json.loads(line)
            if isinstance(raw, dict):
                case_id = raw.get("id")
            case = case_from_dict(raw)
        except json.JSONDecodeError as exc:
            yield {"id": None, "decision": None,
                   "error": f"line {number}: invalid JSON at column {exc.colno}: {exc.msg}"}
            continue
        except CaseError as exc:
            yield {"id": case_id, "decision": None, "error": f"line {number}: {exc}"}
            continue
        decision = evaluate(case.request, case.policies, explain=explain)
        out: dict[str, Any] = {"id": case.id, "decision": decision.decision, "error": None}
        if explain:
            out["explanation"] = decision.to_dict()
        yield out


def _simulate(args: argparse.Namespace, stdout: TextIO) -> int:
    source: TextIO
    if args.file in (None, "-"):
        source = sys.stdin
    else:
        try:
            source = open(args.file, encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as exc:
            print(f"iamlab simulate: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return 2
    failed = 0
    try:
        for answer in simulate_lines(source, args.explain):
            failed += answer["error"] is not None
            stdout.write(json.dumps(answer) + "\n")
    finally:
        if source is not sys.stdin:
            source.close()
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iamlab", description="Learn AWS IAM by doing.")
    sub = parser.add_subparsers(dest="command", required=True)
    sim = sub.add_parser("simulate", help="decide JSON Lines cases, one JSON answer per line")
    sim.add_argument("file", nargs="?", help="cases file (JSON Lines); stdin when absent or -")
    sim.add_argument("--explain", action="store_true", help="add the explanation to each answer")
    sim.set_defaults(run=_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.run(args, sys.stdout)
    except BrokenPipeError:
        return 0
    return result


if __name__ == "__main__":
    raise SystemExit(main())
