"""Notebooks 06-09 in a real browser: open, run all, no error output, widgets drawn; in 06 a
learner's edit to the playground's boundary tab flips the decision and the flow's path.

Reuses the private JupyterLab of ``tests/test_browser.py`` (headless Debian Chromium, a copy
of the notebooks, no network), with Graphviz's ``dot`` only: the no-dot rendering is
checked there once, for every diagram kind. IAMLAB_SCREENSHOTS=<folder> saves pictures.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, lab  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

# each notebook's widgets besides its predictions (.iamlab-quiz-item)
COURSE = {"06-how-aws-decides.ipynb": [".iamlab-flow", ".iamlab-playground",
                                       ".iamlab-predictions", ".iamlab-exercise"],
          "07-cross-account-roles.ipynb": [".iamlab-playground", ".iamlab-exercise"],
          "08-confused-deputy.ipynb": [".iamlab-playground", ".iamlab-exercise"],
          "09-sessions.ipynb": []}
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
BOUNDARY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}]}


def _open_and_run(page: Any, url: str, token: str, notebook: str) -> None:
    # a workspace of its own, so that no notebook of an earlier test is open beside it
    page.goto(f"{url}/lab/workspaces/nb{notebook[:2]}/tree/{notebook}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(KERNEL_READY, timeout=60_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        page.wait_for_function(ALL_RAN, timeout=150_000, polling=250)
    except Exception:  # say which cell stopped the run, not only that it timed out
        shown = page.locator(".jp-OutputArea-output").all_inner_texts()
        pytest.fail(f"{notebook}: not every cell ran; outputs:\n" + "\n".join(
            t[:300] for t in shown if "Error" in t or "Traceback" in t or "Not yet" in t))


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


@pytest.mark.parametrize("lab", ["dot"], indirect=True)
@pytest.mark.parametrize("notebook", sorted(COURSE))
def test_notebook_runs_in_the_browser_and_its_widgets_render(
        lab: tuple[str, str, str], notebook: str) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    url, token, _ = lab
    shots = os.environ.get("IAMLAB_SCREENSHOTS")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            _open_and_run(page, url, token, notebook)
            errors = page.locator(".jp-OutputArea-output[data-mime-type="
                                  "'application/vnd.jupyter.stderr']")
            texts = [errors.nth(i).inner_text() for i in range(errors.count())]
            assert not [t for t in texts if "Error" in t or "Traceback" in t], texts
            assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
            assert page.get_by_text("Error displaying widget").count() == 0

            quizzes = page.locator(".iamlab-quiz-item")
            expect(quizzes.first).to_be_attached(timeout=30_000)
            assert quizzes.count() >= 4
            for widget in COURSE[notebook]:
                expect(page.locator(widget).first).to_be_attached(timeout=30_000)
            first = quizzes.first
            first.scroll_into_view_if_needed()
            first.locator(".iamlab-quiz-option").first.click()
            first.locator(".iamlab-quiz-check").click()
            expect(first.locator(".iamlab-quiz-result [data-right]").first).to_be_attached(
                timeout=10_000)
            if shots:
                page.screenshot(path=str(Path(shots) / f"{notebook[:2]}-top.png"))
            if notebook.startswith("06"):
                table = page.locator(".iamlab-predictions").first
                table.scroll_into_view_if_needed()
                table.get_by_role("button", name="Check my predictions").click()
                expect(table).to_contain_text("of 12 right", timeout=10_000)
                if shots:
                    table.screenshot(path=str(Path(shots) / "06-table.png"))
                _boundary_flips_the_decision_and_the_path(page, shots)
        finally:
            browser.close()
