"""AWS's policy evaluation logic: which policies apply and how their answers combine.

Follows the IAM User Guide: "Policy evaluation logic", "How AWS enforcement code logic
evaluates requests to allow or deny access", "Policy evaluation for requests within a single
account", "Cross-account policy evaluation logic", "Permissions boundaries for IAM entities"
(resource-based policies and boundaries), "Session policies", and the STS API reference
(GetCallerIdentity needs no permission). In order:

1. an explicit Deny in any applicable policy decides (explicitDeny);
2. every level of resource control policies, then of service control policies, must allow;
3. within one account, a resource-based policy that names the caller itself allows on its
   own; one that names the role or user behind a session still needs the boundary and
   session policy; otherwise identity policies, boundary and session policy must all allow.
   Role trust policies and KMS key policies must allow even within one account;
4. across accounts both sides must allow: the caller's identity side (identity policies,
   boundary, session policy) and the resource-based policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from iamlab.arn import PrincipalType
from iamlab.decision import Decision, StatementResult, Verdict
from iamlab.matching import CompiledStatement, PrincipalMatch, compiled
from iamlab.policy import Effect, Policy, PolicyKind
from iamlab.request import Request

# Actions authorised against a role's trust policy.
TRUST_ACTIONS = frozenset({
    "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
    "sts:tagsession", "sts:setsourceidentity", "sts:setcontext",
})
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
    def of(cls, identity: Iterable[Policy] = (), resource: Policy | None = None,
           boundary: Policy | Iterable[Policy] | None = None,
           session: Policy | Iterable[Policy] | None = None,
           scps: Iterable[Iterable[Policy]] | None = None,
           rcps: Iterable[Iterable[Policy]] | None = None) -> PolicySet:
        """Build from lists or single policies."""
        def many(p: Policy | Iterable[Policy] | None) -> tuple[Policy, ...]:
            if p is None:
                return ()
            return (p,) if isinstance(p, Policy) else tuple(p)

        def levels(lv: Iterable[Iterable[Policy]] | None) -> tuple[tuple[Policy, ...], ...] | None:
            return None if lv is None else tuple(tuple(level) for level in lv)

        return cls(tuple(identity), resource, many(boundary), many(session), levels(scps),
                   levels(rcps))


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
        return max((m for _, m, _ in self.allows), default=PrincipalMatch.NONE)


Hits = list[tuple[CompiledStatement, PrincipalMatch, "StatementResult | None"]]


# Shared answers for a policy kind the request does not have (never modified).
_EMPTY = {kind: _Scan(kind, False) for kind in PolicyKind}


def _scan(kind: PolicyKind, policies: Sequence[Policy], request: Request, explain: bool,
          level: int = 0, has_boundary: bool = False) -> _Scan:
    if not policies:
        return _EMPTY[kind] if level == 0 else _Scan(kind, False, level)
    scan = _Scan(kind, True, level)
    resource_side = kind in (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP)
    action = request.action
    arn = request.resource.arn
    context = request.context
    for policy in policies:
        for cs in compiled(policy):
            st = cs.statement
            forced = (has_boundary and st.effect is Effect.DENY
                      and st.not_principals is not None)
            result: StatementResult | None = None
            if explain:
                result = _weigh(cs, request, resource_side, forced, level)
                scan.results.append(result)
                if not result.matched:
                    continue
                match = _level_of(cs, request, resource_side, forced)
            else:
                # the cheapest tests first; a statement fails on its first miss
                if (cs.action_rx.match(action) is None) is not cs.action_negated:
                    continue
                if not cs.resource_star and not cs.resource_matches(arn, context):
                    continue
                match = (cs.principal_match(request.identity) if resource_side and not forced
                         else PrincipalMatch.DIRECT)
                if not match or (cs.conditions and not cs.conditions_hold(context)):
                    continue
            (scan.allows if st.effect is Effect.ALLOW else scan.denies).append(
                (cs, match, result))
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
        cs.condition_checks(request.context), level)


def evaluate(request: Request, policies: PolicySet, explain: bool = False) -> Decision:
    """Decide a request as AWS would. With ``explain``, weigh and report every statement."""
    ident = request.identity
    has_boundary = bool(policies.boundary)
    scans = [
        _scan(PolicyKind.IDENTITY, policies.identity, request, explain),
        _scan(policies.resource.kind if policies.resource else PolicyKind.RESOURCE,
              (policies.resource,) if policies.resource else (), request, explain,
              has_boundary=has_boundary),
        _scan(PolicyKind.BOUNDARY, policies.boundary, request, explain),
        _scan(PolicyKind.SESSION, policies.session, request, explain),
    ]
    rcps = [_scan(PolicyKind.RCP, lv, request, explain, i)
            for i, lv in enumerate(policies.rcps or ())]
    scps = [] if ident.is_service else [
        _scan(PolicyKind.SCP, lv, request, explain, i) for i, lv in enumerate(policies.scps or ())
    ]
    identity, resource, boundary, session = scans
    verdict, blocked, summary, deciding = _decide(request, identity, resource, boundary,
                                                  session, scps, rcps)
    results: tuple[StatementResult, ...] = ()
    notes: list[str] = []
    if explain:
        results = tuple(r for s in (*scps, *rcps, *scans) for r in s.results)
        if has_boundary and any(st.effect is Effect.DENY and st.not_principals is not None
                                for st in policies.resource.statements) \
                if policies.resource else False:
            notes.append("A Deny with NotPrincipal in a resource-based policy always applies "
                         "to a caller that has a permissions boundary (IAM User Guide, "
                         "Permissions boundaries).")
    return Decision(verdict, request, summary, blocked,
                    tuple(r for _, _, r in deciding if r is not None), results, tuple(notes),
                    explain)


def _decide(request: Request, identity: _Scan, resource: _Scan, boundary: _Scan,
            session: _Scan, scps: list[_Scan], rcps: list[_Scan]
            ) -> tuple[Verdict, PolicyKind | None, str, Hits]:
    action, arn = request.action, request.resource.arn
    ident = request.identity
    what = f"{action} on {arn}"

    if action.lower() == "sts:getcalleridentity":
        return (Verdict.ALLOWED, None, "sts:GetCallerIdentity needs no permission: anyone "
                "signed in may ask who they are, and no policy can deny it.", [])

    for scan in (*scps, *rcps, identity, resource, boundary, session):
        if scan.denies:
            cs = scan.denies[0][0]
            return (Verdict.EXPLICIT_DENY, scan.kind,
                    f"{cs.policy.label}, {cs.statement.label}, explicitly denies {what}; an "
                    "explicit Deny overrides every Allow.", scan.denies)
    for scans, kind in ((rcps, "resource control policies"), (scps, "service control policies")):
        for scan in scans:
            if not scan.allowed:
                return (Verdict.IMPLICIT_DENY, scan.kind,
                        f"No {scan.kind.label} at organisation level {scan.level + 1} allows "
                        f"{what}; every level of {kind} must allow it.", [])

    needs_resource_policy = (action.lower() in TRUST_ACTIONS
                             or action.lower().startswith("kms:"))
    rbp = resource.best_allow()
    rbp_name = (resource.kind.label if resource.present else
                "role trust policy" if action.lower() in TRUST_ACTIONS else
                "key policy" if action.lower().startswith("kms:") else "resource-based policy")

    if ident.type in (PrincipalType.SERVICE, PrincipalType.ANONYMOUS):
        who = f"the service {ident.value}" if ident.is_service else "an anonymous caller"
        if rbp:
            return (Verdict.ALLOWED, None, f"The {rbp_name} allows {who} to perform {what}.",
                    resource.allows)
        return (Verdict.IMPLICIT_DENY, resource.kind,
                f"No {rbp_name} lets {who} perform {what}; a service or anonymous caller has "
                "no identity-based policies, so the resource's policy must allow it.", [])

    root = ident.type is PrincipalType.ACCOUNT
    identity_ok = identity.allowed or root
    boundary_ok = not boundary.present or boundary.allowed
    session_ok = not session.present or session.allowed

    def identity_side_gap() -> tuple[PolicyKind, str] | None:
        if not identity_ok:
            return PolicyKind.IDENTITY, f"no identity-based policy allows {what}"
        if not boundary_ok:
            return PolicyKind.BOUNDARY, (f"the permissions boundary does not allow {action} "
                                         "(a boundary only limits, it never grants)")
        if not session_ok:
            return PolicyKind.SESSION, (f"the session policy does not allow {action} "
                                        "(a session policy only limits, it never grants)")
        return None

    if request.same_account:
        if rbp is PrincipalMatch.DIRECT:
            return (Verdict.ALLOWED, None, f"The {rbp_name} names the caller and allows "
                    f"{what}; within one account that is enough on its own.", resource.allows)
        if rbp is PrincipalMatch.SESSION_ISSUER:
            gap = None if boundary_ok and session_ok else identity_side_gap()
            if gap is None:
                return (Verdict.ALLOWED, None, f"The {rbp_name} names the role or user behind "
                        f"this session and allows {what}.", resource.allows)
            return (Verdict.IMPLICIT_DENY, gap[0], f"The {rbp_name} allows the role or user "
                    f"behind this session, but {gap[1]}.", [])
        gap = identity_side_gap()
        if gap is not None:
            extra = "" if not resource.present else (
                f" The {rbp_name} does not name the caller either.")
            return (Verdict.IMPLICIT_DENY, gap[0], f"Denied because {gap[1]}.{extra}", [])
        if needs_resource_policy and not rbp:
            return (Verdict.IMPLICIT_DENY, resource.kind, f"The {rbp_name} does not allow "
                    f"{what}; a {rbp_name} must allow even within one account.", [])
        return (Verdict.ALLOWED, None, f"Allowed: {_granted_by(identity, root)} {what}, and "
                "nothing denies it.", identity.allows + resource.allows)

    # cross-account: both the caller's side and the resource's side must allow
    gap = identity_side_gap()
    if gap is not None:
        return (Verdict.IMPLICIT_DENY, gap[0], f"Cross-account request denied: {gap[1]}; "
                "the caller's own account must allow the request too.", [])
    if not rbp:
        return (Verdict.IMPLICIT_DENY, resource.kind, f"Cross-account request denied: no "
                f"{rbp_name} in the resource's account ({request.resource.account}) allows "
                f"{what} for this caller.", [])
    return (Verdict.ALLOWED, None, f"Cross-account request allowed: {_granted_by(identity, root)}"
            f" {what} and the {rbp_name} in account {request.resource.account} allows it too.",
            identity.allows + resource.allows)


def _granted_by(identity: _Scan, root: bool) -> str:
    if root:
        return "the account root user may do anything in its own account, including"
    cs = identity.allows[0][0]
    return f"{cs.policy.label}, {cs.statement.label}, allows"
