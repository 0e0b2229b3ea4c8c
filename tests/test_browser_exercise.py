"""The exercise editor in a real browser, as a learner uses it in notebook 03.

The learner breaks the JSON, then forgets the logs, then asks for a hint, then writes a
right answer: each Check shows what the grade says (a located parse error; "not yet" with
the request the answer denies; "passed"), drawn in JupyterLab in headless Chromium.
"""

from __future__ import annotations

import json

import pytest
from browser_helpers import browser_page, dot_only, lab, open_notebook  # noqa: F401

from iamlab import exercises

pytestmark = pytest.mark.browser
NOTEBOOK = "03-lambda-execution-role.ipynb"


@dot_only  # checked once, with dot
def test_a_learner_checks_answers_in_the_exercise_editor(
        lab: tuple[str, str, str]) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, token, _ = lab
    ex = exercises.get("lambda-save-order")
    with browser_page(1400, 1000) as page:
        open_notebook(page, url, token, NOTEBOOK)
        widget = page.locator(".iamlab-exercise").first
        widget.scroll_into_view_if_needed()
        text = widget.locator(".iamlab-editor textarea").first
        check = widget.get_by_role("button", name="Check")
        output = widget.locator(".iamlab-grade-output")

        text.fill('{"Version": "2012-10-17", "Statement": [')
        check.click()
        expect(output).to_contain_text("Not yet", timeout=20_000)
        expect(output).to_contain_text("Your answer cannot be read")
        expect(output).to_contain_text("line 1")

        forgot_logs = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "dynamodb:PutItem",
            "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders"}]}
        text.fill(json.dumps(forgot_logs, indent=2))
        check.click()
        expect(output).to_contain_text("A request the task needs is denied",
                                       timeout=20_000)
        expect(output).to_contain_text('"action": "logs:CreateLogGroup"')
        expect(widget).to_contain_text("attempt 2")

        widget.get_by_role("button", name="Hint").click()
        expect(widget.locator(".iamlab-hints")).to_contain_text(
            f"Hint 1 of {len(ex.hints)}")

        text.fill(json.dumps(ex.reference, indent=2))
        check.click()
        expect(output).to_contain_text("Passed", timeout=20_000)
        expect(widget).to_contain_text("answer = ")  # the text to paste back
