"""What every browser test shares: a private JupyterLab, headless Chromium, and a notebook
opened and run in it.

The ``lab`` fixture starts JupyterLab on 127.0.0.1 (a free port, a token, fresh
config/settings/workspace directories, a copy of the notebooks so nothing is saved into the
repository, and ``etc/jupyter``, the settings ``make lab`` uses), with Graphviz's ``dot`` on
the PATH or hidden (``dot_only`` asks for the first alone, so no second server is started
for a test that checks something once). :func:`open_notebook` opens a notebook in a
workspace of its own, runs every cell and fails, saying which outputs show an error, when
a cell prints one or the run does not finish.

Chromium is Debian's (/usr/bin/chromium): Playwright's own browser download cannot work
here (IAMLAB_CHROMIUM names another binary). In CI (CI=true) the browser tests must run;
elsewhere they skip, loudly, only when Chromium is missing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from without_dot import path_without_dot

ROOT = Path(__file__).resolve().parent.parent
CHECKS = "browser-checks.ipynb"  # written by the fixture: widgets to drive
MFA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
    "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
CHECK_CELLS = [
    "from iamlab.widgets import Playground",
    f"mfa = Playground(trust={MFA_TRUST!r}, caller='arn:aws:iam::111122223333:user/alice',\n"
    "                 intro=False, graph=False)\nmfa",
    "s3 = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:*',"
    " 'Resource': '*'}]}\n"
    "capped = Playground(permissions=s3, action='s3:DeleteObject', tabs='all', flow=True,\n"
    "                    boundary=s3, intro=False, graph=False)\ncapped",
]
CHROMIUM = os.environ.get("IAMLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
RUN_TIMEOUT_MS = 150_000  # every cell of the longest notebook, on 2 shared cores
KERNEL_READY = ("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                " const k = w && w.sessionContext && w.sessionContext.session"
                " && w.sessionContext.session.kernel;"
                " return !!k && k.connectionStatus === 'connected'; }")
ALL_RAN = """() => {
    const nb = window.jupyterapp.shell.currentWidget;
    const cells = nb.content.widgets.filter(c => c.model.type === 'code');
    return cells.length > 0 && cells.every(c => c.model.executionCount !== null)
        && nb.sessionContext.session.kernel.status === 'idle';
}"""
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"

# every test that needs the browser once, with dot: @dot_only
dot_only = pytest.mark.parametrize("lab", ["dot"], indirect=True)


def _unavailable(reason: str) -> None:
    """Fail in CI; elsewhere skip, and say so loudly."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run in CI: {reason}")
    message = f"BROWSER TEST SKIPPED: {reason}"
    warnings.warn(message, stacklevel=2)
    print(f"\n*** {message} ***", file=sys.stderr)
    pytest.skip(message)


