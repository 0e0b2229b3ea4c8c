"""Build the course as a book: static HTML of every notebook, run, with its outputs.

    python scripts/build_book.py [OUT_DIR]      (make book; default build/book)

Each notebook of the course (notebooks/course.json's order when it exists, else the numbered
files) is written as the student edition (scripts/student_edition.py: no solutions in a
public book), run from top to bottom in a kernel (nbclient), and exported to HTML
(nbconvert's lab template) with its tables and diagrams. Nothing is fetched at build or read
time: the pages load no script, font or style from the network (the MathJax and RequireJS
tags nbconvert adds are removed; the course has no formulas). Widgets need a kernel, so each
one is replaced by a note saying to run the notebook to play with it. Links between
notebooks (``02-ec2-reads-s3.ipynb``) point at the pages, and every page gets the course
map and previous/next links. ``index.html`` is the course map.

A notebook whose text has not changed since the last build is not run again (its source's
digest is kept in OUT_DIR/.digests.json), so rebuilding after one edit is quick.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from student_edition import student_notebook  # noqa: E402  (scripts/ is not a package)

NOTEBOOKS = ROOT / "notebooks"
WIDGET = "application/vnd.jupyter.widget-view+json"
PLAY_NOTE = ('<div class="iamlab-book-play">▶ An interactive widget is here. Run this '
             "notebook to play with it: <code>make lab</code> on your computer, or open it "
             "on your class's hub.</div>")
EXTERNAL_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>\s*')
MATHJAX_CONFIG = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->",
                            re.DOTALL)
NOTEBOOK_LINK = re.compile(r'href="(\d\d-[a-z0-9-]+)\.ipynb(#[^"]*)?"')
STYLE = """
.iamlab-book-bar { font: 15px/1.4 system-ui, sans-serif; display: flex; gap: 1.5em;
  justify-content: space-between; padding: .6em 1em; background: #f3f4f6;
  border-bottom: 1px solid #d1d5db; flex-wrap: wrap; }
.iamlab-book-bar a { color: #1d4ed8; }
.iamlab-book-still { border-left: 3px solid #d1d5db; padding-left: .8em; margin-top: .5em; }
.iamlab-book-text { white-space: pre-wrap; background: #f9fafb; padding: .5em; }
.iamlab-book-play { border: 1px dashed #6b7280; border-radius: 6px; padding: .7em 1em;
  background: #f9fafb; color: #111827; font: 14px/1.4 system-ui, sans-serif; }
"""


def course(notebooks: Path = NOTEBOOKS) -> list[dict[str, Any]]:
    """The course's notebooks in order: ``{"slug", "title", "minutes", "teaches"}``, only
    those present (course.json may list notebooks another branch is still writing)."""
    listing = notebooks / "course.json"
    if listing.exists():
        entries = json.loads(listing.read_text(encoding="utf-8"))["notebooks"]
    else:
        entries = [{"slug": p.stem} for p in sorted(notebooks.glob("[0-9][0-9]-*.ipynb"))]
    found = []
    for entry in entries:
        path = notebooks / f"{entry['slug']}.ipynb"
        if path.exists():
            title = entry.get("title") or _title(nbformat.read(path, as_version=4))
            found.append({"slug": entry["slug"], "title": title,
                          "minutes": entry.get("minutes"), "teaches": entry.get("teaches", "")})
    return found


def _title(nb: nbformat.NotebookNode) -> str:
    first = nb.cells[0].source if nb.cells else ""
    return first.splitlines()[0].lstrip("# ").strip() if first else "untitled"


# Run in the kernel after the notebook: each displayed widget as static HTML, as it stands
# (its HTML parts, the text of its editors, the choices made), so the book shows the
# playground's first decision and diagram. Everything taken from a text field is escaped;
# HTML widgets hold iamlab's own, already escaped, HTML.
SNAPSHOT = r"""
def _iamlab_book_snapshot(ids):
    import html, json
    import ipywidgets as W
    def walk(w):
        if getattr(getattr(w, "layout", None), "display", None) == "none":
            return ""
        if isinstance(w, (W.HTML, W.HTMLMath)):
            return str(w.value)
        if isinstance(w, (W.Label,)):
            return f"<span>{html.escape(str(w.value))}</span>"
        if isinstance(w, W.Textarea):
            return f'<pre class="iamlab-book-text">{html.escape(str(w.value))}</pre>'
        if isinstance(w, W.Text):
            return f"<code>{html.escape(str(w.value))}</code> "
        if isinstance(w, (W.Dropdown, W.Select, W.RadioButtons, W.ToggleButtons)):
            label = w.label if w.label is not None else ""
            return (f"<span>{html.escape(str(w.description))} "
                    f"<code>{html.escape(str(label))}</code></span> ")
        if isinstance(w, W.Checkbox):
            return f"<span>{'☑' if w.value else '☐'} {html.escape(str(w.description))}</span> "
        if isinstance(w, W.Tab):
            titles = list(w.titles) if hasattr(w, "titles") else []
            shown = w.selected_index or 0
            if not w.children:
                return ""
            title = titles[shown] if shown < len(titles) else ""
            return (f'<div class="iamlab-book-tab"><b>{html.escape(str(title))}</b>'
                    f"{walk(w.children[shown])}</div>")
        if isinstance(w, W.Box):
            flex = "display:flex;gap:1em;flex-wrap:wrap" if isinstance(w, W.HBox) else ""
            return f'<div style="{flex}">' + "".join(
                f"<div>{walk(c)}</div>" if flex else walk(c) for c in w.children) + "</div>"
        return ""
    return json.dumps({i: walk(W.Widget.widgets[i]) for i in ids if i in W.Widget.widgets})
print(_iamlab_book_snapshot(%s))
"""


def _widget_outputs(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    return [o for cell in nb.cells for o in cell.get("outputs", [])
            if o.get("output_type") in ("display_data", "execute_result")
            and WIDGET in o.get("data", {})]


def run(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> dict[str, str]:
    """Run the notebook in a kernel; returns each displayed widget's static HTML by model id."""
    from nbclient import NotebookClient

    # an unanswered exercise's check cell says "Not yet" (as the learner sees it); any other
    # error stops the build
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            allow_error_names=["NotYet"],
                            resources={"metadata": {"path": str(cwd)}})
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            client.execute_cell(cell, i)
        ids = [o["data"][WIDGET]["model_id"] for o in _widget_outputs(nb)]
        if not ids:
            return {}
        probe = nbformat.v4.new_code_cell(SNAPSHOT % json.dumps(ids))
        nb.cells.append(probe)
        try:
            client.execute_cell(probe, len(nb.cells) - 1)
        finally:
            nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
    snapshots: dict[str, str] = json.loads(text.strip().splitlines()[-1])
    return snapshots


def without_widgets(nb: nbformat.NotebookNode, snapshots: dict[str, str]) -> int:
    """Replace each widget output by its static picture (when there is one) and the note
    "run this notebook to play"; returns how many."""
    outputs = _widget_outputs(nb)
    for output in outputs:
        still = snapshots.get(output["data"][WIDGET]["model_id"], "")
        frame = (f'<div class="iamlab-book-still" title="as it starts; run the notebook to '
                 f'change it">{still}</div>' if still else "")
        output["data"] = {"text/html": PLAY_NOTE + frame}
        output.pop("execution_count", None)
        output["output_type"] = "display_data"
    return len(outputs)


def page(body_html: str, entry: dict[str, Any], entries: list[dict[str, Any]]) -> str:
    """The exported page, offline, with links to the pages and the course bar."""
    text = MATHJAX_CONFIG.sub("", body_html)
    text = EXTERNAL_SCRIPT.sub("", text)
    text = NOTEBOOK_LINK.sub(lambda m: f'href="{m[1]}.html{m[2] or ""}"', text)
    bar = nav_bar(entry, entries)
    text = text.replace("</head>", f"<style>{STYLE}</style>\n</head>", 1)
    text = re.sub(r"(<body[^>]*>)", lambda m: m[1] + "\n" + bar, text, count=1)
    return text.replace("</body>", bar.replace('id="top-nav"', 'id="bottom-nav"')
                        + "\n</body>", 1)


def nav_bar(entry: dict[str, Any], entries: list[dict[str, Any]]) -> str:
    slugs = [e["slug"] for e in entries]
    i = slugs.index(entry["slug"])
    prev = (f'<a rel="prev" href="{slugs[i - 1]}.html">&lt; {html.escape(entries[i - 1]["title"])}'
            "</a>" if i > 0 else "<span></span>")
    nxt = (f'<a rel="next" href="{slugs[i + 1]}.html">{html.escape(entries[i + 1]["title"])} '
           "&gt;</a>" if i + 1 < len(slugs) else "<span></span>")
    return (f'<nav class="iamlab-book-bar" id="top-nav">{prev}'
            '<a href="index.html">Course map</a>' f"{nxt}</nav>")


def index_page(entries: list[dict[str, Any]]) -> str:
    rows = "".join(
        f'<tr><td><a href="{e["slug"]}.html">{html.escape(e["slug"][:2])} '
        f'{html.escape(e["title"])}</a></td><td>{e["minutes"] or ""}</td>'
        f'<td>{html.escape(e["teaches"])}</td></tr>' for e in entries)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>iamlab: the course</title><style>{STYLE}
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 60em; margin: 2em auto;
  padding: 0 1em; color: #111827; }}
table {{ border-collapse: collapse; }} td, th {{ border-bottom: 1px solid #e5e7eb;
  padding: .4em .6em; text-align: left; vertical-align: top; }}</style></head>
<body><h1>iamlab: learn AWS IAM roles by doing</h1>
<p>The course as a book: every notebook, run, with its outputs and diagrams. To try things
yourself and play with the widgets, run the notebooks (<code>make lab</code>, or on your
class's hub).</p>
<h2>The map of the course</h2>
<table id="course-map"><tr><th>notebook</th><th>minutes</th><th>what it teaches</th></tr>
{rows}</table></body></html>
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(out: Path, notebooks: Path = NOTEBOOKS, log: Any = print) -> list[Path]:
    """Write the book into ``out``; returns the pages written (index first)."""
    from nbconvert import HTMLExporter

    out.mkdir(parents=True, exist_ok=True)
    entries = course(notebooks)
    if not entries:
        raise SystemExit(f"build_book: no notebooks in {notebooks}")
    digests_file = out / ".digests.json"
    digests = json.loads(digests_file.read_text()) if digests_file.exists() else {}
    exporter = HTMLExporter(template_name="lab")
    pages = [out / "index.html"]
    pages[0].write_text(index_page(entries), encoding="utf-8")
    for entry in entries:
        source = notebooks / f"{entry['slug']}.ipynb"
        target = out / f"{entry['slug']}.html"
        key = digest(source) + digest(Path(__file__))
        pages.append(target)
        if digests.get(entry["slug"]) == key and target.exists():
            log(f"book: {target.name} is up to date")
            continue
        started = time.monotonic()
        nb = student_notebook(nbformat.read(source, as_version=4))
        widgets = without_widgets(nb, run(nb, notebooks))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {
            "name": f"{entry['slug'][:2]} {entry['title']}"}})
        target.write_text(page(body, entry, entries), encoding="utf-8")
        digests[entry["slug"]] = key
        digests_file.write_text(json.dumps(digests, indent=1))
        log(f"book: {target.name} ({widgets} widget(s) noted, "
            f"{time.monotonic() - started:.1f} s)")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "build" / "book"))
    args = parser.parse_args(argv)
    pages = build(Path(args.out))
    print(f"book: {len(pages)} pages in {args.out}; open {Path(args.out) / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
