"""Reading policy documents: JSON text, a dict or a file → a :class:`~iamlab.policy.Policy`.

Every problem AWS would reject is reported at once, each with its JSON path and its line and
column in the original text (IAM User Guide, "IAM JSON policy element reference" and "IAM
JSON policy grammar"). Nothing a learner types produces anything but a ``PolicyError``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iamlab.arn import ACCOUNT_ID, bad_account, parse_arn
from iamlab.conditions import parse_operator, suggest_operator, value_problem
from iamlab.errors import JsonPath, PolicyError, Problem
from iamlab.inputs import (
    MAX_POLICY_BYTES,
    POLICY_LIMIT_WHY,
    InputTooLarge,
    policy_over_limit,
    read_limited,
    too_large,
)
from iamlab.jsonloc import JsonSyntaxError, Locations, parse_with_locations
from iamlab.policy import (
    VERSION_2008,
    VERSION_2012,
    Condition,
    Effect,
    Policy,
    PolicyKind,
    Principal,
    Statement,
)

TOP_KEYS = ("Version", "Id", "Statement")
STATEMENT_KEYS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                  "Resource", "NotResource", "Condition")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
# the policies IAM itself stores (and STS reads), whose Sid is letters and digits only
_IAM_SID_KINDS = frozenset({PolicyKind.IDENTITY, PolicyKind.TRUST, PolicyKind.BOUNDARY,
                            PolicyKind.SESSION})
_IAM_SID = re.compile(r"[A-Za-z0-9]*")
ACTION_SHAPE = re.compile(r"[A-Za-z0-9*?-]+:[A-Za-z0-9*?]*\Z")
"""What an action (or action pattern) must look like: ``service:Action``, wildcards allowed."""

PolicySource = str | bytes | Mapping[str, Any] | os.PathLike[str]
_EFFECTS = {"Allow": Effect.ALLOW, "Deny": Effect.DENY}
_UNIQUE_ID = re.compile(r"[A-Z0-9]{21}")


class _Checker:
    """Walks one document, collecting problems and building the Policy."""

    def __init__(self, kind: PolicyKind, locations: Locations, strict: bool) -> None:
        self.kind = kind
        self.strict = strict
        self.loc = locations
        self.problems: list[Problem] = []
        self.errors = 0  # how many of the problems are errors

    def problem(self, code: str, message: str, path: JsonPath, at_key: bool = False,
                severity: str = "error") -> None:
        pos = self.loc.key(path) if at_key else self.loc.value(path)
        self.problems.append(Problem(code, message, path, pos.line if pos else None,
                                     pos.column if pos else None, severity))
        self.errors += severity == "error"

    @property
    def failed(self) -> bool:
        return self.errors > 0

    # -- top level ------------------------------------------------------------------------
    def policy(self, doc: Any, name: str, source: str | None) -> Policy | None:
        for obj_path, key, _pos in self.loc.duplicates:
            self.problem("duplicate-key", f'"{key}" appears twice in the same object; '
                         "AWS rejects duplicate keys", (*obj_path, key), at_key=True)
        if not isinstance(doc, dict):
            hint = (": these look like statements; put them in a policy, "
                    f"{{{_WRAP}: [...]}}" if isinstance(doc, list) and doc
                    and all(_is_statement(s) for s in doc) else "")
            self.problem("not-object", "a policy must be a JSON object {...}, not "
                         f"{_json_type(doc)}{hint}", ())
            return None
        if "Statement" not in doc and _is_statement(doc):
            self.problem("missing-statement", "this is one statement, not a whole policy: put "
                         f'it in a list under "Statement", {{{_WRAP}: [{{...}}]}}', ())
            return None
        for key in doc:
            if key not in TOP_KEYS:
                self.unknown_key(key, (key,), TOP_KEYS, "policy")
        version = doc.get("Version")
        if "Version" in doc and version not in (VERSION_2012, VERSION_2008):
            self.problem("bad-version", f'Version must be "{VERSION_2012}" (or the old '
                         f'"{VERSION_2008}"), not {json.dumps(version)}: it is a fixed '
                         "language version, not a date you choose", ("Version",))
        pid = doc.get("Id")
        if "Id" in doc and not isinstance(pid, str):
            self.problem("bad-type", "Id must be a string", ("Id",))
        if "Statement" not in doc:
            self.problem("missing-statement", "the policy has no Statement", ())
            return None
        raw = doc["Statement"]
        items: list[tuple[JsonPath, Any]]
        if isinstance(raw, dict):
            items = [(("Statement",), raw)]
        elif isinstance(raw, list):
            if not raw:
                self.problem("empty", "Statement is an empty list: add at least one statement",
                             ("Statement",))
            items = [(("Statement", i), s) for i, s in enumerate(raw)]
        else:
            self.problem("bad-type", "Statement must be an object or a list of objects, not "
                         f"{_json_type(raw)}", ("Statement",))
            return None
        statements = [self.statement(path, s, i) for i, (path, s) in enumerate(items)]
        self.check_sids(items)
        if self.failed:
            return None
        return Policy(tuple(s for s in statements if s is not None), self.kind,
                      version if isinstance(version, str) else None,
                      pid if isinstance(pid, str) else None, name, source)

    def check_sids(self, items: list[tuple[JsonPath, Any]]) -> None:
        """Each Sid unique; in a policy IAM stores, letters and digits only (IAM User Guide,
        "IAM JSON policy elements: Sid": "The Sid element supports ASCII uppercase letters
        (A-Z), lowercase letters (a-z), and numbers (0-9)"; services such as S3 or SQS
        accept more in their own policies). A warning here, so that such a policy can still
        be evaluated; the linter reports it as an error, and the editors refuse it."""
        seen: set[str] = set()
        for path, s in items:
            sid = s.get("Sid") if isinstance(s, dict) else None
            if isinstance(sid, str) and sid and self.kind in _IAM_SID_KINDS \
                    and not _IAM_SID.fullmatch(sid):
                clean = re.sub(r"[^A-Za-z0-9]", "", sid)
                hint = f' (write "{clean}")' if clean else ""
                self.problem("bad-sid", f'Sid "{sid}" has characters IAM does not accept: a Sid '
                             "may use only the letters A-Z and a-z and the digits 0-9" + hint,
                             (*path, "Sid"), severity="warning")
            if isinstance(sid, str) and sid:
                if sid in seen:
                    self.problem("duplicate-sid", f'Sid "{sid}" is used by two statements; '
                                 "each Sid must be unique in a policy", (*path, "Sid"),
                                 severity="error" if self.strict else "warning")
                seen.add(sid)

    def unknown_key(self, key: str, path: JsonPath, allowed: tuple[str, ...], where: str) -> None:
        hint = _did_you_mean(key, allowed)
        self.problem("unknown-key", f'"{key}" is not a {where} element{hint}; allowed: '
                     + ", ".join(allowed), path, at_key=True)

    # -- statements ---------------------------------------------------------------------
    def statement(self, path: JsonPath, s: Any, index: int) -> Statement | None:
        if not isinstance(s, dict):
            self.problem("not-object", f"each statement must be an object {{...}}, not "
                         f"{_json_type(s)}", path)
            return None
        before = self.errors
        for key in s:
            if key not in STATEMENT_KEYS:
                self.unknown_key(key, (*path, key), STATEMENT_KEYS, "statement")
        sid = s.get("Sid")
        if "Sid" in s and not isinstance(sid, str):
            self.problem("bad-type", "Sid must be a string", (*path, "Sid"))
        effect: Any = s.get("Effect")
        if "Effect" not in s:
            self.problem("missing-effect", 'the statement has no Effect ("Allow" or "Deny")',
                         path)
        elif effect not in ("Allow", "Deny"):
            hint = ""
            if isinstance(effect, str) and effect.capitalize() in ("Allow", "Deny"):
                hint = f' (write "{effect.capitalize()}": Effect is case-sensitive)'
            self.problem("bad-effect", f'Effect must be "Allow" or "Deny", not '
                         f"{json.dumps(effect)}{hint}", (*path, "Effect"))
        actions, not_actions = self.pair(s, path, "Action", "NotAction", required=True)
        for name, values in (("Action", actions), ("NotAction", not_actions)):
            for i, a in enumerate(values or ()):
                if a != "*" and not ACTION_SHAPE.match(a):
                    self.problem("bad-action", f'"{a}" is not an action: write it as '
                                 'service:Action, for example "s3:GetObject"',
                                 (*path, name, i) if _is_list(s[name]) else (*path, name))
        needs_resource = self.kind is not PolicyKind.TRUST
        resources, not_resources = self.pair(s, path, "Resource", "NotResource",
                                             required=needs_resource)
        if not needs_resource and (resources is not None or not_resources is not None):
            key = "Resource" if resources is not None else "NotResource"
            self.problem("prohibited-resource", f"a role trust policy must not have {key}: "
                         "the resource is always the role itself", (*path, key), at_key=True)
        principals, not_principals = self.principals(s, path)
        if not_principals is not None:
            # IAM User Guide, "AWS JSON policy elements: NotPrincipal"
            if self.kind is PolicyKind.TRUST:
                self.problem("prohibited-notprincipal", "a role trust policy cannot use "
                             "NotPrincipal: name who may assume the role in Principal",
                             (*path, "NotPrincipal"), at_key=True)
            elif self.kind is PolicyKind.RCP:
                # Same page: "isn't supported in ... Resource Control Policies (RCP)".
                self.problem("prohibited-notprincipal", "a resource control policy cannot "
                             'use NotPrincipal: use "Principal": "*" with a Condition on '
                             "aws:PrincipalArn", (*path, "NotPrincipal"), at_key=True)
            elif effect == "Allow":
                self.problem("notprincipal-allow", 'NotPrincipal works only with "Effect": '
                             '"Deny"; to allow, name the principals in Principal',
                             (*path, "NotPrincipal"), at_key=True)
        conditions = self.conditions(s.get("Condition"), (*path, "Condition")) \
            if "Condition" in s else ()
        if self.errors > before:
            return None
        return Statement(_EFFECTS[effect], sid if isinstance(sid, str) else None, actions,
                         not_actions, resources, not_resources, principals, not_principals,
                         conditions, index)

    def pair(self, s: dict[str, Any], path: JsonPath, name: str, not_name: str,
             required: bool) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        if name in s and not_name in s:
            self.problem("both-elements", f"a statement cannot have both {name} and {not_name}",
                         (*path, not_name), at_key=True)
        elif required and name not in s and not_name not in s:
            self.problem(f"missing-{name.lower()}", f"the statement has no {name} (or "
                         f"{not_name}); {_a(self.kind.label)} needs one", path)
        return (self.strings(s, path, name) if name in s else None,
                self.strings(s, path, not_name) if not_name in s else None)

    def strings(self, s: dict[str, Any], path: JsonPath, name: str) -> tuple[str, ...] | None:
        value = s[name]
        where = (*path, name)
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            if not value:
                self.problem("empty", f"{name} is an empty list: give at least one value", where)
                return None
            bad = [i for i, v in enumerate(value) if not isinstance(v, str)]
            for i in bad:
                self.problem("bad-type", f"{name} values must be strings, not "
                             f"{_json_type(value[i])}", (*where, i))
            return None if bad else tuple(value)
        self.problem("bad-type", f"{name} must be a string or a list of strings, not "
                     f"{_json_type(value)}", where)
        return None

    def principals(self, s: dict[str, Any], path: JsonPath
                   ) -> tuple[tuple[Principal, ...] | None, tuple[Principal, ...] | None]:
        has = "Principal" in s or "NotPrincipal" in s
        if has and not self.kind.needs_principal:
            key = "Principal" if "Principal" in s else "NotPrincipal"
            self.problem("prohibited-principal", f"{_a(self.kind.label)} must not name a "
                         f"{key}: it applies to whoever it is attached to", (*path, key),
                         at_key=True)
            return None, None
        if "Principal" in s and "NotPrincipal" in s:
            self.problem("both-elements", "a statement cannot have both Principal and "
                         "NotPrincipal", (*path, "NotPrincipal"), at_key=True)
        elif self.kind.needs_principal and not has:
            self.problem("missing-principal", f"the statement has no Principal; a "
                         f"{self.kind.label} must say who it applies to", path)
        return (self.principal_block(s["Principal"], (*path, "Principal"))
                if "Principal" in s else None,
                self.principal_block(s["NotPrincipal"], (*path, "NotPrincipal"))
                if "NotPrincipal" in s else None)

    def principal_block(self, value: Any, path: JsonPath) -> tuple[Principal, ...] | None:
        if value == "*":
            return (Principal("*", "*"),)
        if not isinstance(value, dict):
            self.problem("bad-principal", 'a principal is "*" or an object such as '
                         '{"Service": "ec2.amazonaws.com"} or {"AWS": "arn:aws:iam::'
                         f'111122223333:root"}}, not {json.dumps(value)}', path)
            return None
        if not value:
            self.problem("empty", "the principal object is empty", path)
        out: list[Principal] = []
        for ptype, raw in value.items():
            if ptype not in PRINCIPAL_TYPES:
                self.unknown_key(ptype, (*path, ptype), PRINCIPAL_TYPES, "principal type")
                continue
            values = self.strings(value, path, ptype)
            for i, v in enumerate(values or ()):
                vpath = (*path, ptype, i) if isinstance(raw, list) else (*path, ptype)
                message = _principal_problem(ptype, v)
                if message:
                    self.problem("bad-principal", message, vpath)
                out.append(Principal(ptype, v))
        return tuple(out)

    def conditions(self, block: Any, path: JsonPath) -> tuple[Condition, ...]:
        if not isinstance(block, dict):
            self.problem("bad-type", 'Condition must be an object like {"StringEquals": '
                         f'{{"aws:SourceAccount": "111122223333"}}}}, not {_json_type(block)}',
                         path)
            return ()
        out: list[Condition] = []
        for op, entries in block.items():
            spec = parse_operator(op)
            opath = (*path, op)
            if spec is None:
                guess = suggest_operator(op)
                hint = f' (did you mean "{guess}"?)' if guess else ""
                self.problem("unknown-operator", f'"{op}" is not a condition operator{hint}',
                             opath, at_key=True)
            if not isinstance(entries, dict) or not entries:
                self.problem("bad-type", f"{op} must map condition keys to values, like "
                             '{"aws:SourceIp": "203.0.113.0/24"}', opath)
                continue
            for key, raw in entries.items():
                kpath = (*opath, key)
                values = self.condition_values(raw, kpath)
                if values is None:
                    continue
                if spec is not None:
                    for i, v in enumerate(values):
                        why = value_problem(spec.kind, v)
                        if why:
                            self.problem("bad-condition-value", f"{why}, as {op} needs",
                                         (*kpath, i) if isinstance(raw, list) else kpath)
                out.append(Condition(op, key, values))
        return tuple(out)

    def condition_values(self, raw: Any, path: JsonPath) -> tuple[str, ...] | None:
        items = raw if isinstance(raw, list) else [raw]
        if isinstance(raw, list) and not raw:
            self.problem("empty", "the condition has an empty list of values", path)
            return None
        out: list[str] = []
        for i, v in enumerate(items):
            if isinstance(v, bool):
                out.append("true" if v else "false")
            elif isinstance(v, (int, float, str)):
                out.append(str(v))
            else:
                self.problem("bad-condition-value", "condition values must be strings, numbers "
                             f"or true/false, not {_json_type(v)}",
                             (*path, i) if isinstance(raw, list) else path)
                return None
        return tuple(out)


def _principal_problem(ptype: str, value: str) -> str | None:
    if ptype != "AWS" or value == "*":
        return None
    if ACCOUNT_ID.match(value) or value.startswith("arn:"):
        if "*" in value or "?" in value:
            return (f'"{value}": wildcards are not allowed in a principal ARN (only "*" alone '
                    "is); use a condition on aws:PrincipalArn instead")
        return _principal_arn_problem(value) if value.startswith("arn:") else None
    if _UNIQUE_ID.fullmatch(value):  # unique IDs (AIDA..., AROA...) are accepted
        return None
    digits = f" ({len(value)} digits; an account ID has 12)" if value.isdigit() else ""
    return (f'"{value}" is not an AWS principal{digits}: use an account ID, an ARN such as '
            'arn:aws:iam::111122223333:role/Name, or "*"')


_WRAP = '"Version": "2012-10-17", "Statement"'


def _is_statement(value: Any) -> bool:
    """Whether a JSON value looks like one statement (a learner's missing wrapper)."""
    return isinstance(value, dict) and bool({"Effect", "Action", "NotAction"} & set(value))


def _principal_arn_problem(value: str) -> str | None:
    """Why IAM refuses a principal ARN ("Invalid principal in policy"), if it does: an ARN
    has six colon-separated parts, and an IAM or STS one names a 12-digit account (IAM User
    Guide, "AWS JSON policy elements: Principal"; CloudFront's legacy origin access identity,
    ``arn:aws:iam::cloudfront:user/...``, is the one exception)."""
    arn = parse_arn(value)
    if arn is None:
        return (f'"{value}" is not an ARN: an ARN has six parts separated by colons, like '
                "arn:aws:iam::111122223333:role/Name (two colons after iam: the Region is "
                'empty), and IAM rejects the policy with "Invalid principal in policy"')
    account = bad_account(arn)
    if account is not None:
        return (f'"{value}": {account} is not an account ID; an account ID has exactly 12 '
                'digits, and IAM rejects the policy with "Invalid principal in policy"')
    return None


def _did_you_mean(key: str, allowed: tuple[str, ...]) -> str:
    lowered = {a.lower(): a for a in allowed}
    if key.lower() in lowered:
        return f' (element names are case-sensitive: write "{lowered[key.lower()]}")'
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _a(noun: str) -> str:
    """``a permissions boundary``, ``an identity-based policy``."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the string {json.dumps(value)}"
    if isinstance(value, list):
        return "a list"
    return "an object"


def looks_like_path(text: str) -> bool:
    """Whether a string given as a policy is a file name (``examples/x.json``) rather than
    JSON text: one line, not starting like JSON, and an existing file or a ``.json`` name."""
    name = text.strip()
    if not name or "\n" in name or name[0] in '{["' or name in ("null", "true", "false"):
        return False
    return name.lower().endswith(".json") or Path(name).is_file()


def load_document(source: PolicySource) -> tuple[Any, Locations, str | None]:
    """Turn text, bytes, a mapping or a path (a ``Path``, or a string naming a file such as
    ``examples/x.json``) into (value, locations, text)."""
    if isinstance(source, (Mapping, list)):  # a list: statements without their policy
        # Only what JSON can hold: string keys, no NaN, no objects (as AWS receives text).
        if policy_over_limit(source):
            raise _too_large()
        try:
            value = json.loads(json.dumps(source, allow_nan=False))
        except (TypeError, ValueError, RecursionError) as exc:
            raise PolicyError([Problem("not-json", "the policy holds something that is not "
                                       f"JSON: {exc}")]) from None
        return value, Locations.empty(), None
    if isinstance(source, str) and looks_like_path(source):
        source = Path(source)
    if isinstance(source, os.PathLike):
        try:
            source = read_limited(source, MAX_POLICY_BYTES, "a policy",
                                  POLICY_LIMIT_WHY).decode("utf-8")
        except InputTooLarge as exc:
            raise PolicyError([Problem("too-large", str(exc))]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError([Problem("unreadable", f"cannot read {source}: {exc}")]) from None
    if isinstance(source, (str, bytes)) and policy_over_limit(source):
        raise _too_large()
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PolicyError([Problem("bad-encoding", f"the text is not UTF-8: {exc}")]) from None
    if not isinstance(source, str):
        widget = any(c.__module__.startswith(("iamlab.widgets", "ipywidgets"))
                     for c in type(source).__mro__)
        hint = (" (that is a widget, not a policy: give the policy it shows, as a dict or as "
                "JSON text)") if widget else ""
        raise PolicyError([Problem("bad-type", "a policy is JSON text, a dict or a file path, "
                                   f"not {type(source).__name__}{hint}")])
    try:
        value, locations = parse_with_locations(source)
    except JsonSyntaxError as exc:
        raise PolicyError([Problem("invalid-json", f"invalid JSON: {exc.message}", (),
                                   exc.line, exc.column)]) from None
    return value, locations, source


def _too_large() -> PolicyError:
    """A policy larger than any AWS accepts, refused before it is parsed (as ``iamlab lint``
    and the linter from Python refuse it), so a huge paste costs nothing."""
    return PolicyError([Problem("too-large", str(too_large("the policy", "a policy",
                                                            MAX_POLICY_BYTES,
                                                            POLICY_LIMIT_WHY)))])


def check_policy(source: PolicySource, kind: PolicyKind | str = PolicyKind.IDENTITY,
                 name: str = "", strict: bool = True) -> tuple[Policy | None, list[Problem]]:
    """Parse and validate; return the policy (None if invalid) and every problem found.

    ``strict=False`` accepts what AWS's evaluator copes with although IAM would refuse to
    store it (duplicate Sids): such problems come back as warnings.
    """
    kind = PolicyKind(kind)
    try:
        doc, locations, text = load_document(source)
    except PolicyError as exc:
        return None, exc.problems
    return check_document(doc, kind, locations, strict, name, text)


def check_document(doc: Any, kind: PolicyKind, locations: Locations | None = None,
                   strict: bool = True, name: str = "", text: str | None = None
                   ) -> tuple[Policy | None, list[Problem]]:
    """Validate a document already read (by :func:`load_document`): the policy (None if
    invalid) and every problem, placed with ``locations``. ``text`` is kept as the policy's
    source. This lets a caller that needs the raw document too read the text only once."""
    checker = _Checker(kind, locations if locations is not None else Locations.empty(), strict)
    policy = checker.policy(doc, name, text)
    return policy, checker.problems


def parse_policy(source: PolicySource, kind: PolicyKind | str = PolicyKind.IDENTITY,
                 name: str = "", strict: bool = True) -> Policy:
    """Parse a policy of the given kind, raising :class:`PolicyError` listing all problems."""
    policy, problems = check_policy(source, kind, name, strict)
    if policy is None:
        label = f'{PolicyKind(kind).label} "{name}"' if name else f"the {PolicyKind(kind).label}"
        raise PolicyError(problems, label, _kind_hint(source, PolicyKind(kind)))
    return policy


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _kind_hint(source: PolicySource, kind: PolicyKind) -> str:
    """When a role's trust policy is read as another kind (``parse_policy`` reads an
    identity-based policy unless told), a hint saying which kind to pass ("" otherwise)."""
    if kind is PolicyKind.TRUST:
        return ""
    try:
        doc = load_document(source)[0]
    except PolicyError:
        return ""
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements:
        return ""

    def actions(st: Any) -> list[Any]:
        value = st.get("Action", []) if isinstance(st, dict) else []
        return value if isinstance(value, list) else [value]
    trusts = all(isinstance(st, dict) and "Principal" in st and "Resource" not in st
                 and actions(st) and all(isinstance(a, str) and a.lower().startswith(
                     "sts:assumerole") for a in actions(st)) for st in statements)
    if not trusts:
        return ""
    return (f"this looks like a role trust policy (it names principals who may assume a "
            f"role), read as {_article(kind.label)} {kind.label}: pass the kind, "
            'parse_policy(source, "trust")')
