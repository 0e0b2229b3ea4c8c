"""The decision view: a badge (allowed / denied), the plain-English reason, the deciding
statement highlighted, and the full explanation one click away.

Everything that comes from a policy or a request is escaped before it becomes HTML.
"""

from __future__ import annotations

import json
from html import escape

import ipywidgets as W

from iamlab.decision import Decision, StatementResult
from iamlab.playground import Outcome
from iamlab.render import request_html, statements_table_html


def deciding_html(decision: Decision) -> str:
    """The statements that decided, shown as JSON with a highlight; for a denial with no
    deciding statement, the statements that came closest and why each did not apply."""
    parts = []
    for r in decision.deciding:
        parts.append(_statement_box(r, "Decided by"))
    if not decision.deciding and not decision.allowed:
        kind = decision.blocked_by
        near = [r for r in decision.statements if kind in (None, r.policy.kind)]
        if near:
            parts.append("<div>No statement allows it. The ones that might have:</div>")
            parts += [f"<div>• {escape(r.policy.label)}, {escape(r.statement.label)}: "
                      f"{escape(r.why_not or 'applies')}</div>" for r in near[:4]]
    return "".join(parts)


def _statement_box(r: StatementResult, head: str) -> str:
    body = json.dumps(r.statement.to_dict(), indent=2)
    return (f'<div class="iamlab-deciding"><b>{escape(head)} {escape(r.policy.label)}, '
            f"{escape(r.statement.label)}</b><pre>{escape(body)}</pre></div>")


def decision_view_html(decision: Decision, title: str = "", step: str = "") -> str:
    """The whole view as one HTML fragment (used by :class:`DecisionView`)."""
    table = statements_table_html(decision) or "<p>no statements</p>"
    return (
        f'<div class="iamlab-decision-view" data-step="{escape(step)}" '
        f'data-decision="{escape(decision.decision)}">'
        + (f'<div class="iamlab-title">{escape(title)}</div>' if title else "")
        + request_html(decision)
        + f'<p class="iamlab-summary">{escape(decision.summary)}</p>'
        + deciding_html(decision)
        + "<details><summary>Full explanation: every statement considered</summary>"
        f"{table}<pre>{escape(decision.text())}</pre></details></div>")


class DecisionView(W.HTML):  # type: ignore[misc]
    """Shows one :class:`Decision`; ``show`` replaces it."""

    def __init__(self, decision: Decision | None = None, title: str = "", step: str = ""
                 ) -> None:
        super().__init__()
        self.decision: Decision | None = None
        self.step = step
        self.add_class("iamlab-decision")
        if decision is not None:
            self.show(decision, title)

    def show(self, decision: Decision, title: str = "") -> None:
        self.decision = decision
        self.value = decision_view_html(decision, title, self.step)

    def message(self, html: str) -> None:
        """Show a message instead of a decision (already escaped HTML)."""
        self.decision = None
        self.value = html


def outcome_titles(outcome: Outcome) -> tuple[str, str]:
    """The two step titles in the badge metaphor."""
    role = outcome.role_arn.rsplit("/", 1)[-1]
    return (f"Step 1 · trust policy: may {outcome.caller.label} wear the {role} badge?",
            f"Step 2 · permissions policy: does the badge allow {outcome.ask.action}?")


class OutcomeView(W.VBox):  # type: ignore[misc]
    """Both steps of a playground request side by side, and the story in one line.

    :meth:`set_stale` greys the decisions out, with a note saying they belong to the last
    valid version of the policies, while a policy being edited is broken.
    """

    def __init__(self) -> None:
        self.story = W.HTML()
        self.story.add_class("iamlab-outcome-story")
        self.problems = W.HTML()
        self.stale_note = W.HTML()
        self.stale_note.add_class("iamlab-stale-note")
        self.assume = DecisionView(step="assume")
        self.act = DecisionView(step="act")
        self.outcome: Outcome | None = None
        self.stale = False
        both = W.HBox([self.assume, self.act])
        for view in (self.assume, self.act):
            view.layout = W.Layout(width="50%", padding="0 8px 0 0")
        super().__init__([self.stale_note, self.story, self.problems, both])
        self.add_class("iamlab-outcome")

    def show(self, outcome: Outcome) -> None:
        self.outcome = outcome
        one, two = outcome_titles(outcome)
        self.assume.show(outcome.assume, one)
        self.act.show(outcome.act, two)
        verdict = "allowed" if outcome.allowed else "denied"
        self.story.value = (f'<div class="iamlab-story" data-outcome="{verdict}">'
                            f"{escape(outcome.story)}</div>")
        self.problems.value = "".join(f'<div class="iamlab-warning">⚠ {escape(p)}</div>'
                                      for p in outcome.problems)

    def set_stale(self, broken: str = "") -> None:
        """Grey the decisions out while ``broken`` (what is broken, e.g. "the trust
        policy") is not empty; back to normal when it is."""
        self.stale = bool(broken)
        if broken:
            self.add_class("iamlab-stale")
            self.stale_note.value = (
                f'<div class="iamlab-stale-message">⏸ Not up to date: {escape(broken)} '
                f"{'have' if ' and ' in broken else 'has'} problems (see under it). The "
                "decision below belongs to the last valid version of the policies, not to "
                "what you see in the editor.</div>")
        else:
            self.remove_class("iamlab-stale")
            self.stale_note.value = ""

    def message(self, html: str) -> None:
        """Show a message (escaped HTML) instead of the outcome, keeping the last views."""
        self.story.value = html
