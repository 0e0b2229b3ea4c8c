"""The course notebooks 03-09 in a real browser: open, run all, no error, widgets drawn; in
06 a learner's edit to the playground's boundary tab flips the decision and the flow's path.

Uses the private JupyterLab and the helpers of ``tests/browser_helpers.py`` (headless Debian
Chromium, a copy of the notebooks, no network; ``open_notebook`` runs every cell and fails on
an error printed by any of them), with Graphviz's ``dot`` only: without dot every notebook
already runs under nbval (test_without_dot), and ``tests/test_browser.py`` draws every
diagram kind in the browser. For each notebook: every code cell runs, no cell shows an error
or a traceback, the prediction widgets, exercise editors and playgrounds are drawn (not
"Error displaying widget"), and a prediction answers when the learner picks an option.
IAMLAB_SCREENSHOTS=<folder> saves pictures of each notebook for a person to look at.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (  # noqa: F401  (lab: the fixture)
    browser_page,
    dot_only,
    lab,
    open_notebook,
    widgets_drawn_and_a_prediction_answers,
)

pytestmark = pytest.mark.browser

# each notebook's widgets besides its predictions (.iamlab-quiz-item), and how many
# predictions it has at least
COURSE = {"03-lambda-execution-role.ipynb": ([".iamlab-playground", ".iamlab-exercise"], 3),
          "04-ecs-task-roles.ipynb": ([".iamlab-playground", ".iamlab-exercise"], 3),
          "05-service-linked-roles.ipynb": ([".iamlab-exercise"], 3),
          "06-how-aws-decides.ipynb": ([".iamlab-flow", ".iamlab-playground",
                                        ".iamlab-predictions", ".iamlab-exercise"], 4),
          "07-cross-account-roles.ipynb": ([".iamlab-playground", ".iamlab-exercise"], 4),
          "08-confused-deputy.ipynb": ([".iamlab-playground", ".iamlab-exercise"], 4),
          "09-sessions.ipynb": ([], 4)}
BOUNDARY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}]}


def _boundary_flips_the_decision_and_the_path(page: Any, shots: str | None) -> None:
    """The learner edits the boundary tab: with s3:GetObject the request is allowed; without
    it, denied, and the flow says the boundary decided."""
    from playwright.sync_api import expect

    playground = page.locator(".iamlab-playground").first
    playground.scroll_into_view_if_needed()
    playground.locator(".lm-TabBar-tab", has_text="Permissions boundary").first.click()
    area = playground.locator(".iamlab-editor-boundary-tab textarea").first
    act = playground.locator('.iamlab-decision-view[data-step="act"]')
    summary = playground.locator(".iamlab-flow-summary")
    # the notebook's check cell left a boundary without s3:GetObject
    expect(summary).to_have_attribute("data-decided", "boundary", timeout=20_000)
    area.fill(json.dumps(BOUNDARY, indent=2))
    expect(act).to_have_attribute("data-decision", "allowed", timeout=15_000)
    expect(summary).to_have_attribute("data-decision", "allowed", timeout=15_000)
    if shots:
        playground.screenshot(path=str(Path(shots) / "06-playground-allowed.png"))
    area.fill(json.dumps({**BOUNDARY, "Statement": [{**BOUNDARY["Statement"][0],
                                                     "Action": "s3:PutObject"}]}, indent=2))
    expect(act).to_have_attribute("data-decision", "implicitDeny", timeout=15_000)
    expect(summary).to_have_attribute("data-decided", "boundary", timeout=15_000)
    expect(playground.locator(".iamlab-flow")).to_contain_text("boundary")
    if shots:
        playground.screenshot(path=str(Path(shots) / "06-playground-boundary.png"))
        playground.locator(".iamlab-flow").first.screenshot(path=str(Path(shots) / "06-flow.png"))


@dot_only
@pytest.mark.parametrize("notebook", sorted(COURSE))
def test_notebook_runs_in_the_browser_and_its_widgets_render(
        lab: tuple[str, str, str], notebook: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, token, _ = lab
    shots = os.environ.get("IAMLAB_SCREENSHOTS")
    with browser_page(1400, 1000) as page:
        panel = page.locator(f"[id='{open_notebook(page, url, token, notebook)}']")
        widgets, predictions = COURSE[notebook]
        first = widgets_drawn_and_a_prediction_answers(panel, widgets, predictions)
        if shots:
            first.screenshot(path=str(Path(shots) / f"{notebook[:2]}-prediction.png"))
            page.screenshot(path=str(Path(shots) / f"{notebook[:2]}-top.png"))
        if notebook.startswith("06"):
            table = page.locator(".iamlab-predictions").first
            table.scroll_into_view_if_needed()
            table.get_by_role("button", name="Check my predictions").click()
            expect(table).to_contain_text("of 12 right", timeout=10_000)
            if shots:
                table.screenshot(path=str(Path(shots) / "06-table.png"))
            _boundary_flips_the_decision_and_the_path(page, shots)
