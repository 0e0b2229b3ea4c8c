"""The exercise editor: the task, a policy editor, Check and Hint buttons, and the grade.

Check grades the text as typed (a typo is a finding, never a traceback) in a fresh world;
the grade names a request the answer gets wrong, and the diagram draws that request's path
through the role. Hints come one at a time, gentle first. Because an autograder reruns the
notebook and only sees code, the editor also shows the answer as a line to paste into the
answer cell. No IAM logic here: :mod:`iamlab.exercises` grades, this only shows.
"""

from __future__ import annotations

import json
import pprint
import re
from html import escape
from typing import Any

import ipywidgets as W

from iamlab.errors import Problem
from iamlab.exercises.grader import GradeResult
from iamlab.exercises.report import grade_html
from iamlab.exercises.spec import Exercise
from iamlab.jsonloc import JsonSyntaxError, parse_with_locations
from iamlab.widgets.base import guarded, style_widget
from iamlab.widgets.editor import PolicyEditor, problems_html
from iamlab.widgets.graphview import GraphView, diagram_source

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def markdown_html(text: str) -> str:
    """The little Markdown exercise texts use (``code``, **bold**), escaped first."""
    html = escape(text)
    html = _CODE.sub(r"<code>\1</code>", html)
    return _BOLD.sub(r"<b>\1</b>", html)


class DocumentEditor(W.VBox):  # type: ignore[misc]
    """JSON text that is not a policy (an ECS task definition): checked as JSON while typed,
    with the line and column of a mistake; what it means is for Check to say."""

    def __init__(self, value: Any, title: str = "", rows: int = 14) -> None:
        text = value if isinstance(value, str) else json.dumps(value, indent=2,
                                                               ensure_ascii=False)
        self.title = W.HTML(f'<div class="iamlab-title">{escape(title)}</div>' if title else "")
        self.text = W.Textarea(value=text, rows=max(rows, text.count("\n") + 2),
                               continuous_update=True, layout=W.Layout(width="100%"))
        self.text.add_class("iamlab-json")
        self.status = W.HTML()
        self.status.add_class("iamlab-messages")
        self.text.observe(guarded("the editor", self._oops)(lambda _c: self._check()), "value")
        super().__init__([self.title, self.text, self.status])
        self.add_class("iamlab-document-editor")
        self._check()

    @property
    def value(self) -> str:
        return str(self.text.value)

    @value.setter
    def value(self, text: str) -> None:
        self.text.value = text

    def _check(self) -> None:
        try:
            parse_with_locations(self.value)
        except JsonSyntaxError as exc:
            problem = Problem("invalid-json", f"invalid JSON: {exc.message}", (), exc.line,
                              exc.column)
            self.status.value = problems_html([problem], self.value)
            return
        self.status.value = ""

    def _oops(self, html: str) -> None:
        self.status.value = html


class ExerciseEditor(W.VBox):  # type: ignore[misc]
    """Write the exercise's policy, check it, ask for hints; ``result`` is the last grade."""

    def __init__(self, exercise: Exercise, answer: Any = None) -> None:
        self.exercise = exercise
        self.attempts = 0
        self.hints_shown = 0
        self.result: GradeResult | None = None
        start = answer if answer is not None else dict(exercise.starter)
        self.task = W.HTML(f'<div class="iamlab-title">{escape(exercise.title)}</div>'
                           f"<p>{markdown_html(exercise.task)}</p>")
        title = f"Your answer: {exercise.edits}"
        self.editor: PolicyEditor | DocumentEditor = (
            PolicyEditor(start, exercise.policy_kind, name=exercise.id, title=title, rows=14,
                         style=False)
            if exercise.answers_policy else DocumentEditor(start, title))
        self.check_button = W.Button(description="Check", button_style="primary",
                                     tooltip="grade your answer in a fresh world")
        self.hint_button = W.Button(description="Hint", tooltip="one hint at a time")
        self.attempts_label = W.Label("")
        self.hint_box = W.HTML("")
        self.output = W.HTML("")
        self.output.add_class("iamlab-grade-output")
        self.stale_note = W.HTML("")
        self._graded_text: str | None = None
        self.paste = W.HTML("")
        self.diagram = GraphView()
        self.diagram.layout.display = "none"
        guard = guarded("the exercise", self._oops)
        self.check_button.on_click(guard(lambda _b: self.check()))
        self.hint_button.on_click(guard(lambda _b: self.hint()))
        self.editor.text.observe(guard(lambda _c: self._mark_stale()), "value")
        super().__init__([style_widget(), self.task, self.editor,
                          W.HBox([self.check_button, self.hint_button, self.attempts_label]),
                          self.hint_box, self.stale_note, self.output, self.diagram,
                          self.paste],
                         layout=W.Layout(width="100%"))
        self.add_class("iamlab-exercise")

    def check(self) -> GradeResult:
        """Grade the text as it is now, show the grade and the counterexample's path."""
        self.attempts += 1
        self.attempts_label.value = f"attempt {self.attempts}"
        result = self.exercise.grade(self.editor.value)
        self.result = result
        self._graded_text = self.editor.value
        self.output.value = grade_html(result)
        outcome = result.counterexample()
        if result.answer is not None and (outcome is not None or self.exercise.kind == "trust"):
            self.diagram.show(diagram_source(result.answer, outcome))
            self.diagram.layout.display = None
        else:
            self.diagram.layout.display = "none"
        self.paste.value = self._paste_back()
        self._mark_stale()
        return result

    def _mark_stale(self) -> None:
        """Grey the grade out while the answer differs from the one it graded."""
        stale = self._graded_text is not None and self.editor.value != self._graded_text
        if stale:
            self.output.add_class("iamlab-stale")
            self.stale_note.value = ('<div class="iamlab-stale-message">⏸ You have edited '
                                     "your answer since this grade: press Check to grade it "
                                     "again.</div>")
        else:
            self.output.remove_class("iamlab-stale")
            self.stale_note.value = ""

    def hint(self) -> str:
        """Show the next hint (all of them once every hint has been shown)."""
        hints = self.exercise.hints
        self.hints_shown = min(self.hints_shown + 1, len(hints))
        shown = "".join(f"<li>{markdown_html(h)}</li>" for h in hints[:self.hints_shown])
        self.hint_box.value = (f'<div class="iamlab-hints">Hint {self.hints_shown} of '
                               f"{len(hints)}:<ol>{shown}</ol></div>")
        if self.hints_shown == len(hints):
            self.hint_button.disabled = True
            self.hint_button.description = "No more hints"
            self.hint_button.tooltip = "every hint is shown above"
        return hints[self.hints_shown - 1]

    def _paste_back(self) -> str:
        try:
            doc = json.loads(self.editor.value)
        except ValueError:
            return ""
        line = f"answer = {pprint.pformat(doc, width=90, sort_dicts=False)}"
        return ("<details><summary>Your answer as code, to paste into the answer cell (the "
                f"autograder only sees code)</summary><pre>{escape(line)}</pre></details>")

    def _oops(self, html: str) -> None:
        self.output.value = html
