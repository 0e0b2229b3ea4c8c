"""The course notebooks are committed clean: no outputs, no execution counts, no widget state.

Outputs would go stale as the package changes and widget state is meaningless without a
kernel; nbval (``make test``) runs every notebook from the top instead.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from notebook_metadata import KERNELSPEC, language_info

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_the_first_three_notebooks_exist() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert {"00-start-here.ipynb", "01-what-is-a-role.ipynb",
            "02-ec2-reads-s3.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata
    # what the kernel writes on opening, already there: opening does not modify the file
    # (python scripts/notebook_metadata.py writes it)
    assert nb.metadata.get("kernelspec") == KERNELSPEC, f"{path.name}: kernelspec"
    info = nb.metadata.get("language_info", {})
    expected = language_info()
    assert set(info) == set(expected), f"{path.name}: run scripts/notebook_metadata.py"
    assert {k: v for k, v in info.items() if k != "version"} == \
        {k: v for k, v in expected.items() if k != "version"}
    assert re.fullmatch(r"3\.\d+\.\d+", info["version"])
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a cell has a count"
        assert "widgets" not in cell.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_checks_what_it_says(path: Path) -> None:
    """Each notebook has assertion cells, and its code cells stay short."""
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert sum("assert " in c for c in code) >= 3
    assert max(len(c.splitlines()) for c in code) <= 15
