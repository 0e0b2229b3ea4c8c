"""A predicted decision table: the learner predicts each request, then the engine answers.

Each row is a request (who, action, resource) with three buttons: allowed, implicit deny,
explicit deny. "Check my predictions" asks each question for its decision (the questions
come from the package, e.g. ``scenarios.how_aws_decides().questions()``) and shows, row by
row, the engine's answer, whether the prediction was right and, when it was not, the
engine's one-sentence reason naming the policy that decided. Nothing here decides: the
widget only shows what each question's ``decide()`` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Protocol

import ipywidgets as W

from iamlab.decision import Decision
from iamlab.widgets.base import guarded, style_widget

CHOICES = (("allowed", "allowed"), ("implicit deny", "implicitDeny"),
           ("explicit deny", "explicitDeny"))
_WORDS = {value: label for label, value in CHOICES}


class Question(Protocol):
    """What a row needs: a label for the caller, the request, and a way to decide it."""

    who: str
    action: str
    resource: str

    def decide(self) -> Decision: ...


def row_html(question: Question) -> str:
    return (f"<span><b>{escape(question.who)}</b> · <code>{escape(question.action)}</code>"
            f" on <code>{escape(question.resource)}</code></span>")


def verdict_html(predicted: str | None, decision: Decision) -> str:
    """The engine's answer for one row, marked right or wrong, with the reason if wrong."""
    answer = escape(_WORDS[decision.decision])
    if predicted is None:
        return (f'<span class="iamlab-warning">no prediction · AWS: {answer}</span>'
                f'<div class="iamlab-deciding">{escape(decision.summary)}</div>')
    if predicted == decision.decision:
        return f'<span class="iamlab-ok">right: {answer}</span>'
    return (f'<span class="iamlab-problem">you said {escape(_WORDS[predicted])}; AWS: '
            f'{answer}</span><div class="iamlab-deciding">{escape(decision.summary)}</div>')


class PredictionTable(W.VBox):  # type: ignore[misc]
    """Rows of requests to predict; ``check()`` (the button) reveals the engine's answers."""

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions = tuple(questions)
        self.buttons = [W.ToggleButtons(options=CHOICES, value=None,
                                        style={"button_width": "110px"},
                                        layout=W.Layout(width="auto"))
                        for _ in self.questions]
        self.verdicts = [W.HTML() for _ in self.questions]
        self.score = W.HTML()
        self.check_button = W.Button(description="Check my predictions", button_style="primary",
                                     layout=W.Layout(width="auto"))
        self.check_button.on_click(guarded("the prediction table", self._show_oops)(
            lambda _: self.check()))
        parts = zip(self.questions, self.buttons, self.verdicts, strict=True)
        rows = [W.VBox([W.HTML(f"{n}. {row_html(q)}"), b, v],
                       layout=W.Layout(margin="0 0 6px 0"))
                for n, (q, b, v) in enumerate(parts, start=1)]
        super().__init__([style_widget(), *rows, W.HBox([self.check_button, self.score])])
        self.add_class("iamlab-predictions")

    def predict(self, row: int, decision: str) -> None:
        """Set the prediction of row ``row`` (0-based) to a decision or its label."""
        self.buttons[row].value = dict(CHOICES).get(decision, decision)

    def answers(self) -> list[Decision]:
        """The engine's decision for every row, in order."""
        return [q.decide() for q in self.questions]

    def check(self) -> int:
        """Show the engine's answers beside the predictions; the number right."""
        right = 0
        for decision, button, verdict in zip(self.answers(), self.buttons, self.verdicts,
                                             strict=True):
            verdict.value = verdict_html(button.value, decision)
            right += button.value == decision.decision
        self.score.value = (f'<span class="iamlab-title">{right} of {len(self.questions)} '
                            "right</span>")
        return right

    def _show_oops(self, html: str) -> None:
        self.score.value = html


__all__ = ["CHOICES", "PredictionTable", "row_html", "verdict_html"]
