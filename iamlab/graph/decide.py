"""Deciding one edge with the engine, and finding which context keys it needs.

The method (what ``conditions`` on an edge means):

1. **Absent.** The engine decides the request with only the *facts* in its context: who the
   caller is, its tags, the time, the resource's tags, and keys the edge itself fixes (such
   as ``iam:PassedToService``). Keys a caller chooses or circumstances decide (MFA,
   ``sts:ExternalId``, ``aws:SourceIp``, ``aws:SourceArn``/``aws:SourceAccount``, request
   tags, SAML claims, ``aws:PrincipalOrgID``...) are absent, as AWS leaves them when nobody
   supplies them. Allowed: the edge holds unconditionally (``conditions == ()``).
2. **Present and satisfying.** Otherwise the engine explains the denial; every statement
   that would decide it differently but for a condition on a non-fact key is read: an Allow
   whose only failing conditions are on such keys wants them to hold, an applying Deny that
   has a condition on such a key wants one of them to fail. A value is chosen per key from
   the policy's own values (wildcards filled in, numbers and dates nudged, an address of an
   IP range...), and it is kept only if the engine's own condition matcher confirms it gives
   the wanted outcome. The request is decided again with those keys present; this repeats
   (a supplied key can make another statement apply) up to four rounds.
3. If allowed, keys that turn out unnecessary are dropped one at a time (the engine decides
   again each time); what remains are the edge's ``conditions``.

A condition on a fact key that fails (the wrong tag, the wrong account) is never "supplied":
that edge does not exist. The method can miss an edge when no value satisfies every
statement at once (conflicting conditions on one key); it never reports an edge the engine
did not allow under the context it reports in ``supplied``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from iamlab.conditions import (
    CompiledCondition,
    parse_date,
    parse_network,
    parse_number,
    parse_operator,
)
from iamlab.decision import Decision, StatementResult
from iamlab.engine import PolicySet, evaluate
from iamlab.graph.actors import Actor
from iamlab.matching import compiled
from iamlab.org import OrgSnapshot, control_levels, org_context
from iamlab.policy import Condition, Effect, Policy
from iamlab.request import Context, ContextValue, Request, Resource
from iamlab.variables import substitute

_ROUNDS = 4
_FILLER = "example"
# Resource facts: the tags of the resource (a role) are known from the dump.
RESOURCE_FACT_PREFIXES = ("aws:resourcetag/", "iam:resourcetag/")


@dataclass(frozen=True)
class Outcome:
    """The engine's answer for one request, and the keys it needed to be allowed."""

    allowed: bool
    decision: Decision
    supplied: Mapping[str, ContextValue] = field(default_factory=dict)
    requires: tuple[str, ...] = ()

    @property
    def conditions(self) -> tuple[str, ...]:
        return tuple(sorted(self.supplied, key=str.lower))

    @property
    def because(self) -> str:
        """The first statement that allowed it (``role trust policy "X", statement "Y"``)."""
        cause = self.decision.cause
        if not self.allowed or cause is None:
            return ""
        return f"{cause.policy.label}, {cause.statement.label}"


# A resource of the graph's requests, and its organisation keys (facts).
_Target = tuple[Resource, dict[str, ContextValue]]


@dataclass
class _Want:
    condition: CompiledCondition
    outcome: bool  # True: must hold, False: must fail
    text: str


