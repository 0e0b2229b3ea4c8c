"""Condition operators: how one ``operator: {key: values}`` entry is tested against a request.

Reference: IAM User Guide, "IAM JSON policy elements: Condition operators" and
"Single-valued vs. multivalued context keys". Rules implemented here:

* several values for one key are ORed; a negated operator (``StringNotEquals``...) is
  true when the request value matches none of them;
* a key missing from the request makes a condition false, except for negated operators and
  the ``...IfExists`` forms, which are true (``Null`` tests presence itself);
* ``ForAnyValue:`` is true when at least one request value matches (false when the key is
  missing or empty); ``ForAllValues:`` is true when every request value matches (true when
  the key is missing or empty);
* policy variables in string and ARN values are replaced from the request context.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from iamlab.glob import GlobSet
from iamlab.request import Context
from iamlab.variables import has_variables, substitute, substitute_glob

Matcher = Callable[[str], bool]

# base operator -> (value type, negated)
BASE_OPERATORS: dict[str, tuple[str, bool]] = {
    "StringEquals": ("string", False),
    "StringNotEquals": ("string", True),
    "StringEqualsIgnoreCase": ("string-ci", False),
    "StringNotEqualsIgnoreCase": ("string-ci", True),
    "StringLike": ("string-like", False),
    "StringNotLike": ("string-like", True),
    "NumericEquals": ("numeric-eq", False),
    "NumericNotEquals": ("numeric-eq", True),
    "NumericLessThan": ("numeric-lt", False),
    "NumericLessThanEquals": ("numeric-le", False),
    "NumericGreaterThan": ("numeric-gt", False),
    "NumericGreaterThanEquals": ("numeric-ge", False),
    "DateEquals": ("date-eq", False),
    "DateNotEquals": ("date-eq", True),
    "DateLessThan": ("date-lt", False),
    "DateLessThanEquals": ("date-le", False),
    "DateGreaterThan": ("date-gt", False),
    "DateGreaterThanEquals": ("date-ge", False),
    "Bool": ("bool", False),
    "BinaryEquals": ("binary", False),
    "IpAddress": ("ip", False),
    "NotIpAddress": ("ip", True),
    "ArnEquals": ("arn", False),
    "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", True),
    "ArnNotLike": ("arn", True),
    "Null": ("null", False),
}
SET_OPERATORS = ("ForAnyValue", "ForAllValues")


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """A condition operator taken apart: ``ForAnyValue:StringLikeIfExists`` and so on."""

    name: str
    base: str
    kind: str
    negated: bool
    if_exists: bool
    set_op: str | None

    @property
    def substitutes_variables(self) -> bool:
        """Policy variables work in string and ARN operators."""
        return self.kind.startswith("string") or self.kind == "arn"


@lru_cache(maxsize=512)
def parse_operator(name: str) -> OperatorSpec | None:
    """Take an operator name apart, or None when AWS would not recognise it."""
    set_op: str | None = None
    base = name
    if ":" in name:
        set_op, _, base = name.partition(":")
        if set_op not in SET_OPERATORS:
            return None
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base[: -len("IfExists")]
    if base not in BASE_OPERATORS or (base == "Null" and (if_exists or set_op)):
        return None
    kind, negated = BASE_OPERATORS[base]
    return OperatorSpec(name, base, kind, negated, if_exists, set_op)


def suggest_operator(name: str) -> str | None:
    """The operator a learner probably meant (case or spelling slip), if any."""
    import difflib

    candidates = [*BASE_OPERATORS, *(b + "IfExists" for b in BASE_OPERATORS if b != "Null")]
    base = name.rpartition(":")[2]
    lowered = {c.lower(): c for c in candidates}
    if base.lower() in lowered:
        return lowered[base.lower()]
    close = difflib.get_close_matches(base, candidates, n=1, cutoff=0.75)
    return close[0] if close else None


# --- value parsing ------------------------------------------------------------------------

_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*\Z")


# Parsers are cached: the same request values (times, counts, addresses) come back often.
@lru_cache(maxsize=4096)
def parse_number(text: str) -> float | None:
    """An integer or decimal value (not Python extras such as ``nan``, ``inf`` or ``1_0``)."""
    return float(text) if _NUMBER.match(text) else None


_EPOCH = re.compile(r"\s*-?\d+(\.\d+)?\s*\Z")


@lru_cache(maxsize=4096)
def parse_date(text: str) -> float | None:
    """An ISO 8601 date/time or epoch seconds, as epoch seconds (UTC when no zone)."""
    if _EPOCH.match(text):
        return float(text)
    candidate = text.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(text: str) -> IpNetwork | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def value_problem(kind: str, value: str) -> str | None:
    """Why ``value`` cannot be a policy value for an operator of this kind, if it cannot."""
    if kind.startswith("numeric") and parse_number(value) is None:
        return f'"{value}" is not a number'
    if kind.startswith("date") and parse_date(value) is None:
        return f'"{value}" is not a date (use ISO 8601 like 2025-01-31T12:00:00Z, or epoch seconds)'
    if kind == "ip" and parse_network(value) is None:
        return f'"{value}" is not an IP address or CIDR range like 203.0.113.0/24'
    if kind in ("bool", "null") and value.lower() not in ("true", "false"):
        return f'"{value}" is not true or false'
    return None


# --- matchers -------------------------------------------------------------------------------

_NUMERIC_CMP: dict[str, Callable[[float, float], bool]] = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


def _ordered(parse: Callable[[str], float | None], cmp: Callable[[float, float], bool],
             values: Sequence[str]) -> Matcher:
    targets = [t for t in (parse(v) for v in values) if t is not None]

    def match(value: str) -> bool:
        got = parse(value)
        if got is None:
            return False
        for target in targets:  # noqa: SIM110 - a plain loop is faster on the hot path
            if cmp(got, target):
                return True
        return False

    return match


IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=4096)
def _ip_address(text: str) -> IpAddress | None:
    """A request's address (``aws:SourceIp``), or None when it is not a single address."""
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _ip_matcher(values: Sequence[str]) -> Matcher:
    networks = [n for n in (parse_network(v) for v in values) if n is not None]

    def match(value: str) -> bool:
        address = _ip_address(value)
        if address is None:
            net = parse_network(value)
            return net is not None and any(
                net.version == n.version and net.subnet_of(n) for n in networks  # type: ignore[arg-type]
            )
        for network in networks:  # noqa: SIM110 - a plain loop is faster on the hot path
            if address in network:
                return True
        return False

    return match


