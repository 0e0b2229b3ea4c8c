"""A PATH on which Graphviz's ``dot`` program cannot be found, as on a laptop without apt.

Every other program on the PATH stays reachable: a folder of links to them is put in the
PATH's place. Used by the tests that check the diagrams fall back to the in-browser
(WebAssembly) renderer.
"""

from __future__ import annotations

import os
from pathlib import Path

HIDDEN = frozenset({"dot"})


def path_without_dot(folder: Path, path: str | None = None) -> str:
    """A PATH value with every program of ``path`` (the current PATH by default) except
    ``dot``, through links made in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for directory in (path if path is not None else os.environ.get("PATH", "")).split(
            os.pathsep):
        if not directory or not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            link = folder / entry.name
            if entry.name in HIDDEN or link.exists() or link.is_symlink():
                continue
            link.symlink_to(entry.path)
    return str(folder)
