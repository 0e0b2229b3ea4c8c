"""What the checks look at: each statement of the raw JSON document, read leniently.

The checks work on the document as written, not on a parsed :class:`~iamlab.policy.Policy`,
so that a policy with one grammar error still gets every other finding, and every finding
has the JSON path (and so the line and column) of the value it is about. Values the parser
rejects (a number where an action belongs...) are skipped here: the grammar findings
already report them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from iamlab.errors import JsonPath
from iamlab.jsonloc import Locations
from iamlab.lint.codes import CODES
from iamlab.lint.finding import Finding
from iamlab.policy import PolicyKind


class Cond(NamedTuple):
    """One ``operator: {key: values}`` entry; ``path`` is the path of the key."""

    operator: str
    key: str
    values: tuple[str, ...]
    path: JsonPath


class Principal(NamedTuple):
    """One principal value (type ``*`` for the bare ``"Principal": "*"``) and its path."""

    type: str
    value: str
    path: JsonPath


_SINGLE = (None,)


def _strings(value: Any) -> tuple[tuple[str, ...], tuple[int | None, ...] | None]:
    """The string values of an element and where they are: their list indexes (None for a
    single string); no tuple at all when the value is a list of strings only (then each
    value's index is its position)."""
    if type(value) is str:
        return (value,), _SINGLE
    if type(value) is list:
        if not [v for v in value if type(v) is not str]:
            return tuple(value), None
        pairs = [(v, i) for i, v in enumerate(value) if isinstance(v, str)]
        return tuple(v for v, _ in pairs), tuple(i for _, i in pairs)
    return (), ()


def _condition_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


class Stmt:
    """One statement of the document, read leniently (see the module docstring)."""

    __slots__ = ("action_idx", "action_key", "actions", "allow", "conditions", "deny",
                 "effect", "path", "principal_key", "principals", "raw", "resource_idx",
                 "resource_key", "resources", "sid")

    def __init__(self, raw: dict[str, Any], path: JsonPath) -> None:
        self.raw = raw
        self.path = path
        effect = raw.get("Effect")
        self.effect = effect if effect in ("Allow", "Deny") else None
        self.allow = effect == "Allow"
        self.deny = effect == "Deny"
        sid = raw.get("Sid")
        self.sid = sid if isinstance(sid, str) else None
        key = "Action" if "Action" in raw else "NotAction" if "NotAction" in raw else None
        self.action_key = key
        self.actions, self.action_idx = _strings(raw[key]) if key else ((), ())
        key = "Resource" if "Resource" in raw else "NotResource" if "NotResource" in raw \
            else None
        self.resource_key = key
        self.resources, self.resource_idx = _strings(raw[key]) if key else ((), ())
        key = "Principal" if "Principal" in raw else "NotPrincipal" if "NotPrincipal" in raw \
            else None
        self.principal_key = key
        self.principals = self._principals(raw[key], (*path, key)) if key else ()
        block = raw.get("Condition")
        self.conditions = self._conditions(block, (*path, "Condition")) \
            if isinstance(block, dict) else ()

    @staticmethod
    def _principals(value: Any, path: JsonPath) -> tuple[Principal, ...]:
        if value == "*":
            return (Principal("*", "*", path),)
        if not isinstance(value, dict):
            return ()
        out = []
        for ptype, raw in value.items():
            values, idx = _strings(raw)
            for n, v in enumerate(values):
                out.append(Principal(ptype, v, _element_path(path, ptype, idx, n)))
        return tuple(out)

    @staticmethod
    def _conditions(block: dict[str, Any], path: JsonPath) -> tuple[Cond, ...]:
        out = []
        for op, entries in block.items():
            if not isinstance(entries, dict):
                continue
            for key, raw in entries.items():
                items = raw if isinstance(raw, list) else [raw]
                values = tuple(t for t in map(_condition_text, items) if t is not None)
                out.append(Cond(op, key, values, (*path, op, key)))
        return tuple(out)

    @property
    def has_actions(self) -> bool:
        """True when the statement lists actions with Action (not NotAction)."""
        return self.action_key == "Action"

    def action_path(self, n: int) -> JsonPath:
        """Path of the n-th (string) value of Action/NotAction."""
        assert self.action_key is not None
        return _element_path(self.path, self.action_key, self.action_idx, n)

    def resource_path(self, n: int) -> JsonPath:
        """Path of the n-th (string) value of Resource/NotResource."""
        assert self.resource_key is not None
        return _element_path(self.path, self.resource_key, self.resource_idx, n)

    def condition_keys(self) -> set[str]:
        """The lower-cased condition keys the statement tests."""
        return {c.key.lower() for c in self.conditions}


def _element_path(path: JsonPath, key: str, idx: tuple[int | None, ...] | None,
                  n: int) -> JsonPath:
    i = n if idx is None else idx[n]
    return (*path, key) if i is None else (*path, key, i)


def statements_of(doc: Any) -> list[Stmt]:
    """The statements of a document (objects only; anything else is a grammar finding)."""
    if not isinstance(doc, dict):
        return []
    raw = doc.get("Statement")
    if isinstance(raw, dict):
        return [Stmt(raw, ("Statement",))]
    if isinstance(raw, list):
        return [Stmt(s, ("Statement", i)) for i, s in enumerate(raw) if isinstance(s, dict)]
    return []


@dataclass(frozen=True, slots=True)
class Options:
    """What the caller told the linter: the size quota's container and the role's account."""

    container: str | None = None
    account: str | None = None


class LintContext:
    """The document being linted and the findings collected so far."""

    __slots__ = ("doc", "findings", "kind", "locations", "options", "text")

    def __init__(self, kind: PolicyKind, doc: Any, locations: Locations, text: str | None,
                 options: Options) -> None:
        self.kind = kind
        self.doc = doc
        self.locations = locations
        self.text = text
        self.options = options
        self.findings: list[Finding] = []

    @property
    def grants(self) -> bool:
        """Whether an Allow here grants access (identity and resource policies) rather than
        only limiting it (boundaries, SCPs, RCPs, session policies)."""
        return self.kind in (PolicyKind.IDENTITY, PolicyKind.RESOURCE)

    def add(self, code: str, path: JsonPath, message: str, *, fix: str | None = None,
            severity: str | None = None, doc_url: str | None = None,
            at_key: bool = False) -> None:
        """Record a finding at ``path`` (at the key rather than the value with ``at_key``)."""
        info = CODES[code]
        pos = self.locations.key(path) if at_key else self.locations.value(path)
        self.findings.append(Finding(
            code, severity or info.severity, message, path,
            pos.line if pos is not None else None, pos.column if pos is not None else None,
            fix, doc_url or info.doc_url))
