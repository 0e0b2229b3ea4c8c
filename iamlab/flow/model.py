"""The steps of AWS's policy evaluation, and what each said about one decided request.

IAM User Guide, "Policy evaluation logic" ("How AWS enforcement code logic evaluates
requests to allow or deny access"): the enforcement code first looks for an explicit Deny
in every applicable policy; then resource control policies (RCPs) and service control
policies (SCPs) must allow; then a resource-based policy may allow, identity-based
policies must allow, and a permissions boundary and a session policy, where there is one,
must allow too. Within one account a resource-based policy that names the caller allows on
its own ("Policy evaluation for requests within a single account"); across accounts both
the resource-based policy and the caller's identity side must allow ("Cross-account policy
evaluation logic").

The step that decided comes from the engine's reason code and the policy kind it blames
(:attr:`Decision.reason`, :attr:`Decision.blocked_by`); what each step said comes from the
statements the engine weighed (``explain=True``).
"""

from __future__ import annotations

from dataclasses import dataclass

from iamlab.decision import Decision, StatementResult, Verdict
from iamlab.errors import IamlabError
from iamlab.policy import Effect, PolicyKind

# (key, title, policy kinds weighed at this step), in AWS's order
STEPS: tuple[tuple[str, str, frozenset[PolicyKind]], ...] = (
    ("deny", "Explicit Deny in any policy?", frozenset(PolicyKind)),
    ("rcp", "Resource control policies (RCPs)", frozenset({PolicyKind.RCP})),
    ("scp", "Service control policies (SCPs)", frozenset({PolicyKind.SCP})),
    ("resource", "Resource-based policy", frozenset({PolicyKind.RESOURCE, PolicyKind.TRUST})),
    ("identity", "Identity-based policies", frozenset({PolicyKind.IDENTITY})),
    ("boundary", "Permissions boundary", frozenset({PolicyKind.BOUNDARY})),
    ("session", "Session policy", frozenset({PolicyKind.SESSION})),
)
_STEP_OF_KIND = {kind: key for key, _, kinds in STEPS[1:] for kind in kinds}
# reason code -> the step that decided (None: the step of the kind the decision blames)
_DECIDING_STEP: dict[str, str | None] = {
    "explicit-deny": "deny", "org-gap": None, "service-allowed": "resource",
    "service-denied": "resource", "resource-direct": "resource",
    "resource-session": "resource", "resource-session-limited": None,
    "resource-role": "resource", "resource-role-limited": None,
    "identity-gap": None, "resource-required": "resource", "root": "identity",
    "identity": "identity", "cross-identity-gap": None, "cross-resource-gap": "resource",
    "cross-allowed": "resource",
}


@dataclass(frozen=True)
class FlowStep:
    """One step of the flow for this request.

    ``present``: some policy of this step applied to the request. ``outcome``: what the
    step said: ``"deny"`` (an explicit Deny, or nothing allows where something must),
    ``"allow"``, ``"no-allow"`` (nothing allows here, and the request goes on: a
    resource-based policy within one account), ``"pass"`` (no explicit Deny), ``"none"``
    (no such policy) or ``"not-reached"`` (the request was decided before). ``decided``:
    this step gave the answer. ``policies``: the policies weighed here; ``deciding``: the
    statements that decided, as "policy, statement" labels.
    """

    key: str
    title: str
    present: bool
    outcome: str
    decided: bool
    policies: tuple[str, ...] = ()
    deciding: tuple[str, ...] = ()

    @property
    def reached(self) -> bool:
        return self.outcome != "not-reached"


@dataclass(frozen=True)
class Flow:
    """The whole flow: the steps in order, the answer, where it came from and why."""

    steps: tuple[FlowStep, ...]
    decision: str
    decided_at: str
    deciding_policy: str
    same_account: bool
    summary: str

    def step(self, key: str) -> FlowStep:
        """The step with this key (``deny``, ``rcp``, ``scp``, ``resource``, ``identity``,
        ``boundary``, ``session``)."""
        for s in self.steps:
            if s.key == key:
                return s
        raise IamlabError(f"there is no step {key!r}; the steps are "
                          + ", ".join(s.key for s in self.steps))

    @property
    def path(self) -> tuple[str, ...]:
        """The keys of the steps the request went through, in order."""
        return tuple(s.key for s in self.steps if s.reached)


def _label(r: StatementResult) -> str:
    return f"{r.policy.label}, {r.statement.label}"


def evaluation_flow(decision: Decision) -> Flow:
    """The flow for ``decision``, which must have been made with ``explain=True`` (the
    statements weighed say what each step found)."""
    if not decision.explained:
        raise IamlabError("the evaluation flow needs the statements weighed: decide with "
                          "evaluate(request, policies, explain=True)")
    by_step: dict[str, list[StatementResult]] = {}
    for r in decision.statements:
        by_step.setdefault(_STEP_OF_KIND[r.policy.kind], []).append(r)
    denied = decision.verdict is not Verdict.ALLOWED
    # a resource-based policy that allows a service, or names the caller within one account,
    # allows on its own: nothing after it is looked at
    alone = decision.reason in ("service-allowed", "resource-direct")
    if decision.reason == "caller-identity":
        at = "deny"
    else:
        at = _DECIDING_STEP.get(decision.reason) or _STEP_OF_KIND.get(
            decision.blocked_by or PolicyKind.IDENTITY, "identity")
    deciding = tuple(_label(r) for r in decision.deciding)
    keys = [key for key, _, _ in STEPS]
    steps = []
    for key, title, _ in STEPS:
        results = by_step.get(key, []) if key != "deny" else list(decision.statements)
        policies = tuple(dict.fromkeys(r.policy.label for r in results))
        present = bool(results)
        allows = any(r.matched and r.effect is Effect.ALLOW for r in results)
        after = keys.index(key) > keys.index(at)
        if key == "deny":
            outcome = "deny" if decision.reason == "explicit-deny" else "pass"
        elif after and (denied or alone):
            outcome = "not-reached"
        elif key == at and denied:  # also where no such policy exists but one must allow
            outcome = "deny"
        elif not present:
            outcome = "none"
        else:
            outcome = "allow" if allows else "no-allow"
        here = key == at
        steps.append(FlowStep(key, title, present, outcome, here, policies,
                              deciding if here else ()))
    weighed = next(s.policies for s in steps if s.key == at)
    policy = deciding[0] if deciding else (
        f"{weighed[0]} does not allow it" if len(weighed) == 1
        else f"no {decision.blocked_by.label} allows it" if decision.blocked_by
        else "no policy needed")
    return Flow(tuple(steps), decision.decision, at, policy,
                decision.request.same_account, decision.summary)
