"""Every point of the course, and every fact it must get right, is shown and checked.

../shared/COURSE.md lists fifteen points, each to be "shown by something the learner runs ...
and checked by an assertion cell, never only stated in prose", and facts "each [of which] has
been stated wrongly before". ``notebooks/course.json`` maps each to the notebook cells that
show it (code cells that run it) and check it (``# Check:`` cells with assertions), by
nbformat 4.5 cell ids; these tests fail when a point or fact has none, or when an id names
no such cell. The "Beyond the basics" topics have keys of their own (``beyond-...``), mapped
by the notebooks that teach them (06-09).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from iamlab.exam import bank

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
COURSE = json.loads((NOTEBOOKS / "course.json").read_text(encoding="utf-8"))
POINTS = [f"point-{n}" for n in range(1, 16)]
FACTS = [
    "fact-leaked-key-stop",            # deactivate or delete stops a leaked key; rotate restores
    "fact-assume-role-caller-policy",  # the caller's own policy, unless named in the same account
    "fact-request-context",            # a request carries context besides who, what and which
    "fact-implicit-explicit-deny",
    "fact-session-durations",          # 1 h default, MaxSessionDuration, chaining cap, instances
    "fact-change-takes-effect",        # trust change keeps issued credentials, permissions don't
    "fact-sdk-lookup-order",           # environment, credentials file, then metadata
    "fact-instance-profile-one-role",
    "fact-ecs-two-roles-trust",
    "fact-passrole-permission",
    "fact-root-cannot-assume",
]
BEYOND = ["beyond-cross-account", "beyond-confused-deputy", "beyond-evaluation",
          "beyond-sessions"]
# Notebooks 06-09 map them (branch nb12).
REQUIRED_BEYOND: list[str] = BEYOND


def _cells(slug: str) -> dict[str, Any]:
    nb = nbformat.read(NOTEBOOKS / f"{slug}.ipynb", as_version=4)
    return {c.get("id"): c for c in nb.cells}


def _mapped() -> dict[str, list[tuple[str, dict[str, list[str]]]]]:
    out: dict[str, list[tuple[str, dict[str, list[str]]]]] = {}
    for entry in COURSE["notebooks"]:
        if not (NOTEBOOKS / f"{entry['slug']}.ipynb").exists():
            continue
        for key, where in entry.get("covers", {}).items():
            out.setdefault(key, []).append((entry["slug"], where))
    return out


MAPPED = _mapped()


@pytest.mark.parametrize("key", POINTS + FACTS + REQUIRED_BEYOND)
def test_each_point_and_fact_is_shown_and_checked(key: str) -> None:
    places = MAPPED.get(key, [])
    assert places, f"{key}: no notebook cell shows it (add it to notebooks/course.json 'covers')"
    assert any(w["show"] for _, w in places) and any(w["check"] for _, w in places)


@pytest.mark.parametrize("key", sorted(MAPPED))
def test_mapped_cells_exist_run_and_assert(key: str) -> None:
    """Show cells are code cells; check cells are '# Check:' cells with an assert."""
    assert key in POINTS + FACTS + BEYOND, f"unknown coverage key {key!r}"
    for slug, where in MAPPED[key]:
        cells = _cells(slug)
        for cid in where["show"]:
            assert cid in cells and cells[cid].cell_type == "code", f"{slug}: no code cell {cid}"
        for cid in where["check"]:
            cell = cells.get(cid)
            assert cell is not None and cell.cell_type == "code", f"{slug}: no code cell {cid}"
            assert "# Check:" in cell.source and "assert " in cell.source, f"{slug}: {cid}"


def test_every_notebook_is_in_the_course() -> None:
    listed = {e["slug"] for e in COURSE["notebooks"]}
    for path in NOTEBOOKS.glob("*.ipynb"):
        assert path.stem in listed, f"{path.name} is not in notebooks/course.json"


def test_every_prediction_names_an_item_of_the_bank() -> None:
    """A typo in Quiz.item("...") would only show a message to the learner: catch it here."""
    known = set(bank())
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        for item_id in re.findall(r'Quiz\.item\("([^"]+)"\)', source):
            assert item_id in known, f"{path.name}: no exam item {item_id!r}"


def test_new_notebooks_predict_before_they_reveal() -> None:
    """Notebooks 01-09 each ask at least three predictions."""
    for slug in ("01-what-is-a-role", "02-ec2-reads-s3", "03-lambda-execution-role",
                 "04-ecs-task-roles", "05-service-linked-roles", "06-how-aws-decides",
                 "07-cross-account-roles", "08-confused-deputy", "09-sessions"):
        cells = _cells(slug).values()
        assert sum("Quiz.item(" in c.source for c in cells) >= 3, slug


def test_generated_cells_and_readme_table_are_up_to_date() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from course_nav import main

    assert main(["--check"]) == 0
