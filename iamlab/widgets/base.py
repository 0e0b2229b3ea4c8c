"""What every widget shares: debounced updates, a guard against tracebacks, the stylesheet.

Widgets only display and forward edits; the IAM answers come from the package below them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as W

log = logging.getLogger("iamlab.widgets")

# One stylesheet for every iamlab widget; class names are all prefixed ``iamlab-``.
STYLE = """<style>
.iamlab-json textarea { font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 13px); line-height: 1.35; white-space: pre; }
.iamlab-messages .widget-html-content, .iamlab-outcome .widget-html-content,
.iamlab-playground .widget-html-content { line-height: 1.4; }
.iamlab-problem { color: #b42318; margin: 2px 0; line-height: 1.4; }
.iamlab-warning { color: #9a6700; margin: 2px 0; line-height: 1.4; }
.iamlab-messages pre { margin: 0 0 4px 0; padding: 2px 6px; background: #f6f8fa;
  font-size: 12px; }
.iamlab-ok { color: #1a7f37; }
.iamlab-deciding { background: #fff3c4; border-left: 4px solid #d4a72c; padding: 4px 8px;
  margin: 4px 0; font-size: 12px; }
.iamlab-title { font-weight: 600; margin: 4px 0; line-height: 1.4; }
.iamlab-decision-view { line-height: 1.45; }
.iamlab-decision-view p { margin: 4px 0; }
.iamlab-decision-view pre { margin: 2px 0; line-height: 1.3; }
.iamlab-story { font-size: 14px; margin: 6px 0; }
.iamlab-oops { color: #b42318; font-weight: 600; }
.iamlab-graph svg { max-width: 100%; height: auto; }
.iamlab-more-policies .lm-TabBar-tab { min-width: 11em; flex: 0 0 auto; }
.iamlab-stale .iamlab-decision-view, .iamlab-stale .iamlab-story, .iamlab-graphview.iamlab-stale,
.iamlab-grade-output.iamlab-stale { opacity: 0.45; filter: grayscale(1); }
.iamlab-stale-message { color: #1f2937; background: #f3f4f6; border-left: 4px solid #6b7280;
  padding: 4px 8px; margin: 4px 0; font-weight: 600; }
</style>"""


def style_widget() -> W.HTML:
    """An invisible widget carrying :data:`STYLE` (add it once to a top-level widget)."""
    return W.HTML(STYLE, layout=W.Layout(height="0px", margin="0px"))


def oops_html(where: str, exc: BaseException) -> str:
    """What a learner sees instead of a traceback: what failed, plainly, escaped."""
    return (f'<div class="iamlab-oops">Could not update {escape(where)}: '
            f"{escape(str(exc) or type(exc).__name__)}</div>")


def guarded(where: str, show: Callable[[str], None]) -> Callable[[Callable[..., Any]],
                                                                  Callable[..., Any]]:
    """Decorate a widget callback so that an exception becomes a message in the widget
    (``show`` receives the HTML) instead of a traceback in the notebook."""
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                log.exception("iamlab widget callback failed: %s", where)
                show(oops_html(where, exc))
                return None
        run.__name__ = getattr(fn, "__name__", "callback")
        run.__doc__ = fn.__doc__
        return run
    return wrap


class Debouncer:
    """Run ``fn`` once, ``delay`` seconds after the last call, on the kernel's event loop.

    Without a running event loop (plain Python, tests) or with ``delay <= 0`` it runs at
    once, so scripted use stays synchronous. ``flush()`` runs a pending call now.
    """

    def __init__(self, fn: Callable[[], None], delay: float) -> None:
        self.fn = fn
        self.delay = delay
        self._handle: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        return self._handle is not None

    def __call__(self) -> None:
        if self.delay <= 0:
            self._run()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._run()
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.delay, self._run)

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._run()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _run(self) -> None:
        self._handle = None
        self.fn()


def close_all(widget: Any) -> None:
    """Close a widget and everything inside it (frees the browser-side models)."""
    for child in getattr(widget, "children", ()):
        close_all(child)
    widget.close()
