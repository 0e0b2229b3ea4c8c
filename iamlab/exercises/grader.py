"""Grading a learner's policy: findings that name a request the policy gets wrong.

In order, every step's findings reported together (only a policy that cannot be read
stops the rest):

1. ``parse`` / ``lint``: the policy must parse and pass the linter's errors (an exercise may
   also forbid some warnings; the other warnings are listed, they do not fail);
2. ``must-allow``: each request the task needs is allowed; if not, the request and the
   statement that came closest, with why it does not apply;
3. ``must-deny``: each request the task forbids is denied; if not, the statement that
   allowed it;
4. ``broader`` / ``narrower``: the answer decides like the reference on the bounded request
   space of :mod:`iamlab.exercises.probes`; extra access is grouped by access level, most
   dangerous first, each group with one concrete request;
5. ``workload``: where the exercise has one, the scenario's workload runs in a fresh world
   with the learner's policy, and what broke is reported.

Like Cedar's validation result: passed when there are no findings; warnings may remain.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from iamlab.catalog import catalog
from iamlab.decision import Decision, StatementResult, Verdict
from iamlab.errors import IamlabError, PolicyError
from iamlab.exercises.finding import Finding
from iamlab.exercises.probes import ACCESS_LEVELS, probes
from iamlab.exercises.spec import Exercise, Probe
from iamlab.exercises.stage import Stage
from iamlab.parse import PolicySource, parse_policy
from iamlab.playground import Ask, Outcome, RolePlayground
from iamlab.policy import Effect, Policy

ANSWER_NAME = "your answer"
KINDS = ("parse", "lint", "must-allow", "must-deny", "broader", "narrower", "workload")
_LINT_KIND = {"trust": "trust", "permissions": "identity", "boundary": "boundary",
              "resource": "resource"}
MAX_PER_KIND = 3  # a learner fixes one thing at a time: show the first few, count the rest


@dataclass(frozen=True)
class GradeResult:
    """The grade: passed or not, the findings, the warnings that do not fail the answer."""

    exercise: Exercise
    findings: tuple[Finding, ...]
    warnings: tuple[str, ...] = ()
    checked: int = 0  # requests compared with the reference
    decided_by: tuple[str, ...] = field(default=())  # policy kinds that decided must-deny
    stage: Stage | None = field(default=None, repr=False, compare=False)
    answer: RolePlayground | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {"exercise": self.exercise.id, "passed": self.passed,
                "findings": [f.to_dict() for f in self.findings],
                "warnings": list(self.warnings)}

    def counterexample(self) -> Outcome | None:
        """The first finding's request, decided by the role with the learner's policy (both
        steps: may the caller assume the role, may the role do it), for a diagram. None
        when no finding names a request the role itself makes."""
        if self.stage is None or self.answer is None or self.exercise.kind == "trust":
            return None
        for f in self.findings:
            if f.request is not None:
                r = f.request
                return self.answer.decide(Ask(self.stage.actor.principal, r["action"],
                                              r["resource"], r["context"]))
        return None

    def text(self) -> str:
        """The grade in plain text, as ``iamlab grade`` prints it."""
        if self.passed:
            head = f"{self.exercise.id}: passed. {self.exercise.goal}"
            extra = (f" Your answer decides like the reference on all {self.checked} requests "
                     "compared." if self.checked else "")
            if self.decided_by:
                extra += f" The forbidden requests were denied by: {', '.join(self.decided_by)}."
            return head + extra + "".join(f"\n  warning: {w}" for w in self.warnings)
        lines = [f"{self.exercise.id}: not yet ({len(self.findings)} "
                 f"finding{'s' if len(self.findings) != 1 else ''})"]
        for f in self.findings:
            lines.append(f"- [{f.kind}] {f.message}")
            if f.request is not None:
                lines.append(f"    request: {json.dumps(f.request, ensure_ascii=False)}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        from iamlab.exercises.report import grade_html

        return grade_html(self)


def grade(exercise: Exercise, source: PolicySource | None) -> GradeResult:
    """Grade ``source`` (a dict, JSON text or a file path) as the exercise's answer."""
    if source is None:
        return GradeResult(exercise, (Finding("parse", "You have not written the policy yet: "
                                                      f"write {exercise.edits}."),))
    policy, findings, warnings = _read(exercise, source)
    if policy is None:
        return GradeResult(exercise, tuple(findings), tuple(warnings))
    stage = Stage.build(exercise)
    answer = stage.with_policy(policy)
    findings += _must_allow(stage, answer, policy)
    deny_findings, decided_by = _must_deny(stage, answer, policy)
    findings += deny_findings
    checked = 0
    if exercise.compare:
        reference = parse_policy(exercise.reference, exercise.policy_kind, "reference")
        shown = {_key(f.request) for f in findings if f.request is not None}
        compared, checked = _compare(stage, answer, policy, reference, shown)
        findings += compared
    if exercise.workload:
        from iamlab.exercises.workloads import run_workload

        findings += run_workload(exercise, policy)
    return GradeResult(exercise, tuple(findings), tuple(warnings), checked, decided_by, stage,
                       answer)


