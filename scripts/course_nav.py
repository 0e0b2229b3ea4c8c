"""Write the course's generated cells and the README's course table from notebooks/course.json.

One source (``notebooks/course.json``: slug, title, minutes, prerequisites, scenario, what it
teaches, objectives with their course points) and one function per output, as PDSH's
``tools/add_navigation.py``: every generated cell starts with a marker comment, so a rerun
updates it in place.

* ``<!--IAMLAB-HEADER-->``: "Notebook 3 of 10 · about 40 minutes · needs ..." (after the title)
* ``<!--IAMLAB-NAV-->``: "< previous | course map | next >" (after the header, and last)
* ``<!--IAMLAB-OBJECTIVES-->``: "You will be able to" with the objectives' ids (after the nav)
* ``<!--IAMLAB-MAP-->``: the map of the course, in ``00-start-here`` (where a marked cell is)
* the README's table between ``<!-- course-table:start -->`` and ``<!-- course-table:end -->``

Notebooks listed in course.json whose file does not exist yet (another branch writes them)
are left out of links, the map and the README, so nothing claims what is not there.

    python scripts/course_nav.py          # rewrite what is out of date
    python scripts/course_nav.py --check  # exit 1, naming each out-of-date file (make test)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
COURSE = NOTEBOOKS / "course.json"
README = ROOT / "README.md"
MAP_NOTEBOOK = "00-start-here"
HEADER, NAV, OBJECTIVES, MAP = ("<!--IAMLAB-HEADER-->", "<!--IAMLAB-NAV-->",
                                "<!--IAMLAB-OBJECTIVES-->", "<!--IAMLAB-MAP-->")
TABLE_START, TABLE_END = "<!-- course-table:start -->", "<!-- course-table:end -->"
_SLUG = re.compile(r"\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_OBJECTIVE = re.compile(r"[a-z0-9]+-\d+\Z")


class CourseError(Exception):
    """course.json or a notebook does not fit the rules; the text says where and what."""


@dataclass(frozen=True)
class Entry:
    slug: str
    title: str
    minutes: int
    prerequisites: tuple[str, ...]
    teaches: str
    objectives: tuple[tuple[str, str, tuple[int, ...]], ...]

    @property
    def number(self) -> str:
        return self.slug[:2]

    @property
    def path(self) -> Path:
        return NOTEBOOKS / f"{self.slug}.ipynb"

    def link(self, text: str | None = None) -> str:
        return f"[{text or self.number + ' ' + self.title}]({self.slug}.ipynb)"


def load_course(path: Path = COURSE) -> list[Entry]:
    """The course's notebooks in order, checked: slugs, unique objective ids, points 1-15."""
    data = json.loads(path.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("notebooks", [])):
        where = f"{path.name}: notebooks[{i}]"
        slug = raw.get("slug", "")
        if not _SLUG.match(slug):
            raise CourseError(f"{where}.slug {slug!r} is not like '03-lambda-execution-role'")
        objectives = []
        for oid, obj in raw.get("objectives", {}).items():
            if not _OBJECTIVE.match(oid) or oid in seen:
                raise CourseError(f"{where}.objectives: {oid!r} is not a new id like 'ecs-1'")
            seen.add(oid)
            points = tuple(int(p) for p in obj.get("points", []))
            if any(not 1 <= p <= 15 for p in points):
                raise CourseError(f"{where}.objectives.{oid}.points: course points are 1-15")
            objectives.append((oid, str(obj["text"]), points))
        entries.append(Entry(slug, str(raw["title"]), int(raw["minutes"]),
                             tuple(raw.get("prerequisites", [])), str(raw["teaches"]),
                             tuple(objectives)))
    slugs = [e.slug for e in entries]
    if slugs != sorted(set(slugs)):
        raise CourseError(f"{path.name}: slugs must be unique and in order: {slugs}")
    for e in entries:
        missing = [p for p in e.prerequisites if p not in slugs]
        if missing:
            raise CourseError(f"{path.name}: {e.slug} needs unknown notebooks {missing}")
    return entries


def present(entries: list[Entry]) -> list[Entry]:
    """The notebooks that exist in this checkout."""
    return [e for e in entries if e.path.exists()]


def header_cell(entry: Entry, entries: list[Entry]) -> str:
    last = max(int(e.number) for e in entries)
    needs = ", ".join(f"`{p}`" for p in entry.prerequisites) or "nothing"
    return (f"{HEADER}\n*Notebook {int(entry.number)} of {last} · about {entry.minutes} "
            f"minutes · needs {needs}*")


