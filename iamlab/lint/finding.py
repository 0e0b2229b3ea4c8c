"""One thing the linter found in a policy: what, how serious, where, why, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamlab.errors import JsonPath, describe_location
from iamlab.jsonloc import format_path

SEVERITIES = ("error", "warning", "suggestion")
"""``error``: AWS rejects it, or it can never work as written; ``warning``: it works, but
probably not as meant, or it is dangerous; ``suggestion``: worth knowing, safe to keep."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A lint finding, written for someone learning IAM.

    ``path`` is the JSON path of the value (or key) concerned, ``line``/``column`` its
    1-based position in the original text (None when the policy was not given as text);
    ``fix`` says what to write instead when there is a clear fix; ``doc_url`` is the AWS
    documentation page that explains the rule.
    """

    code: str
    severity: str
    message: str
    path: JsonPath = ()
    line: int | None = None
    column: int | None = None
    fix: str | None = None
    doc_url: str = ""

    @property
    def where(self) -> str:
        """Where the finding is, in words: ``line 3, column 7 (Statement[0].Effect)``, or
        just the path when there is no position. A finding about the document as a whole
        reads ``line 1, column 1``, or ``the document`` when there is no text (as
        :attr:`iamlab.errors.Problem.where` does)."""
        return describe_location(self.path, self.line, self.column)

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain JSON-able data (the ``--json`` form of ``iamlab lint``)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "path": format_path(self.path),
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "fix": self.fix,
            "doc": self.doc_url,
        }

    def text(self) -> str:
        """Several lines for a terminal: where, severity and code, message, fix, link."""
        return "\n".join([str(self), *self.hints()])

    def hints(self) -> list[str]:
        """The indented ``fix:`` and ``see:`` lines, for those the finding has."""
        lines = [f"    fix: {self.fix}"] if self.fix else []
        if self.doc_url:
            lines.append(f"    see: {self.doc_url}")
        return lines

    def __str__(self) -> str:
        return f"{self.where}: {self.severity} [{self.code}] {self.message}"
