"""An exercise as data: the task, the world it starts from, the policy the learner writes,
a hidden reference answer, the requests it must allow and deny, and hints.

Most exercises grade a policy. An exercise of kind ``task-definition`` grades an ECS task
definition instead (:mod:`iamlab.exercises.task_definition`): its requests are asked of the
running task, ``"principal": "application"`` (the task role's session) or ``"agent"`` (the
execution role's).

Specs live in ``iamlab/data/exercises/<id>.json`` (one exercise a file, human-editable) and
are checked when loaded: a malformed spec is an :class:`ExerciseSpecError` naming the file
and the field, never a traceback deep in the grader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from iamlab.errors import IamlabError
from iamlab.policy import PolicyKind

if TYPE_CHECKING:
    from iamlab.exercises.grader import GradeResult
    from iamlab.parse import PolicySource

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# What the learner edits, and the policy kind (its grammar and the linter's checks).
EDIT_KINDS: dict[str, PolicyKind] = {
    "trust": PolicyKind.TRUST,
    "permissions": PolicyKind.IDENTITY,
    "boundary": PolicyKind.BOUNDARY,
    "resource": PolicyKind.RESOURCE,
}
TASK_DEFINITION = "task-definition"
ANSWER_KINDS = (*EDIT_KINDS, TASK_DEFINITION)
TASK_PRINCIPALS = ("application", "agent")  # who asks, in a task-definition exercise


class ExerciseSpecError(IamlabError):
    """An exercise file that cannot be used; the message names the file and the field."""


class UnknownExercise(IamlabError):
    """No exercise has this id; the message lists the ids there are."""


@dataclass(frozen=True)
class Probe:
    """One request an exercise asks about: who, what, on which resource, with what context.

    ``principal`` is empty for "the role's own session" (permissions, boundary and resource
    exercises); for trust exercises it is who wants to assume the role.
    """

    action: str
    resource: str
    principal: str = ""
    context: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    why: str = ""

    @classmethod
    def of(cls, raw: Mapping[str, Any], where: str = "request") -> Probe:
        if not isinstance(raw, Mapping):
            raise ExerciseSpecError(f"{where} must be an object with action and resource")
        for key in ("action", "resource"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise ExerciseSpecError(f"{where}.{key} must be a non-empty string")
        principal = raw.get("principal", "")
        if not isinstance(principal, str):
            raise ExerciseSpecError(f"{where}.principal must be a string")
        return cls(raw["action"], raw["resource"], principal,
                   freeze_context(raw.get("context") or {}, f"{where}.context"),
                   str(raw.get("why", "")))

    @property
    def context_dict(self) -> dict[str, str | list[str]]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.context}

    def to_dict(self, principal: str | None = None) -> dict[str, Any]:
        """The request as the grade's JSON shows it (``principal`` fills in the session)."""
        return {"principal": principal or self.principal, "action": self.action,
                "resource": self.resource, "context": self.context_dict}


def freeze_context(raw: Any, where: str) -> tuple[tuple[str, str | tuple[str, ...]], ...]:
    """A context object as a sorted tuple (hashable, so probes can be sets' members)."""
    if not isinstance(raw, Mapping):
        raise ExerciseSpecError(f"{where} must map condition keys to a string or a list")
    out: list[tuple[str, str | tuple[str, ...]]] = []
    for key, value in raw.items():
        if isinstance(value, str):
            out.append((str(key), value))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out.append((str(key), tuple(value)))
        else:
            raise ExerciseSpecError(f"{where}.{key} must be a string or a list of strings")
    return tuple(sorted(out))


@dataclass(frozen=True)
class Caller:
    """A principal a trust exercise asks about, with its own identity policies."""

    principal: str
    policies: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class WrongAnswer:
    """A known answer kept with the exercise (wrong ones with the finding kinds they must
    get; right ones, written differently from the reference, expect none)."""

    name: str
    policy: Any
    expect: tuple[str, ...]


