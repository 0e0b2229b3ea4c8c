"""The service-role notebooks in a real browser: open, run all, no error, widgets drawn.

Reuses the private JupyterLab of ``tests/test_browser.py`` (headless Debian Chromium, a copy
of the notebooks, no network). For each notebook: every code cell runs, no cell shows an
error or a traceback, the prediction widgets, exercise editors and playgrounds are drawn
(not "Error displaying widget"), and a prediction answers when the learner picks an option.
IAMLAB_SCREENSHOTS=<folder> saves a picture of each notebook for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, lab  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

# each notebook's widgets, besides its predictions (.iamlab-quiz-item)
COURSE = {"03-lambda-execution-role.ipynb": [".iamlab-playground", ".iamlab-exercise"],
          "04-ecs-task-roles.ipynb": [".iamlab-playground", ".iamlab-exercise"],
          "05-service-linked-roles.ipynb": [".iamlab-exercise"]}
KERNEL_READY = ("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                " const k = w && w.sessionContext && w.sessionContext.session"
                " && w.sessionContext.session.kernel;"
                " return k && k.connectionStatus === 'connected'; }")
ALL_RAN = """() => {
    const nb = window.jupyterapp.shell.currentWidget;
    const cells = nb.content.widgets.filter(c => c.model.type === 'code');
    return cells.length > 0 && cells.every(c => c.model.executionCount !== null)
        && nb.sessionContext.session.kernel.status === 'idle';
}"""


@pytest.mark.parametrize("lab", ["dot"], indirect=True)  # no-dot is checked in test_browser
@pytest.mark.parametrize("notebook", sorted(COURSE))
def test_notebook_runs_in_the_browser_and_its_widgets_render(
        lab: tuple[str, str, str], notebook: str) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    url, token, _ = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/lab/tree/{notebook}?reset&token={token}")  # no restored tabs
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_function(KERNEL_READY, timeout=60_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(ALL_RAN, timeout=120_000, polling=250)

            errors = page.locator(".jp-OutputArea-output[data-mime-type="
                                  "'application/vnd.jupyter.stderr']")
            texts = [errors.nth(i).inner_text() for i in range(errors.count())]
            assert not [t for t in texts if "Error" in t or "Traceback" in t], texts
            assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
            assert page.get_by_text("Error displaying widget").count() == 0

            quizzes = page.locator(".iamlab-quiz-item")
            expect(quizzes.first).to_be_visible(timeout=30_000)
            assert quizzes.count() >= 3
            for widget in COURSE[notebook]:
                expect(page.locator(widget).first).to_be_attached(timeout=30_000)

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