# -- 1. can the policy be read, and does the linter accept it -------------------------------
def _read(exercise: Exercise, source: PolicySource
          ) -> tuple[Policy | None, list[Finding], list[str]]:
    from iamlab.lint import lint_policy

    findings: list[Finding] = []
    warnings: list[str] = []
    try:
        policy = parse_policy(source, exercise.policy_kind, ANSWER_NAME)
    except PolicyError as exc:
        findings += [Finding("parse", f"{p.where}: {p.message}") for p in exc.problems]
        return None, findings, warnings
    except (OSError, IamlabError, TypeError, ValueError) as exc:
        return None, [Finding("parse", f"the answer cannot be read: {exc}")], warnings
    for f in lint_policy(source if not isinstance(source, Mapping) else dict(source),
                         _LINT_KIND[exercise.kind]):
        text = f"{f.where}: {f.message}" + (f" (fix: {f.fix})" if f.fix else "")
        if f.code.startswith("grammar-") and f.severity == "error":
            continue  # the parser already said so
        if f.severity == "error" or f.code in exercise.forbid_lint:
            findings.append(Finding("lint", f"[{f.code}] {text}"))
        elif f.severity == "warning":
            warnings.append(f"[{f.code}] {text}")
    return policy, findings, warnings


# -- 2 and 3. the requests the task names ----------------------------------------------------
def _must_allow(stage: Stage, answer: Any, policy: Policy) -> list[Finding]:
    out = []
    for probe in stage.exercise.must_allow:
        decision = stage.decide(answer, probe, explain=True)
        if decision.allowed:
            continue
        request = probe.to_dict(stage.principal(probe))
        nearest = _nearest(decision, policy)
        why = f" The task says: {probe.why}" if probe.why else ""
        if decision.verdict is Verdict.EXPLICIT_DENY:
            deny = _own(decision.deciding, policy)
            reason = (f"{deny[0].statement.label} of your answer denies it." if deny
                      else decision.summary)
            statement = _statement_id(deny[0]) if deny else None
        elif nearest is not None and not nearest.matched:
            reason = (f"{nearest.statement.label} comes closest, but does not apply: "
                      f"{nearest.why_not}.")
            statement = _statement_id(nearest)
        else:
            reason = decision.summary
            statement = None
        out.append(Finding("must-allow", f"{_describe(stage, probe)} must be allowed, and "
                           f"your answer denies it ({decision.decision}). {reason}{why}",
                           request, statement))
    return out


def _must_deny(stage: Stage, answer: Any, policy: Policy) -> tuple[list[Finding], tuple[str, ...]]:
    out = []
    decided_by = []
    for probe in stage.exercise.must_deny:
        decision = stage.decide(answer, probe, explain=True)
        if not decision.allowed:
            if decision.blocked_by is not None:
                decided_by.append(decision.blocked_by.label)
            continue
        granting = _own(decision.deciding, policy)
        where = (f"{granting[0].statement.label} of your answer allows it" if granting
                 else decision.summary.rstrip("."))
        why = f" The task says: {probe.why}" if probe.why else ""
        out.append(Finding("must-deny", f"{_describe(stage, probe)} must be denied, and your "
                           f"answer allows it: {where}.{why}", probe.to_dict(
                               stage.principal(probe)),
                           _statement_id(granting[0]) if granting else None))
    return out, tuple(dict.fromkeys(decided_by))


