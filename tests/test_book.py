"""The course as a book (scripts/build_book.py, `make book`), built and read in Chromium.

The book is built from the notebooks into a temporary folder (every notebook run), then each
page is opened from disk in headless Chromium with every network request refused: every
page opens, every diagram is drawn with a size, every link between pages resolves, the
course map and previous/next links are there, widgets show the "run this notebook to play"
note, and no solution is published.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_book", ROOT / "scripts" /
                                                  "build_book.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, list[Path]]:
    builder = _builder()
    out = tmp_path_factory.mktemp("book")
    return builder, builder.build(out, log=lambda _msg: None)


def test_every_notebook_of_the_course_is_a_page(book: tuple[ModuleType, list[Path]]) -> None:
    builder, pages = book
    slugs = [e["slug"] for e in builder.course()]
    assert slugs and [p.stem for p in pages] == ["index", *slugs]
    for page in pages[1:]:
        text = page.read_text(encoding="utf-8")
        assert "### BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', text), page.name
        assert 'href="index.html"' in text


def test_a_rebuild_reuses_pages_whose_notebook_did_not_change(
        book: tuple[ModuleType, list[Path]]) -> None:
    builder, pages = book
    said: list[str] = []
    builder.build(pages[0].parent, log=said.append)
    assert said and all("up to date" in line for line in said)


def test_the_book_in_chromium(book: tuple[ModuleType, list[Path]]) -> None:
    from browser_helpers import browser_page, require_chromium

    require_chromium()
    _, pages = book
    refused: list[str] = []

    def only_files(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    diagrams = notes = 0
    with browser_page(1200, 900) as page:
        page.route("**/*", only_files)
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            assert page.title(), path.name
            links = page.eval_on_selector_all(
                "a[href]", "els => els.map(a => a.getAttribute('href'))")
            for href in links:
                target = href.split("#")[0]
                if not target or re.match(r"[a-z]+:", target):
                    continue  # an anchor on the page, or a link out (not followed)
                assert (path.parent / target).exists(), f"{path.name}: broken link {href}"
            if path.name == "index.html":
                assert len(page.locator("#course-map a").all()) == len(pages) - 1
                continue
            assert page.locator("#top-nav a[href='index.html']").count() == 1
            assert page.locator("#bottom-nav").count() == 1
            # every diagram is drawn, with a size, and no picture is broken
            for svg in page.locator(".jp-OutputArea svg, .iamlab-graph svg").all():
                box = svg.bounding_box()
                assert box and box["width"] > 20 and box["height"] > 20, path.name
                diagrams += 1
            broken = page.eval_on_selector_all(
                "img", "els => els.filter(i => !(i.complete && i.naturalWidth > 0))"
                ".map(i => i.src)")
            assert broken == [], f"{path.name}: {broken}"
            notes += page.locator(".iamlab-book-play").count()
            text = page.inner_text("body")
            assert "Traceback" not in text, path.name
    assert refused == []
    assert diagrams >= 1  # the playground's diagram, as it starts
    assert notes >= 1
    # previous/next: the second page links back to the first and on to the third
    second = pages[2].read_text(encoding="utf-8")
    assert f'rel="prev" href="{pages[1].name}"' in second
    if len(pages) > 3:
        assert f'rel="next" href="{pages[3].name}"' in second
