"""The course in a real browser: JupyterLab in headless Chromium, driven by Playwright.

Starts JupyterLab on 127.0.0.1 (a free port, a token, fresh config/settings/workspace
directories, a copy of the notebooks so nothing is saved into the repository, and
``etc/jupyter``, the settings ``make lab`` uses), opens ``02-ec2-reads-s3``, runs every
cell, then edits the playground's trust policy as a learner would: EC2 → Lambda must turn
step 1 to denied and redraw the diagram; a broken policy greys the decision out; HTML
in a policy (``<img onerror=...>``) must show as text, and no script may run. This runs
twice: with Graphviz's ``dot`` on the PATH (diagrams drawn in the kernel) and with it
hidden (drawn in the browser by WebAssembly Graphviz); every diagram must be drawn.

Once more, as a learner arrives with ``make lab``: the start page is ``00-start-here`` (no
Launcher, no news pop-up, no sanitize.cfg in the file browser), opening a notebook does
not mark it modified, the trust editor shows its whole policy, and a context key added
with "+ context key" changes the decision.

The server, the browser and opening a notebook are ``tests/browser_helpers.py``'s (where
Chromium comes from, and when a browser test skips). IAMLAB_SCREENSHOTS=<folder> saves
pictures of the playground for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from browser_helpers import (  # noqa: F401  (lab: the fixture)
    CHECKS,
    ROOT,
    browser_page,
    dot_only,
    kernel_ready,
    lab,
    open_notebook,
    run_all,
)

from iamlab.widgets.starters import DEFAULT_BUCKET

pytestmark = pytest.mark.browser

NOTEBOOK = "02-ec2-reads-s3.ipynb"
QUIZ_NOTEBOOK = "10-exam-practice.ipynb"
START = "00-start-here.ipynb"
XSS = "<img src=x onerror=alert(1)>"
OTHER_BUCKET_DENY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:role/AppRole"},
    "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::other-bucket/*"}]}
# Records, in the page, when the decision and the diagram change after the next input event.
STOPWATCH = """(root) => {
  const times = window.__iamlabTimes = {};
  const area = root.querySelector('.iamlab-editor-trust textarea');
  const assume = () => root.querySelector('.iamlab-decision-view[data-step="assume"]');
  const graph = () => root.querySelector('.iamlab-graph');
  const before = {decision: assume().getAttribute('data-decision'),
                  diagram: graph().getAttribute('data-digest')};
  let start = null;
  area.addEventListener('input', () => { start = performance.now(); }, {once: true});
  new MutationObserver((_m, obs) => {
    if (start === null) return;
    const a = assume(), g = graph();
    if (!times.decision && a && a.getAttribute('data-decision') !== before.decision)
      times.decision = performance.now() - start;
    if (!times.diagram && g && g.getAttribute('data-digest') !== before.diagram)
      times.diagram = performance.now() - start;
    if (times.decision && times.diagram) obs.disconnect();
  }).observe(root, {subtree: true, childList: true, attributes: true});
}"""


def test_ec2_notebook_runs_and_the_playground_reacts(
        lab: tuple[str, str, str]) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, token, mode = lab
    started = time.monotonic()
    with browser_page() as page:
        dialogs: list[str] = []

        def on_dialog(dialog: object) -> None:
            dialogs.append(dialog.message)  # type: ignore[attr-defined]
            dialog.dismiss()  # type: ignore[attr-defined]

        page.on("dialog", on_dialog)
        open_notebook(page, url, token, NOTEBOOK)

        playground = page.locator(".iamlab-playground").first
        playground.scroll_into_view_if_needed()
        shots = os.environ.get("IAMLAB_SCREENSHOTS")  # a folder, to look at the widgets
        assume = playground.locator('.iamlab-decision-view[data-step="assume"]')
        expect(assume).to_have_attribute("data-decision", "allowed", timeout=30_000)
        graph = playground.locator(".iamlab-graph")
        renderer = "dot" if mode == "dot" else "browser"
        expect(graph).to_have_attribute("data-renderer", renderer, timeout=30_000)
        drawn = playground.locator(".iamlab-graphview svg").first
        expect(drawn).to_be_visible(timeout=30_000)  # drawn, either way
        view = playground.locator(".iamlab-graphview")
        expect(view).to_contain_text("s3:GetObject: allowed", timeout=30_000)
        assert "not installed" not in view.inner_text()
        digest_before = graph.get_attribute("data-digest")
        if shots:
            page.set_viewport_size({"width": 1500, "height": 3200})
            playground.scroll_into_view_if_needed()
            playground.screenshot(path=str(Path(shots) / f"playground-{mode}.png"))

        # the learner changes the trusted service from EC2 to Lambda in the JSON editor
        editor = playground.locator(".iamlab-editor-trust textarea").first
        text = editor.input_value()
        assert "ec2.amazonaws.com" in text
        # time the round trip in the page itself: input event -> DOM updated
        playground.evaluate(STOPWATCH)
        editor.fill(text.replace("ec2.amazonaws.com", "lambda.amazonaws.com"))
        expect(assume).to_have_attribute("data-decision", "implicitDeny", timeout=10_000)
        expect(graph).not_to_have_attribute("data-digest", digest_before or "",
                                            timeout=10_000)
        expect(view).to_contain_text("not trusted", timeout=10_000)
        times = page.evaluate("window.__iamlabTimes")
        if shots:
            playground.screenshot(path=str(Path(shots) / f"playground-lambda-{mode}.png"))
        print(f"\nbrowser ({mode}): edit -> decision {times['decision']:.0f} ms, "
              f"edit -> diagram {times['diagram']:.0f} ms")

        # a broken policy: the decision is greyed out and said to be the last valid one
        outcome = playground.locator(".iamlab-outcome")
        editor.fill(text.replace('"Allow"', '"allow"'))
        expect(outcome).to_have_class(re.compile(r"\biamlab-stale\b"), timeout=10_000)
        expect(outcome).to_contain_text("belongs to the last valid version")
        opacity = assume.evaluate("e => getComputedStyle(e).opacity")
        assert float(opacity) < 0.6
        if shots:
            playground.screenshot(path=str(Path(shots) / f"playground-broken-{mode}.png"))

        # HTML in a policy shows as text, and nothing runs
        doc = json.loads(text)
        doc["Statement"][0]["Condition"] = {"StringNotEquals": {"aws:SourceAccount": XSS}}
        editor.fill(json.dumps(doc, indent=2))
        expect(outcome).not_to_have_class(re.compile(r"\biamlab-stale\b"), timeout=10_000)
        expect(assume).to_have_attribute("data-decision", "allowed", timeout=10_000)
        expect(assume).to_contain_text(XSS, timeout=10_000)
        doc["Statement"][0]["Sid"] = XSS  # IAM refuses it: the message shows it as text
        editor.fill(json.dumps(doc, indent=2))
        expect(playground.locator(".iamlab-editor-trust .iamlab-messages")).to_contain_text(
            XSS, timeout=10_000)
        page.wait_for_timeout(1000)  # give any injected handler time to fire
        assert playground.locator("img").count() == 0
        assert dialogs == []
        if shots:  # the form view of both policies, for a person to look at
            for tab in playground.locator(".lm-TabBar-tab", has_text="Form").all():
                tab.click()
            page.wait_for_timeout(1500)
            playground.screenshot(path=str(Path(shots) / f"playground-form-{mode}.png"))
    assert time.monotonic() - started < 120


@dot_only
def test_a_learner_arrives_at_the_course(lab: tuple[str, str, str]) -> None:  # noqa: F811
    """What make lab shows first, and the widgets a learner touches first."""
    from playwright.sync_api import expect

    url, token, _ = lab
    with browser_page() as page:
        page.goto(f"{url}/?token={token}")  # where make lab's browser lands
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        assert page.url.split("?")[0].endswith(f"/lab/tree/{START}")
        kernel_ready(page)
        page.wait_for_timeout(3000)  # time for a news pop-up or a Launcher to show
        assert page.locator(".jp-Launcher").count() == 0
        toasts = page.locator(".Toastify__toast")
        assert toasts.count() == 0, [toasts.nth(i).inner_text()
                                     for i in range(toasts.count())]
        names = page.locator(".jp-DirListing-itemName").all_inner_texts()
        assert START in names and not [n for n in names if n.endswith(".cfg")], names
        # opening a notebook does not modify it: the kernel's metadata is already there
        dirty = page.evaluate("window.jupyterapp.shell.currentWidget.context.model.dirty")
        assert dirty is False

        run_all(page, START)
        trust = page.locator(".iamlab-editor-trust textarea").first
        trust.scroll_into_view_if_needed()
        hidden = trust.evaluate("e => e.scrollHeight - e.clientHeight")
        assert hidden <= 2, f"the trust policy needs {hidden}px more room"
        # error lines have ordinary spacing
        first = page.locator(".iamlab-editor").first
        area = first.locator("textarea").first
        area.fill(area.input_value().replace('"Allow"', '"allow"'))
        problem = first.locator(".iamlab-messages .iamlab-problem").first
        problem.scroll_into_view_if_needed()
        ratio = problem.evaluate("e => { const s = getComputedStyle(e); return "
                                 "parseFloat(s.lineHeight) / parseFloat(s.fontSize); }")
        assert ratio < 1.7, f"line height {ratio:.2f} times the font size"
        if os.environ.get("IAMLAB_SCREENSHOTS"):
            page.locator(".iamlab-editor").first.screenshot(
                path=str(Path(os.environ["IAMLAB_SCREENSHOTS"]) / "editor-errors.png"))

        # "+ context key" adds a key the trust policy needs: the decision changes
        panel = open_notebook(page, url, token, CHECKS)
        mfa = page.locator(f"[id='{panel}'] .iamlab-playground").nth(0)
        assume = mfa.locator('.iamlab-decision-view[data-step="assume"]')
        expect(assume).to_have_attribute("data-decision", "implicitDeny", timeout=30_000)
        mfa.locator("button", has_text="+ context key").click()
        mfa.locator("input[placeholder='key, e.g. aws:SourceIp']").fill(
            "aws:MultiFactorAuthPresent")
        mfa.locator("input[placeholder='value']").fill("true")
        expect(assume).to_have_attribute("data-decision", "allowed", timeout=10_000)


def test_a_boundary_edited_in_the_browser_flips_the_decision_and_the_flow(
        lab: tuple[str, str, str]) -> None:  # noqa: F811
    """Issue 12: the boundary tab is editable; allowing only s3:GetObject there denies
    s3:DeleteObject at step 2, and the evaluation flow moves its "decided here" from the
    identity-based policies to the permissions boundary (drawn with or without dot). The
    resource tab follows the request's resource to another bucket (issue 14's leftover)."""
    from playwright.sync_api import expect

    url, token, mode = lab
    with browser_page() as page:
        panel = open_notebook(page, url, token, CHECKS)
        capped = page.locator(f"[id='{panel}'] .iamlab-playground").nth(1)
        capped.scroll_into_view_if_needed()
        act = capped.locator('.iamlab-decision-view[data-step="act"]')
        expect(act).to_have_attribute("data-decision", "allowed", timeout=30_000)
        summary = capped.locator(".iamlab-flow-summary")
        expect(summary).to_have_attribute("data-decided", "identity", timeout=30_000)
        flow = capped.locator(".iamlab-flow .iamlab-graphview")
        identity = flow.locator("[id='flow-identity']")
        expect(identity).to_have_class(re.compile("iamlab-flow-decided"), timeout=30_000)
        capped.locator(".iamlab-more-policies .lm-TabBar-tab",
                       has_text="Permissions boundary").click()
        area = capped.locator(".iamlab-editor-boundary-tab textarea").first
        area.fill(area.input_value().replace('"s3:*"', '"s3:GetObject"'))
        expect(act).to_have_attribute("data-decision", "implicitDeny", timeout=10_000)
        expect(summary).to_have_attribute("data-decided", "boundary", timeout=10_000)
        boundary = flow.locator("[id='flow-boundary']")
        expect(boundary).to_have_class(re.compile("iamlab-flow-decided"), timeout=10_000)
        expect(identity).not_to_have_class(re.compile("iamlab-flow-decided"))
        expect(flow).to_contain_text("decided here")
        shots = os.environ.get("IAMLAB_SCREENSHOTS")
        if shots:
            capped.locator(".iamlab-flow").screenshot(
                path=str(Path(shots) / f"boundary-flow-{mode}.png"))

        # the resource tab follows the request to another bucket, and its policy counts there
        area.fill(area.input_value().replace('"s3:GetObject"', '"s3:*"'))
        expect(act).to_have_attribute("data-decision", "allowed", timeout=10_000)
        tab = capped.locator(".iamlab-more-policies .lm-TabBar-tab", has_text="Resource policy")
        expect(tab).to_contain_text(f"Resource policy: {DEFAULT_BUCKET}")
        capped.locator(".iamlab-request input[placeholder^='resource ARN']").fill(
            "arn:aws:s3:::other-bucket/q3.csv")
        expect(tab).to_contain_text("Resource policy: other-bucket", timeout=10_000)
        tab.click()
        editor = capped.locator(".iamlab-editor-resource-tab")
        expect(editor.locator(".iamlab-title")).to_contain_text("arn:aws:s3:::other-bucket")
        editor.locator("textarea").first.fill(json.dumps(OTHER_BUCKET_DENY, indent=2))
        expect(act).to_have_attribute("data-decision", "explicitDeny", timeout=10_000)
        expect(summary).to_have_attribute("data-decided", "deny", timeout=10_000)


@dot_only
def test_exam_notebook_quiz_answers_in_the_browser(
        lab: tuple[str, str, str]) -> None:  # noqa: F811
    """A learner answers the prediction, sees why, then starts a timed exam and finishes it."""
    from playwright.sync_api import expect

    if not (ROOT / "notebooks" / QUIZ_NOTEBOOK).exists():
        pytest.fail(f"notebooks/{QUIZ_NOTEBOOK} is missing")
    url, token, _ = lab
    with browser_page() as page:
        open_notebook(page, url, token, QUIZ_NOTEBOOK)

        # the prediction: a wrong answer first, then the right one
        item = page.locator(".iamlab-quiz-item").first
        item.scroll_into_view_if_needed()
        result = item.locator(".iamlab-quiz-result")
        item.locator(".iamlab-quiz-option", has_text="implicit deny").click()
        item.locator(".iamlab-quiz-check").click()
        expect(result.locator(".iamlab-quiz-feedback")).to_have_attribute(
            "data-right", "false", timeout=15_000)
        item.locator(".iamlab-quiz-option", has_text="Allowed").click()
        item.locator(".iamlab-quiz-check").click()
        feedback = result.locator(".iamlab-quiz-feedback")
        expect(feedback).to_have_attribute("data-right", "true", timeout=15_000)
        expect(feedback).to_contain_text("no identity policy is needed")
        expect(feedback.locator(".iamlab-flow")).to_be_visible()
        expect(feedback.locator('.iamlab-decision-view[data-decision="allowed"]')
               ).to_have_count(1)
        if os.environ.get("IAMLAB_SCREENSHOTS"):
            item.screenshot(path=str(Path(os.environ["IAMLAB_SCREENSHOTS"]) / "item.png"))

        # the chooser: a timed exam on one topic, one answer, then Finish
        chooser = page.locator(".iamlab-quiz-chooser").first
        chooser.scroll_into_view_if_needed()
        chooser.locator(".widget-toggle-button", has_text="Exam (timed)").click()
        chooser.locator(".iamlab-quiz-start").click()
        quiz = chooser.locator(".iamlab-quiz")
        expect(quiz.locator('[data-mode="exam"]')).to_contain_text("time left",
                                                                  timeout=15_000)
        # the exam's questions come in a fresh random order: as many options as it asks for
        head = quiz.locator(".iamlab-quiz-stem small").first.inner_text()
        wanted = re.search(r"choose (\d+)", head)
        for i in range(int(wanted.group(1)) if wanted else 1):
            quiz.locator(".iamlab-quiz-option").nth(i).click()
        quiz.locator(".iamlab-quiz-check").click()
        expect(quiz.locator(".iamlab-quiz-result")).to_contain_text("Answer saved",
                                                                   timeout=15_000)
        quiz.locator(".iamlab-quiz-finish").click()
        score = quiz.locator(".iamlab-quiz-score")
        expect(score).to_contain_text("Exam over", timeout=15_000)
        expect(quiz.locator(".iamlab-quiz-topics")).to_contain_text("Score by topic")
        expect(quiz.locator(".iamlab-quiz-review")).to_have_count(10)
        if os.environ.get("IAMLAB_SCREENSHOTS"):
            quiz.screenshot(path=str(Path(os.environ["IAMLAB_SCREENSHOTS"]) / "quiz.png"))
