"""Classroom-ready exercises: nbgrader metadata, the student edition, and a real nbgrader
round trip (generate_assignment, then autograde a right and a wrong submission).

nbgrader's rules (nbgraderformat v3, see ../shared/STYLE.md section 3): every nbgrader cell has
``schema_version: 3``, ``grade``, ``solution`` and ``locked``; a ``grade_id`` matching
``^[a-zA-Z0-9_\\-]*$`` when any of them is true; ``points`` only on graded cells; no
``checksum`` or ``cell_type`` in a source notebook (the release adds them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from iamlab import exercises

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "scripts"))
from student_edition import student_notebook, write_edition  # noqa: E402

GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]*$")


def exercise_notebook(ex_id: str, answer: object) -> nbformat.NotebookNode:
    """A notebook with one exercise's cells, as the course writes them."""
    ex = exercises.get(ex_id)
    meta = {"schema_version": 3, "grade": False, "solution": True, "locked": False,
            "grade_id": f"{ex_id}-answer"}
    test = {"schema_version": 3, "grade": True, "solution": False, "locked": True,
            "points": ex.points, "grade_id": f"{ex_id}-check"}
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"## Exercise: {ex.title}\n\n{ex.task}"),
        nbformat.v4.new_code_cell("from iamlab import exercises"),
        nbformat.v4.new_code_cell("answer = None\n### BEGIN SOLUTION\nanswer = "
                                  f"{json.dumps(answer)}\n### END SOLUTION",
                                  metadata={"nbgrader": meta}),
        nbformat.v4.new_code_cell(f'exercises.check("{ex_id}", answer)',
                                  metadata={"nbgrader": test}),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}})


def nbgrader_cells(path: Path) -> list[nbformat.NotebookNode]:
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if "nbgrader" in c.metadata]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbgrader_metadata_follows_v3(path: Path) -> None:
    ids = []
    for cell in nbgrader_cells(path):
        meta = cell.metadata["nbgrader"]
        assert meta.get("schema_version") == 3
        assert {"grade", "solution", "locked"} <= set(meta)
        assert "checksum" not in meta and "cell_type" not in meta
        if meta["grade"] or meta["solution"] or meta["locked"]:
            assert GRADE_ID.match(meta.get("grade_id", "")) and meta["grade_id"]
            ids.append(meta["grade_id"])
        assert ("points" in meta) == bool(meta["grade"] or meta.get("task"))
        if meta["solution"] and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "answer = None" in cell.source
    assert len(ids) == len(set(ids)), "grade_ids must be unique in a notebook"


def test_student_edition_removes_solutions_and_hidden_tests() -> None:
    nb = exercise_notebook("ec2-trust", exercises.get("ec2-trust").reference)
    nb.cells[3].source += "\n### BEGIN HIDDEN TESTS\nassert answer['Version']\n" \
                          "### END HIDDEN TESTS"
    student = student_notebook(nb)
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN" not in text
    assert "sts:AssumeRole" not in text
    assert student.cells[2].source == "answer = None\n# YOUR CODE HERE"
    assert "sts:AssumeRole" in nb.cells[2].source  # the instructor notebook is untouched