class Decider:
    """Decides requests for the graph, remembering which policies have any condition.

    ``org`` (the inventory's organisation, if any) adds the RCP levels of the resource's
    account for the services RCPs protect (:func:`iamlab.org.control_levels`) and the
    resource's organisation keys (``aws:ResourceOrgID``, ``aws:ResourceOrgPaths``).
    """

    def __init__(self, org: OrgSnapshot | None = None) -> None:
        self.org = org
        self._conditional: dict[int, tuple[Policy, bool]] = {}
        self._resources: dict[tuple[str, str | None], _Target] = {}
        self.evaluations = 0

    def _has_conditions(self, policies: PolicySet) -> bool:
        docs: list[Policy] = [*policies.identity, *policies.boundary, *policies.session]
        if policies.resource is not None:
            docs.append(policies.resource)
        for levels in (policies.scps, policies.rcps):
            for level in levels or ():
                docs.extend(level)
        for p in docs:
            hit = self._conditional.get(id(p))
            if hit is None:
                hit = (p, any(cs.statement.conditions for cs in compiled(p)))
                self._conditional[id(p)] = hit
            if hit[1]:
                return True
        return False

    def _resource(self, arn: str, account: str | None) -> _Target:
        """The resource (its account from its ARN if not given) and its organisation keys."""
        key = (arn, account)
        found = self._resources.get(key)
        if found is None:
            resource = Resource.of(arn, account)
            found = (resource, org_context(self.org, None, resource.account))
            self._resources[key] = found
        return found

    def policies(self, actor: Actor, action: str, resource: Resource,
                 resource_policy: Policy | None = None) -> PolicySet:
        """The actor's policies, the resource's policy and the RCPs that bear on the request."""
        rcps = None
        if self.org is not None and self.org.rcps:
            _, rcps = control_levels(self.org, actor.account, resource.account, action,
                                     service_linked=actor.service_linked)
        return actor.policies(resource_policy, rcps)

    def request(self, actor: Actor, action: str, resource: str,
                resource_policy: Policy | None = None,
                extra: Mapping[str, ContextValue] | None = None,
                resource_account: str | None = None) -> tuple[Request, PolicySet]:
        """The request :meth:`decide` asks with ``extra`` keys, and the policies it weighs."""
        target, org_keys = self._resource(resource, resource_account)
        request = actor.request_on(action, target, {**org_keys, **(extra or {})})
        return request, self.policies(actor, action, target, resource_policy)

    def decide(self, actor: Actor, action: str, resource: str,
               resource_policy: Policy | None = None, *,
               facts: Mapping[str, ContextValue] | None = None,
               resource_account: str | None = None, explain: bool = False) -> Outcome:
        """Allowed unconditionally, allowed given some keys, or not at all (see module doc)."""
        target, org_keys = self._resource(resource, resource_account)
        base: dict[str, ContextValue] = {**org_keys, **facts} if facts else dict(org_keys)
        policies = self.policies(actor, action, target, resource_policy)

        def run(supplied: Mapping[str, ContextValue], with_reasons: bool) -> Decision:
            self.evaluations += 1
            request = actor.request_on(action, target, {**base, **supplied})
            return evaluate(request, policies, with_reasons)

        first = run({}, explain)
        if first.allowed or not self._has_conditions(policies):
            return Outcome(first.allowed, first)
        base_keys = {k.lower() for k in base}

        def is_fact(key: str) -> bool:
            low = key.lower()
            return (actor.is_fact(low) or low in base_keys
                    or low.startswith(RESOURCE_FACT_PREFIXES))

        supplied: dict[str, ContextValue] = {}
        texts: dict[str, str] = {}
        for _ in range(_ROUNDS):
            result = run(supplied, True)
            if result.allowed:
                break
            wants = _wants(result, is_fact, supplied)
            if not wants:
                return Outcome(False, first)
            ctx = {**actor.context, **base, **supplied}
            changed = False
            for low, items in sorted(wants.items()):
                chosen = _choose(items, ctx)
                if chosen is None:
                    continue
                name = items[0].condition.name
                old = next((k for k in supplied if k.lower() == low), None)
                if old is not None and supplied[old] == chosen:
                    continue
                if old is not None:
                    del supplied[old]
                supplied[name] = chosen
                texts[low] = "; ".join(dict.fromkeys(w.text for w in items))
                changed = True
            if not changed:
                return Outcome(False, first)
        else:
            if not run(supplied, False).allowed:
                return Outcome(False, first)
        for key in sorted(supplied, key=str.lower):  # drop what was not needed
            trial = {k: v for k, v in supplied.items() if k != key}
            if run(trial, False).allowed:
                supplied = trial
        final = run(supplied, explain)
        requires = tuple(texts[k.lower()] for k in sorted(supplied, key=str.lower))
        return Outcome(final.allowed, final, supplied, requires)


