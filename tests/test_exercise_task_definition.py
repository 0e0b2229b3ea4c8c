"""Notebook 04's "fix the task definition" exercise: the answer is an ECS task definition,
graded by what ECS and the task do with it (registered, a task started, the application's
and the agent's requests, the order received and the log line shipped).

The generic checks every exercise gets (reference passes, known-wrong answers fail with their
kinds, right answers pass, a request in every access finding) are in test_exercises.py; these
check what is particular to a task definition, and the ECS behaviour the grade relies on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iamlab import exercises
from iamlab.exercises.spec import ExerciseSpecError, exercise_from_dict
from iamlab.world.errors import ParamValidationError, ServiceError
from iamlab.world.scenarios import ecs_task_reads_sqs

EX = exercises.get("ecs-fix-task-definition")
ACCOUNT = "111122223333"
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/order-reader:1"


def reference(**changes: Any) -> dict[str, Any]:
    answer = json.loads(json.dumps(EX.reference))
    answer.update(changes)
    return {k: v for k, v in answer.items() if v is not None}


def kinds(answer: Any) -> list[str]:
    return [f.kind for f in EX.grade(answer).findings]


# -- what ECS does with a task definition (the grade relies on it) ----------------------------
def test_task_role_may_be_a_short_name_execution_role_must_be_an_arn() -> None:
    """ECS API reference, RegisterTaskDefinition: taskRoleArn is "The short name or full
    Amazon Resource Name (ARN) of the IAM role"; executionRoleArn is "The Amazon Resource Name
    (ARN) of the task execution role"."""
    ecs = ecs_task_reads_sqs().admin.ecs
    made = ecs.register_task_definition(family="f", taskRoleArn="OrderReaderTaskRole",
                                        containerDefinitions=[{"name": "app", "image": IMAGE}])
    assert made["taskDefinition"]["taskRoleArn"] == \
        f"arn:aws:iam::{ACCOUNT}:role/OrderReaderTaskRole"
    with pytest.raises(ServiceError, match="executionRoleArn OrderReaderExecutionRole"):
        ecs.register_task_definition(family="f", executionRoleArn="OrderReaderExecutionRole",
                                     containerDefinitions=[{"name": "app", "image": IMAGE}])


@pytest.mark.parametrize(("containers", "message"), [
    ([], "Container list cannot be empty."),
    ([{"name": "app"}], "Container.image should not be null or empty."),
    ([{"image": IMAGE}], "Container.name should not be null or empty."),
])
def test_ecs_refuses_containers_without_name_or_image(containers: list[dict[str, Any]],
                                                      message: str) -> None:
    """ECS's own ClientException wording (as reported in aws/aws-cli#5924 and
    awsdocs/aws-cloudformation-user-guide#454)."""
    ecs = ecs_task_reads_sqs().admin.ecs
    with pytest.raises(ServiceError) as err:
        ecs.register_task_definition(family="f", containerDefinitions=containers)
    assert err.value.code == "ClientException" and message in str(err.value)


def test_misspelt_fields_are_refused_as_botocore_refuses_them() -> None:
    ecs = ecs_task_reads_sqs().admin.ecs
    with pytest.raises(ParamValidationError) as err:
        ecs.register_task_definition(family="f", taskRole="OrderReaderTaskRole",
                                     containerDefinitions=[{"name": "app", "imagee": IMAGE,
                                                            "logConfiguration": {}}])
    text = str(err.value)
    assert 'Unknown parameter in input: "taskRole"' in text and "did you mean taskRoleArn" in text
    assert 'Unknown parameter in containerDefinitions[0]: "imagee"' in text
    assert "did you mean image?" in text
    assert 'Missing required parameter in containerDefinitions[0].logConfiguration: ' \
           '"logDriver"' in text


def test_fargate_fields_are_accepted() -> None:
    ecs = ecs_task_reads_sqs().admin.ecs
    made = ecs.register_task_definition(
        family="f", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256",
        memory="512", containerDefinitions=[{"name": "app", "image": IMAGE, "essential": True,
                                             "portMappings": [{"containerPort": 80}]}])
    assert made["taskDefinition"]["revision"] == 1


# -- the grade ------------------------------------------------------------------------------
def test_the_starter_stops_because_the_agent_got_the_task_role() -> None:
    (finding,) = EX.grade(EX.starter).findings
    assert finding.kind == "workload"
    assert "stopped before the application ran" in finding.message
    assert "assumed-role/OrderReaderTaskRole/" in finding.message
    assert "ecr:GetAuthorizationToken" in finding.message


def test_a_misspelt_log_group_stops_the_task_with_ecs_reason() -> None:
    answer = reference()
    answer["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-group"] = \
        "/ecs/orders-reader"
    (finding,) = EX.grade(answer).findings
    assert "The specified log group does not exist" in finding.message


def test_the_team_role_works_but_is_too_broad_and_says_which_request() -> None:
    team = f"arn:aws:iam::{ACCOUNT}:role/OrdersTeamRole"
    findings = EX.grade(reference(taskRoleArn=team, executionRoleArn=team)).findings
    assert {f.kind for f in findings} == {"must-deny"}
    asked = {(f.request["principal"].split("/")[1], f.request["action"],
              f.request["resource"].rsplit(":", 1)[-1]) for f in findings if f.request}
    assert ("OrdersTeamRole", "sqs:DeleteQueue", "orders") in asked
    assert ("OrdersTeamRole", "sqs:ReceiveMessage", "payments") in asked
    agent = [f for f in findings if f.message.startswith("the ECS agent")]
    assert agent and agent[0].request is not None
    assert agent[0].request["action"] == "sqs:ReceiveMessage"
    assert '"AnyQueue"' in agent[0].message  # the policy that allowed it


