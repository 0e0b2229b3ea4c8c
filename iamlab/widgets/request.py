"""The request builder: who (a caller), wants to do what (an action), to which resource,
with which extra condition keys. It only collects choices; ``ask`` holds the result."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as W
import traitlets

from iamlab.playground import Ask
from iamlab.widgets.completion import complete_action, complete_condition_key, complete_from
from iamlab.widgets.form import RowList, combo


def _label(text: str) -> W.Label:
    return W.Label(text, layout=W.Layout(width="90px"))


class ContextList(RowList):
    """Extra condition keys for the request: one key and value per row."""

    row_width = None

    def __init__(self, values: dict[str, str], on_change: Callable[[], None]) -> None:
        super().__init__("+ context key", lambda: self.add("", ""), on_change)
        for k, v in values.items():
            self.add(k, v, notify=False)

    def add(self, key: str, value: str, notify: bool = True) -> None:
        """A new row (the key is completed from the global and STS keys)."""
        key_box = combo(key, lambda t: complete_condition_key(t, trust=True),
                        "key, e.g. aws:SourceIp", "220px")
        val_box = W.Text(value=value, placeholder="value", continuous_update=True,
                         layout=W.Layout(width="260px"))
        self._append((key_box, val_box), (key_box, val_box), notify)

    @property
    def values(self) -> dict[str, str]:
        return {k.value.strip(): v.value for k, v, _ in self._rows if k.value.strip()}


class RequestBuilder(W.VBox):  # type: ignore[misc]
    """Choose a caller, an action, a resource and context keys; ``ask`` follows."""

    ask = traitlets.Any(None, allow_none=True)

    def __init__(self, callers: Sequence[tuple[str, str]], caller: str | None = None,
                 action: str = "s3:GetObject", resource: str = "",
                 resources: Sequence[str] = (), context: dict[str, str] | None = None
                 ) -> None:
        principals = [p for _, p in callers]
        self.caller = W.Dropdown(options=list(callers),
                                 value=caller if caller in principals else
                                 (principals[0] if principals else None),
                                 layout=W.Layout(width="460px"))
        self.action = combo(action, complete_action, "action, e.g. s3:GetObject", "460px")
        self.resource = combo(resource, lambda t: complete_from(tuple(resources), t),
                               "resource ARN, e.g. arn:aws:s3:::bucket/key", "460px")
        self.context = ContextList(dict(context or {}), self._changed)
        for w in (self.caller, self.action, self.resource):
            w.observe(lambda _c: self._changed(), "value")
        rows = [
            W.HBox([_label("who"), self.caller]),
            W.HBox([_label("wants to"), self.action]),
            W.HBox([_label("on"), self.resource]),
            W.HBox([_label("context"), self.context]),
        ]
        super().__init__(rows)
        self.add_class("iamlab-request")
        self._changed()

    def _changed(self) -> None:
        self.ask = Ask(self.caller.value or "", self.action.value.strip(),
                       self.resource.value.strip(), self.context.values)

    def set(self, caller: str | None = None, action: str | None = None,
            resource: str | None = None) -> None:
        """Change several fields at once, as a learner would one after the other."""
        if caller is not None:
            known = [p for _, p in self.caller.options]
            if caller not in known:  # an ARN typed by hand: offered as it is
                self.caller.options = [*self.caller.options, (caller, caller)]
            self.caller.value = caller
        if action is not None:
            self.action.value = action
        if resource is not None:
            self.resource.value = resource