def require_chromium() -> None:
    """Go on only when Chromium is there (fail in CI, skip loudly elsewhere)."""
    if not (Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_server(url: str, proc: subprocess.Popen[bytes], log: Path,
                     timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("JupyterLab exited:\n" + log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("JupyterLab did not start in time:\n" + log.read_text()[-3000:])


def _write_checks(folder: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CHECK_CELLS])
    nb.metadata.kernelspec = {"display_name": "Python 3 (ipykernel)", "language": "python",
                              "name": "python3"}
    nbformat.write(nb, folder / CHECKS)


@pytest.fixture(scope="module", params=["dot", "no-dot"])
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[tuple[str, str, str]]:
    """A private JupyterLab serving a copy of the notebooks (and ``browser-checks.ipynb``:
    ``CHECK_CELLS``, widgets to drive), with or without Graphviz's ``dot`` on the PATH;
    yields (base URL, token, mode)."""
    require_chromium()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # a test dependency (pyproject.toml): its absence is a broken setup
        pytest.fail("the playwright Python package is missing: pip install -e '.[test]'")
    if not (ROOT / "notebooks").is_dir():
        pytest.fail("the notebooks folder is missing")
    mode = request.param
    base = tmp_path_factory.mktemp(f"lab-{mode}")
    notebooks = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    _write_checks(notebooks)
    settings = base / "settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    # every cell in the DOM (no virtual scrolling), so the widgets can be found
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(base / "config"),
               JUPYTER_CONFIG_PATH=str(ROOT / "etc" / "jupyter"),  # as make lab
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               IPYTHONDIR=str(base / "ipython"),
               HOME=str(base / "home"))  # quiz progress is saved under the (fresh) home
    if mode == "no-dot":
        env["PATH"] = path_without_dot(base / "bin")
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--notebook-dir={notebooks}",
           "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    log = base / "jupyter.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=notebooks)
    try:
        _wait_for_server(f"http://127.0.0.1:{port}/api/status?token={token}", proc, log)
        yield f"http://127.0.0.1:{port}", token, mode
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def browser_page(width: int = 1500, height: int = 1000) -> Iterator[Any]:
    """A page of a fresh headless Chromium, closed afterwards whatever happens."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def kernel_ready(page: Any) -> None:
    """Wait until the notebook shown has a connected kernel."""
    page.wait_for_function(KERNEL_READY, timeout=60_000)


def _error_outputs(page: Any) -> list[str]:
    shown = page.locator(".jp-OutputArea-output").all_inner_texts()
    return [t[:300] for t in shown if "Error" in t or "Traceback" in t or "Not yet" in t]


def run_all(page: Any, name: str) -> None:
    """Run every cell of the notebook shown and wait until all ran and the kernel is idle;
    fail naming the outputs that show an error when the run does not finish, or when a
    cell printed one."""
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        page.wait_for_function(ALL_RAN, timeout=RUN_TIMEOUT_MS, polling=250)
    except Exception:  # say which cell stopped the run, not only that it timed out
        pytest.fail(f"{name}: not every cell ran within {RUN_TIMEOUT_MS // 1000} s; "
                    "outputs showing an error:\n" + "\n".join(_error_outputs(page)))
    errors = page.locator(STDERR)
    texts = [errors.nth(i).inner_text() for i in range(errors.count())]
    printed = [t for t in texts if "Error" in t or "Traceback" in t]
    assert not printed, f"{name}: a cell printed an error: {printed}"


def open_notebook(page: Any, url: str, token: str, name: str, *, run: bool = True) -> str:
    """Open a notebook in a workspace of its own (so no notebook of an earlier test is open
    beside it), wait for its kernel, run it all (unless ``run`` is false); the id of its
    panel, to look for its widgets in."""
    workspace = re.sub(r"[^A-Za-z0-9-]", "-", name.removesuffix(".ipynb"))
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{name}?token={token}")
    page.wait_for_function(
        f"() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        f" && window.jupyterapp.shell.currentWidget.context.path === {json.dumps(name)}",
        timeout=60_000)
    panel = str(page.evaluate("window.jupyterapp.shell.currentWidget.node.id"))
    page.wait_for_selector(f"[id='{panel}'] .jp-Cell", timeout=60_000)
    kernel_ready(page)
    if run:
        run_all(page, name)
    return panel


def widgets_drawn_and_a_prediction_answers(scope: Any, widgets: list[str],
                                           predictions: int) -> Any:
    """In ``scope`` (a notebook's panel): no traceback and no "Error displaying widget"; at
    least ``predictions`` predictions and each of ``widgets`` (CSS selectors) drawn; the first
    prediction answers when the learner picks an option and checks. The first prediction."""
    from playwright.sync_api import expect

    assert scope.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
    assert scope.get_by_text("Error displaying widget").count() == 0
    quizzes = scope.locator(".iamlab-quiz-item")
    expect(quizzes.first).to_be_visible(timeout=30_000)
    assert quizzes.count() >= predictions
    for widget in widgets:
        expect(scope.locator(widget).first).to_be_attached(timeout=30_000)
    first = quizzes.first
    first.scroll_into_view_if_needed()
    first.locator(".iamlab-quiz-option").first.click()
    first.locator(".iamlab-quiz-check").click()
    expect(first.locator(".iamlab-quiz-result [data-right]").first).to_be_attached(
        timeout=10_000)
    return first
