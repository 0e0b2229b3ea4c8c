"""Problems found in what a learner wrote, with where they are; never a traceback."""

from __future__ import annotations

from dataclasses import dataclass

from iamlab.jsonloc import format_path

JsonPath = tuple[str | int, ...]
__all__ = ["IamlabError", "JsonPath", "PolicyError", "Problem", "describe_location", "format_path"]


def describe_location(path: JsonPath, line: int | None, column: int | None) -> str:
    """Where something is, in words: ``line 3, column 7 (Statement[0].Effect)``, just the
    path when there is no text, ``line 1, column 1`` or ``the document`` for the whole."""
    if not path:
        return f"line {line}, column {column}" if line is not None else "the document"
    place = format_path(path)
    return f"line {line}, column {column} ({place})" if line is not None else place


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a look) in a policy, and where."""

    code: str
    message: str
    path: JsonPath = ()
    line: int | None = None
    column: int | None = None
    severity: str = "error"  # error | warning | suggestion

    @property
    def where(self) -> str:
        """``line 3, column 7 (Statement[0].Effect)`` or just the path. A problem with the
        document as a whole reads ``line 1, column 1``, or ``the document`` when the text
        has no lines (a dict, or not JSON at all)."""
        return describe_location(self.path, self.line, self.column)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class IamlabError(Exception):
    """Base of the errors iamlab shows a learner: their text is the whole explanation."""


class PolicyError(IamlabError, ValueError):
    """A policy document AWS would reject, with every problem found (not only the first)."""

    def __init__(self, problems: list[Problem], what: str = "the policy", hint: str = ""
                 ) -> None:
        self.problems = list(problems)
        self.what = what
        self.hint = hint
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in {what}:"
        lines = [head, *(f"  - {p}" for p in self.problems)]
        super().__init__("\n".join(lines + ([f"Hint: {hint}"] if hint else [])))

    @property
    def first(self) -> Problem:
        return self.problems[0]
