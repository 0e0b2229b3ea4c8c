"""JupyterHub for a class on one machine: `make classroom` starts it (docs/teaching.md).

Localhost only. Learners log in with any user name and the class's shared password
(JupyterHub's own SharedPasswordAuthenticator); each gets a Jupyter server of their own,
started as a local process, in a home folder under the classroom state folder. On first
login the home receives the student edition of the course (solutions removed, written by
scripts/student_edition.py), as an nbgitpuller link would: files already there are the
learner's work and are never overwritten.

Settings come from the environment, so tests and the benchmark can run private hubs:

    IAMLAB_CLASS_PASSWORD    the learners' shared password (8 characters or more; required)
    IAMLAB_TEACHER_PASSWORD  the password of the admin user "teacher" (unset: no admin login)
    IAMLAB_CLASSROOM_DIR     state: database, cookie secret, learners' homes
                             (default build/classroom)
    IAMLAB_HUB_PORT          the public port on 127.0.0.1 (default 8000); the hub's own API
                             and the proxy's API use the next two ports

The spawner runs every learner's server as the user running the hub, with no isolation
between learners: right for one machine and trusted learners (a workshop, a lab room).
For learners who must be kept apart use Unix accounts and LocalProcessSpawner, or
Kubernetes (docs/teaching.md).
"""

# ruff: noqa: F821  (`c` is JupyterHub's config object, given when this file is loaded)
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STATE = Path(os.environ.get("IAMLAB_CLASSROOM_DIR", ROOT / "build" / "classroom")).resolve()
HOMES = STATE / "home"
COURSE = STATE / "course"  # the student edition, written once when the hub starts
PORT = int(os.environ.get("IAMLAB_HUB_PORT", "8000"))
PASSWORD = os.environ.get("IAMLAB_CLASS_PASSWORD", "")
if len(PASSWORD) < 8:
    sys.exit("classroom: set IAMLAB_CLASS_PASSWORD to the class's shared password "
             "(8 characters or more), e.g. IAMLAB_CLASS_PASSWORD=... make classroom")

STATE.mkdir(parents=True, exist_ok=True)
HOMES.mkdir(exist_ok=True)
sys.path.insert(0, str(ROOT / "scripts"))
from student_edition import write_edition  # noqa: E402  (scripts/ is not a package)

write_edition(ROOT / "notebooks", COURSE, force=True)
for extra in (ROOT / "notebooks").glob("*.json"):  # e.g. course.json, read by the notebooks
    shutil.copy(extra, COURSE / extra.name)


def hand_out_course(spawner: object) -> None:
    """Copy the student edition into the learner's home: only files not already there."""
    home = Path(spawner.home_dir)  # type: ignore[attr-defined]
    home.mkdir(parents=True, exist_ok=True)
    for source in COURSE.iterdir():
        if source.is_file() and not (home / source.name).exists():
            shutil.copy(source, home / source.name)


c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.check_running_servers = False
# a class logs in at once: let every learner's server start together
c.JupyterHub.concurrent_spawn_limit = 100
c.JupyterHub.active_server_limit = 0

c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = PASSWORD
c.Authenticator.allow_all = True
if os.environ.get("IAMLAB_TEACHER_PASSWORD"):
    c.SharedPasswordAuthenticator.admin_password = os.environ["IAMLAB_TEACHER_PASSWORD"]
    c.Authenticator.admin_users = {"teacher"}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.Spawner.pre_spawn_hook = hand_out_course
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/00-start-here.ipynb"
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# JupyterLab as `make lab` has it (etc/jupyter): no news feed, no update check, nothing
# leaves the machine; a learner's own ~/.jupyter settings still apply
c.Spawner.environment = {"JUPYTER_CONFIG_PATH": str(ROOT / "etc" / "jupyter")}
c.Spawner.args = []
if hasattr(os, "getuid") and os.getuid() == 0:  # dev machines and containers run as root
    c.Spawner.args.append("--allow-root")
