"""The JSON Lines case format of the expected-decision corpus (``tests/data/cases.jsonl``).

One case: the policies that apply (identity, resource, boundary, SCP levels, session), a
request (principal, action, resource with its account, context, and for a role session
whose role has a path, the role's ARN) and optionally the expected decision.
``iamlab simulate`` reads and answers these.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iamlab.arn import PrincipalType, identify
from iamlab.engine import TRUST_ACTIONS, PolicySet
from iamlab.errors import IamlabError, format_path
from iamlab.jsonloc import JsonSyntaxError, parse_with_locations
from iamlab.parse import check_document
from iamlab.policy import Policy, PolicyKind
from iamlab.request import Context, Request, Resource


class CaseError(IamlabError):
    """A case line that cannot be read; the message says which field and why."""


@dataclass(frozen=True)
class Case:
    id: str
    request: Request
    policies: PolicySet
    expected: str | None = None
    family: str | None = None


class _RepeatedKey(Exception):
    """Raised inside json.loads at the first object that repeats a key."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _RepeatedKey
    return obj


def _not_json(word: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity``, which Python's JSON reader accepts and JSON
    does not (RFC 8259, section 6)."""
    raise ValueError(f"{word} is not a JSON number (JSON has no NaN or Infinity)")


def _finite(text: str) -> float:
    """A JSON number with a fraction or exponent; one beyond a double's range (``1e999``)
    would become Infinity, which JSON cannot write back."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:20]}{'...' if len(text) > 20 else ''} is too "
                         "large (beyond about 1.8e308)")
    return value


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_not_json,
                           parse_float=_finite)


def read_case_line(text: str) -> Any:
    """Decode one JSON line of cases, refusing an object that repeats a key.

    AWS rejects a policy whose JSON repeats a key (``{"Effect": "Deny", "Effect": "Allow"}``),
    and so do :func:`~iamlab.parse.parse_policy` and ``iamlab lint``
    (``grammar-duplicate-key``): ``iamlab simulate`` gives the same answer, not a decision
    made on whichever value JSON decoding kept. Raises :class:`json.JSONDecodeError` for
    text that is not JSON and :class:`CaseError` for a repeated key (saying where).
    ``NaN``, ``Infinity`` and numbers beyond a double are refused (strict JSON).
    """
    try:
        return _DECODER.decode(text)
    except _RepeatedKey:
        pass
    try:
        _, locations = parse_with_locations(text)
    except JsonSyntaxError as exc:
        raise CaseError(f"invalid JSON at column {exc.column}: {exc.message}") from None
    path, key, pos = locations.duplicates[0]
    where = format_path(path) if path else "the case"
    raise CaseError(f'"{key}" appears twice in {where} (column {pos.column}); AWS rejects '
                    "duplicate keys in a policy, so no decision is made on either value")


def _policy(doc: Any, kind: PolicyKind, name: str, strict: bool) -> Policy:
    # the document was decoded from JSON text: it is checked as it is, not copied first
    policy, problems = check_document(doc, kind, None, strict, name)
    if policy is None:
        raise CaseError("; ".join(f"{name} {p}" for p in problems if p.severity == "error"))
    return policy


def _policies(docs: Any, kind: PolicyKind, field_name: str, strict: bool) -> list[Policy]:
    if docs is None:
        return []
    if not isinstance(docs, list):
        raise CaseError(f"{field_name} must be a list of policy documents or null")
    return [_policy(d, kind, f"{field_name}[{i}]", strict) for i, d in enumerate(docs)]


def _role_from_context(principal: str, context: Context) -> str | None:
    """The role (with its path) behind an assumed-role session, as ``aws:PrincipalArn``
    gives it ("AWS global condition context keys": for a role session the key holds the
    role's ARN, path included), when it is that session's role; else None."""
    values = context.get_values("aws:PrincipalArn")
    if values is None or len(values) != 1 or ":role/" not in values[0]:
        return None
    session = identify(principal)
    if session.type is not PrincipalType.ASSUMED_ROLE or values[0] == session.role_arn:
        return None
    try:
        identify(principal, values[0])
    except ValueError:
        return None  # another role's ARN: the context says what it says, nothing more
    return values[0]


def case_from_dict(raw: Mapping[str, Any], strict: bool = True) -> Case:
    """Build a case from one decoded JSON line, raising :class:`CaseError` on bad input.

    A policy IAM refuses is refused, as ``parse_policy`` and ``iamlab lint`` refuse it,
    including two statements with one Sid ("IAM JSON policy elements: Sid": "In IAM, the
    Sid value must be unique within a JSON policy"). ``strict=False`` lets such Sids through
    (the decision does not depend on them); only the corpus test uses it.
    """
    if not isinstance(raw, Mapping):
        raise CaseError("a case must be a JSON object")
    req = raw.get("request")
    if not isinstance(req, Mapping):
        raise CaseError("the case has no request object")
    for key in ("principal", "action"):
        if not isinstance(req.get(key), str):
            raise CaseError(f"request.{key} must be a string")
    res = req.get("resource")
    if isinstance(res, str):
        resource = Resource.of(res)
    elif isinstance(res, Mapping) and isinstance(res.get("arn"), str):
        account = res.get("accountId")
        resource = Resource.of(res["arn"], account if isinstance(account, str) else None)
    else:
        raise CaseError('request.resource must be {"arn": ..., "accountId": ...}')
    context = req.get("context") or {}
    if not isinstance(context, Mapping) or not all(
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
            for v in context.values()):
        raise CaseError("request.context must map keys to a string or a list of strings")
    action = req["action"]
    resource_kind = (PolicyKind.TRUST if action.lower() in TRUST_ACTIONS
                     else PolicyKind.RESOURCE)
    rdoc = raw.get("resourcePolicy")
    scps = raw.get("scps")
    rcps = raw.get("rcps")
    if scps is not None and not isinstance(scps, list):
        raise CaseError("scps must be a list of organisation levels or null")
    if rcps is not None and not isinstance(rcps, list):
        raise CaseError("rcps must be a list of organisation levels or null")
    session = raw.get("sessionPolicy")
    policies = PolicySet.of(
        identity=_policies(raw.get("identityPolicies"), PolicyKind.IDENTITY, "identityPolicies",
                           strict),
        resource=_policy(rdoc, resource_kind, "resourcePolicy", strict)
        if rdoc is not None else None,
        boundary=_policies(raw.get("permissionBoundaries"), PolicyKind.BOUNDARY,
                           "permissionBoundaries", strict),
        session=_policy(session, PolicyKind.SESSION, "sessionPolicy", strict)
        if session is not None else None,
        scps=None if scps is None else [_policies(lv, PolicyKind.SCP, f"scps[{i}]", strict)
                                        for i, lv in enumerate(scps)],
        rcps=None if rcps is None else [_policies(lv, PolicyKind.RCP, f"rcps[{i}]", strict)
                                        for i, lv in enumerate(rcps)],
    )
    role_arn = req.get("roleArn")
    if role_arn is not None and not isinstance(role_arn, str):
        raise CaseError("request.roleArn must be a string: the ARN of the session's role")
    ctx = Context(context)
    if role_arn is None:
        role_arn = _role_from_context(req["principal"], ctx)
    try:
        request = Request(req["principal"], action, resource, ctx, role_arn)
    except ValueError as exc:
        raise CaseError(f"request.roleArn: {exc}") from None
    expected = raw.get("expected")
    return Case(str(raw.get("id", "")), request, policies,
                expected if isinstance(expected, str) else None,
                raw.get("family") if isinstance(raw.get("family"), str) else None)
