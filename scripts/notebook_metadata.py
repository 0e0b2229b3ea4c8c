"""Give the course notebooks the metadata the kernel writes when one is opened, so that
opening a notebook does not mark it modified (and ``git status`` stays clean after a
lesson). ``--check`` only says which notebooks lack it (exit status 1).

    python scripts/notebook_metadata.py [--check] [NOTEBOOK ...]   (default: notebooks/*.ipynb)

The values are those of ipykernel for the Python running this script (JupyterLab writes the
kernel's ``language_info``, Python version included, when the kernel starts).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def language_info() -> dict[str, Any]:
    """What ipykernel reports as ``language_info`` (JupyterLab stores it in the notebook)."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or sorted(
        (ROOT / "notebooks").glob("*.ipynb"))
    wanted = {"kernelspec": KERNELSPEC, "language_info": language_info()}
    stale = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if all(nb.metadata.get(k) == v for k, v in wanted.items()):
            continue
        stale.append(path)
        if not check:
            nb.metadata.update(wanted)
            nbformat.write(nb, path)
    for path in stale:
        print(f"{path}: {'lacks' if check else 'given'} the kernel's metadata")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