@dataclass(frozen=True)
class Exercise:
    """One exercise (see the module docstring); :meth:`grade` and :meth:`editor` use it."""

    id: str
    title: str
    goal: str
    notebook: str
    task: str
    world: str
    kind: str
    role: str
    resource_arn: str  # a resource exercise's resource ("" for the other kinds)
    starter: Mapping[str, Any]
    reference: Mapping[str, Any]
    must_allow: tuple[Probe, ...]
    must_deny: tuple[Probe, ...]
    hints: tuple[str, ...]
    services: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()
    contexts: tuple[tuple[tuple[str, str | tuple[str, ...]], ...], ...] = ((),)
    compare: bool = True
    callers: tuple[Caller, ...] = ()
    forbid_lint: tuple[str, ...] = ()
    workload: str = ""
    points: int = 1
    family: str = ""  # a task-definition exercise's task definition family
    wrong_answers: tuple[WrongAnswer, ...] = field(default=(), repr=False)
    right_answers: tuple[WrongAnswer, ...] = field(default=(), repr=False)

    @property
    def policy_kind(self) -> PolicyKind:
        """The kind of policy the learner writes (a task-definition exercise has none)."""
        if self.kind not in EDIT_KINDS:
            raise ExerciseSpecError(f"exercise {self.id}: the answer is a task definition, "
                                    "not a policy")
        return EDIT_KINDS[self.kind]

    @property
    def answers_policy(self) -> bool:
        return self.kind in EDIT_KINDS

    @property
    def edits(self) -> str:
        """What the learner writes, in words (``the trust policy of role ReportReader``)."""
        if self.kind == TASK_DEFINITION:
            return f"the task definition {self.family}"
        if self.kind == "resource":
            return f"the resource-based policy of {self.resource_arn}"
        what = {"trust": "the trust policy", "permissions": "the permissions policy",
                "boundary": "the permissions boundary"}[self.kind]
        return f"{what} of role {self.role}"

    def grade(self, answer: PolicySource | None) -> GradeResult:
        """Grade a learner's answer (a dict, JSON text or a file path); see
        :func:`iamlab.exercises.grader.grade` and, for a task definition,
        :func:`iamlab.exercises.task_definition.grade_task_definition`."""
        if self.kind == TASK_DEFINITION:
            from iamlab.exercises.task_definition import grade_task_definition

            return grade_task_definition(self, answer)
        from iamlab.exercises.grader import grade

        return grade(self, answer)

    def editor(self, answer: Any = None) -> Any:
        """An answer editor with Check and Hint buttons (a widget; needs ipywidgets)."""
        from iamlab.widgets.exercise import ExerciseEditor

        return ExerciseEditor(self, answer)

    def _repr_markdown_(self) -> str:
        return f"**{self.title}** (`{self.id}`): you write {self.edits}.\n\n{self.task}"


# ------------------------------------------------------------------------------- loading

