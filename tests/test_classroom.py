"""The classroom hub (classroom/jupyterhub_config.py), started for real with a few learners.

A smoke run of benchmarks/classroom/run.py: five learners log in with the shared password,
get their own copy of the student edition, run notebook 02 in their kernels over the Jupyter
messaging protocol and edit the playground; nothing is timed (the figures are in
docs/performance.md). Then one learner goes through the hub in headless Chromium: logs in,
opens 02, runs every cell, edits the trust policy and sees step 1 turn to denied.

Needs the `classroom` extra and classroom/node_modules (``make test`` installs both). In CI
(CI=true) these tests must run; elsewhere they skip, loudly, when the proxy is missing.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest

pytestmark = pytest.mark.classroom

ROOT = Path(__file__).resolve().parent.parent
PROXY = ROOT / "classroom" / "node_modules" / ".bin" / "configurable-http-proxy"
NOTEBOOK = "02-ec2-reads-s3.ipynb"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"classroom test cannot run in CI: {reason}")
    message = f"CLASSROOM TEST SKIPPED: {reason}"
    print(f"\n*** {message} ***", file=sys.stderr)
    pytest.skip(message)


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "classroom_run", ROOT / "benchmarks" / "classroom" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    if importlib.util.find_spec("jupyterhub") is None:
        _unavailable("jupyterhub is not installed: pip install -e '.[classroom]'")
    if not PROXY.exists():
        _unavailable("configurable-http-proxy is missing: cd classroom && npm ci")
    return _bench()


@pytest.fixture(scope="module")
def hub(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    state = tmp_path_factory.mktemp("classroom")
    # the browser learner sees every cell in the DOM (no virtual scrolling), as test_browser
    tracker = (state / "home" / "browser-learner" / ".jupyter" / "lab" / "user-settings"
               / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings")
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    # and the page exposes JupyterLab's app object, to run all cells and watch the kernel
    config = state / "home" / "browser-learner" / ".jupyter" / "jupyter_server_config.json"
    config.write_text(json.dumps({"LabApp": {"expose_app_in_browser": True}}))
    # a learner who already has work in a notebook (an earlier session)
    keeper = state / "home" / "keeper"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("my_answer = 42")])
    keeper.mkdir(parents=True)
    nbformat.write(nb, keeper / NOTEBOOK)
    with bench.private_hub(state) as running:
        yield running


def _post_form(url: str, form: dict[str, str], cookie: str) -> int:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(),
                                     headers={"Cookie": cookie}, method="POST")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_a_small_class_logs_in_runs_02_and_edits(bench: ModuleType, hub: Any) -> None:
    learners = 5  # issue 15: "a smaller run (5 learners)" in make test
    result = asyncio.run(bench.run_class(hub, learners=learners, edit_seconds=3, interval=1))
    assert result["errors"] == []
    assert result["ready"] == learners and result["seconds_to_all_ready"] is not None
    assert result["edits"] >= learners and result["edit_decision_p95_ms"] is not None
    assert result["rss_per_learner_mib"] > 50  # a server and a kernel were measured
    code_cells = sum(c.cell_type == "code" for c in
                     nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4).cells)
    assert result["cells_run"] == learners * code_cells
    for name in (f"learner{n:02d}" for n in range(1, learners + 1)):
        home = _home(hub, name)
        assert sorted(p.name for p in home.glob("*.ipynb")) == sorted(
            p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
        assert "### BEGIN SOLUTION" not in (home / NOTEBOOK).read_text()


def _home(hub: Any, name: str) -> Path:
    return Path(hub.state) / "home" / name


def test_a_learners_own_work_is_kept_and_the_rest_handed_out(bench: ModuleType,
                                                             hub: Any) -> None:
    async def log_in_and_start() -> None:
        client = bench.Client(hub, "keeper")
        await client.log_in()
        await client.start_server(timeout=120)

    asyncio.run(log_in_and_start())
    home = _home(hub, "keeper")
    assert nbformat.read(home / NOTEBOOK, as_version=4).cells[0].source == "my_answer = 42"
    assert (home / "00-start-here.ipynb").exists()


def test_a_wrong_password_is_refused(hub: Any) -> None:
    with urllib.request.urlopen(f"{hub.url}/hub/login", timeout=30) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    xsrf = next(c.split(";")[0] for c in cookies if c.startswith("_xsrf="))
    form = {"username": "mallory", "password": "not-the-class-password",
            "_xsrf": xsrf.split("=", 1)[1]}
    assert _post_form(f"{hub.url}/hub/login", form, xsrf) == 403
    form["password"] = hub.password
    assert _post_form(f"{hub.url}/hub/login", form, xsrf) == 302


@pytest.mark.browser
def test_one_learner_in_chromium_through_the_hub(hub: Any) -> None:
    from browser_helpers import browser_page, require_chromium

    require_chromium()
    from playwright.sync_api import expect

    started = time.monotonic()
    with browser_page() as page:
        page.goto(f"{hub.url}/hub/login")
        page.fill("input[name=username]", "browser-learner")
        page.fill("input[name=password]", hub.password)
        page.click("input[type=submit], button[type=submit]")
        # the learner lands in their own JupyterLab, on the start notebook
        page.wait_for_url("**/user/browser-learner/lab**", timeout=120_000)
        page.goto(f"{hub.url}/user/browser-learner/lab/tree/{NOTEBOOK}")
        _run_all_and_edit(page, expect)
    assert time.monotonic() - started < 180


# the kernel is idle and no cell waits or runs ("[*]")
SETTLED = """() => {
    const nb = window.jupyterapp.shell.currentWidget;
    return nb.sessionContext.session.kernel.status === 'idle'
        && nb.content.widgets.every(c => !(c.promptNode && c.promptNode.textContent.includes('*')));
}"""
# the index of the first code cell that has not run after the last one that ran, or -1
FIRST_NOT_RUN = """() => {
    const cells = window.jupyterapp.shell.currentWidget.content.widgets;
    const ran = cells.map((c, i) => c.model.type === 'code' && c.model.executionCount !== null
                          ? i : -1);
    const last = Math.max(...ran);
    return cells.findIndex((c, i) => i > last && c.model.type === 'code');
}"""
RUN_FROM = """(index) => {
    const nb = window.jupyterapp.shell.currentWidget;
    nb.content.activeCellIndex = index;
    window.jupyterapp.commands.execute('notebook:run-all-below');
}"""


def _run_all_and_edit(page: Any, expect: Any) -> None:
    from browser_helpers import kernel_ready

    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    kernel_ready(page)
    # run all; the student edition's unanswered check cells stop the run with "Not yet",
    # and the learner goes on from the next cell (run all below), as often as needed
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    for _ in range(30):
        page.wait_for_timeout(500)  # the run has begun
        page.wait_for_function(SETTLED, timeout=120_000, polling=250)
        left = page.evaluate(FIRST_NOT_RUN)
        if left < 0:
            break
        page.evaluate(RUN_FROM, left)
    assert page.evaluate(FIRST_NOT_RUN) < 0, "some cells never ran"
    errors = page.locator(".jp-OutputArea-output[data-mime-type="
                          "'application/vnd.jupyter.stderr']")
    texts = [errors.nth(i).inner_text() for i in range(errors.count())]
    assert not [t for t in texts if "Traceback" in t], texts
    playground = page.locator(".iamlab-playground").first
    playground.scroll_into_view_if_needed()
    assume = playground.locator('.iamlab-decision-view[data-step="assume"]')
    expect(assume).to_have_attribute("data-decision", "allowed", timeout=30_000)
    editor = playground.locator(".iamlab-editor-trust textarea").first
    text = editor.input_value()
    assert "ec2.amazonaws.com" in text
    editor.fill(text.replace("ec2.amazonaws.com", "lambda.amazonaws.com"))
    expect(assume).to_have_attribute("data-decision", "implicitDeny", timeout=15_000)
    editor.fill(text)
    expect(assume).to_have_attribute("data-decision", "allowed", timeout=15_000)


def test_the_hub_config_refuses_a_short_password(bench: ModuleType, tmp_path: Path) -> None:
    env = dict(os.environ, IAMLAB_CLASSROOM_DIR=str(tmp_path), IAMLAB_CLASS_PASSWORD="short")
    import subprocess

    jupyterhub = shutil.which("jupyterhub", path=str(Path(sys.executable).parent))
    assert jupyterhub
    proc = subprocess.run([jupyterhub, "-f", str(ROOT / "classroom" / "jupyterhub_config.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "IAMLAB_CLASS_PASSWORD" in proc.stderr + proc.stdout
