"""Write the student edition of the course: solutions removed, hidden tests removed, outputs
cleared, as nbgrader's ``generate_assignment`` would (without needing nbgrader).

    python scripts/student_edition.py [SOURCE_DIR] [TARGET_DIR] [--force]

Instructor notebooks mark answers between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
and hidden tests between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` (nbgrader's
markers, see ../shared/STYLE.md). A solution becomes ``# YOUR CODE HERE``: the answer cell
keeps ``answer = None`` above it, so the check cell says "not yet" instead of failing with a
traceback. Existing student notebooks are kept (they hold the learner's work) unless
``--force`` is given.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*(\n|$)",
                      re.MULTILINE | re.DOTALL)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n.*?^[ \t]*### END HIDDEN TESTS[^\n]*"
                    r"(\n|$)", re.MULTILINE | re.DOTALL)
CODE_STUB = "# YOUR CODE HERE\n"
MARKDOWN_STUB = "YOUR ANSWER HERE\n"


def student_source(source: str, markdown: bool = False) -> str:
    """A cell's source with solutions and hidden tests removed."""
    stub = MARKDOWN_STUB if markdown else CODE_STUB
    source = SOLUTION.sub(lambda m: m.group(1) + stub, source)
    return HIDDEN.sub("", source).rstrip("\n")


RUN_ON = "raises-exception"
"""The cell tag that lets JupyterLab's Run All go on past a cell that fails (it sends that
cell with ``stop_on_error`` false; nbclient and nbval also read the tag)."""


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student edition of one instructor notebook (a new object). A graded check cell
    fails ("Not yet") until the learner has answered; it is tagged so that Run All still
    runs the cells after it (the next exercise's editor, the Summary)."""
    out = nbformat.from_dict(nb)
    for cell in out.cells:
        cell.source = student_source(cell.source, cell.cell_type == "markdown")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    tag_checks(out)
    return out


def tag_checks(nb: nbformat.NotebookNode) -> bool:
    """Tag the graded check cells ``raises-exception``; True if any tag was added. Also run on
    a learner's own copy, which is otherwise left alone (only cell metadata changes)."""
    added = False
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade") \
                and RUN_ON not in tags:
            cell.metadata["tags"] = [*tags, RUN_ON]
            added = True
    return added


def write_edition(source: Path, target: Path, force: bool = False) -> list[Path]:
    """Write every notebook of ``source`` into ``target``; returns the files written."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.ipynb")):
        dest = target / path.name
        if dest.exists() and not force:
            kept = nbformat.read(dest, as_version=4)
            if tag_checks(kept):  # a copy made before the tag existed: its work untouched
                nbformat.write(kept, dest)
            continue
        nbformat.write(student_notebook(nbformat.read(path, as_version=4)), dest)
        written.append(dest)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", default=str(ROOT / "notebooks"))
    parser.add_argument("target", nargs="?", default=str(ROOT / "build" / "student"))
    parser.add_argument("--force", action="store_true", help="overwrite existing notebooks "
                        "(the learner's work in them is lost)")
    args = parser.parse_args(argv)
    written = write_edition(Path(args.source), Path(args.target), args.force)
    for extra in Path(args.source).glob("*.json"):  # e.g. course.json, read by the notebooks
        shutil.copy(extra, Path(args.target) / extra.name)
    kept = len(list(Path(args.target).glob("*.ipynb"))) - len(written)
    print(f"student edition in {args.target}: {len(written)} notebook(s) written"
          + (f", {kept} kept (your work; --force overwrites)" if kept else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
