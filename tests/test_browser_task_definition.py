"""Notebook 04's task-definition exercise in a real browser, as a learner meets it.

The learner checks the colleague's definition as it is (the task stops, and the grade says
which role the agent had), breaks the JSON while editing (the line and column show at once,
before any Check), puts the team's broad role in both fields (it runs, and the grade names a
request the application should not be able to make), then writes the right definition.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from browser_helpers import browser_page, dot_only, lab, open_notebook  # noqa: F401

from iamlab import exercises

pytestmark = pytest.mark.browser
NOTEBOOK = "04-ecs-task-roles.ipynb"


def _shot(widget: object, name: str) -> None:
    if os.environ.get("IAMLAB_SCREENSHOTS"):  # a folder, to look at the grade
        widget.screenshot(path=str(Path(os.environ["IAMLAB_SCREENSHOTS"]) / name))  # type: ignore[attr-defined]


@dot_only  # checked once, with dot
def test_a_learner_fixes_the_task_definition(lab: tuple[str, str, str]) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, token, _ = lab
    ex = exercises.get("ecs-fix-task-definition")
    with browser_page(1400, 1000) as page:
        open_notebook(page, url, token, NOTEBOOK)
        widget = page.locator(".iamlab-exercise").filter(
            has_text="Fix the task definition").first
        widget.scroll_into_view_if_needed()
        text = widget.locator(".iamlab-document-editor textarea").first
        status = widget.locator(".iamlab-document-editor .iamlab-messages")
        check = widget.get_by_role("button", name="Check")
        output = widget.locator(".iamlab-grade-output")

        check.click()  # the colleague's definition, as given
        expect(output).to_contain_text("stopped before the application ran", timeout=20_000)
        expect(output).to_contain_text("with OrderReaderTaskRole (the role in executionRoleArn)")

        text.fill('{"family": "order-reader" "containerDefinitions": []}')
        expect(status).to_contain_text("line 1, column 27", timeout=10_000)
        expect(widget).to_contain_text("You have edited your answer since this grade")
        _shot(widget, "task-definition-bad-json.png")

        team = "arn:aws:iam::111122223333:role/OrdersTeamRole"
        broad = {**ex.reference, "taskRoleArn": team, "executionRoleArn": team}
        text.fill(json.dumps(broad, indent=2))
        expect(status).to_be_empty(timeout=10_000)
        check.click()
        expect(output).to_contain_text("A request the task forbids is allowed", timeout=20_000)
        expect(output).to_contain_text('"action": "sqs:DeleteQueue"')
        _shot(widget, "task-definition-too-broad.png")

        text.fill(json.dumps(ex.reference, indent=2))
        check.click()
        expect(output).to_contain_text("Passed", timeout=20_000)
        expect(widget).to_contain_text("answer = ")