def test_no_task_role_means_no_credentials_for_the_application() -> None:
    findings = EX.grade(reference(taskRoleArn=None)).findings
    allow = [f for f in findings if f.kind == "must-allow"]
    assert allow and "has no task role" in allow[0].message
    assert allow[0].request is not None and allow[0].request["action"] == "sqs:ReceiveMessage"


def test_pasting_describe_output_is_refused_with_the_field_named() -> None:
    described = ecs_task_reads_sqs().admin.ecs.describe_task_definition(
        taskDefinition="order-reader")["taskDefinition"]
    (finding,) = EX.grade(described).findings
    assert finding.kind == "definition"
    assert 'Unknown parameter in input: "taskDefinitionArn"' in finding.message


@pytest.mark.parametrize(("answer", "says"), [
    (None, "You have not written the task definition yet"),
    ("[1, 2]", "a task definition is a JSON object"),
    ("\"order-reader\"", "not a str"),
    ('{"family": "order-reader",}', "line 1, column"),
    (reference(family="orders"), "keep the family 'order-reader'"),
])
def test_unreadable_answers_say_where_and_what(answer: Any, says: str) -> None:
    result = EX.grade(answer)
    assert not result.passed and says in result.findings[0].message
    assert result.findings[0].kind in {"parse", "definition"}


def test_every_grade_builds_its_own_account() -> None:
    """The workload receives and deletes the order: a second grade still finds one."""
    assert EX.grade(EX.reference).passed
    assert EX.grade(EX.reference).passed


def test_check_says_not_yet_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(exercises.NotYet, match="not written the task definition yet"):
        exercises.check(EX.id, None)
    with pytest.raises(exercises.NotYet, match="stopped before the application ran"):
        exercises.check(EX.id, dict(EX.starter))
    assert exercises.check(EX.id, dict(EX.reference)) is None
    assert capsys.readouterr().out == ""


def test_cli_grades_a_task_definition_file(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(EX.reference))
    bad.write_text(json.dumps(EX.starter))
    run = [sys.executable, "-m", "iamlab", "grade", EX.id]
    assert subprocess.run([*run, str(good)], capture_output=True).returncode == 0
    out = subprocess.run([*run, str(bad), "--json"], capture_output=True, text=True)
    assert out.returncode == 1
    assert json.loads(out.stdout)["findings"][0]["kind"] == "workload"


@pytest.mark.parametrize(("change", "message"), [
    ({"edits": {"kind": "task-definition"}}, "edits.family"),
    ({"must_deny": [{"principal": "alice", "action": "sqs:DeleteQueue", "resource": "*"}]},
     "one of application, agent"),
    ({"compare": True}, '"compare": false'),
])
def test_a_malformed_task_definition_spec_is_a_clear_error(change: dict[str, Any],
                                                           message: str) -> None:
    raw = json.loads(Path("iamlab/data/exercises/ecs-fix-task-definition.json")
                     .read_text(encoding="utf-8"))
    raw.update(change)
    with pytest.raises(ExerciseSpecError, match=message):
        exercise_from_dict(raw)


# -- the editor -------------------------------------------------------------------------------
def test_the_editor_shows_json_mistakes_as_typed_and_grades_on_check() -> None:
    editor = EX.editor()
    assert '"taskRoleArn"' in editor.editor.value  # the starter, as JSON text
    editor.editor.value = editor.editor.value.replace('"order-reader",', '"order-reader"', 1)
    assert "line 3, column 3" in editor.editor.status.value
    assert "Not yet" in editor.check().text() or not editor.result.passed
    assert "cannot be read" in editor.output.value
    editor.editor.value = json.dumps(EX.reference, indent=2)
    assert editor.editor.status.value == ""
    assert editor.check().passed and "Passed" in editor.output.value
    assert "answer = {" in editor.paste.value


def test_no_lazy_export_is_shadowed_by_a_submodule_of_the_same_name() -> None:
    """Importing ``pkg.name`` binds the module as ``pkg.name``: an export with that name
    (``exercises.check``, a function) would become a module after ``exercises.NotYet``."""
    import importlib
    import pkgutil

    for package in ("iamlab", "iamlab.exercises", "iamlab.exam", "iamlab.graph"):
        module = importlib.import_module(package)
        exported = set(getattr(module, "_EXPORTS", {}))
        submodules = {m.name for m in pkgutil.iter_modules(module.__path__)}
        assert not exported & submodules, (package, exported & submodules)


@pytest.mark.parametrize("exercise_id", ["ec2-read-reports", "ecs-fix-task-definition"])
def test_a_grade_is_greyed_out_once_the_answer_is_edited(exercise_id: str) -> None:
    """A grade belongs to the answer it graded: editing greys it out and says so, until the
    next Check (as the playground greys a decision whose policy is being edited)."""
    editor = exercises.get(exercise_id).editor()
    editor.check()
    assert "iamlab-stale" not in editor.output._dom_classes
    editor.editor.value = '{"broken": '
    assert "iamlab-stale" in editor.output._dom_classes
    assert "press Check to grade it again" in editor.stale_note.value
    editor.check()
    assert "iamlab-stale" not in editor.output._dom_classes and editor.stale_note.value == ""


def test_the_hint_button_says_when_every_hint_is_shown() -> None:
    editor = exercises.get("ec2-read-reports").editor()
    for _ in editor.exercise.hints:
        assert not editor.hint_button.disabled
        editor.hint()
    assert editor.hint_button.disabled and editor.hint_button.description == "No more hints"
    assert f"Hint {len(editor.exercise.hints)} of" in editor.hint_box.value