# -- 4. the answer against the reference -----------------------------------------------------
def _compare(stage: Stage, answer: Any, policy: Policy, reference_policy: Policy,
             shown: set[str]) -> tuple[list[Finding], int]:
    """Broader and narrower findings, each with a request not already shown (a request
    the must-allow or must-deny steps reported is not repeated)."""
    reference = stage.with_policy(reference_policy)
    asked = probes(stage.exercise, [policy, reference_policy])
    broader: dict[str, list[Probe]] = {}
    narrower: list[Probe] = []
    for probe in asked:
        mine = stage.decide(answer, probe).allowed
        theirs = stage.decide(reference, probe).allowed
        if mine and not theirs:
            broader.setdefault(_group(stage, probe), []).append(probe)
        elif theirs and not mine:
            narrower.append(probe)
    out = []
    for group in sorted(broader, key=_danger):
        found = broader[group]
        fresh = [p for p in found if _key(p.to_dict(stage.principal(p))) not in shown]
        if not fresh:
            continue
        example = min(fresh, key=lambda p: len(p.action))  # short names are the familiar ones
        decision = stage.decide(answer, example, explain=True)
        granting = _own(decision.deciding, policy)
        by = f" ({granting[0].statement.label})" if granting else ""
        others = sorted({p.action for p in found} - {example.action}, key=lambda a: (len(a), a))
        more = (f" It also allows {len(found) - 1} more such request"
                f"{'s' if len(found) > 2 else ''}"
                + (f" (e.g. {', '.join(others[:4])})" if others else "") + "."
                if len(found) > 1 else "")
        out.append(Finding("broader", f"Your answer grants more than the task asks ({group}): "
                           f"{_describe(stage, example)} is allowed{by}, and the task does not "
                           f"need it.{more}", example.to_dict(stage.principal(example)),
                           _statement_id(granting[0]) if granting else None))
    fresh = [p for p in narrower if _key(p.to_dict(stage.principal(p))) not in shown]
    if fresh:
        example = fresh[0]
        decision = stage.decide(answer, example, explain=True)
        nearest = _nearest(decision, policy)
        reason = (f" {nearest.statement.label} comes closest, but does not apply: "
                  f"{nearest.why_not}." if nearest is not None and not nearest.matched
                  else f" {decision.summary}")
        more = (f" ({len(narrower)} such requests in all)" if len(narrower) > 1 else "")
        out.append(Finding("narrower", f"Your answer denies what the task needs: "
                           f"{_describe(stage, example)} should be allowed{more}.{reason}",
                           example.to_dict(stage.principal(example)),
                           _statement_id(nearest) if nearest is not None else None))
    return out, len(asked)


def _key(request: Mapping[str, Any]) -> str:
    return json.dumps(request, sort_keys=True)


def _group(stage: Stage, probe: Probe) -> str:
    if stage.exercise.kind == "trust":
        return "who may assume the role"
    info = catalog().action(probe.action)
    return f"{info.access_level} access" if info is not None else "unknown actions"


def _danger(group: str) -> int:
    for i, level in enumerate(ACCESS_LEVELS):
        if group.startswith(level):
            return i
    return len(ACCESS_LEVELS)


# -- wording -------------------------------------------------------------------------------
def _describe(stage: Stage, probe: Probe) -> str:
    ctx = probe.context_dict
    with_ctx = (" with " + ", ".join(f"{k}={v}" for k, v in ctx.items())) if ctx else \
        (" with no condition keys set" if len(stage.exercise.contexts) > 1 else "")
    if stage.exercise.kind == "trust":
        return f"{probe.principal} assuming role {stage.exercise.role} ({probe.action}){with_ctx}"
    who = probe.principal or f"role {stage.exercise.role}"
    return f"{who} calling {probe.action} on {probe.resource}{with_ctx}"


def _own(results: tuple[StatementResult, ...], policy: Policy) -> list[StatementResult]:
    return [r for r in results if r.policy is policy]


def _nearest(decision: Decision, policy: Policy) -> StatementResult | None:
    """The Allow statement of the answer that came closest to allowing the request."""
    allows = [r for r in _own(decision.statements, policy) if r.effect is Effect.ALLOW]
    if not allows:
        return None
    return max(allows, key=lambda r: (r.action_matched, r.resource_matched,
                                      r.principal_matched is not False,
                                      sum(c.passed for c in r.conditions)))


def _statement_id(result: StatementResult) -> str | int:
    return result.statement.sid or result.statement.index
