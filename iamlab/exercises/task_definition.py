"""Grading an ECS task definition: the answer is run, not read.

Notebook 04's last exercise gives a broken task definition to fix. A task definition is not a
policy, so the grade is what ECS and the task do with it, in a fresh world, step by step:

1. ``parse``: the answer must be a JSON object (the arguments of ``register_task_definition``);
   ``definition``: it keeps what the exercise says to keep (the family, each container's
   name and image), and ECS registers it (a misspelt field, a role that does not exist or a
   container without an image are refused as ECS refuses them);
2. ``workload``: ECS starts a task of it and it keeps running (a task whose execution role
   cannot pull the image or create the log stream stops at start, with ECS's reason);
3. ``must-allow`` / ``must-deny``: the exercise's requests, asked of the running task: of the
   application (the task role's session, from the container credentials endpoint) or of the
   ECS agent (the execution role's session). Each finding names the request and the
   statement that decided it;
4. ``workload``: the exercise's workload runs a new task of the same definition (the
   application receives the order, its log line reaches CloudWatch Logs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamlab.errors import IamlabError, PolicyError
from iamlab.exercises.finding import Finding
from iamlab.exercises.grader import GradeResult
from iamlab.exercises.spec import Exercise, Probe
from iamlab.exercises.stage import build_world, world_of
from iamlab.parse import PolicySource, load_document
from iamlab.world.errors import NoCredentials

WHO = {"application": "the application (task role)", "agent": "the ECS agent (execution role)"}


def grade_task_definition(exercise: Exercise, source: PolicySource | None) -> GradeResult:
    """Grade ``source`` (a dict, JSON text or a file path) as the exercise's task definition."""
    if source is None:
        return GradeResult(exercise, (Finding(
            "parse", f"You have not written the task definition yet: write {exercise.edits}."),))
    answer, findings = _read(source)
    if answer is None:
        return GradeResult(exercise, tuple(findings))
    findings = _kept(exercise, answer)
    if findings:
        return GradeResult(exercise, tuple(findings))
    scenario = build_world(exercise.world)
    admin = scenario.admin
    try:
        admin.ecs.register_task_definition(**answer)
    except IamlabError as exc:
        return GradeResult(exercise, (Finding("definition", "ECS refuses the task definition: "
                                                            f"{exc}"),))
    try:
        started = admin.ecs.run_task(taskDefinition=exercise.family)
    except IamlabError as exc:
        return GradeResult(exercise, (Finding("workload", f"ECS cannot start a task: {exc}"),))
    task = world_of(scenario).task(started["tasks"][0]["taskArn"])
    if task.last_status != "RUNNING":
        role = (task.definition.execution_role_arn or "").rsplit("/", 1)[-1]
        agent = (f"the ECS agent, with {role} (the role in executionRoleArn)," if role
                 else "the ECS agent, with no execution role,")
        return GradeResult(exercise, (Finding(
            "workload", f"The task stopped before the application ran, because {agent} "
                        f"could not set it up: {task.stopped_reason}"),))
    findings = _requests(exercise, task)
    if exercise.workload:
        from iamlab.exercises.workloads import run_in

        findings += run_in(exercise, scenario)
    return GradeResult(exercise, tuple(findings))


def _read(source: PolicySource) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The answer as a dict, or the parse findings (with line and column for bad JSON)."""
    try:
        value, _locations, _text = load_document(source)
    except PolicyError as exc:
        return None, [Finding("parse", _where(p.line, p.column) + p.message.replace(
            "the policy", "the task definition")) for p in exc.problems]
    if not isinstance(value, dict):
        kind = type(value).__name__ if value is not None else "null"
        return None, [Finding("parse", "a task definition is a JSON object ({\"family\": ..., "
                                       f"\"containerDefinitions\": [...]}}), not a {kind}")]
    return value, []


def _where(line: int | None, column: int | None) -> str:
    return f"line {line}, column {column}: " if line is not None else ""


def _kept(exercise: Exercise, answer: Mapping[str, Any]) -> list[Finding]:
    """The exercise is about roles and logs: the family and each container's name and image
    stay as the starter has them."""
    starter = exercise.starter
    out = []
    if answer.get("family") != starter.get("family"):
        out.append(Finding("definition", f"keep the family {starter.get('family')!r}: the "
                                         "tasks are started from it (your answer has "
                                         f"{answer.get('family')!r})"))
    theirs = answer.get("containerDefinitions")
    for i, container in enumerate(starter.get("containerDefinitions") or ()):
        mine = theirs[i] if isinstance(theirs, list) and i < len(theirs) else None
        for member in ("name", "image"):
            if not isinstance(mine, Mapping) or mine.get(member) != container.get(member):
                got = mine.get(member) if isinstance(mine, Mapping) else None
                out.append(Finding("definition", f"keep containerDefinitions[{i}].{member} "
                                                 f"{container.get(member)!r} (your answer has "
                                                 f"{got!r}): the exercise is about the roles "
                                                 "and the logs"))
    return out


def _session(task: Any, who: str) -> Any:
    return task.session if who == "application" else task.agent_session


def _ask(task: Any, probe: Probe) -> tuple[Any, str, str]:
    """(decision or None, who asked as an ARN, why there is no decision)."""
    try:
        session = _session(task, probe.principal)
        if session is None:
            return None, WHO[probe.principal], "the task has no usable execution role"
        return session.can(probe.action, probe.resource,
                           context=probe.context_dict or None), session.arn, ""
    except NoCredentials as exc:
        return None, WHO[probe.principal], str(exc)


def _requests(exercise: Exercise, task: Any) -> list[Finding]:
    """A finding for each must-allow request the task is refused and each must-deny request
    it is allowed, with who asked and the statement or reason that decided."""
    out = []
    for kind, probes, wanted in (("must-allow", exercise.must_allow, True),
                                 ("must-deny", exercise.must_deny, False)):
        for probe in probes:
            decision, arn, missing = _ask(task, probe)
            allowed = decision is not None and decision.allowed
            if allowed == wanted or (not wanted and decision is None):
                continue
            if wanted:
                said = f"must be allowed, and it is not: {missing or decision.summary}"
            else:
                by = decision.deciding[0].summary if decision.deciding else decision.summary
                said = f"must be denied, and it is allowed ({arn}): {by}"
            why = f" The task says: {probe.why}" if probe.why else ""
            out.append(Finding(kind, f"{WHO[probe.principal]} calling {probe.action} on "
                                     f"{probe.resource} {said.rstrip('.')}.{why}",
                               probe.to_dict(arn)))
    return out


__all__ = ["grade_task_definition"]
