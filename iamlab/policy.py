"""The IAM policy language as immutable data: policies, statements, principals, conditions.

Reference: IAM User Guide, "IAM JSON policy element reference".
Parsing and validation live in :mod:`iamlab.parse`; evaluation in :mod:`iamlab.engine`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"


class PolicyKind(str, Enum):
    """What a policy is for; each kind has its own grammar rules and role in evaluation."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SCP = "scp"
    RCP = "rcp"
    SESSION = "session"

    @property
    def label(self) -> str:
        """How a learner reads this kind in an explanation."""
        return _LABELS[self]

    @property
    def needs_principal(self) -> bool:
        """Resource and trust policies say who they apply to; the others must not."""
        return self in (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP)


_LABELS = {
    PolicyKind.IDENTITY: "identity-based policy",
    PolicyKind.RESOURCE: "resource-based policy",
    PolicyKind.TRUST: "role trust policy",
    PolicyKind.BOUNDARY: "permissions boundary",
    PolicyKind.SCP: "service control policy",
    PolicyKind.RCP: "resource control policy",
    PolicyKind.SESSION: "session policy",
}


class Effect(str, Enum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class Principal:
    """One entry of a Principal element: its type (AWS, Service, Federated, CanonicalUser,
    or ``*`` for the bare wildcard) and its value."""

    type: str
    value: str

    @property
    def is_wildcard(self) -> bool:
        return self.value == "*" and self.type in ("*", "AWS")

    def __str__(self) -> str:
        return "*" if self.type == "*" else f"{self.type}: {self.value}"


@dataclass(frozen=True, slots=True)
class Condition:
    """One ``operator: {key: values}`` entry of a Condition block.

    Values are kept as the strings AWS compares (JSON true/false/numbers become text).
    """

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. Exactly one of each pair (Action/NotAction, ...) is set, or neither."""

    effect: Effect
    sid: str | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principals: tuple[Principal, ...] | None = None
    not_principals: tuple[Principal, ...] | None = None
    conditions: tuple[Condition, ...] = ()
    index: int = 0

    @property
    def label(self) -> str:
        """``Sid "X"`` or ``statement 2`` (1-based) for explanations."""
        return f'statement "{self.sid}"' if self.sid else f"statement {self.index + 1}"

    def to_dict(self) -> dict[str, Any]:
        """This statement as AWS JSON (single values as strings, several as lists)."""
        out: dict[str, Any] = {}
        if self.sid is not None:
            out["Sid"] = self.sid
        out["Effect"] = self.effect.value
        for name, principals in (("Principal", self.principals),
                                 ("NotPrincipal", self.not_principals)):
            if principals is not None:
                out[name] = _principals_to_json(principals)
        for name, values in (("Action", self.actions), ("NotAction", self.not_actions),
                             ("Resource", self.resources), ("NotResource", self.not_resources)):
            if values is not None:
                out[name] = _one_or_list(values)
        if self.conditions:
            block: dict[str, dict[str, Any]] = {}
            for cond in self.conditions:
                block.setdefault(cond.operator, {})[cond.key] = _one_or_list(cond.values)
            out["Condition"] = block
        return out


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy document of one kind, with a name used in explanations."""

    statements: tuple[Statement, ...]
    kind: PolicyKind = PolicyKind.IDENTITY
    version: str | None = VERSION_2012
    id: str | None = None
    name: str = ""
    source: str | None = field(default=None, compare=False, repr=False)
    # Matchers built by iamlab.matching on first use; not part of the policy's value.
    compiled: Any = field(default=None, init=False, compare=False, repr=False)

    @property
    def label(self) -> str:
        """E.g. ``identity-based policy "ReadReports"``."""
        return f'{self.kind.label} "{self.name}"' if self.name else f"the {self.kind.label}"

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are only replaced in version 2012-10-17 documents."""
        return self.version == VERSION_2012

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.version is not None:
            out["Version"] = self.version
        if self.id is not None:
            out["Id"] = self.id
        out["Statement"] = [s.to_dict() for s in self.statements]
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def _principals_to_json(principals: tuple[Principal, ...]) -> str | dict[str, Any]:
    if len(principals) == 1 and principals[0].type == "*":
        return "*"
    block: dict[str, list[str]] = {}
    for p in principals:
        block.setdefault(p.type, []).append(p.value)
    return {k: v[0] if len(v) == 1 else v for k, v in block.items()}