def _wants(result: Decision, is_fact: Callable[[str], bool],
           supplied: Mapping[str, ContextValue]) -> dict[str, list[_Want]] | None:
    """Per context key (lower case), what its conditions must do for the request to pass.

    None when an applying Deny has no condition on a key that could be supplied.
    """
    wants: dict[str, list[_Want]] = {}
    present = {k.lower() for k in supplied}
    for r in result.statements:
        if not (r.action_matched and r.resource_matched) or r.principal_matched is False:
            continue
        conds = _compiled_conditions(r)
        if r.effect is Effect.ALLOW:
            if r.matched:
                continue
            failing = [(c, chk) for c, chk in conds if not chk]
            if any(is_fact(c.name) for c, _ in failing):
                continue  # a fact fails: this statement can never allow
            for c, ok in conds:
                if not ok or c.key in present:
                    wants.setdefault(c.key, []).append(_Want(c, True, _text(c, True)))
        elif r.matched:
            free = [c for c, _ in conds if not is_fact(c.name)]
            if not free:
                return None
            free.sort(key=lambda c: (c.key not in wants and c.key not in present, c.key))
            c = free[0]
            wants.setdefault(c.key, []).append(_Want(c, False, _text(c, False)))
    return wants


def _compiled_conditions(r: StatementResult) -> list[tuple[CompiledCondition, bool]]:
    conds: list[Condition] = [c for c in r.statement.conditions
                              if parse_operator(c.operator) is not None]
    out = []
    for cond, check in zip(conds, r.conditions, strict=False):
        spec = parse_operator(cond.operator)
        assert spec is not None
        out.append((CompiledCondition(spec, cond.key, cond.values,
                                      r.policy.variables_enabled), check.passed))
    return out


def _text(c: CompiledCondition, outcome: bool) -> str:
    values = ", ".join(f'"{v}"' for v in c.values)
    shown = f"[{values}]" if len(c.values) > 1 else values
    head = "" if outcome else "not "
    return f"{head}{c.spec.name} {c.name} {shown}"


def _choose(items: list[_Want], ctx: Mapping[str, ContextValue]) -> ContextValue | None:
    """A value for one key giving every wanted outcome (or most of them), checked by the engine."""
    multi = any(w.condition.spec.set_op for w in items)
    best: tuple[int, ContextValue | None] = (0, None)
    seen: set[str] = set()
    for w in items:
        for candidate in _candidates(w.condition, Context(ctx)):
            if candidate in seen:
                continue
            seen.add(candidate)
            value: ContextValue = [candidate] if multi else candidate
            trial = Context({**ctx, w.condition.name: value})
            score = sum(w2.condition.holds(trial) is w2.outcome for w2 in items)
            if score == len(items):
                return value
            if score > best[0]:
                best = (score, value)
    return best[1]


def _number(n: float) -> str:
    return str(int(n)) if n == int(n) else repr(n)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _candidates(c: CompiledCondition, ctx: Context) -> list[str]:
    """Values worth trying: the policy's own, filled in or nudged, then neutral ones."""
    kind = c.spec.kind
    out: list[str] = []
    for raw in c.values:
        value = substitute(raw, ctx) if "${" in raw else raw
        if value is None:
            continue
        if kind in ("string-like", "arn"):
            value = value.replace("*", _FILLER).replace("?", "x")
        out.append(value)
        if kind.startswith("numeric") and (n := parse_number(value)) is not None:
            out += [_number(n - 1), _number(n + 1)]
        elif kind.startswith("date") and (t := parse_date(value)) is not None:
            day = timedelta(days=1).total_seconds()
            out += [_iso(t), _iso(t - day), _iso(t + day)]
        elif kind == "ip" and (net := parse_network(value)) is not None:
            out += [str(net.network_address), str(next(iter(net.hosts()), net.network_address))]
    if kind == "bool":
        out += ["true", "false"]
    elif kind == "ip":
        out += ["192.0.2.1", str(ipaddress.ip_address("2001:db8::1"))]
    elif kind.startswith("numeric"):
        out += ["0"]
    out.append(f"iamlab-{_FILLER}")
    return out
