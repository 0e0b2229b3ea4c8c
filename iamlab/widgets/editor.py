"""The policy editor: JSON text with live validation, and the same policy as a form.

Every keystroke is checked by :func:`iamlab.parse.check_policy` (all problems, each with
its line and column) and by the linter (:func:`iamlab.lint.lint_policy`: its errors and
warnings, each with its fix). While AWS would refuse the text (bad JSON, a misspelt service
principal, a Sid IAM does not accept, a document over its size quota) the last version it
would accept stays in force, so the decisions shown never come from a half-typed or
refused document. ``policy`` is a traitlet: observe it to react to every accepted change.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

import ipywidgets as W
import traitlets

from iamlab.errors import Problem, format_path
from iamlab.inputs import MAX_POLICY_BYTES, over_limit
from iamlab.lint import lint_policy
from iamlab.lint.codes import refused
from iamlab.parse import check_policy
from iamlab.policy import Policy, PolicyKind
from iamlab.widgets.base import Debouncer, guarded, style_widget
from iamlab.widgets.form import PolicyForm
from iamlab.widgets.starters import (
    DEFAULT_ACCOUNT,
    DEFAULT_BUCKET,
    STARTERS,
    starter,
    starters_for,
)

STARTER_KEYS = frozenset(s.key for s in STARTERS)
_KIND_NAMES = {PolicyKind.TRUST: "trust policy", PolicyKind.IDENTITY: "permissions policy"}


def where(problem: Problem) -> str:
    """``line 3, column 7 (Statement[0].Effect)``; the path only when there is one."""
    place = format_path(problem.path) if problem.path else ""
    if problem.line is None:
        return place or "the policy"
    at = f"line {problem.line}, column {problem.column}"
    return f"{at} ({place})" if place else at


def lint_problems(text: str, kind: PolicyKind) -> list[Problem]:
    """The linter's errors and warnings as problems (its fix appended to the message); the
    grammar findings the parser already reported are left out, except those AWS refuses
    although the parser only warns (a Sid IAM does not accept)."""
    out = []
    for f in lint_policy(text, kind):
        if f.severity == "suggestion" or (f.code.startswith("grammar-") and
                                          not refused(f.code, f.severity)):
            continue
        fix = f" Fix: {f.fix}" if f.fix and f.fix not in f.message else ""
        out.append(Problem(f.code, f.message + fix, f.path, f.line, f.column, f.severity))
    return out


def problems_html(problems: list[Problem], text: str) -> str:
    """Each problem with where it is, and the line it is on with a caret under the column."""
    lines = text.split("\n")  # as the parser counts lines: not at U+2028, \x0c...
    parts = []
    for p in problems:
        css = "iamlab-problem" if p.severity == "error" else "iamlab-warning"
        mark = "✘" if p.severity == "error" else "⚠"
        parts.append(f'<div class="{css}">{mark} {escape(where(p))}: {escape(p.message)}</div>')
        if p.line is not None and 0 < p.line <= len(lines):
            source = lines[p.line - 1].removesuffix("\r")
            col = max((p.column or 1) - 1, 0)
            parts.append(f"<pre>{p.line:>3} | {escape(source)}\n      {' ' * col}^</pre>")
    return "".join(parts)


class PolicyEditor(W.VBox):  # type: ignore[misc]
    """Edit one policy as JSON or as a form; ``policy`` is the last valid one.

    ``value`` is JSON text, a dict, a :class:`Policy`, or the key of a starter
    (``"trust-ec2"``, ``"read-bucket"``...). With ``optional``, empty text means "no such
    policy" (``policy`` is None), as for a boundary or a session policy one may not have.
    """

    policy = traitlets.Any(None, allow_none=True)
    problems: traitlets.List[Problem] = traitlets.List()

    def __init__(self, value: str | Policy | dict[str, Any] = "",
                 kind: PolicyKind | str = PolicyKind.IDENTITY, name: str = "",
                 title: str = "", account: str = DEFAULT_ACCOUNT,
                 bucket: str = DEFAULT_BUCKET,
                 principal_choices: dict[str, tuple[str, ...]] | None = None,
                 resource_choices: tuple[str, ...] = (), rows: int = 12,
                 debounce: float = 0.2, style: bool = True, optional: bool = False) -> None:
        self.kind = PolicyKind(kind)
        self.optional = optional
        self.name = name
        self.account = account
        self.bucket = bucket
        text = self._as_text(value)
        self.initial = text
        self._from_form = False
        self._accepted = False
        self.title = W.HTML()
        self.set_title(title)
        self.starter = W.Dropdown(
            options=[("start from…", "")] + [(s.title, s.key) for s in starters_for(self.kind)],
            value="", layout=W.Layout(width="auto"))
        self.reset_button = W.Button(description="reset", tooltip="back to the first version",
                                     layout=W.Layout(width="auto"))
        # tall enough for the starting text (and one more line), so nothing is hidden
        self.text = W.Textarea(value=text, rows=max(rows, text.count("\n") + 2),
                               continuous_update=True,
                               layout=W.Layout(width="100%"))
        self.text.add_class("iamlab-json")
        self.text.add_class(f"iamlab-{self.kind.value}-json")
        self.status = W.HTML()
        self.status.add_class("iamlab-messages")
        self.form = PolicyForm(self.kind, self._form_changed, principal_choices,
                               resource_choices)
        self.tabs = W.Tab(children=[self.text, self.form], titles=("JSON", "Form"))
        # the form follows the text after a pause in typing, and only while it is shown
        self._form_stale = False
        self._sync_form = Debouncer(self._form_if_shown, debounce)
        guard = guarded("the policy editor", self._show_oops)
        self.text.observe(guard(self._text_changed), "value")
        self.starter.observe(guard(self._starter_chosen), "value")
        self.reset_button.on_click(guard(lambda _b: self.reset()))
        self.tabs.observe(guard(lambda _c: self._form_if_shown()), "selected_index")
        children = [self.title, W.HBox([self.starter, self.reset_button]), self.tabs,
                    self.status]
        super().__init__(([style_widget()] if style else []) + children,
                         layout=W.Layout(width="100%"))
        self.add_class("iamlab-editor")
        self.add_class(f"iamlab-editor-{self.kind.value}")
        self._validate(text)
        self._update_form()

    # -- what the learner (or a notebook) does --------------------------------------------
    @property
    def value(self) -> str:
        """The JSON text as typed."""
        return str(self.text.value)

    @value.setter
    def value(self, text: str | Policy | dict[str, Any]) -> None:
        self.text.value = self._as_text(text)

    @property
    def valid(self) -> bool:
        """Whether AWS would accept the text as it is (it is then the policy in force; it
        may still have errors that make part of it never work, such as an unknown action)."""
        return self._accepted

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def set_title(self, title: str) -> None:
        """Say above the editor what it edits (shown as text)."""
        self.title.value = f'<div class="iamlab-title">{escape(title)}</div>' if title else ""

    def use_starter(self, key: str) -> None:
        """Replace the text with a ready-made policy (see :mod:`iamlab.widgets.starters`)."""
        self.value = starter(key).text(self.account, self.bucket)

    def reset(self) -> None:
        """Back to the text the editor started with."""
        self.value = self.initial

    def flush(self) -> None:
        """Bring the form up to date now (it follows the text after a short pause)."""
        self._sync_form.cancel()
        if self._form_stale:
            self._update_form()

    # -- reactions --------------------------------------------------------------------
    def _text_changed(self, change: dict[str, Any]) -> None:
        self._validate(change["new"])
        if not self._from_form:
            self._form_stale = True
            self._sync_form()

    def _validate(self, text: str) -> None:
        if self.optional and not text.strip():  # no such policy: valid, and it counts not
            self._accepted = True
            self.problems = []
            self.policy = None
            what = escape(_KIND_NAMES.get(self.kind, self.kind.label))
            self.status.value = (f'<div class="iamlab-ok">No {what}: empty, it does not count. '
                                 "Write one to add it.</div>")
            return
        if over_limit(text, MAX_POLICY_BYTES):  # the linter says so at once; nothing parsed
            policy, problems = None, lint_problems(text, self.kind)
        else:
            policy, problems = check_policy(text, self.kind, self.name)
        if policy is not None:  # the linter's bad Sid replaces the parser's warning
            problems = [p for p in problems if p.code != "bad-sid"] + lint_problems(
                text, self.kind)
        self._accepted = policy is not None and not any(refused(p.code, p.severity)
                                                        for p in problems)
        self.problems = problems
        if self._accepted:
            self.policy = policy
        self.status.value = self._status_html(policy, problems, text)

    def _status_html(self, policy: Policy | None, problems: list[Problem], text: str) -> str:
        what = escape(_KIND_NAMES.get(self.kind, self.kind.label))
        errors = sum(p.severity == "error" for p in problems)
        plural = "s" if errors != 1 else ""
        if policy is None or not self.valid:
            head = (f'<div class="iamlab-problem"><b>{errors} problem{plural}: AWS would '
                    f"reject this {what}.</b> Until you fix {'them' if errors != 1 else 'it'},"
                    " the last valid version stays in force.</div>")
        elif errors:
            head = (f'<div class="iamlab-problem"><b>AWS accepts this {what}, but it has '
                    f"{errors} error{plural} (below):</b> it is in force; fix "
                    f"{'them' if errors != 1 else 'it'} before you rely on it.</div>")
        else:
            n = len(policy.statements)
            warned = " (see the warnings below)" if problems else ""
            head = (f'<div class="iamlab-ok">✔ a valid {what} with {n} '
                    f'statement{"s" if n != 1 else ""}{warned}</div>')
        return head + problems_html(problems, text)

    def _starter_chosen(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.use_starter(change["new"])
            self.starter.value = ""

    def _form_changed(self, document: dict[str, Any]) -> None:
        self._from_form = True
        try:
            self.text.value = json.dumps(document, indent=2)
        finally:
            self._from_form = False

    def _form_if_shown(self) -> None:
        if self._form_stale and self.tabs.selected_index == 1:
            self._update_form()

    def _update_form(self) -> None:
        self._form_stale = False
        self.form.show(self.policy)
        if self.valid:
            self.form.set_enabled(True)
        else:
            self.form.set_enabled(False, '<div class="iamlab-problem">The JSON has problems '
                                  "(see below): the form shows the last valid version and "
                                  "comes back when the JSON is fixed.</div>")

    def _show_oops(self, html: str) -> None:
        self.status.value = html

    def _as_text(self, value: str | Policy | dict[str, Any]) -> str:
        """JSON text for a policy, a dict, a starter's key, or text as it is."""
        if isinstance(value, Policy):
            return value.to_json()
        if isinstance(value, dict):
            return json.dumps(value, indent=2)
        if value in STARTER_KEYS:
            return starter(value).text(self.account, self.bucket)
        return value


