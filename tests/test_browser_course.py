"""The service-role notebooks in a real browser: open, run all, no error, widgets drawn.

Reuses the private JupyterLab and the helpers of ``tests/test_browser.py`` (headless Debian
Chromium, a copy of the notebooks, no network; ``_open`` runs every cell and fails on an
error printed by any of them). For each notebook: every code cell runs, no cell shows an
error or a traceback, the prediction widgets, exercise editors and playgrounds are drawn
(not "Error displaying widget"), and a prediction answers when the learner picks an option.
IAMLAB_SCREENSHOTS=<folder> saves a picture of each notebook for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_browser import _browser, _open, lab  # noqa: F401  (lab: the fixture)

pytestmark = pytest.mark.browser

# each notebook's widgets, besides its predictions (.iamlab-quiz-item)
COURSE = {"03-lambda-execution-role.ipynb": [".iamlab-playground", ".iamlab-exercise"],
          "04-ecs-task-roles.ipynb": [".iamlab-playground", ".iamlab-exercise"],
          "05-service-linked-roles.ipynb": [".iamlab-exercise"]}


@pytest.mark.parametrize("notebook", sorted(COURSE))
def test_notebook_runs_in_the_browser_and_its_widgets_render(
        lab: tuple[str, str, str], notebook: str) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    url, token, mode = lab
    if mode != "dot":  # without dot every notebook already runs under nbval (test_without_dot)
        pytest.skip("the course notebooks are opened in the browser once, with dot")
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            panel = page.locator(f"[id='{_open(page, url, token, notebook)}']")  # runs all
            assert panel.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
            assert panel.get_by_text("Error displaying widget").count() == 0

            quizzes = panel.locator(".iamlab-quiz-item")
            expect(quizzes.first).to_be_visible(timeout=30_000)
            assert quizzes.count() >= 3
            for widget in COURSE[notebook]:
                expect(panel.locator(widget).first).to_be_attached(timeout=30_000)

            # the learner answers the first prediction
            first = quizzes.first
            first.scroll_into_view_if_needed()
            first.locator(".iamlab-quiz-option").first.click()
            first.locator(".iamlab-quiz-check").click()
            expect(first.locator(".iamlab-quiz-result [data-right]").first).to_be_attached(
                timeout=10_000)

            shots = os.environ.get("IAMLAB_SCREENSHOTS")
            if shots:
                first.screenshot(path=str(Path(shots) / f"{notebook[:2]}-prediction.png"))
                page.screenshot(path=str(Path(shots) / f"{notebook[:2]}-top.png"))
        finally:
            browser.close()