def nav_cell(entry: Entry, entries: list[Entry]) -> str:
    here = present(entries)
    i = [e.slug for e in here].index(entry.slug)
    parts = ["&lt; " + here[i - 1].link() if i > 0 else ""]
    home = next((e for e in here if e.slug == MAP_NOTEBOOK), None)
    parts.append(home.link("Course map") if home and entry.slug != MAP_NOTEBOOK else "")
    parts.append(here[i + 1].link() + " &gt;" if i + 1 < len(here) else "")
    return f"{NAV}\n" + " | ".join(p for p in parts if p)


def objectives_cell(entry: Entry) -> str:
    lines = [f"{OBJECTIVES}", "## You will be able to", ""]
    for oid, text, points in entry.objectives:
        where = f", course point{'s' if len(points) > 1 else ''} " + \
            ", ".join(str(p) for p in points) if points else ""
        lines.append(f"- {text} <small>(`{oid}`{where})</small>")
    return "\n".join(lines)


def map_cell(entries: list[Entry]) -> str:
    here = present(entries)
    total = sum(e.minutes for e in here)
    lines = [MAP, "## The map of the course", "",
             f"{len(here)} notebooks, about {total / 60:.1f} hours in all. Each one starts "
             "with what you will be able to do, and ends with a summary and links onward.", "",
             "| notebook | minutes | what it teaches |", "| --- | --- | --- |"]
    lines += [f"| {e.link()} | {e.minutes} | {e.teaches} |" for e in here]
    return "\n".join(lines)


def readme_table(entries: list[Entry]) -> str:
    rows = ["| notebook | minutes | what it teaches |", "| --- | --- | --- |"]
    rows += [f"| `{e.slug}` | {e.minutes} | {e.teaches} |" for e in present(entries)]
    return "\n".join(rows)


def _marked(cell: dict[str, Any], marker: str) -> bool:
    return cell.get("cell_type") == "markdown" and "".join(cell["source"]).startswith(marker)


def _cell(cell_id: str, text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {},
            "source": text.splitlines(keepends=True)}


def _title(nb: dict[str, Any], path: Path) -> str:
    first = "".join(nb["cells"][0]["source"]) if nb["cells"] else ""
    if not first.startswith("# "):
        raise CourseError(f"{path.name}: the first cell must be the title, '# ...'")
    return first.splitlines()[0][2:].strip()


def updated_notebook(entry: Entry, entries: list[Entry]) -> dict[str, Any]:
    """The notebook with its generated cells written from course.json."""
    nb: dict[str, Any] = json.loads(entry.path.read_text(encoding="utf-8"))
    title = _title(nb, entry.path)
    if title != entry.title:
        raise CourseError(f"{entry.path.name}: title {title!r} differs from course.json's "
                          f"{entry.title!r}")
    n = entry.number
    top = [(HEADER, f"{n}-header", header_cell(entry, entries)),
           (NAV, f"{n}-nav-top", nav_cell(entry, entries)),
           (OBJECTIVES, f"{n}-objectives", objectives_cell(entry))]
    cells = [c for c in nb["cells"][1:]
             if not any(_marked(c, m) for m in (HEADER, OBJECTIVES))
             and not (_marked(c, NAV))]
    body = [_cell(cid, text) for _, cid, text in top]
    for c in cells:
        if _marked(c, MAP):
            c = _cell(c["id"], map_cell(entries))
        body.append(c)
    body.append(_cell(f"{n}-nav-end", nav_cell(entry, entries)))
    nb["cells"] = [nb["cells"][0], *body]
    return nb


def _dump(nb: dict[str, Any]) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def updated_readme(entries: list[Entry]) -> str:
    text = README.read_text(encoding="utf-8")
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise CourseError(f"README.md: no {TABLE_START} ... {TABLE_END} block")
    return text[:start + len(TABLE_START)] + "\n" + readme_table(entries) + "\n" + text[end:]


def outputs(entries: list[Entry]) -> dict[Path, str]:
    """Every generated file's new text."""
    out = {e.path: _dump(updated_notebook(e, entries)) for e in present(entries)}
    out[README] = updated_readme(entries)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a generated cell or table is stale")
    args = parser.parse_args(argv)
    try:
        new = outputs(load_course())
    except (CourseError, KeyError, ValueError) as err:
        print(f"course_nav: {err}", file=sys.stderr)
        return 2
    stale = [p for p, text in new.items() if p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"course_nav: {p.relative_to(ROOT)} is out of date; run "
                  "python scripts/course_nav.py", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(new[p], encoding="utf-8")
        print(f"updated {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
