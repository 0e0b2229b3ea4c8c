"""``iamlab quiz``: the exam bank on the command line.

``--export-json`` prints every item as one JSON line; ``--check`` runs every executable
item through the engine and exits 1 when any key disagrees. Without an option, a summary
of the bank. Files or folders given replace the package's bank (to check your own items).
A file that cannot be used is one message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from iamlab.exam.items import Bank, ExamError, Item, load_bank


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``iamlab quiz``."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="exam files or folders (default: the bank in the package)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--export-json", action="store_true",
                      help="print every item as a JSON line: id, question, options (text, "
                           "correct, why), multiple, tags, difficulty, executable, doc")
    what.add_argument("--check", action="store_true",
                      help="run every executable item through the engine; exit 1 if any "
                           "answer key disagrees")


def question(item: Item) -> str:
    """The stem, then the exhibit's policies as JSON (Markdown)."""
    if not item.exhibit:
        return item.stem
    exhibit = json.dumps(dict(item.exhibit), indent=2)
    return f"{item.stem}\n\n```json\n{exhibit}\n```"


def export(item: Item) -> dict[str, Any]:
    """One item as ``iamlab quiz --export-json`` prints it."""
    return {"id": item.id, "question": question(item),
            "options": [{"text": o.text, "correct": o.correct, "why": o.why}
                        for o in item.options],
            "multiple": item.multiple, "tags": list(item.tags),
            "difficulty": item.difficulty, "executable": item.executable, "doc": item.doc}


def check(bank: Bank, stdout: TextIO) -> int:
    """Every executable item through the engine; one line per disagreement."""
    from iamlab.exam.check import verify

    executable = [i for i in bank.values() if i.executable]
    claims = [k for item in executable for k in verify(item)]
    wrong = [k for k in claims if not k.agrees]
    for k in wrong:
        stdout.write(f"DISAGREES {k}\n")
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    stdout.write(f"{count(len(executable), 'executable item')} of {len(bank)}, "
                 f"{count(len(claims), 'claim')} checked by the engine: "
                 + (f"{len(wrong)} disagree{'s' if len(wrong) == 1 else ''}\n" if wrong
                    else "all agree\n"))
    return 1 if wrong else 0


def summary(bank: Bank, stdout: TextIO) -> None:
    from iamlab.exam.course import tag_title

    counts: dict[str, int] = {}
    for item in bank.values():
        for tag in item.tags:
            counts[tag] = counts.get(tag, 0) + 1
    executable = sum(i.executable for i in bank.values())
    stdout.write(f"{len(bank)} exam items ({executable} executable). By tag:\n")
    for tag in sorted(counts, key=lambda t: (not t.startswith("point-"),
                                              int(t[6:]) if t.startswith("point-") else 0, t)):
        stdout.write(f"  {counts[tag]:3d}  {tag}: {tag_title(tag)}\n")
    stdout.write("Practise in a notebook: from iamlab.widgets import Quiz; Quiz()\n")


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    """Export, check or summarise the bank; exit 2 when a file cannot be used."""
    try:
        bank = load_bank(args.paths or None)
    except ExamError as exc:
        print(f"iamlab quiz: {exc}", file=sys.stderr)
        return 2
    if args.export_json:
        for item in bank.values():
            stdout.write(json.dumps(export(item)) + "\n")
        return 0
    if args.check:
        return check(bank, stdout)
    summary(bank, stdout)
    return 0