def test_write_edition_keeps_the_learners_work(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    nbformat.write(exercise_notebook("ec2-trust", {}), src / "x.ipynb")
    assert write_edition(src, dst) == [dst / "x.ipynb"]
    (dst / "x.ipynb").write_text((dst / "x.ipynb").read_text().replace("None", "{}"))
    assert write_edition(src, dst) == []
    assert "answer = {}" in (dst / "x.ipynb").read_text()
    assert write_edition(src, dst, force=True) == [dst / "x.ipynb"]


def test_a_learners_older_copy_gets_the_run_all_tag_and_keeps_its_work(tmp_path: Path) -> None:
    """A copy made before check cells were tagged: make student adds the tag (so Run All goes
    past an unanswered exercise) and changes nothing else in it."""
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    nbformat.write(exercise_notebook("ec2-trust", {}), src / "x.ipynb")
    write_edition(src, dst)
    old = nbformat.read(dst / "x.ipynb", as_version=4)
    for cell in old.cells:
        cell.metadata.pop("tags", None)
        cell.source = cell.source.replace("answer = None", "answer = {}")
    nbformat.write(old, dst / "x.ipynb")
    assert write_edition(src, dst) == []
    kept = nbformat.read(dst / "x.ipynb", as_version=4)
    assert [c.source for c in kept.cells] == [c.source for c in old.cells]
    graded = [c for c in kept.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded and all("raises-exception" in c.metadata["tags"] for c in graded)


def _execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def test_student_edition_runs_and_says_not_yet(tmp_path: Path) -> None:
    """No traceback: the unanswered check cell shows the friendly message only."""
    nb = _execute(student_notebook(exercise_notebook("ec2-read-reports", {})), tmp_path)
    check = nb.cells[3]
    assert not [o for o in check.outputs if o.output_type == "error"]
    stderr = "".join(o.text for o in check.outputs if o.output_type == "stream"
                     and o.name == "stderr")
    assert "Not yet (ec2-read-reports): you have not written the policy yet" in stderr
    assert "Traceback" not in stderr


def _run_all_as_jupyterlab(nb: nbformat.NotebookNode, cwd: Path) -> list[str]:
    """The status of each code cell after JupyterLab's Run All: it sends every cell to the
    kernel at once, each with ``stop_on_error`` true unless the cell is tagged
    ``raises-exception`` (JupyterLab 4, @jupyterlab/outputarea ``OutputArea.execute``); after
    a failing cell sent with it, the kernel aborts the cells queued behind."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(cwd))
    try:
        ids = [kc.execute(c.source, stop_on_error="raises-exception"
                          not in c.metadata.get("tags", []))
               for c in nb.cells if c.cell_type == "code"]
        replies = {}
        while len(replies) < len(ids):
            reply = kc.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") in ids:  # not a late kernel_info reply
                replies[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
        return [replies[i] for i in ids]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_run_all_goes_past_an_unanswered_exercise(tmp_path: Path) -> None:
    """A learner who presses Run All before answering sees "Not yet" at the first check and
    still gets every later cell run: the next exercise's editor is drawn, not left blank."""
    nb = exercise_notebook("ec2-trust", {})
    nb.cells.append(nbformat.v4.new_code_cell("exercises.get('ec2-read-reports').title"))
    student = student_notebook(nb)
    assert _run_all_as_jupyterlab(student, tmp_path) == ["ok", "ok", "error", "ok"]
    # the instructor edition is unchanged: a failing check there still stops Run All
    assert "tags" not in nb.cells[3].metadata


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(bin_dir / "nbgrader"), *args, f"--CourseDirectory.root={course}"],
                          cwd=course, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


ROUND_TRIP = ("07-cross-account-roles", "cross-account-mfa")  # a course notebook, one exercise


def test_nbgrader_round_trip(tmp_path: Path) -> None:
    """The real nbgrader on a course notebook: release the assignment, autograde a right and
    a wrong answer, and read the scores from the gradebook."""
    pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook

    stem, ex_id = ROUND_TRIP
    ex = exercises.get(ex_id)
    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copy(ROOT / "notebooks" / f"{stem}.ipynb", course / "source" / "ps1")
    _nbgrader(course, "generate_assignment", "ps1", "--force")
    release = course / "release" / "ps1" / f"{stem}.ipynb"
    released = nbformat.read(release, as_version=4)
    answer_cells = [c for c in released.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == f"{ex_id}-answer"]
    assert len(answer_cells) == 1
    assert "BEGIN SOLUTION" not in answer_cells[0].source
    assert "MultiFactorAuthPresent" not in answer_cells[0].source  # the solution is gone
    stub = answer_cells[0].source
    assert "# YOUR CODE HERE" in stub
    answers = {"right": ex.right_answers[0].policy, "wrong": ex.wrong_answers[0].policy}
    for student, answer in answers.items():
        answer_cells[0].source = stub.replace("# YOUR CODE HERE",
                                              f"answer = {json.dumps(answer)}")
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(released, folder / f"{stem}.ipynb")
    _nbgrader(course, "autograde", "ps1", "--create", "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission("ps1", "right").score == ex.points
        assert gb.find_submission("ps1", "wrong").score == 0


# -- the course's own notebooks ---------------------------------------------------------------
def _graded(path: Path) -> list[tuple[str, str]]:
    """(grade_id, source) of the graded check cells of a course notebook."""
    return [(c.metadata["nbgrader"]["grade_id"], c.source) for c in nbgrader_cells(path)
            if c.metadata["nbgrader"].get("grade")]


def test_every_exercise_is_graded_in_its_notebook() -> None:
    """Each exercise whose notebook exists ends up in a graded cell there, and every graded
    cell checks an exercise that exists."""
    checked = {}
    for path in NOTEBOOKS:
        for grade_id, source in _graded(path):
            assert re.search(r"\bcheck\w*\(", source), f"{path.name}: {grade_id} checks nothing"
            found = re.findall(r'exercises\.check\("([a-z0-9-]+)"', source)
            checked.update({ex_id: path.stem for ex_id in found})
    for ex in exercises.all_exercises():
        assert ex.id in exercises.ids()
        if (ROOT / "notebooks" / f"{ex.notebook}.ipynb").exists():
            assert checked.get(ex.id) == ex.notebook, f"{ex.id} is not graded in {ex.notebook}"


def _imports_only(source: str) -> bool:
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.startswith("#")]
    return bool(lines) and all(ln.startswith(("from ", "import ", "    ", ")")) for ln in lines)


def test_student_edition_of_the_course_says_not_yet(tmp_path: Path) -> None:
    """The exercise cells of every course notebook, in the student edition, run in one kernel:
    each check reports "not yet" (no answer written) and nothing raises a traceback."""
    cells = [nbformat.v4.new_code_cell("from iamlab import exercises")]
    expected = []
    for path in NOTEBOOKS:
        student = student_notebook(nbformat.read(path, as_version=4))
        for cell in student.cells:
            if cell.cell_type == "code" and _imports_only(cell.source):
                cells.append(nbformat.v4.new_code_cell(cell.source))
            elif "nbgrader" in cell.metadata and cell.cell_type == "code":
                cells.append(nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata))
                if cell.metadata["nbgrader"].get("grade"):
                    expected.append(len(cells) - 1)
    assert expected, "the course has graded exercises"
    nb = _execute(nbformat.v4.new_notebook(cells=cells), tmp_path)
    for i, cell in enumerate(nb.cells):
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        if i in expected:
            stderr = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stderr")
            assert "Not yet" in stderr and "Traceback" not in stderr, cell.source
