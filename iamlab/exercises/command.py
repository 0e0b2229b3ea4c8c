"""``iamlab exercises`` lists the exercises; ``iamlab grade ID FILE`` grades a policy file.

The contract autograders and tests use: ``grade --json`` prints one object
``{"exercise", "passed", "findings": [{"kind", "message", "request", "statement"}],
"warnings"}``; the exit status is 0 when the answer passed, 1 when not (a file that is not
JSON is a ``parse`` finding), 2 for an unknown exercise or a file that cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

EXIT_FAILED = 1
EXIT_ERROR = 2
MAX_ANSWER_BYTES = 1_000_000  # far above any IAM quota; a larger file is not a policy


def add_list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help='one JSON line per exercise: {"id", "title", "notebook", "edits"}')


def run_list(args: argparse.Namespace, stdout: TextIO) -> int:
    from iamlab.exercises.spec import all_exercises

    width = max((len(ex.id) for ex in all_exercises()), default=0)
    for ex in all_exercises():
        if args.json:
            stdout.write(json.dumps({"id": ex.id, "title": ex.title, "notebook": ex.notebook,
                                     "edits": ex.edits}) + "\n")
        else:
            stdout.write(f"{ex.id:<{width}}  {ex.goal} ({ex.notebook})\n")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", help="the exercise id (see `iamlab exercises`)")
    parser.add_argument("file", help="the policy to grade (JSON); - for standard input")
    parser.add_argument("--json", action="store_true", help="print the grade as one JSON object")


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    from iamlab.exercises.spec import UnknownExercise, get

    try:
        exercise = get(args.exercise)
    except UnknownExercise as exc:
        print(f"iamlab grade: {exc}", file=sys.stderr)
        return EXIT_ERROR
    text = _read(args.file)
    if text is None:
        return EXIT_ERROR
    result = exercise.grade(text)
    if args.json:
        stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        stdout.write(result.text() + "\n")
    return 0 if result.passed else EXIT_FAILED


def _read(path: str) -> str | None:
    """The answer's text, or None after saying on stderr why it cannot be read."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_ANSWER_BYTES + 1)
        else:
            with open(path, "rb") as f:
                raw = f.read(MAX_ANSWER_BYTES + 1)
    except OSError as exc:
        print(f"iamlab grade: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return None
    if len(raw) > MAX_ANSWER_BYTES:
        print(f"iamlab grade: {path} is larger than {MAX_ANSWER_BYTES:,} bytes; no IAM policy "
              "is that large (the largest quota is 10,240 characters)", file=sys.stderr)
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        print(f"iamlab grade: {path} is not UTF-8 text (byte {exc.start + 1})", file=sys.stderr)
        return None
