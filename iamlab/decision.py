"""The engine's answer: a decision in AWS's vocabulary, and why, for a learner.

Like Cedar's authorization response: the decision plus diagnostics naming the statements
that decided it. Views (text, HTML, DataFrame) read this; they never decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from iamlab.conditions import ConditionCheck
from iamlab.matching import CompiledStatement
from iamlab.policy import Effect, Policy, PolicyKind, Statement
from iamlab.printable import printable
from iamlab.request import Request

if TYPE_CHECKING:
    import pandas

    from iamlab.flow import Flow


class Verdict(str, Enum):
    """The three answers of the IAM policy simulator (``EvalDecision``)."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


@dataclass(frozen=True, slots=True)
class StatementResult:
    """One statement weighed against the request: did it apply, and if not, why not."""

    policy: Policy
    statement: Statement
    action_matched: bool
    resource_matched: bool
    principal_matched: bool | None  # None where the policy kind has no Principal
    principal_level: str  # "direct", "session issuer", "account", "" (no match / n/a)
    conditions: tuple[ConditionCheck, ...]
    level: int = 0  # organisation level for SCPs and RCPs
    action: str = ""  # the request's action, for hints from the action catalog

    @property
    def matched(self) -> bool:
        return (self.action_matched and self.resource_matched
                and self.principal_matched is not False
                and all(c.passed for c in self.conditions))

    @property
    def effect(self) -> Effect:
        return self.statement.effect

    @property
    def why_not(self) -> str:
        """The first reason this statement does not apply, in plain English ("" if it does)."""
        st = self.statement
        if not self.action_matched:
            if st.not_actions is not None:
                return "the action is one of its NotAction exceptions"
            return "its Action does not cover " + "this action"
        if not self.resource_matched:
            if st.not_resources is not None:
                return "the resource is one of its NotResource exceptions"
            from iamlab.hints import resource_type_hint

            hint = resource_type_hint(self.action, st.resources or ())
            return "its Resource does not cover this resource" + (f" ({hint})" if hint else "")
        if self.principal_matched is False:
            if st.not_principals is not None:
                return "the caller is listed in its NotPrincipal"
            return "its Principal does not name the caller"
        failed = [c for c in self.conditions if not c.passed]
        if failed:
            return "a condition fails: " + failed[0].describe()
        return ""

    @property
    def summary(self) -> str:
        where = f"{self.policy.label}, {self.statement.label}"
        if self.matched:
            verb = "allows" if self.effect is Effect.ALLOW else "denies"
            return f"{where} ({self.effect.value}) applies: it {verb} the request"
        return f"{where} ({self.effect.value}) does not apply: {self.why_not}"


@dataclass(slots=True)
class Decision:
    """The answer to a request and its explanation (read-only by convention).

    ``reason`` is a code for how the decision came about (see :mod:`iamlab.reasons`, which
    turns it into ``summary``); ``blocked_by`` names the policy kind that denied (explicitly
    or by not allowing); ``cause`` is the first deciding statement; ``level`` the
    organisation level for SCP/RCP reasons. With explanation, ``deciding`` lists the
    statements that decided (the Deny statements for an explicit deny, the Allow statements
    that granted access) and ``statements`` every statement weighed.
    """

    verdict: Verdict
    request: Request
    reason: str
    blocked_by: PolicyKind | None = None
    cause: CompiledStatement | None = field(default=None, repr=False)
    level: int = 0
    deciding: tuple[StatementResult, ...] = ()
    statements: tuple[StatementResult, ...] = ()  # every statement weighed (explain mode)
    notes: tuple[str, ...] = ()
    explained: bool = field(default=False, compare=False)

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOWED

    @property
    def summary(self) -> str:
        """One plain-English sentence saying why."""
        from iamlab.reasons import summary

        return summary(self)

    @property
    def decision(self) -> str:
        """``allowed``, ``explicitDeny`` or ``implicitDeny``."""
        return self.verdict.value

    def __bool__(self) -> bool:
        return self.allowed

    def flow(self) -> Flow:
        """AWS's evaluation flow for this decision: the steps in order, what each said,
        and which step and policy decided (:func:`iamlab.flow.evaluation_flow`)."""
        from iamlab.flow import evaluation_flow

        return evaluation_flow(self)

    @property
    def aws_reason(self) -> str:
        """The tail of AWS's AccessDenied message ("because no identity-based policy...")."""
        if self.allowed or self.blocked_by is None:
            return ""
        action = self.request.action
        if self.verdict is Verdict.EXPLICIT_DENY:
            label = self.blocked_by.label
            article = "an" if label[0] in "aeiou" else "a"
            return f"with an explicit deny in {article} {label}"
        return f"because no {self.blocked_by.label} allows the {action} action"

    def text(self) -> str:
        """A plain-text explanation: the summary, the deciding statements, every statement
        (control characters from a policy shown escaped, see :mod:`iamlab.printable`)."""
        lines = [f"{self.verdict.value}: {self.summary}"]
        lines += [f"  note: {n}" for n in self.notes]
        if self.deciding:
            lines.append("Decided by:")
            lines += [f"  - {r.summary}" for r in self.deciding]
        if self.statements:
            lines.append("Every statement considered:")
            for r in self.statements:
                lines.append(f"  - {r.summary}")
                lines += [f"      {'ok ' if c.passed else 'NO '} {c.describe()}"
                          for c in r.conditions]
        return "\n".join(printable(line) for line in lines)  # safe to print on a terminal

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        from iamlab.render import decision_html

        return decision_html(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "summary": self.summary,
            "blocked_by": self.blocked_by.value if self.blocked_by else None,
            "deciding": [r.summary for r in self.deciding],
            "statements": [
                {"policy": r.policy.label, "statement": r.statement.label,
                 "effect": r.effect.value, "matched": r.matched, "why_not": r.why_not,
                 "conditions": [c.describe() for c in r.conditions]}
                for r in self.statements
            ],
            "notes": list(self.notes),
        }

    def to_frame(self) -> pandas.DataFrame:
        """The statements considered as a table, one row each."""
        import pandas

        deciding = {id(r) for r in self.deciding}
        rows = [{
            "policy type": r.policy.kind.label,
            "policy": r.policy.name,
            "statement": r.statement.sid or f"#{r.statement.index + 1}",
            "effect": r.effect.value,
            "action": r.action_matched,
            "resource": r.resource_matched,
            "principal": r.principal_matched,
            "conditions": all(c.passed for c in r.conditions),
            "applies": r.matched,
            "decided": id(r) in deciding,
            "why not": r.why_not,
        } for r in self.statements]
        return pandas.DataFrame(rows)
