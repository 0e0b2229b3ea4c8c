"""AWS's policy evaluation logic: which policies apply and how their answers combine.

Follows the IAM User Guide: "Policy evaluation logic", "How AWS enforcement code logic
evaluates requests to allow or deny access", "Policy evaluation for requests within a single
account", "Cross-account policy evaluation logic", "Permissions boundaries for IAM entities"
(resource-based policies and boundaries), "Session policies", and the STS API reference
(GetCallerIdentity needs no permission). In order:

1. an explicit Deny in any applicable policy decides (explicitDeny);
2. every level of resource control policies, then of service control policies, must allow;
3. within one account, a resource-based policy that names the caller itself (an IAM user,
   a role session) allows on its own; one that names a role's ARN (the caller's role, or
   the role behind its session) still needs the boundary and session policy; otherwise
   identity policies, boundary and session policy must all allow.
   Role trust policies and KMS key policies must allow even within one account;
4. across accounts both sides must allow: the caller's identity side (identity policies,
   boundary, session policy) and the resource-based policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from iamlab.arn import PrincipalType, parse_arn
from iamlab.decision import Decision, StatementResult, Verdict
from iamlab.errors import IamlabError
from iamlab.matching import CompiledStatement, PrincipalMatch, compiled
from iamlab.policy import Effect, Policy, PolicyKind
from iamlab.request import Request

# Actions authorised against a role's trust policy.
TRUST_ACTIONS = frozenset({
    "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
    "sts:tagsession", "sts:setsourceidentity", "sts:setcontext",
})
# Needs no permission, and no policy can deny it (STS API reference, GetCallerIdentity).
CALLER_IDENTITY = "sts:getcalleridentity"
# what PolicySet.of accepts for one policy: a Policy, or a document as a dict or JSON text
PolicyLike = Policy | Mapping[str, Any] | str
_LEVEL_NAMES = {PrincipalMatch.DIRECT: "direct", PrincipalMatch.SESSION_ISSUER:
                "session issuer", PrincipalMatch.ACCOUNT: "account", PrincipalMatch.NONE: ""}


@dataclass(frozen=True)
class PolicySet:
    """Every policy that bears on one request, by kind.

    ``scps`` and ``rcps`` are organisation levels, root first and account last: every level
    must allow. ``None`` means Organizations does not apply. A boundary or session policy
    given as several documents acts as one (any of them may allow).
    """

    identity: tuple[Policy, ...] = ()
    resource: Policy | None = None
    boundary: tuple[Policy, ...] = ()
    session: tuple[Policy, ...] = ()
    scps: tuple[tuple[Policy, ...], ...] | None = None
    rcps: tuple[tuple[Policy, ...], ...] | None = None

    @classmethod
    def of(cls, identity: PolicyLike | Iterable[PolicyLike] = (),
           resource: PolicyLike | None = None,
           boundary: PolicyLike | Iterable[PolicyLike] | None = None,
           session: PolicyLike | Iterable[PolicyLike] | None = None,
           scps: Iterable[Iterable[PolicyLike]] | None = None,
           rcps: Iterable[Iterable[PolicyLike]] | None = None) -> PolicySet:
        """Build from lists or single policies. A policy may also be given as a dict or
        JSON text (parsed as the kind its place says); anything else is a clear error."""
        def many(p: Any, kind: PolicyKind) -> tuple[Policy, ...]:
            if p is None:
                return ()
            if isinstance(p, (Policy, Mapping, str)):
                return (_policy(p, kind),)
            try:
                items = tuple(p)
            except TypeError:
                raise _expected(p, kind) from None
            return tuple(_policy(x, kind) for x in items)

        def levels(lv: Iterable[Iterable[PolicyLike]] | None, kind: PolicyKind
                   ) -> tuple[tuple[Policy, ...], ...] | None:
            return None if lv is None else tuple(many(level, kind) for level in lv)

        return cls(many(identity, PolicyKind.IDENTITY),
                   None if resource is None else _resource_policy(resource),
                   many(boundary, PolicyKind.BOUNDARY), many(session, PolicyKind.SESSION),
                   levels(scps, PolicyKind.SCP), levels(rcps, PolicyKind.RCP))


def _expected(value: object, kind: PolicyKind) -> IamlabError:
    return IamlabError(
        f"a {kind.label} must be a Policy (from parse_policy), a dict or JSON text, not "
        f"{type(value).__name__}: write PolicySet.of(identity=[parse_policy(...)], ...)")


def _policy(value: object, kind: PolicyKind) -> Policy:
    """A policy given to :meth:`PolicySet.of`: kept as it is, or parsed from a dict or text."""
    if isinstance(value, Policy):
        return value
    if isinstance(value, (Mapping, str)):
        from iamlab.parse import parse_policy

        return parse_policy(value, kind)
    raise _expected(value, kind)


def _resource_policy(value: object) -> Policy:
    """The resource's own policy: a resource-based policy, or a role's trust policy."""
    from iamlab.errors import PolicyError

    try:
        return _policy(value, PolicyKind.RESOURCE)
    except PolicyError:
        if isinstance(value, Policy):
            raise
        try:
            return _policy(value, PolicyKind.TRUST)
        except PolicyError:
            pass
        raise


def check_arguments(request: object, policies: object) -> None:
    """Say plainly what :func:`evaluate` expects when it is called with something else
    (a list of policies instead of a PolicySet is the usual slip)."""
    if not isinstance(request, Request):
        raise IamlabError("evaluate(request, policies) takes a Request first, not "
                          f"{type(request).__name__}: build one with Request.of(principal, "
                          "action, resource)")
    if not isinstance(policies, PolicySet):
        raise IamlabError("evaluate(request, policies) takes a PolicySet second, not "
                          f"{type(policies).__name__}: write evaluate(request, "
                          "PolicySet.of(identity=[policy])) for identity-based policies "
                          "(resource=, boundary=, session=, scps= and rcps= for the others)")


class _Scan:
    """What one kind of policy (or one organisation level) says about the request."""

    __slots__ = ("allows", "denies", "kind", "level", "present", "results")

    def __init__(self, kind: PolicyKind, present: bool, level: int = 0) -> None:
        self.kind = kind
        self.present = present
        self.level = level
        self.allows: Hits = []
        self.denies: Hits = []
        self.results: list[StatementResult] = []

    @property
    def allowed(self) -> bool:
        return bool(self.allows)

    def best_allow(self) -> PrincipalMatch:
        best = PrincipalMatch.NONE
        for _, match, _ in self.allows:
            if match > best:
                best = match
        return best


Hits = list[tuple[CompiledStatement, PrincipalMatch, "StatementResult | None"]]


# Shared answers for a policy kind the request does not have (never modified).
_EMPTY = {kind: _Scan(kind, False) for kind in PolicyKind}


_RESOURCE_SIDE = frozenset({PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP})
# Callers that are no principal of a member account, and have no identity-based policies:
# only the resource's own policy (a role's trust policy) can let them in.
_NO_SCP = frozenset({PrincipalType.SERVICE, PrincipalType.ANONYMOUS,
                     PrincipalType.IDENTITY_PROVIDER})


def _is_kms_key(request: Request) -> bool:
    """A KMS action on a KMS key, whose key policy must allow it (AWS KMS Developer Guide,
    "Using IAM policies with AWS KMS": actions such as kms:CreateKey or kms:ListKeys involve
    no particular key and are controlled by IAM policies alone)."""
    if not request.action.lower().startswith("kms:"):
        return False
    arn = parse_arn(request.resource.arn)
    return arn is not None and arn.service == "kms" and arn.resource.startswith("key/")


def _scan(kind: PolicyKind, policies: Sequence[Policy], request: Request, explain: bool,
          level: int = 0, has_boundary: bool = False) -> _Scan:
    """Weigh the statements of ``policies`` and sort the ones that apply into allows/denies.

    With ``explain`` every statement is weighed in full; without, each test stops at its first
    miss and the scan stops at the first Deny that applies.
    """
    if not policies:
        return _EMPTY[kind] if level == 0 else _Scan(kind, False, level)
    scan = _Scan(kind, True, level)
    resource_side = kind in _RESOURCE_SIDE
    if explain:
        for policy in policies:
            for cs in compiled(policy):
                forced = has_boundary and cs.not_principal_deny
                result = _weigh(cs, request, resource_side, forced, level)
                scan.results.append(result)
                if result.matched:
                    match = _level_of(cs, request, resource_side, forced)
                    (scan.allows if cs.allow else scan.denies).append((cs, match, result))
        return scan
    action = request.action
    arn = request.resource.arn
    context = request.context
    who = request.identity
    for policy in policies:
        for cs in compiled(policy):
            # the cheapest tests first; a statement fails on its first miss
            if cs.action_set.match(action) is cs.action_negated:
                continue
            if not cs.resource_star and not cs.resource_matches(arn, context):
                continue
            if resource_side and not (has_boundary and cs.not_principal_deny):
                match = cs.principal_match(who)
                if not match:
                    continue
            else:
                match = PrincipalMatch.DIRECT
            if cs.conditions and not cs.conditions_hold(context):
                continue
            if not cs.allow:
                # without an explanation, the first Deny is all _decide needs from this kind
                scan.denies.append((cs, match, None))
                return scan
            scan.allows.append((cs, match, None))
    return scan


def _level_of(cs: CompiledStatement, request: Request, resource_side: bool,
              forced: bool) -> PrincipalMatch:
    if not resource_side or forced:
        return PrincipalMatch.DIRECT
    return cs.principal_match(request.identity)


def _weigh(cs: CompiledStatement, request: Request, resource_side: bool, forced: bool,
           level: int) -> StatementResult:
    """Every test of one statement, none skipped, so the explanation is complete."""
    principal: bool | None = None
    plevel = PrincipalMatch.DIRECT
    if resource_side:
        plevel = _level_of(cs, request, resource_side, forced)
        principal = plevel is not PrincipalMatch.NONE
    return StatementResult(
        cs.policy, cs.statement,
        cs.action_matches(request.action),
        cs.resource_matches(request.resource.arn, request.context),
        principal, _LEVEL_NAMES[plevel] if principal is not False else "",
        cs.condition_checks(request.context), level, request.action)


def evaluate(request: Request, policies: PolicySet, explain: bool = False) -> Decision:
    """Decide a request as AWS would. With ``explain``, weigh and report every statement.

    Policies are weighed in the order :func:`_decide` looks for an explicit Deny (SCPs, RCPs,
    identity, resource, boundary, session). Without an explanation the first Deny found
    decides at once: nothing weighed after it could change the answer.
    """
    if type(policies) is not PolicySet or type(request) is not Request:
        check_arguments(request, policies)
    if not explain and request.action.lower() == CALLER_IDENTITY:
        return Decision(Verdict.ALLOWED, request, "caller-identity")
    has_boundary = bool(policies.boundary)
    res = policies.resource
    # SCPs limit the principals of member accounts: not services, not anonymous callers
    scps = [_scan(PolicyKind.SCP, lv, request, explain, i)
            for i, lv in enumerate(policies.scps)] \
        if policies.scps and request.identity.type not in _NO_SCP else []
    rcps = [_scan(PolicyKind.RCP, lv, request, explain, i)
            for i, lv in enumerate(policies.rcps)] if policies.rcps else []
    if not explain and (denied := _first_denial(*scps, *rcps)) is not None:
        return _explicit_deny(request, denied)
    identity = _scan(PolicyKind.IDENTITY, policies.identity, request, explain)
    if not explain and identity.denies:
        return _explicit_deny(request, identity)
    resource = (_scan(res.kind, (res,), request, explain, has_boundary=has_boundary)
                if res is not None else _EMPTY[PolicyKind.RESOURCE])
    if not explain and resource.denies:
        return _explicit_deny(request, resource)
    boundary = _scan(PolicyKind.BOUNDARY, policies.boundary, request, explain)
    session = _scan(PolicyKind.SESSION, policies.session, request, explain)
    scans = (identity, resource, boundary, session)
    verdict, blocked, reason, deciding, level = _decide(request, identity, resource, boundary,
                                                        session, scps, rcps)
    cause = deciding[0][0] if deciding else None
    if not explain:
        return Decision(verdict, request, reason, blocked, cause, level)
    results = tuple(r for s in (*scps, *rcps, *scans) for r in s.results)
    notes: list[str] = []
    if has_boundary and any(st.effect is Effect.DENY and st.not_principals is not None
                            for st in policies.resource.statements) \
            if policies.resource else False:
        notes.append("A Deny with NotPrincipal in a resource-based policy always applies "
                     "to a caller that has a permissions boundary (IAM User Guide, "
                     "Permissions boundaries).")
    return Decision(verdict, request, reason, blocked, cause, level,
                    tuple(r for _, _, r in deciding if r is not None), results, tuple(notes),
                    explain)


def _first_denial(*scans: _Scan) -> _Scan | None:
    """The first of ``scans`` with a Deny that applies, if any."""
    for scan in scans:
        if scan.denies:
            return scan
    return None


def _explicit_deny(request: Request, scan: _Scan) -> Decision:
    """The decision (without explanation) when ``scan`` holds the first explicit Deny."""
    return Decision(Verdict.EXPLICIT_DENY, request, "explicit-deny", scan.kind,
                    scan.denies[0][0], scan.level)


Outcome = tuple[Verdict, "PolicyKind | None", str, Hits, int]


def _decide(request: Request, identity: _Scan, resource: _Scan, boundary: _Scan,
            session: _Scan, scps: list[_Scan], rcps: list[_Scan]) -> Outcome:
    """The decision as (verdict, blocking policy kind, reason code, deciding hits, org level).

    Reason codes are turned into sentences by :mod:`iamlab.reasons`, only when read.
    """
    action = request.action.lower()
    ident = request.identity
    if action == CALLER_IDENTITY:
        return Verdict.ALLOWED, None, "caller-identity", [], 0
    for scan in (*scps, *rcps, identity, resource, boundary, session):
        if scan.denies:
            return Verdict.EXPLICIT_DENY, scan.kind, "explicit-deny", scan.denies, scan.level
    for scan in (*rcps, *scps):
        if not scan.allows:
            return Verdict.IMPLICIT_DENY, scan.kind, "org-gap", [], scan.level

    rbp = resource.best_allow()
    rbp_kind = resource.kind
    if (ident.type is PrincipalType.SERVICE or ident.type is PrincipalType.ANONYMOUS
            or ident.type is PrincipalType.IDENTITY_PROVIDER):
        if rbp:
            return Verdict.ALLOWED, None, "service-allowed", resource.allows, 0
        return Verdict.IMPLICIT_DENY, rbp_kind, "service-denied", [], 0

    root = ident.type is PrincipalType.ACCOUNT
    if root and action == "sts:assumerole":
        # STS API reference, AssumeRole: "You cannot use AWS account root user credentials to
        # call AssumeRole." No policy can change that.
        return Verdict.IMPLICIT_DENY, None, "root-cannot-assume", [], 0
    gap: PolicyKind | None = None
    if not (identity.allows or root):
        gap = PolicyKind.IDENTITY
    elif boundary.present and not boundary.allows:
        gap = PolicyKind.BOUNDARY
    elif session.present and not session.allows:
        gap = PolicyKind.SESSION

    if request.same_account:
        if rbp is PrincipalMatch.DIRECT:
            return Verdict.ALLOWED, None, "resource-direct", resource.allows, 0
        if rbp is PrincipalMatch.SESSION_ISSUER:
            limit = (PolicyKind.BOUNDARY if boundary.present and not boundary.allows else
                     PolicyKind.SESSION if session.present and not session.allows else None)
            reason = "resource-role" if ident.type is PrincipalType.ROLE else "resource-session"
            if limit is None:
                return Verdict.ALLOWED, None, reason, resource.allows, 0
            return Verdict.IMPLICIT_DENY, limit, f"{reason}-limited", [], 0
        if gap is not None:
            return Verdict.IMPLICIT_DENY, gap, "identity-gap", [], 0
        if not rbp and (action in TRUST_ACTIONS or _is_kms_key(request)):
            return Verdict.IMPLICIT_DENY, rbp_kind, "resource-required", [], 0
        return Verdict.ALLOWED, None, "root" if root else "identity", \
            identity.allows + resource.allows, 0
    # across accounts both the caller's side and the resource's side must allow
    if gap is not None:
        return Verdict.IMPLICIT_DENY, gap, "cross-identity-gap", [], 0
    if not rbp:
        return Verdict.IMPLICIT_DENY, rbp_kind, "cross-resource-gap", [], 0
    return Verdict.ALLOWED, None, "cross-allowed", identity.allows + resource.allows, 0