def _need(raw: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind) or not value:
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ExerciseSpecError(f"{where}: {key!r} must be a non-empty {name}")
    return value


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ExerciseSpecError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def exercise_from_dict(raw: Any, where: str = "exercise") -> Exercise:
    """Build and check an exercise from its decoded JSON (``where`` names it in errors)."""
    if not isinstance(raw, Mapping):
        raise ExerciseSpecError(f"{where}: an exercise must be a JSON object")
    ex_id = _need(raw, "id", str, where)
    if not ID_PATTERN.match(ex_id):
        raise ExerciseSpecError(f"{where}: id {ex_id!r} must be kebab-case (a-z, 0-9, -)")
    where = f"{where} ({ex_id})"
    edits = _need(raw, "edits", Mapping, where)
    kind = edits.get("kind")
    if kind not in ANSWER_KINDS:
        raise ExerciseSpecError(f"{where}: edits.kind must be one of {', '.join(ANSWER_KINDS)}")
    role = edits.get("role", "")
    resource_arn = edits.get("arn", "")
    family = edits.get("family", "")
    if kind == TASK_DEFINITION:
        if not isinstance(family, str) or not family:
            raise ExerciseSpecError(f"{where}: edits.family must name the task definition's "
                                    "family")
    elif not isinstance(role, str) or not role:
        raise ExerciseSpecError(f"{where}: edits.role must name the role the exercise is about")
    if kind == "resource" and (not isinstance(resource_arn, str) or not resource_arn):
        raise ExerciseSpecError(f"{where}: edits.arn must name the resource whose policy "
                                "the learner writes")
    probe = raw.get("probe", {})
    if not isinstance(probe, Mapping):
        raise ExerciseSpecError(f"{where}: probe must be an object")
    contexts = probe.get("contexts", [{}])
    if not isinstance(contexts, list) or not contexts:
        raise ExerciseSpecError(f"{where}: probe.contexts must be a non-empty list")
    callers = []
    for i, c in enumerate(raw.get("callers", [])):
        if not isinstance(c, Mapping) or not isinstance(c.get("principal"), str):
            raise ExerciseSpecError(f"{where}: callers[{i}] needs a principal")
        pols = c.get("policies", [])
        if not isinstance(pols, list) or not all(isinstance(p, Mapping) for p in pols):
            raise ExerciseSpecError(f"{where}: callers[{i}].policies must be a list of policies")
        callers.append(Caller(c["principal"], tuple(pols)))
    answers: dict[str, list[WrongAnswer]] = {"wrong_answers": [], "right_answers": []}
    for field_name, found in answers.items():
        for i, w in enumerate(raw.get(field_name, [])):
            if not isinstance(w, Mapping) or not ("policy" in w or "answer" in w):
                raise ExerciseSpecError(f"{where}: {field_name}[{i}] needs a policy (or, for "
                                        "a task definition, an answer)")
            found.append(WrongAnswer(str(w.get("name", f"answer {i + 1}")),
                                     w["policy"] if "policy" in w else w["answer"],
                                     _strings(w, "expect", f"{where} {field_name}[{i}]")))
    hints = _strings(raw, "hints", where)
    if len(hints) < 2:
        raise ExerciseSpecError(f"{where}: give at least two hints, gentle first")
    points = raw.get("points", 1)
    if not isinstance(points, int) or isinstance(points, bool) or points < 1:
        raise ExerciseSpecError(f"{where}: points must be a positive integer")
    must_allow = tuple(Probe.of(r, f"{where} must_allow[{i}]")
                       for i, r in enumerate(raw.get("must_allow", [])))
    must_deny = tuple(Probe.of(r, f"{where} must_deny[{i}]")
                      for i, r in enumerate(raw.get("must_deny", [])))
    if kind == TASK_DEFINITION:
        for asked in (*must_allow, *must_deny):
            if asked.principal not in TASK_PRINCIPALS:
                raise ExerciseSpecError(f"{where}: in a task-definition exercise each request's "
                                        f"principal is one of {', '.join(TASK_PRINCIPALS)}, "
                                        f"not {asked.principal!r}")
        if raw.get("compare", False):
            raise ExerciseSpecError(f"{where}: a task-definition exercise cannot compare "
                                    'policies: set "compare": false')
    return Exercise(
        id=ex_id, title=_need(raw, "title", str, where), goal=_need(raw, "goal", str, where),
        notebook=_need(raw, "notebook", str, where), task=_need(raw, "task", str, where),
        world=_need(raw, "world", str, where), kind=kind, role=role,
        resource_arn=resource_arn or "", family=family if kind == TASK_DEFINITION else "",
        starter=_need(raw, "starter", Mapping, where),
        reference=_need(raw, "reference", Mapping, where),
        must_allow=must_allow, must_deny=must_deny,
        hints=hints,
        services=_strings(probe, "services", f"{where} probe"),
        resources=_strings(probe, "resources", f"{where} probe"),
        principals=_strings(probe, "principals", f"{where} probe"),
        contexts=tuple(freeze_context(c, f"{where} probe.contexts[{i}]")
                       for i, c in enumerate(contexts)),
        compare=bool(raw.get("compare", kind != TASK_DEFINITION)), callers=tuple(callers),
        forbid_lint=_strings(raw, "forbid_lint", where),
        workload=str(raw.get("workload", "")), points=points,
        wrong_answers=tuple(answers["wrong_answers"]),
        right_answers=tuple(answers["right_answers"]))


@cache
def _all() -> dict[str, Exercise]:
    found: dict[str, Exercise] = {}
    folder = resources.files("iamlab") / "data" / "exercises"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        where = f"iamlab/data/exercises/{entry.name}"
        try:
            raw = json.loads(entry.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ExerciseSpecError(f"{where}: not valid JSON ({exc})") from None
        ex = exercise_from_dict(raw, where)
        if entry.name != f"{ex.id}.json":
            raise ExerciseSpecError(f"{where}: the file must be named {ex.id}.json")
        found[ex.id] = ex
    return found


def ids() -> tuple[str, ...]:
    """Every exercise id, in file order."""
    return tuple(_all())


def all_exercises() -> tuple[Exercise, ...]:
    return tuple(_all().values())


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; :class:`UnknownExercise` lists the ids there are."""
    found = _all().get(exercise_id)
    if found is None:
        from difflib import get_close_matches

        close = get_close_matches(str(exercise_id), list(_all()), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownExercise(f"there is no exercise {exercise_id!r}.{hint} "
                              f"Exercises: {', '.join(_all())}")
    return found
