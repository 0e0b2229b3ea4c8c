"""``iamlab lint FILE``: the linter on the command line (registered by :mod:`iamlab.cli`)."""

from __future__ import annotations

import argparse
import io
import sys
from typing import IO, TextIO

from iamlab.inputs import MAX_POLICY_BYTES, POLICY_LIMIT_WHY, InputTooLarge, read_limited
from iamlab.jsonloc import format_path
from iamlab.lint import findings_json, has_errors, lint_document
from iamlab.lint.finding import SEVERITIES, Finding
from iamlab.lint.quotas import CONTAINERS
from iamlab.policy import PolicyKind
from iamlab.printable import printable

KINDS = ("auto", *(k.value for k in PolicyKind))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``iamlab lint``."""
    parser.add_argument("file", help="the policy document (JSON); - reads standard input")
    parser.add_argument("--kind", choices=KINDS, default="auto",
                        help="what the policy is for (default: guessed from the document: "
                             "trust when it names principals and only sts actions, resource "
                             "when it names principals, identity otherwise)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per finding, one per line")
    parser.add_argument("--container", choices=[*CONTAINERS, "none"],
                        help="where the policy is stored, for its size quota (default: "
                             "role-trust for trust policies, managed for identity policies "
                             "and boundaries, scp, rcp, session; none for resource policies)")
    parser.add_argument("--account", metavar="ID",
                        help="the 12-digit account the policy belongs to (a trust policy's "
                             "other accounts are then known to be other accounts)")


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    """Lint one file; exit status 1 when any finding is an error, 2 when it cannot be read."""
    name = "<stdin>" if args.file == "-" else args.file
    try:
        text = _read(args.file)
    except OSError as exc:
        print(f"iamlab lint: cannot read {printable(name)}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    except InputTooLarge as exc:
        print(f"iamlab lint: {printable(str(exc))}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"iamlab lint: cannot read {printable(name)}: it is not UTF-8 text "
              f"({exc.reason} at byte {exc.start})", file=sys.stderr)
        return 2
    guessed = args.kind == "auto"
    kind, findings = lint_document(text, args.kind, container=args.container,
                                   account=args.account)
    if args.json:
        stdout.write(findings_json(findings))
    else:
        how = " (guessed; choose with --kind)" if guessed else ""
        stdout.write(f"{printable(name)}: checked as {_article(kind.label)}{how}\n")
        for finding in findings:
            stdout.write(_text(name, finding) + "\n")
        stdout.write(_summary(findings) + "\n")
    return 1 if has_errors(findings) else 0


def _read(file: str) -> str:
    """The text of ``file`` (``-``: standard input), read as bytes from either so that
    anything but UTF-8 is refused alike (UnicodeDecodeError; OSError when unreadable), and
    at most :data:`~iamlab.inputs.MAX_POLICY_BYTES` of it (InputTooLarge)."""
    source: IO[bytes] | str = file
    if file == "-":
        source = getattr(sys.stdin, "buffer", None) or io.BytesIO(
            sys.stdin.read(MAX_POLICY_BYTES + 1).encode("utf-8", "surrogateescape"))
    data = read_limited(source, MAX_POLICY_BYTES, "a policy", POLICY_LIMIT_WHY)
    return data.decode("utf-8")


def _article(label: str) -> str:
    return f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"


def _text(name: str, f: Finding) -> str:
    """``FILE:LINE:COLUMN: severity [code] at PATH: message`` (the form editors and CI logs
    jump to), ``about the whole document`` for a finding with no path, then the hints;
    control characters from the policy are shown escaped, never sent to the terminal."""
    where = f"{name}:{f.line}:{f.column}" if f.line is not None else name
    about = f"at {format_path(f.path)}" if f.path else "about the whole document"
    lines = [f"{where}: {f.severity} [{f.code}] {about}: {f.message}", *f.hints()]
    return "\n".join(printable(line) for line in lines)


def _summary(findings: list[Finding]) -> str:
    if not findings:
        return "no findings"
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items()]
    return ", ".join(parts)
