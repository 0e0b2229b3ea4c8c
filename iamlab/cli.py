"""The ``iamlab`` command: ``simulate`` decides JSON Lines cases; ``graph``, ``lint`` and
``quiz`` are implemented in their packages (:data:`_COMMANDS`)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any, TextIO

from iamlab.cases import CaseError, case_from_dict, read_case_line
from iamlab.engine import evaluate
from iamlab.inputs import CASE_LIMIT_WHY, MAX_CASE_LINE_BYTES, limited_lines, too_large
from iamlab.printable import printable


def simulate_lines(lines: Iterable[str | bytes],
                   explain: bool = False) -> Iterable[dict[str, Any]]:
    """One answer per non-blank input line: ``{"id", "decision", "error"}`` (+ explanation).

    A line longer than :data:`~iamlab.inputs.MAX_CASE_LINE_BYTES` is an error, and the lines
    after it are not read (``/dev/zero`` is one endless line)."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield {"id": None, "decision": None, "error": f"line {number}: not UTF-8 "
                       f"text (byte {exc.start + 1} cannot be read)"}
                continue
        if not line.strip():
            continue
        if len(line.rstrip(b"\r\n" if isinstance(line, bytes) else "\r\n")) \
                > MAX_CASE_LINE_BYTES:
            yield {"id": None, "decision": None, "error": f"line {number}: "
                   + str(too_large("the line", "one case", MAX_CASE_LINE_BYTES,
                                   CASE_LIMIT_WHY)) + "; the rest of the input is not read"}
            return
        case_id: Any = None
        try:
            raw = read_case_line(line)
            if isinstance(raw, dict):
                case_id = raw.get("id")
            case = case_from_dict(raw)
        except json.JSONDecodeError as exc:
            yield {"id": None, "decision": None,
                   "error": f"line {number}: invalid JSON at column {exc.colno}: {exc.msg}"}
            continue
        except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number, deep nesting
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            yield {"id": None, "decision": None, "error": f"line {number}: invalid JSON: {why}"}
            continue
        except CaseError as exc:
            yield {"id": case_id, "decision": None, "error": f"line {number}: {exc}"}
            continue
        decision = evaluate(case.request, case.policies, explain=explain)
        out: dict[str, Any] = {"id": case.id, "decision": decision.decision, "error": None}
        if explain:
            out["explanation"] = decision.to_dict()
        yield out


def json_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` when it can be written as strict JSON (RFC 8259: no NaN or Infinity,
    which many JSON readers refuse), otherwise an error answer saying so."""
    try:
        json.dumps(answer, allow_nan=False)
    except (ValueError, TypeError) as exc:
        return {"id": None, "decision": None,
                "error": f"the answer cannot be written as JSON: {exc}"}
    return answer


def _simulate(args: argparse.Namespace, stdout: TextIO) -> int:
    # Read bytes, so that one line that is not UTF-8 is one error line, not a traceback.
    source: IO[bytes] | TextIO
    if args.file in (None, "-"):
        source = getattr(sys.stdin, "buffer", sys.stdin)
    else:
        try:
            source = open(args.file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            print(f"iamlab simulate: cannot read {printable(args.file)}: {exc.strerror}",
                  file=sys.stderr)
            return 2
    failed = 0
    try:
        for answer in simulate_lines(limited_lines(source, MAX_CASE_LINE_BYTES),
                                     args.explain):
            answer = json_answer(answer)
            failed += answer["error"] is not None
            stdout.write(json.dumps(answer, allow_nan=False) + "\n")
    finally:
        if args.file not in (None, "-"):
            source.close()
    return 1 if failed else 0


# The other subcommands: name, the module that implements it, the one-line help, and the
# prefix of its ``add_arguments``/``run`` functions when a module holds several commands.
_COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("graph", "iamlab.graph.command", "the access graph of an authorization-details dump", ""),
    ("lint", "iamlab.lint.command", "check a policy and explain what is wrong or risky", ""),
    ("exercises", "iamlab.exercises.command", "list the exercises that grade your policy",
     "list"),
    ("grade", "iamlab.exercises.command", "grade a policy file as an exercise's answer", ""),
    ("quiz", "iamlab.exam.command", "the exam bank: export it, or check its keys with the engine",
     ""),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iamlab", description="Learn AWS IAM by doing.")
    sub = parser.add_subparsers(dest="command", required=True)
    sim = sub.add_parser("simulate", help="decide JSON Lines cases, one JSON answer per line")
    sim.add_argument("file", nargs="?", help="cases file (JSON Lines); stdin when absent or -")
    sim.add_argument("--explain", action="store_true", help="add the explanation to each answer")
    sim.set_defaults(run=_simulate)
    for name, module, summary, prefix in _COMMANDS:
        command = importlib.import_module(module)  # add_arguments(parser), run(args, stdout)
        sub_parser = sub.add_parser(name, help=summary)
        infix = f"_{prefix}" if prefix else ""
        getattr(command, f"add{infix}_arguments")(sub_parser)
        sub_parser.set_defaults(run=getattr(command, f"run{infix}"))
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
