"""`make lab` installs only what the course needs; `make test` adds what only the tests need.

scripts/setup-system.sh takes a mode: ``lab`` (graphviz, and make and python3-venv if
missing) or ``test`` (that and chromium). chromium-driver is used by nothing and never
installed. IAMLAB_SETUP_DRY_RUN=1 makes it print what it would install.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from without_dot import path_without_dot

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "setup-system.sh"


def _would_install(mode: str, path: str) -> list[str]:
    env = dict(os.environ, PATH=path, IAMLAB_SETUP_DRY_RUN="1",
               IAMLAB_CHROMIUM="/nonexistent/chromium")
    env.pop("CI", None)
    done = subprocess.run(["bash", str(SCRIPT), mode], capture_output=True, text=True,
                          env=env, check=True)
    listed = done.stdout.strip().split("would install: ", 1)[1]
    return [] if listed == "nothing" else listed.split()


def test_lab_installs_what_the_course_needs_and_test_adds_chromium(tmp_path: Path) -> None:
    path = path_without_dot(tmp_path / "bin")
    assert _would_install("lab", path) == ["graphviz"]
    assert _would_install("test", path) == ["graphviz", "chromium"]
    assert "chromium-driver" not in SCRIPT.read_text()


def test_an_unknown_mode_is_refused() -> None:
    done = subprocess.run(["bash", str(SCRIPT), "everything"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2 and "unknown mode" in done.stderr


@pytest.mark.parametrize("target, mode", [("setup", "lab"), ("test", "test")])
def test_the_makefile_asks_for_the_right_mode(target: str, mode: str) -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe is not None and f"setup-system.sh {mode}" in recipe.group(1)
    assert "setup-system.sh test" in (ROOT / ".ci" / "run").read_text()