def build_matcher(kind: str, values: Sequence[str]) -> Matcher:
    """A test of one request value against a condition's (already substituted) values."""
    if kind == "string" or kind == "binary":
        wanted = frozenset(values)
        return wanted.__contains__
    if kind == "string-ci":
        folded = frozenset(v.lower() for v in values)
        return lambda value: value.lower() in folded
    if kind == "bool":
        flags = frozenset(v.lower() for v in values)
        return lambda value: value.lower() in flags
    if kind == "string-like":
        return GlobSet(values).match
    if kind == "arn":
        return GlobSet(values, arn=True).match
    if kind.startswith("numeric"):
        return _ordered(parse_number, _NUMERIC_CMP[kind[-2:]], values)
    if kind.startswith("date"):
        return _ordered(parse_date, _NUMERIC_CMP[kind[-2:]], values)
    if kind == "ip":
        return _ip_matcher(values)
    raise ValueError(f"no matcher for {kind}")


@lru_cache(maxsize=65536)
def _static_matcher(kind: str, values: tuple[str, ...]) -> Matcher:
    return build_matcher(kind, values)


def substituted_values(values: tuple[str, ...], context: Context) -> tuple[str, ...]:
    """The values with policy variables replaced; values that cannot resolve are dropped."""
    return tuple(s for s in (substitute(v, context) for v in values) if s is not None)


def _substituted_matcher(kind: str, values: tuple[str, ...], context: Context) -> Matcher:
    """Matcher after replacing policy variables (cached by the values they resolve to)."""
    if kind == "string-like":
        # wildcards in the policy's text still act; characters from variables are literal
        globs = [g for g in (substitute_glob(v, context) for v in values) if g is not None]
        return lambda value: any(g.match(value) for g in globs)
    return _static_matcher(kind, substituted_values(values, context))


# --- compiled conditions -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ConditionCheck:
    """What one condition entry found, for explanations."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None
    passed: bool

    def describe(self) -> str:
        """Plain English: what was compared and how it came out."""
        wanted = ", ".join(f'"{v}"' for v in self.policy_values) or "(no usable value)"
        if self.request_values is None:
            got = f"the request has no {self.key}"
        else:
            shown = ", ".join(f'"{v}"' for v in self.request_values) or "an empty list"
            got = f"the request has {self.key} = {shown}"
        verdict = "holds" if self.passed else "fails"
        return f"{self.operator} {self.key} [{wanted}] {verdict}: {got}"


class CompiledCondition:
    """One ``operator: {key: values}`` entry made ready to test quickly, many times."""

    __slots__ = ("if_absent", "key", "matcher", "name", "negated", "null_wants", "set_op",
                 "spec", "values", "variables")

    def __init__(self, spec: OperatorSpec, key: str, values: tuple[str, ...],
                 variables_enabled: bool) -> None:
        self.spec = spec
        self.name = key
        self.key = key.lower()
        self.values = values
        self.variables = (variables_enabled and spec.substitutes_variables
                          and any(has_variables(v) for v in values))
        self.matcher: Matcher | None = None
        if spec.kind != "null" and not self.variables:
            self.matcher = _static_matcher(spec.kind, values)
        self.negated = spec.negated
        self.set_op = spec.set_op
        # The outcome when the request lacks the key (or, for a set operator, has no value):
        # ForAllValues holds, ForAnyValue fails, the others hold only if negated or IfExists.
        self.if_absent = (spec.set_op == "ForAllValues" if spec.set_op
                          else spec.if_exists or spec.negated)
        # Null: the presence tests asked for ("true": the key is absent, "false": present).
        self.null_wants = (frozenset(v.lower() == "true" for v in values)
                           if spec.kind == "null" else None)

    def holds(self, context: Context) -> bool:
        """Does this condition entry hold for the request context?"""
        found = context.lowered.get(self.key)
        if self.null_wants is not None:
            return (found is None) in self.null_wants
        set_op = self.set_op
        if found is None or (not found and set_op):
            return self.if_absent
        match = self.matcher or _substituted_matcher(self.spec.kind, self.values, context)
        negated = self.negated
        if set_op is None:
            hit = match(found[0]) if len(found) == 1 else any(match(v) for v in found)
            return not hit if negated else hit
        if set_op == "ForAnyValue":
            return any(match(v) != negated for v in found)
        return all(match(v) != negated for v in found)

    def check(self, context: Context) -> ConditionCheck:
        """The outcome with what was compared, for an explanation."""
        shown = self.values
        if self.spec.kind != "null" and self.variables:
            shown = substituted_values(self.values, context)
        return ConditionCheck(self.spec.name, self.name, shown,
                              context.get_values(self.key), self.holds(context))
