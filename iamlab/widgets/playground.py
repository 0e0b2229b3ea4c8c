"""The role playground widget: the badge metaphor made interactive.

Left, the trust policy (who may wear the badge); right, the permissions policy (what the
badge lets the wearer do); below, a request, the decision for both steps and the diagram.
All answers come from :class:`iamlab.playground.RolePlayground`; this module only wires
editors to it and shows what it says. Decisions follow every valid edit at once (a few
milliseconds); the diagram is redrawn after a short pause in typing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from html import escape
from typing import Any

import ipywidgets as W

from iamlab.arn import account_root, parse_arn
from iamlab.errors import IamlabError
from iamlab.playground import Ask, Caller, Outcome, RolePlayground, default_callers
from iamlab.policy import Policy, PolicyKind
from iamlab.widgets.base import Debouncer, guarded, oops_html, style_widget
from iamlab.widgets.completion import SERVICE_PRINCIPALS
from iamlab.widgets.decision import OutcomeView
from iamlab.widgets.editor import PolicyEditor
from iamlab.widgets.flow import FlowView
from iamlab.widgets.graphview import GraphView, diagram_source
from iamlab.widgets.request import RequestBuilder
from iamlab.widgets.starters import DEFAULT_ACCOUNT, DEFAULT_BUCKET

INTRO = ("<div class='iamlab-story'><b>A role is a badge.</b> The <b>trust policy</b> (left) "
         "lists who may wear it; the <b>permissions policy</b> (right) lists what it lets the "
         "wearer do. A request succeeds only if both say yes: step 1 (may this caller wear "
         "the badge?) and step 2 (does the badge allow this action?).</div>")

PolicyInput = str | Policy | dict[str, Any]


class Playground(W.VBox):  # type: ignore[misc]
    """One role's two policies side by side, a request, both decisions and the diagram.

    ``trust`` and ``permissions`` are JSON text, dicts, policies or starter keys
    (``"trust-ec2"``, ``"read-bucket"``...). :meth:`from_world` plays with a role of a
    simulated world instead (on a copy: the world does not change). ``base`` is a
    :class:`RolePlayground` whose other facts (boundary, tags, organisation, resource
    policies...) every decision keeps; the editors replace its two policies.

    ``tabs`` adds editable tabs for the other policies that count in step 2: any of
    ``"boundary"`` (the role's permissions boundary), ``"scp"`` (an SCP attached to the
    role's account), ``"session"`` (a session policy passed when assuming the role) and
    ``"resource"`` (the own policy of the request's resource, a bucket policy for an S3
    object: it follows the request to another resource, keeping what was typed for each),
    or ``"all"``. Each starts from ``boundary=``, ``scp=``, ``session_policy=``,
    ``resource_policy=`` or what the world has; empty text means no such policy. ``flow``
    draws AWS's evaluation flow for step 2 (:class:`~iamlab.widgets.FlowView`), the path
    taken highlighted and the deciding policy named (``flow_step`` switches to step 1)::

        Playground.from_world(world, "ReportReader", tabs="all", flow=True)
        Playground(permissions=..., boundary={...}, tabs=("boundary",), flow=True)
    """

    def __init__(self, trust: PolicyInput = "trust-ec2",
                 permissions: PolicyInput = "read-bucket",
                 role_name: str = "AppRole", account: str = DEFAULT_ACCOUNT,
                 bucket: str = DEFAULT_BUCKET, caller: str = "ec2.amazonaws.com",
                 action: str = "s3:GetObject", resource: str | None = None,
                 callers: tuple[Caller, ...] | None = None,
                 resources: tuple[str, ...] = (), debounce: float = 0.2,
                 graph: bool = True, intro: bool = True,
                 more_permissions: tuple[Policy, ...] = (),
                 resource_policies: Mapping[str, Policy] | None = None,
                 now: datetime | None = None, notice: str = "",
                 role_path: str = "/", base: RolePlayground | None = None,
                 tabs: str | Sequence[str] = (), flow: bool = False,
                 boundary: PolicyInput | None = None, scp: PolicyInput | None = None,
                 session_policy: PolicyInput | None = None,
                 resource_policy: PolicyInput | None = None) -> None:
        self.role_name = role_name
        self.role_path = role_path
        self.account = account
        self.callers = callers if callers is not None else default_callers(account)
        self.more_permissions = more_permissions
        self.resource_policies = dict(resource_policies or {})
        self.now = now
        self.base = base
        resource = resource if resource is not None else f"arn:aws:s3:::{bucket}/q3.csv"
        resources = resources or (resource, f"arn:aws:s3:::{bucket}/*",
                                  f"arn:aws:s3:::{bucket}", "arn:aws:s3:::other-bucket/q3.csv",
                                  f"arn:aws:logs:us-east-1:{account}:log-group:app")
        self.model: RolePlayground | None = None
        self.outcome: Outcome | None = None
        self.trust = PolicyEditor(
            trust, PolicyKind.TRUST, f"{role_name}-trust",
            "Who may wear the badge: the trust policy", account, bucket,
            principal_choices=_principal_choices(self.callers), debounce=debounce,
            style=False)
        self.permissions = PolicyEditor(
            permissions, PolicyKind.IDENTITY,
            f"{role_name}-permissions", "What the badge lets you do: the permissions policy",
            account, bucket, resource_choices=resources, debounce=debounce, style=False)
        for editor in (self.trust, self.permissions):
            editor.layout = W.Layout(width="50%", padding="0 6px 0 0")
        self.request = RequestBuilder([(f"{c.label}: {c.principal}", c.principal)
                                       for c in self.callers], caller, action, resource,
                                      resources)
        self.view = OutcomeView()
        self.graph = GraphView()
        self.flow = FlowView() if flow else None
        self.flow_step = W.ToggleButtons(options=[("step 1 · trust", "assume"),
                                                  ("step 2 · permissions", "act")],
                                         value="act", style={"button_width": "150px"})
        self.message = W.HTML()
        # which resource's own policy the resource tab holds follows the request (the model
        # says which: a bucket for an S3 object); edits are kept per resource
        self._lookup = base if base is not None else RolePlayground(
            Policy(()), account=account, resource_policies=self.resource_policies)
        self.holder = self._lookup.editable_holder(resource)
        self._kept: dict[str, tuple[str, Policy | None]] = {}
        self._initial: dict[str, str] = {}  # what "reset" gives back, by resource
        self._following = False
        self.layers = self._layer_editors(
            _tab_names(tabs), base, account, bucket, debounce,
            {"boundary": boundary, "scp": scp, "session": session_policy,
             "resource": resource_policy})
        notes = [notice] if notice else []
        if more_permissions:
            notes.append("Also attached to the role, and counted in every decision (not "
                         "editable here): " + ", ".join(p.name or "a policy"
                                                         for p in more_permissions) + ".")
        notes += _base_notes(base, set(self.layers))
        self.notice = W.HTML("".join(f'<div class="iamlab-warning">{escape(n)}</div>'
                                     for n in notes))
        self._redraw = Debouncer(self._draw, debounce if graph else 0)
        self._graph_enabled = graph
        guard = guarded("the playground", self._oops)
        self.trust.observe(guard(lambda _c: self.update()), "policy")
        self.permissions.observe(guard(lambda _c: self.update()), "policy")
        for editor in self.layers.values():
            editor.observe(guard(lambda _c: self.update()), "policy")
        for editor in (self.trust, self.permissions, *self.layers.values()):
            editor.observe(guard(lambda _c: self._show_stale()), "problems")
        self.request.observe(guard(lambda _c: self.update()), "ask")
        self.flow_step.observe(guard(lambda _c: self._draw()), "value")
        children: list[Any] = [style_widget()]
        if intro:
            children.append(W.HTML(INTRO))
        children += [self.notice, self.message, W.HBox([self.trust, self.permissions])]
        self.more = W.Tab(children=list(self.layers.values()),
                          titles=[self._tab_title(k) for k in self.layers])
        if self.layers:
            self.more.add_class("iamlab-more-policies")
            children += [W.HTML("<div class='iamlab-title'>Other policies that count in step "
                                "2 (edit them too)</div>"), self.more]
        children += [W.HTML("<div class='iamlab-title'>The request</div>"), self.request,
                     self.view]
        if self.flow is not None:
            children += [W.HTML("<div class='iamlab-title'>How AWS decided: its order of "
                                "evaluation</div>"), self.flow_step, self.flow]
        if graph:
            children += [W.HTML("<div class='iamlab-title'>Who can wear the badge, and what "
                                "this request does</div>"), self.graph]
        super().__init__(children)
        self.add_class("iamlab-playground")
        guard(self.update)()
        self._redraw.flush()

    @classmethod
    def from_world(cls, world: Any, role: str, caller: str = "ec2.amazonaws.com",
                   action: str = "s3:GetObject", resource: str | None = None,
                   **options: Any) -> Playground:
        """A playground for a role of a simulated world (``iamlab.world.World``).

        The editors start from the role's trust policy and its first permissions policy
        (the others still count); callers are the common services and the world's users;
        what else the world weighs counts too (the role's boundary and tags, the SCPs and
        RCPs, the resources' own policies). Edits stay in the playground. A role that
        does not exist gives a playground saying so, starting from the ready-made policies.
        """
        try:
            model = RolePlayground.from_world(world, role)
        except IamlabError as exc:
            return cls(notice=f"Cannot open the role: {exc}. Showing ready-made policies "
                       "instead.", caller=caller, action=action, resource=resource, **options)
        perms = model.permissions
        return cls(trust=model.trust, permissions=perms[0] if perms else "",
                   more_permissions=perms[1:], role_name=model.role_name,
                   role_path=model.role_path, account=model.account, callers=model.callers,
                   caller=caller, action=action, resource=resource,
                   resources=_world_resources(world), resource_policies=model.resource_policies,
                   now=model.now, base=model, **options)

    # -- the learner's view -------------------------------------------------------------
    @property
    def ask(self) -> Ask:
        ask: Ask = self.request.ask
        return ask

    def decide(self) -> Outcome | None:
        """The current outcome (both steps), recomputed now."""
        self.update()
        return self.outcome

    def flush(self) -> None:
        """Finish pending redraws now (the diagram and the editors' forms)."""
        self.trust.flush()
        self.permissions.flush()
        self._redraw.flush()

    def update(self) -> None:
        """Decide the current request with the policies in force and show both steps."""
        if self._following:  # the resource tab is being switched: decide once, after
            return
        self._follow_resource(self.ask.resource)
        trust = self.trust.policy
        if trust is None:
            self.message.value = ('<div class="iamlab-problem">The trust policy has problems '
                                  "(see under it): fix them to see a decision.</div>")
            return
        permissions = tuple(p for p in [self.permissions.policy] if p) + self.more_permissions
        if self.base is not None:
            model = replace(self.base, trust=trust, permissions=permissions)
        else:
            model = RolePlayground(trust, permissions, self.role_name, self.account,
                                   self.callers, self.resource_policies, self.now,
                                   self.role_path)
        self.model = self._with_layers(model)
        try:
            self.outcome = self.model.decide(self.ask)
        except IamlabError as exc:
            self.message.value = f'<div class="iamlab-problem">{escape(str(exc))}</div>'
            return
        self.message.value = ""
        self.view.show(self.outcome)
        self._show_stale()
        self._redraw()

    def broken(self) -> str:
        """The policies being edited that AWS would refuse as they stand ("" if none): the
        decisions shown then come from their last valid versions."""
        editors = [("the trust policy", self.trust), ("the permissions policy",
                                                      self.permissions)]
        editors += [(f"the {_TAB_TITLES[k].lower()}", e) for k, e in self.layers.items()]
        names = [name for name, editor in editors if not editor.valid]
        return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else \
            "".join(names)

    def _layer_editors(self, names: tuple[str, ...], base: RolePlayground | None,
                       account: str, bucket: str, debounce: float,
                       given: dict[str, PolicyInput | None]) -> dict[str, PolicyEditor]:
        """An optional editor per extra policy, starting from what was given, or what the
        world has (the role's boundary, the resource's own policy)."""
        kinds = {"boundary": PolicyKind.BOUNDARY, "scp": PolicyKind.SCP,
                 "session": PolicyKind.SESSION, "resource": PolicyKind.RESOURCE}
        found: dict[str, Policy | None] = {
            "boundary": base.boundary if base else None,
            "resource": self._lookup.own_policy(self.holder) if self.holder else None}
        editors = {}
        for name in names:
            start = given.get(name)
            if start is None:
                start = found.get(name) or ""
            editor = PolicyEditor(start, kinds[name], f"{self.role_name}-{name}",
                                  self._tab_help(name), account, bucket,
                                  debounce=debounce, style=False, optional=True, rows=8)
            editor.add_class(f"iamlab-editor-{name}-tab")
            editors[name] = editor
        if "resource" in editors:
            self._enable_resource_tab(editors["resource"])
            if self.holder is not None:
                self._initial[self.holder] = editors["resource"].initial
        return editors

    def _tab_title(self, name: str) -> str:
        """A tab's title; the resource tab's names the resource whose policy it holds."""
        if name != "resource":
            return _TAB_TITLES[name]
        return f"Resource policy: {self.holder.rsplit(':', 1)[-1]}" if self.holder else \
            "Resource policy: none"

    def _tab_help(self, name: str) -> str:
        if name != "resource":
            return _TAB_HELP[name]
        if self.holder is None:
            return _NO_HOLDER.format(resource=self.ask.resource)
        return _TAB_HELP[name].format(holder=self.holder)

    def _enable_resource_tab(self, editor: PolicyEditor) -> None:
        """With no resource to hold a policy, the tab cannot be typed in."""
        for part in (editor.text, editor.starter, editor.reset_button):
            part.disabled = self.holder is None

    def _follow_resource(self, resource: str) -> None:
        """When the request moves to a resource with another holder, the resource tab
        keeps what was typed for the old one and shows the new one's: as typed before, or
        its own policy as the playground started (empty when it has none)."""
        editor = self.layers.get("resource")
        holder = self._lookup.editable_holder(resource)
        if editor is None or holder == self.holder:
            return
        if self.holder is not None:
            self._kept[self.holder] = (editor.value, editor.policy)
        self.holder = holder
        start = self._lookup.own_policy(holder) if holder else None
        first = self._initial.setdefault(holder, start.to_json() if start else "") \
            if holder else ""
        text, policy = self._kept.get(holder, (first, start)) if holder else ("", None)
        self._following = True
        try:
            editor.initial = first  # "reset" goes back to this resource's own policy
            editor.policy = policy  # the last valid version, should the text be broken
            editor.value = text
            editor.set_title(self._tab_help("resource"))
            self._enable_resource_tab(editor)
            self.more.set_title(list(self.layers).index("resource"),
                                self._tab_title("resource"))
        finally:
            self._following = False

    def _with_layers(self, model: RolePlayground) -> RolePlayground:
        """The model with the extra policies as edited (only those with a tab)."""
        for name, editor in self.layers.items():
            policy = editor.policy
            if name == "boundary":
                model = model.with_boundary(policy)
            elif name == "scp":
                model = model.with_scp(policy)
            elif name == "session":
                model = model.with_session_policy(policy)
            elif self.holder is not None:
                model = model.with_resource_policy(self.holder, policy)
        return model

    def _show_stale(self) -> None:
        broken = self.broken()
        self.view.set_stale(broken)
        if broken:
            self.graph.add_class("iamlab-stale")
        else:
            self.graph.remove_class("iamlab-stale")

    def _draw(self) -> None:
        if self.flow is not None and self.outcome is not None:
            step = self.flow_step.value
            decision = self.outcome.assume if step == "assume" else self.outcome.act
            try:
                self.flow.show(decision, "How AWS decided step "
                               + ("1: may the caller assume the role?" if step == "assume"
                                  else "2: may the role's session do it?"))
            except Exception as exc:  # a drawing problem must not break the decisions
                self.flow.graph.message(oops_html("the evaluation flow", exc))
        if self.model is None or not self._graph_enabled:
            return
        try:
            self.graph.show(diagram_source(self.model, self.outcome))
        except Exception as exc:  # a drawing problem must not break the decisions
            self.graph.message(oops_html("the diagram", exc))

    def _oops(self, html: str) -> None:
        self.message.value = html


_TAB_TITLES = {"boundary": "Permissions boundary", "scp": "SCP", "session": "Session policy",
               "resource": "Resource policy"}
_TAB_HELP = {
    "boundary": "The role's permissions boundary: the most step 2 may ever allow",
    "scp": "An SCP attached to the role's account: the most anyone in it may do",
    "session": "A session policy passed when assuming the role: it limits the session",
    "resource": "The own policy of {holder}: it may allow (or deny) on its own",
}
_NO_HOLDER = ("The request's resource ({resource}) has no policy of its own to edit here "
              "(* is no single resource; a role's is its trust policy): choose a resource "
              "ARN to see and edit its policy")


def _tab_names(tabs: str | Sequence[str]) -> tuple[str, ...]:
    """The tabs asked for, checked: "all" or some of boundary, scp, session, resource."""
    names = tuple(_TAB_TITLES) if tabs == "all" else (
        (tabs,) if isinstance(tabs, str) else tuple(tabs))
    unknown = [n for n in names if n not in _TAB_TITLES]
    if unknown:
        raise IamlabError(f"no tab {unknown[0]!r}: choose from " + ", ".join(_TAB_TITLES)
                          + ', or "all"')
    return names


def _base_notes(base: RolePlayground | None, tabs: set[str] | None = None) -> list[str]:
    """What else counts in every decision, said once above the editors (what has a tab
    is said there instead)."""
    if base is None:
        return []
    notes = []
    tabs = tabs or set()
    if base.boundary is not None and "boundary" not in tabs:
        notes.append("The role's permissions boundary counts in step 2 (not editable here): "
                     f"{base.boundary.name or 'a policy'}.")
    if base.org is not None and (base.org.scps or base.org.rcps):
        notes.append("The organisation's SCPs and RCPs count too (not editable here"
                     + ("; the SCP tab attaches one more to the role's account)."
                        if "scp" in tabs else ")."))
    return notes


def _principal_choices(callers: tuple[Caller, ...]) -> dict[str, tuple[str, ...]]:
    """What the trust policy's form suggests for each principal type, from the callers."""
    arns = [(c.principal, parse_arn(c.principal)) for c in callers]
    iam = [(p, a) for p, a in arns if a is not None and a.service == "iam"]
    federated = tuple(p for p, a in iam if a.resource.startswith("saml-provider/"))
    aws = tuple(dict.fromkeys([p for p, _ in iam if p not in federated]
                              + [account_root(a.account, a.partition) for _, a in iam]))
    services = tuple(dict.fromkeys([c.principal for c in callers if c.is_service]
                                   + list(SERVICE_PRINCIPALS)))
    return {"Service": services, "AWS": aws, "Federated": federated}


def _world_resources(world: Any) -> tuple[str, ...]:
    """Resource ARNs the request builder suggests: some objects of each bucket, and the
    buckets themselves."""
    out: list[str] = []
    for bucket in world.buckets.values():
        out += [f"{bucket.arn}/{key}" for key in list(bucket.objects)[:20]]
        out += [f"{bucket.arn}/*", bucket.arn]
    return tuple(out)
