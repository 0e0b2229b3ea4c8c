"""The structured view of a policy: one row per statement, every element a form field.

It reads a parsed :class:`~iamlab.policy.Policy` and writes back a plain JSON document;
the editor turns that into text and validates it like anything typed, so both views always
go through the same parser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import ipywidgets as W

from iamlab.policy import Condition, Effect, Policy, PolicyKind, Principal, Statement
from iamlab.widgets.base import close_all
from iamlab.widgets.completion import (
    SERVICE_PRINCIPALS,
    complete_action,
    complete_condition_key,
    complete_from,
    complete_operator,
)

Complete = Callable[[str], list[str]]
PRINCIPAL_TYPES = (("Service", "Service"), ("AWS", "AWS"), ("Federated", "Federated"),
                   ("* (anyone)", "*"))
# element name -> the Statement field that holds it
_FIELDS = {"Principal": "principals", "NotPrincipal": "not_principals", "Action": "actions",
           "NotAction": "not_actions", "Resource": "resources", "NotResource": "not_resources"}


def _narrow() -> W.Layout:
    return W.Layout(width="auto")


def _row() -> W.Layout:
    return W.Layout(width="100%")


def _x_button() -> W.Button:
    """The small ✕ that removes a row."""
    return W.Button(description="✕", tooltip="remove",
                    layout=W.Layout(width="36px", padding="0px"))


def combo(value: str, complete: Complete, placeholder: str, width: str = "100%"
          ) -> W.Combobox:
    """A text field whose suggestions follow what is typed."""
    box = W.Combobox(value=value, options=complete(value), placeholder=placeholder,
                     ensure_option=False, continuous_update=True,
                     layout=W.Layout(width=width))

    def refresh(change: dict[str, Any]) -> None:
        try:
            options = complete(change["new"])
        except Exception:  # suggestions are a help: never let them break typing
            options = []
        if list(box.options) != options:
            box.options = options

    box.observe(refresh, "value")
    return box


class RowList(W.VBox):  # type: ignore[misc]
    """Rows of fields, each with a ✕ that removes it, and a button that adds a row.

    ``_rows`` holds each row's fields followed by the row itself; ``on_change`` is called
    after every edit of a watched field, every removal, and additions that ask for it.
    """

    row_width: ClassVar[str | None] = "100%"

    def __init__(self, add_label: str, add: Callable[[], None],
                 on_change: Callable[[], None], **box: Any) -> None:
        self._on_change = on_change
        self._rows: list[tuple[Any, ...]] = []
        self._add = W.Button(description=add_label, layout=_narrow())
        self._add.on_click(lambda _b: add())
        super().__init__(**box)
        self._render()  # the add button shows even before there is any row

    def _append(self, fields: tuple[Any, ...], watched: tuple[Any, ...], notify: bool = True,
                render: bool = True) -> None:
        """Add a row of ``fields``; an edit of one of ``watched`` calls ``on_change``."""
        remove = _x_button()
        row = W.HBox([*fields, remove], layout=W.Layout(width=self.row_width))
        for w in watched:
            w.observe(lambda _c: self._on_change(), "value")
        remove.on_click(lambda _b: self._remove(row))
        self._rows.append((*fields, row))
        if render:
            self._render()
        if notify:
            self._on_change()

    def _remove(self, row: W.HBox) -> None:
        self._rows = [r for r in self._rows if r[-1] is not row]
        self._render()
        close_all(row)
        self._on_change()

    def _render(self) -> None:
        self.children = [r[-1] for r in self._rows] + [self._add]


class ValueList(RowList):
    """Several strings (actions, resources), one field each, with remove and add buttons."""

    def __init__(self, values: tuple[str, ...], complete: Complete, placeholder: str,
                 on_change: Callable[[], None]) -> None:
        self._complete = complete
        self._placeholder = placeholder
        super().__init__(f"+ {placeholder.split(',')[0]}",
                         lambda: self._new_row("", notify=False), on_change,
                         layout=W.Layout(flex="1 1 auto"))
        for v in values:
            self._new_row(v, notify=False, render=False)
        self._render()

    @property
    def values(self) -> list[str]:
        return [box.value.strip() for box, _ in self._rows if box.value.strip()]

    def _new_row(self, value: str, notify: bool = True, render: bool = True) -> None:
        box = combo(value, self._complete, self._placeholder)
        self._append((box,), (box,), notify, render)


class PrincipalList(RowList):
    """Who a trust (or resource) policy names: a type and a value per row."""

    def __init__(self, principals: tuple[Principal, ...], choices: dict[str, tuple[str, ...]],
                 on_change: Callable[[], None]) -> None:
        self._choices = choices
        super().__init__("+ principal", lambda: self._new_row("Service", "", notify=False),
                         on_change, layout=W.Layout(flex="1 1 auto"))
        for p in principals:
            self._new_row(p.type, "" if p.type == "*" else p.value, notify=False, render=False)
        self._render()

    def _new_row(self, ptype: str, value: str, notify: bool = True, render: bool = True
                 ) -> None:
        kind = W.Dropdown(options=PRINCIPAL_TYPES, value=ptype if ptype in
                          dict(PRINCIPAL_TYPES).values() else "AWS",
                          layout=W.Layout(width="130px"))
        box = combo(value, lambda t: complete_from(self._choices.get(kind.value, ()), t),
                    "who, e.g. ec2.amazonaws.com")
        box.layout.visibility = "hidden" if kind.value == "*" else "visible"

        def kind_changed(_c: dict[str, Any]) -> None:
            box.options = complete_from(self._choices.get(kind.value, ()), "")
            box.layout.visibility = "hidden" if kind.value == "*" else "visible"
            self._on_change()

        kind.observe(kind_changed, "value")
        self._append((kind, box), (box,), notify, render)

    def entries(self) -> tuple[Principal, ...]:
        """The rows filled in, as principals: a lone ``*`` row is the bare ``"*"``, one among
        others is ``{"AWS": "*"}``."""
        if len(self._rows) == 1 and self._rows[0][0].value == "*":
            return (Principal("*", "*"),)
        return tuple(Principal("AWS", "*") if kind.value == "*" else
                     Principal(kind.value, box.value.strip())
                     for kind, box, _ in self._rows if kind.value == "*" or box.value.strip())


class ConditionList(RowList):
    """Condition rows: operator, key, and values (comma-separated)."""

    def __init__(self, statement: Statement, trust: bool, on_change: Callable[[], None]
                 ) -> None:
        self._trust = trust
        self._actions = statement.actions or ()
        super().__init__("+ condition",
                         lambda: self._new_row("StringEquals", "", "", notify=False),
                         on_change, layout=W.Layout(flex="1 1 auto"))
        for c in statement.conditions:
            self._new_row(c.operator, c.key, ", ".join(c.values), notify=False, render=False)
        self._render()

    def _new_row(self, op: str, key: str, values: str, notify: bool = True,
                 render: bool = True) -> None:
        op_box = combo(op, complete_operator, "operator", "190px")
        key_box = combo(key, lambda t: complete_condition_key(t, self._actions, self._trust),
                        "condition key", "200px")
        val_box = W.Text(value=values, placeholder="values, comma-separated",
                         continuous_update=True, layout=W.Layout(flex="1 1 auto"))
        fields = (op_box, key_box, val_box)
        self._append(fields, fields, notify, render)

    def entries(self) -> tuple[Condition, ...]:
        """The rows with an operator and a key, as conditions."""
        return tuple(Condition(op.value.strip(), key.value.strip(),
                               tuple(v.strip() for v in vals.value.split(",") if v.strip()))
                     for op, key, vals, _ in self._rows
                     if op.value.strip() and key.value.strip())


def _pair_picker(names: tuple[str, str], negated: bool, on_change: Callable[[], None]
                 ) -> W.Dropdown:
    pick = W.Dropdown(options=names, value=names[1] if negated else names[0],
                      layout=W.Layout(width="120px"))
    pick.observe(lambda _c: on_change(), "value")
    return pick


class StatementForm(W.VBox):  # type: ignore[misc]
    """One statement: Sid, Effect, (Not)Principal, (Not)Action, (Not)Resource, Condition."""

    def __init__(self, st: Statement, kind: PolicyKind, number: int,
                 principal_choices: dict[str, tuple[str, ...]],
                 resource_choices: tuple[str, ...], on_change: Callable[[], None],
                 on_remove: Callable[[StatementForm], None]) -> None:
        self.kind = kind
        changed = on_change
        self.sid = W.Text(value=st.sid or "", placeholder="Sid (an optional name)",
                          continuous_update=True, layout=W.Layout(flex="1 1 auto"))
        self.effect = W.ToggleButtons(options=("Allow", "Deny"), value=st.effect.value,
                                      style={"button_width": "60px"},
                                      layout=W.Layout(width="auto"))
        remove = W.Button(description="remove", tooltip="remove this statement",
                          layout=W.Layout(width="auto", margin="0 0 0 auto"))
        remove.on_click(lambda _b: on_remove(self))
        # the number is ours, the Sid is the learner's: shown through a text field only
        header = W.HBox([W.HTML(f"<b>Statement {number}</b>",
                                layout=W.Layout(width="120px")), self.effect, remove],
                        layout=W.Layout(width="100%"))
        self.sid.observe(lambda _c: changed(), "value")
        self.effect.observe(lambda _c: changed(), "value")
        rows: list[Any] = [header, W.HBox([W.Label("Sid", layout=W.Layout(width="120px")),
                                           self.sid], layout=W.Layout(width="100%"))]
        self.principal_pick: W.Dropdown | None = None
        self.principals: PrincipalList | None = None
        if kind.needs_principal:
            self.principal_pick = _pair_picker(("Principal", "NotPrincipal"),
                                               st.not_principals is not None, changed)
            self.principals = PrincipalList(st.principals or st.not_principals or (),
                                            principal_choices, changed)
            rows.append(W.HBox([self.principal_pick, self.principals], layout=_row()))
        self.action_pick = _pair_picker(("Action", "NotAction"), st.not_actions is not None,
                                        changed)
        self.actions = ValueList(st.actions or st.not_actions or (), complete_action,
                                 "action, e.g. s3:GetObject", changed)
        rows.append(W.HBox([self.action_pick, self.actions], layout=_row()))
        self.resource_pick: W.Dropdown | None = None
        self.resources: ValueList | None = None
        if kind is not PolicyKind.TRUST:
            self.resource_pick = _pair_picker(("Resource", "NotResource"),
                                              st.not_resources is not None, changed)
            self.resources = ValueList(
                st.resources or st.not_resources or (),
                lambda t: complete_from(("*", *resource_choices), t),
                "resource ARN, e.g. arn:aws:s3:::bucket/*", changed)
            rows.append(W.HBox([self.resource_pick, self.resources], layout=_row()))
        self.conditions = ConditionList(st, kind is PolicyKind.TRUST, changed)
        rows.append(W.HBox([W.Label("Condition", layout=W.Layout(width="120px")),
                            self.conditions], layout=_row()))
        super().__init__(rows, layout=W.Layout(border="1px solid #d0d7de", padding="6px",
                                               margin="4px 0"))

    def statement(self) -> Statement:
        """The fields as a statement; an empty element is left out."""
        elements: dict[str, Any] = {
            _FIELDS[self.action_pick.value]: tuple(self.actions.values) or None}
        if self.principal_pick is not None and self.principals is not None:
            elements[_FIELDS[self.principal_pick.value]] = self.principals.entries() or None
        if self.resource_pick is not None and self.resources is not None:
            elements[_FIELDS[self.resource_pick.value]] = tuple(self.resources.values) or None
        return Statement(Effect(self.effect.value), self.sid.value.strip() or None,
                         conditions=self.conditions.entries(), **elements)


class PolicyForm(W.VBox):  # type: ignore[misc]
    """Every statement of a policy as a form; ``on_change`` gets the document as a dict."""

    def __init__(self, kind: PolicyKind, on_change: Callable[[dict[str, Any]], None],
                 principal_choices: dict[str, tuple[str, ...]] | None = None,
                 resource_choices: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self._on_change = on_change
        self.principal_choices = principal_choices or {"Service": SERVICE_PRINCIPALS}
        self.resource_choices = resource_choices
        self._version: str | None = "2012-10-17"
        self._id: str | None = None
        self._statements: list[StatementForm] = []
        self._quiet = False
        self.note = W.HTML()
        self._add = W.Button(description="+ statement", layout=_narrow())
        self._add.on_click(lambda _b: self._add_statement())
        super().__init__([self.note, self._add])

    def show(self, policy: Policy | None) -> None:
        """Rebuild the rows from ``policy`` (unless they already say the same)."""
        if policy is not None and self._statements and policy.to_dict() == self.to_json():
            return
        self._quiet = True
        try:
            for form in self._statements:
                close_all(form)
            self._statements = []
            if policy is not None:
                self._version, self._id = policy.version, policy.id
                self._statements = [self._statement(st, i + 1)
                                    for i, st in enumerate(policy.statements)]
            self._render()
        finally:
            self._quiet = False

    def set_enabled(self, enabled: bool, note: str = "") -> None:
        """Lock the form while the JSON text is invalid (the text is what the learner
        is fixing), with a note saying why."""
        self.note.value = note
        _set_disabled(self, not enabled)

    def to_json(self) -> dict[str, Any]:
        """The document the form says, as AWS JSON (written by :meth:`Policy.to_dict`)."""
        return Policy(tuple(s.statement() for s in self._statements), self.kind,
                      self._version, self._id).to_dict()

    def _statement(self, st: Statement, number: int) -> StatementForm:
        return StatementForm(st, self.kind, number, self.principal_choices,
                             self.resource_choices, self._changed, self._remove)

    def _add_statement(self) -> None:
        blank = Statement(Effect.ALLOW, principals=(Principal("Service", ""),)
                          if self.kind.needs_principal else None)
        self._statements.append(self._statement(blank, len(self._statements) + 1))
        self._render()
        self._changed()

    def _remove(self, form: StatementForm) -> None:
        self._statements = [s for s in self._statements if s is not form]
        close_all(form)
        self._render()
        self._changed()

    def _render(self) -> None:
        self.children = [self.note, *self._statements, self._add]

    def _changed(self) -> None:
        if not self._quiet:
            self._on_change(self.to_json())


def _set_disabled(widget: Any, disabled: bool) -> None:
    if hasattr(widget, "disabled"):
        widget.disabled = disabled
    for child in getattr(widget, "children", ()):
        _set_disabled(child, disabled)
