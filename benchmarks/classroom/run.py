"""A class on the classroom hub: N learners log in, run notebook 02 and edit the playground.

    python benchmarks/classroom/run.py --learners 30 [--edit-seconds 60] [--json]

Starts a private JupyterHub (classroom/jupyterhub_config.py, on 127.0.0.1, fresh state in a
temporary folder) unless --hub-url names a running one. Then, all learners at once:

1. log in through the hub's login form with the shared password, and ask the hub's REST API
   for a token (``POST /hub/api/users/NAME/tokens``);
2. start their server (``POST /hub/api/users/NAME/server``) and wait until the hub says it
   is ready (``GET /hub/api/users/NAME``): each learner's home gets the student edition;
3. open notebook 02 as JupyterLab does (a session through the server's REST API) and run
   every code cell in the kernel over the Jupyter messaging protocol (a websocket);
4. every few seconds for --edit-seconds, edit the playground's trust policy as the browser
   would (a widget ``update`` message: EC2 <-> Lambda as the trusted service) and time
   the edit until the kernel sends the playground's new decision.

Prints ``{"learners", "ready", "seconds_to_all_ready", "rss_per_learner_mib",
"edit_decision_p95_ms", "errors"}`` (and a few more details); --json prints that one object.
RSS per learner: the resident memory of each learner's server and kernel, the largest seen
while the class edits, averaged over learners (``rss_max_learner_mib``: the largest one).
Traffic goes only to 127.0.0.1, and every loop stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "classroom" / "jupyterhub_config.py"
NOTEBOOK = "02-ec2-reads-s3.ipynb"
TRUSTED, OTHER = "ec2.amazonaws.com", "lambda.amazonaws.com"
DECISIONS = {TRUSTED: "allowed", OTHER: "implicitDeny"}
# a graded check cell of the student edition, not yet answered: what a learner sees first
EXPECTED_ERRORS = ("NotYet",)


# -- the hub ---------------------------------------------------------------------------------
@dataclass
class Hub:
    url: str
    password: str
    pid: int | None = None  # the hub's process, when this script started it
    state: Path | None = None  # its state folder (database, learners' homes), likewise


def _wait_until_up(url: str, proc: subprocess.Popen[bytes] | None, log: Path | None,
                   timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-3000:] if log else ""
            raise RuntimeError(f"the hub exited:\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}/hub/api", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the hub at {url} did not answer in {timeout:.0f} s")


def free_port_block(size: int = 3) -> int:
    """A port P with P..P+size-1 free on 127.0.0.1 (the hub uses three)."""
    import socket

    for _ in range(50):
        base = random.randrange(20000, 60000)
        try:
            socks = []
            for port in range(base, base + size):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free block of ports on 127.0.0.1")


@contextmanager
def private_hub(state: Path, port: int | None = None,
                env: dict[str, str] | None = None) -> Iterator[Hub]:
    """Start the classroom hub with its state in ``state``; stop it (and every learner's
    server) on exit."""
    state.mkdir(parents=True, exist_ok=True)
    port = port or free_port_block()
    password = secrets.token_urlsafe(12)
    hub_env = dict(os.environ, IAMLAB_CLASSROOM_DIR=str(state), IAMLAB_HUB_PORT=str(port),
                   IAMLAB_CLASS_PASSWORD=password, **(env or {}))
    hub_env.pop("IAMLAB_TEACHER_PASSWORD", None)
    jupyterhub = Path(sys.executable).parent / "jupyterhub"
    log = state / "hub.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(jupyterhub), "-f", str(CONFIG)], cwd=state, env=hub_env,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log)
        yield Hub(url, password, proc.pid, state)
    finally:
        proc.send_signal(signal.SIGTERM)  # the hub stops the learners' servers and its proxy
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- one learner -----------------------------------------------------------------------------
@dataclass
class Learner:
    name: str
    ready_at: float | None = None
    cells_run: int = 0
    edits_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Client:
    """HTTP to the hub for one learner: cookies until a token, then the token."""

    def __init__(self, hub: Hub, name: str) -> None:
        from tornado.httpclient import AsyncHTTPClient

        self.hub, self.name = hub, name
        self.http = AsyncHTTPClient()
        self.cookies: dict[str, str] = {}
        self.token = ""

    def _headers(self) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if self.token:
            headers = {"Authorization": f"token {self.token}"}
        elif "_xsrf" in self.cookies:
            headers["X-XSRFToken"] = self.cookies["_xsrf"]
        return headers

    async def call(self, method: str, path: str, body: Any = None,
                   form: dict[str, str] | None = None, ok: tuple[int, ...] = (200,)) -> Any:
        from tornado.httpclient import HTTPClientError

        headers = self._headers()
        data: str | None = None
        if form is not None:
            data = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None or method == "POST":
            data = json.dumps(body or {})
            headers["Content-Type"] = "application/json"
        try:
            response = await self.http.fetch(
                f"{self.hub.url}{path}", method=method, body=data, headers=headers,
                follow_redirects=False, raise_error=False, request_timeout=120)
        except (HTTPClientError, OSError) as exc:
            raise RuntimeError(f"{method} {path}: {exc}") from exc
        for header in response.headers.get_list("Set-Cookie"):
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        if response.code not in ok:
            raise RuntimeError(f"{method} {path}: HTTP {response.code} "
                               f"{(response.body or b'')[:200]!r}")
        text = (response.body or b"").decode()
        return json.loads(text) if text.strip().startswith(("{", "[")) else text

    async def log_in(self) -> None:
        await self.call("GET", "/hub/login")
        await self.call("POST", "/hub/login", ok=(302,),
                        form={"username": self.name, "password": self.hub.password,
                              "_xsrf": self.cookies.get("_xsrf", "")})
        reply = await self.call("POST", f"/hub/api/users/{self.name}/tokens", ok=(200, 201),
                                body={"note": "classroom benchmark", "expires_in": 3600})
        self.token = reply["token"]

    async def start_server(self, timeout: float) -> None:
        await self.call("POST", f"/hub/api/users/{self.name}/server", ok=(201, 202, 400))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = await self.call("GET", f"/hub/api/users/{self.name}")
            server = user.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            await asyncio.sleep(0.5)
        raise RuntimeError(f"server not ready after {timeout:.0f} s")


class Kernel:
    """A kernel's channels over the server's websocket (the Jupyter messaging protocol)."""

    def __init__(self, ws: Any, session: str) -> None:
        self.ws, self.session = ws, session
        self.comms: dict[str, dict[str, Any]] = {}  # comm id -> widget state, in open order
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def _message(self, msg_type: str, content: dict[str, Any], channel: str) -> dict[str, Any]:
        header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session,
                  "username": "learner", "version": "5.3",
                  "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        return {"header": header, "parent_header": {}, "metadata": {}, "content": content,
                "channel": channel, "buffers": []}

    async def send(self, msg_type: str, content: dict[str, Any], channel: str = "shell") -> str:
        msg = self._message(msg_type, content, channel)
        await self.ws.write_message(json.dumps(msg))
        return str(msg["header"]["msg_id"])

    async def receive(self, timeout: float) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.read_message(), timeout)
        if raw is None:
            raise RuntimeError("the kernel's websocket closed")
        msg: dict[str, Any] = json.loads(raw)
        kind = msg["header"]["msg_type"]
        if kind == "comm_open":
            content = msg["content"]
            self.comms[content["comm_id"]] = dict(content.get("data", {}).get("state", {}))
        elif kind == "comm_msg":
            content = msg["content"]
            if content["comm_id"] in self.comms:  # the widget's state as the browser holds it
                self.comms[content["comm_id"]].update(content["data"].get("state", {}))
            self.updates.put_nowait(content)
        return msg

    async def execute(self, code: str, timeout: float = 120) -> str | None:
        """Run code; None when it ran, else the error's name and value."""
        msg_id = await self.send("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        deadline = time.monotonic() + timeout
        reply: dict[str, Any] | None = None
        idle = False
        while not (reply and idle):
            msg = await self.receive(max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "execute_reply":
                reply = msg["content"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        if reply["status"] != "ok":
            return f"{reply.get('ename')}: {reply.get('evalue')}"
        return None


def _playground_comms(comms: dict[str, dict[str, Any]]) -> tuple[str, str, str]:
    """(trust textarea comm, step-1 decision comm, trust text) of the notebook's playground:
    the first trust editor trusting EC2, and the first step-1 decision view after it."""
    textarea = decision = ""
    text = ""
    for comm_id, state in comms.items():
        classes = state.get("_dom_classes", [])
        value = state.get("value", "")
        if "iamlab-trust-json" in classes and TRUSTED in value and not textarea:
            textarea, text = comm_id, value
        if textarea and not decision and 'data-step="assume"' in value:
            decision = comm_id
    if not (textarea and decision):
        raise RuntimeError(f"{NOTEBOOK}: no playground with a trust policy trusting {TRUSTED}")
    return textarea, decision, text


async def _edit_once(kernel: Kernel, textarea: str, decision: str, text: str,
                     service: str, timeout: float = 10) -> float:
    """Send one edit; milliseconds until the step-1 decision shows the expected answer."""
    while not kernel.updates.empty():
        kernel.updates.get_nowait()
    want = f'data-decision="{DECISIONS[service]}"'
    started = time.perf_counter()
    await kernel.send("comm_msg", {"comm_id": textarea, "data": {
        "method": "update", "state": {"value": text.replace(TRUSTED, service)},
        "buffer_paths": []}})
    deadline = time.monotonic() + timeout
    while True:
        while kernel.updates.empty():
            await kernel.receive(max(0.1, deadline - time.monotonic()))
        update = kernel.updates.get_nowait()
        value = update.get("data", {}).get("state", {}).get("value", "")
        if update.get("comm_id") == decision and want in value:
            return (time.perf_counter() - started) * 1000
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {want} within {timeout} s")


async def run_learner(hub: Hub, learner: Learner, started: float, edit_seconds: float,
                      interval: float, ready_timeout: float) -> None:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    client = Client(hub, learner.name)
    step = "log in"
    try:
        await client.log_in()
        step = "start the server"
        await client.start_server(ready_timeout)
        learner.ready_at = time.monotonic() - started
        base = f"/user/{learner.name}/api"
        step = f"open {NOTEBOOK}"
        nb = await client.call("GET", f"{base}/contents/{NOTEBOOK}?content=1")
        session = await client.call("POST", f"{base}/sessions", ok=(200, 201), body={
            "path": NOTEBOOK, "name": NOTEBOOK, "type": "notebook",
            "kernel": {"name": "python3"}})
        kernel_id = session["kernel"]["id"]
        ws_url = hub.url.replace("http", "ws", 1) + f"{base}/kernels/{kernel_id}/channels"
        ws = await websocket_connect(HTTPRequest(
            ws_url, headers={"Authorization": f"token {client.token}"}))
        kernel = Kernel(ws, uuid.uuid4().hex)
        step = f"run {NOTEBOOK}"
        for i, cell in enumerate(nb["content"]["cells"]):
            if cell["cell_type"] != "code":
                continue
            error = await kernel.execute(cell["source"])
            learner.cells_run += 1
            if error and not error.startswith(EXPECTED_ERRORS):
                learner.errors.append(f"{learner.name}: {NOTEBOOK} cell {i}: {error}")
        step = "edit the playground"
        textarea, decision, text = _playground_comms(kernel.comms)
        await asyncio.sleep(random.uniform(0, interval))  # learners do not type in step
        stop = time.monotonic() + edit_seconds
        n = 0
        while time.monotonic() < stop:
            service = OTHER if n % 2 == 0 else TRUSTED
            try:
                learner.edits_ms.append(await _edit_once(kernel, textarea, decision, text,
                                                         service))
            except (TimeoutError, asyncio.TimeoutError) as exc:
                learner.errors.append(f"{learner.name}: edit {n}: {exc}")
            n += 1
            await asyncio.sleep(interval)
        ws.close()
        await client.call("DELETE", f"{base}/sessions/{session['id']}", ok=(204,))
    except Exception as exc:  # one learner's failure is counted, the class goes on
        learner.errors.append(f"{learner.name}: {step}: {type(exc).__name__}: {exc}")


# -- memory ----------------------------------------------------------------------------------
def learner_rss_mib(hub_pid: int | None) -> dict[str, float]:
    """Resident MiB of each learner's server and its kernels (children of the hub)."""
    import psutil

    if hub_pid is None:
        return {}
    found: dict[str, float] = {}
    try:
        children = psutil.Process(hub_pid).children()
    except psutil.Error:
        return {}
    for proc in children:
        try:
            user = proc.environ().get("JUPYTERHUB_USER")
            if not user:
                continue
            rss = proc.memory_info().rss + sum(p.memory_info().rss
                                               for p in proc.children(recursive=True))
        except psutil.Error:
            continue
        found[user] = found.get(user, 0.0) + rss / 2**20
    return found


async def sample_rss(hub_pid: int | None, peaks: dict[str, float], until: asyncio.Event,
                     every: float = 2.0) -> None:
    while not until.is_set():
        for user, mib in (await asyncio.to_thread(learner_rss_mib, hub_pid)).items():
            peaks[user] = max(peaks.get(user, 0.0), mib)
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(until.wait(), every)


# -- the class -------------------------------------------------------------------------------
def p95(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


async def run_class(hub: Hub, learners: int, edit_seconds: float, interval: float,
                    ready_timeout: float = 240) -> dict[str, Any]:
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=4 * learners + 10)
    class_ = [Learner(f"learner{i:02d}") for i in range(1, learners + 1)]
    peaks: dict[str, float] = {}
    done = asyncio.Event()
    load_before = os.getloadavg()
    started = time.monotonic()
    sampler = asyncio.create_task(sample_rss(hub.pid, peaks, done))
    await asyncio.gather(*(run_learner(hub, one, started, edit_seconds, interval,
                                       ready_timeout) for one in class_))
    done.set()
    await sampler
    ready = [one.ready_at for one in class_ if one.ready_at is not None]
    edits = [ms for one in class_ for ms in one.edits_ms]
    rss = [peaks[one.name] for one in class_ if one.name in peaks]
    return {
        "learners": learners,
        "ready": len(ready),
        "seconds_to_all_ready": round(max(ready), 1) if len(ready) == learners else None,
        "rss_per_learner_mib": round(statistics.mean(rss), 1) if rss else None,
        "edit_decision_p95_ms": round(p95(edits), 1) if edits else None,
        "errors": [e for one in class_ for e in one.errors],
        "rss_max_learner_mib": round(max(rss), 1) if rss else None,
        "edits": len(edits),
        "edit_decision_median_ms": round(statistics.median(edits), 1) if edits else None,
        "cells_run": sum(one.cells_run for one in class_),
        "seconds_total": round(time.monotonic() - started, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=5)
    parser.add_argument("--edit-seconds", type=float, default=60.0,
                        help="how long every learner keeps editing (default 60)")
    parser.add_argument("--interval", type=float, default=3.0,
                        help="seconds between one learner's edits (default 3)")
    parser.add_argument("--hub-url", help="a running classroom hub (its password in "
                        "IAMLAB_CLASS_PASSWORD) instead of a private one")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not 1 <= args.learners <= 100:
        parser.error("--learners must be between 1 and 100")
    if args.hub_url:
        if not args.hub_url.startswith(("http://127.0.0.1", "http://localhost")):
            parser.error("--hub-url must be on this machine (127.0.0.1)")
        hub = Hub(args.hub_url.rstrip("/"), os.environ.get("IAMLAB_CLASS_PASSWORD", ""))
        _wait_until_up(hub.url, None, None, timeout=10)
        result = asyncio.run(run_class(hub, args.learners, args.edit_seconds, args.interval))
    else:
        with tempfile.TemporaryDirectory(prefix="iamlab-class-") as tmp, \
                private_hub(Path(tmp)) as hub:
            result = asyncio.run(run_class(hub, args.learners, args.edit_seconds,
                                           args.interval))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            if key == "errors":
                print(f"errors: {len(value)}")
                for error in value[:20]:
                    print(f"  {error}")
            else:
                print(f"{key}: {value}")
    return 1 if result["errors"] or result["ready"] < args.learners else 0


if __name__ == "__main__":
    sys.exit(main())
