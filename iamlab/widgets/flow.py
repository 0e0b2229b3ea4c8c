"""The evaluation-flow view: AWS's order of evaluation for one request, drawn as a chain of
steps with the path taken highlighted and the deciding step and policy named.

Usage::

    from iamlab.widgets import FlowView
    FlowView(decision)              # a Decision made with explain=True
    playground = Playground(..., flow=True)   # step 2's flow under the playground

The steps, what each said and which decided come from :mod:`iamlab.flow` (the engine's
side); this module only draws them, with the same renderer as every diagram (Graphviz's
``dot``, or WebAssembly Graphviz in the browser without it). Allowed is green and solid,
denied red, a step not reached grey and dotted; every box also says it in words.
"""

from __future__ import annotations

from html import escape

import ipywidgets as W

from iamlab.decision import Decision
from iamlab.flow import Flow, FlowStep
from iamlab.graph.dot import html_escape
from iamlab.render import ALLOWED_COLOUR, DENIED_COLOUR
from iamlab.widgets.graphview import GraphView

_GREY = "#6b7280"
# outcome -> (words, fill, border, font colour, line style)
_LOOK = {
    "allow": ("✔ allows", "#dcfce7", ALLOWED_COLOUR, "#111827", "solid"),
    "pass": ("✔ no explicit Deny", "#dcfce7", ALLOWED_COLOUR, "#111827", "solid"),
    "no-allow": ("– does not allow: the request goes on", "#f3f4f6", "#374151", "#111827",
                 "solid"),
    "deny": ("✘ denies", "#fee2e2", DENIED_COLOUR, "#111827", "solid"),
    "none": ("no such policy here", "#ffffff", "#9ca3af", "#374151", "dashed"),
    "not-reached": ("not reached", "#ffffff", "#d1d5db", _GREY, "dotted"),
}
_VERDICT = {"allowed": ("✔ ALLOWED", ALLOWED_COLOUR),
            "explicitDeny": ("✘ DENIED (explicit deny)", DENIED_COLOUR),
            "implicitDeny": ("✘ DENIED (nothing allows it)", DENIED_COLOUR)}


def _step_node(n: int, step: FlowStep) -> str:
    words, fill, border, font, style = _LOOK[step.outcome]
    if step.outcome == "deny":  # an explicit Deny, or nothing allows where it must
        words = "✘ an explicit Deny applies" if step.key == "deny" else "✘ does not allow it"
    rows = [f"<b>{n}. {html_escape(step.title)}</b>", html_escape(words)]
    rows += [f'<font point-size="8">{html_escape(p)}</font>' for p in step.policies[:3]]
    if step.decided:
        rows.append("<b>◀ decided here</b>")
    css = f"iamlab-flow-step iamlab-flow-{step.outcome}" + (
        " iamlab-flow-decided" if step.decided else "")
    return (f"  flow_{step.key} [id=\"flow-{step.key}\", class=\"{css}\", "
            f"label=<{'<br/>'.join(rows)}>, fillcolor=\"{fill}\", color=\"{border}\", "
            f"fontcolor=\"{font}\", style=\"rounded,filled,{style}\", "
            f"penwidth={3 if step.decided else 1}];")


def flow_dot(flow: Flow, title: str = "") -> str:
    """DOT source drawing ``flow``: the steps top to bottom, the path taken thick."""
    verdict, colour = _VERDICT[flow.decision]
    scope = ("same account: a resource-based policy that names the caller can allow on "
             "its own" if flow.same_account else "across accounts: the resource's account "
             "(resource-based policy) and the caller's (identity side) must both allow")
    out = ["digraph flow {",
           '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, nodesep=0.3, '
           'ranksep=0.3, tooltip=" "];',
           '  node [shape=box, fontname="Helvetica", fontsize=10, margin="0.15,0.05"];',
           '  edge [fontname="Helvetica", fontsize=8];',
           f'  label=<<b>{html_escape(title or "How AWS decided")}</b><br/>'
           f'<font point-size="9">{html_escape(scope)}</font>>; labelloc=t;']
    out += [_step_node(i + 1, s) for i, s in enumerate(flow.steps)]
    out.append(f'  flow_end [id="flow-end", class="iamlab-flow-end", shape=box, '
               f'style="rounded,filled", fillcolor="{colour}", fontcolor="#ffffff", '
               f'label=<<b>{html_escape(verdict)}</b><br/><font point-size="9">'
               f"{html_escape(flow.deciding_policy)}</font>>];")
    keys = [s.key for s in flow.steps]
    for a, b in zip(flow.steps, flow.steps[1:], strict=False):
        taken = a.reached and b.reached
        out.append(f"  flow_{a.key} -> flow_{b.key} [" + (
            f'color="{ALLOWED_COLOUR}", penwidth=2.5, style=solid' if taken else
            'color="#d1d5db", style=dotted') + ', class="iamlab-flow-edge"];')
    last = flow.steps[keys.index(flow.decided_at)] if flow.decision != "allowed" \
        else flow.steps[max(i for i, s in enumerate(flow.steps) if s.reached)]
    edge = ALLOWED_COLOUR if flow.decision == "allowed" else DENIED_COLOUR
    line = "solid" if flow.decision == "allowed" else "dashed"
    out.append(f'  flow_{last.key} -> flow_end [color="{edge}", penwidth=2.5, style={line}, '
               'class="iamlab-flow-edge iamlab-flow-final"];')
    out.append("}")
    return "\n".join(out) + "\n"


class FlowView(W.VBox):  # type: ignore[misc]
    """AWS's evaluation flow for one decision: a sentence naming the deciding step and
    policy, and the diagram. ``show`` replaces it; ``flow`` is the :class:`Flow` shown."""

    def __init__(self, decision: Decision | None = None, title: str = "") -> None:
        self.summary = W.HTML()
        self.graph = GraphView()
        self.flow: Flow | None = None
        super().__init__([self.summary, self.graph])
        self.add_class("iamlab-flow")
        if decision is not None:
            self.show(decision, title)

    def show(self, decision: Decision, title: str = "") -> None:
        flow = decision.flow()
        self.flow = flow
        n = [s.key for s in flow.steps].index(flow.decided_at) + 1
        step = flow.step(flow.decided_at)
        self.summary.value = (
            f'<div class="iamlab-flow-summary" data-decided="{escape(flow.decided_at)}" '
            f'data-decision="{escape(flow.decision)}"><b>{escape(_VERDICT[flow.decision][0])}'
            f"</b>, decided at step {n}, {escape(step.title.rstrip('?'))}: "
            f"{escape(flow.deciding_policy)}.</div>")
        self.graph.show(flow_dot(flow, title))
