"""The JSON Lines case format of the expected-decision corpus (``tests/data/cases.jsonl``).

One case: the policies that apply (identity, resource, boundary, SCP levels, session), a
request (principal, action, resource with its account, context) and optionally the expected
decision. ``iamlab simulate`` reads and answers these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iamlab.engine import TRUST_ACTIONS, PolicySet
from iamlab.errors import IamlabError, PolicyError
from iamlab.parse import parse_policy
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


def _policy(doc: Any, kind: PolicyKind, name: str) -> Policy:
    try:
        return parse_policy(doc, kind, name, strict=False)
    except PolicyError as exc:
        raise CaseError("; ".join(f"{name} {p}" for p in exc.problems)) from None


def _policies(docs: Any, kind: PolicyKind, field_name: str) -> list[Policy]:
    if docs is None:
        return []
    if not isinstance(docs, list):
        raise CaseError(f"{field_name} must be a list of policy documents or null")
    return [_policy(d, kind, f"{field_name}[{i}]") for i, d in enumerate(docs)]


def case_from_dict(raw: Mapping[str, Any]) -> Case:
    """Build a case from one decoded JSON line, raising :class:`CaseError` on bad input."""
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
        identity=_policies(raw.get("identityPolicies"), PolicyKind.IDENTITY, "identityPolicies"),
        resource=_policy(rdoc, resource_kind, "resourcePolicy") if rdoc is not None else None,
        boundary=_policies(raw.get("permissionBoundaries"), PolicyKind.BOUNDARY,
                           "permissionBoundaries"),
        session=_policy(session, PolicyKind.SESSION, "sessionPolicy")
        if session is not None else None,
        scps=None if scps is None else [_policies(lv, PolicyKind.SCP, f"scps[{i}]")
                                        for i, lv in enumerate(scps)],
        rcps=None if rcps is None else [_policies(lv, PolicyKind.RCP, f"rcps[{i}]")
                                        for i, lv in enumerate(rcps)],
    )
    request = Request(req["principal"], action, resource, Context(context))
    expected = raw.get("expected")
    return Case(str(raw.get("id", "")), request, policies,
                expected if isinstance(expected, str) else None,
                raw.get("family") if isinstance(raw.get("family"), str) else None)
