"""Questions about the access graph: who reaches a role, what a principal reaches, who can do
an action on a resource (directly or through roles), and who is effectively an administrator.

Paths follow the edges that make a principal act with another's permissions: ``assume``,
``service-assume``, ``pass-role`` and ``session`` (``member-of`` is not a step: a user's
groups' policies are already the user's own). Every "can X" question is asked of the engine
(:mod:`iamlab.graph.decide`); the graph only supplies who to ask and how they got there.

**Administrators** (:func:`administrators`). A principal is counted as one when the engine
allows it, in its own account:

* ``full``: an action and resource no narrower policy could name (``iamlab-probe:AnyAction``
  on an invented ARN — only ``"Action": "*"`` / ``NotAction`` with ``"Resource": "*"`` /
  ``NotResource`` grant it) *and* the IAM write actions :data:`FULL_IAM_PROBES`: "allowed
  ``*`` on ``*``" without an IAM exception;
* ``self-escalation``: rewriting its own permissions — ``iam:PutUserPolicy`` /
  ``iam:AttachUserPolicy`` (users) or ``iam:PutRolePolicy`` / ``iam:AttachRolePolicy``
  (roles) on itself, ``iam:PutGroupPolicy`` / ``iam:AttachGroupPolicy`` on one of its groups,
  ``iam:CreatePolicyVersion`` on a customer managed policy it carries;
* ``takeover``: becoming another administrator — ``iam:CreateAccessKey``,
  ``iam:CreateLoginProfile`` or ``iam:UpdateLoginProfile`` on an administrator user,
  ``iam:UpdateAssumeRolePolicy`` on an administrator role, ``iam:AddUserToGroup`` into a
  group whose policies make its members ``full`` administrators;
* ``via``: reaching an administrator through the graph's edges (assume, pass-role...).

The last two repeat until no new administrator appears. This is the PMapper notion ("can
give itself any permission"), decided by the engine; it leaves out escalation through other
services (editing a Lambda function's code, SSM on an instance...).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from iamlab.decision import Decision
from iamlab.engine import evaluate
from iamlab.graph.actors import Actor
from iamlab.graph.decide import Decider, Outcome
from iamlab.graph.model import REACH_KINDS, AccessGraph, Edge, EdgeKind, NodeKind
from iamlab.graph.state import policy_may_allow
from iamlab.policy import Policy
from iamlab.request import ContextValue

PROBE_ACTION = "iamlab-probe:AnyAction"
FULL_IAM_PROBES = ("iam:CreateUser", "iam:PutRolePolicy", "iam:AttachUserPolicy",
                   "iam:CreatePolicyVersion")
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
_TAKEOVER_ACTIONS = ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
                     "iam:UpdateAssumeRolePolicy", "iam:AddUserToGroup")
_CALLERS = (NodeKind.USER, NodeKind.ROLE, NodeKind.SESSION, NodeKind.EXTERNAL,
            NodeKind.ACCOUNT, NodeKind.ANYONE)


@dataclass(frozen=True)
class Path:
    """A chain of edges from ``start``; empty when ``start`` acts itself."""

    start: str
    edges: tuple[Edge, ...] = ()

    @property
    def end(self) -> str:
        return self.edges[-1].target if self.edges else self.start

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.start, *(e.target for e in self.edges))

    @property
    def conditions(self) -> tuple[str, ...]:
        keys = {c for e in self.edges for c in e.conditions}
        return tuple(sorted(keys, key=str.lower))

    def __len__(self) -> int:
        return len(self.edges)

    def describe(self, graph: AccessGraph | None = None) -> str:
        """``user/alice -[assume]-> role/Dev -[pass-role via ec2.amazonaws.com]-> role/App``."""
        def name(node: str) -> str:
            if graph is not None and node in graph.nodes:
                return graph.nodes[node].label
            return node

        parts = [name(self.start)]
        for e in self.edges:
            how = e.kind.value + (f" via {e.via}" if e.via else "")
            if e.conditions:
                how += f" if {', '.join(e.conditions)}"
            parts.append(f"-[{how}]-> {name(e.target)}")
        return " ".join(parts)


def _bfs(graph: AccessGraph, start: Iterable[str], forward: bool,
         kinds: frozenset[EdgeKind] = REACH_KINDS) -> dict[str, tuple[Edge, ...]]:
    """Shortest edge chains from (forward) or to (backward) the start nodes."""
    found: dict[str, tuple[Edge, ...]] = {}
    queue: deque[str] = deque()
    for s in sorted(start):
        found[s] = ()
        queue.append(s)
    while queue:
        node = queue.popleft()
        edges = graph.out_edges(node) if forward else graph.in_edges(node)
        for e in edges:
            if e.kind not in kinds:
                continue
            nxt = e.target if forward else e.source
            if nxt in found:
                continue
            found[nxt] = found[node] + (e,) if forward else (e, *found[node])
            queue.append(nxt)
    return found


def who_can_assume(graph: AccessGraph, role: str, transitive: bool = True) -> list[Path]:
    """Every node that can come to act as ``role`` (directly, or through chains), with the
    shortest path; sorted by path length then name."""
    target = graph.node(role).id
    if not transitive:
        paths = [Path(e.source, (e,)) for e in graph.in_edges(target, REACH_KINDS)
                 if e.source != target]
    else:
        found = _bfs(graph, [target], forward=False)
        paths = [Path(node, chain) for node, chain in found.items() if node != target]
    return sorted(paths, key=lambda p: (len(p), p.start))


def reachable_from(graph: AccessGraph, principal: str) -> list[Path]:
    """Every role (or session) ``principal`` can come to act as, with the shortest path."""
    start = graph.node(principal).id
    found = _bfs(graph, [start], forward=True)
    return sorted((Path(start, chain) for node, chain in found.items() if node != start),
                  key=lambda p: (len(p), p.end))


@dataclass(frozen=True)
class Access:
    """``principal`` can do the action: itself (empty path) or as the path's last node."""

    principal: str
    path: Path
    decision: Decision  # the engine's explained decision for the last node's request
    outcome_conditions: tuple[str, ...] = ()

    @property
    def actor(self) -> str:
        return self.path.end

    @property
    def direct(self) -> bool:
        return not self.path.edges

    @property
    def conditions(self) -> tuple[str, ...]:
        keys = set(self.path.conditions) | set(self.outcome_conditions)
        return tuple(sorted(keys, key=str.lower))

    def describe(self, graph: AccessGraph | None = None) -> str:
        how = "directly" if self.direct else f"through {self.path.describe(graph)}"
        cond = f" (needs {', '.join(self.conditions)})" if self.conditions else ""
        return f"{self.principal} {how}{cond}: {self.decision.summary}"


def who_can(graph: AccessGraph, action: str, resource: str, *,
            resource_policy: Policy | None = None, resource_account: str | None = None,
            context: Mapping[str, ContextValue] | None = None) -> list[Access]:
    """Who can perform ``action`` on ``resource``, directly or through roles.

    Each caller's request is decided by the engine with its own policies and
    ``resource_policy`` (a bucket policy, key policy...); a node that cannot do it itself
    but reaches one that can is listed with the path. ``context`` adds keys to every request.
    """
    decider = Decider(graph.inventory.organization())
    allowed: dict[str, tuple[Outcome, Actor]] = {}
    for node_id, actor in sorted(graph.actors.items()):
        if graph.nodes[node_id].kind not in _CALLERS:
            continue
        out = decider.decide(actor, action, resource, resource_policy,
                             facts=_resource_facts(resource_account, context),
                             resource_account=resource_account)
        if out.allowed:
            allowed[node_id] = (out, actor)
    found = _bfs(graph, allowed, forward=False)
    results = []
    for node, chain in found.items():
        path = Path(node, chain)
        out, actor = allowed[path.end]
        req, policies = decider.request(actor, action, resource, resource_policy,
                                        {**_resource_facts(resource_account, context),
                                         **out.supplied}, resource_account)
        decision = evaluate(req, policies, explain=True)
        results.append(Access(node, path, decision, out.conditions))
    return sorted(results, key=lambda a: (len(a.path), a.principal))


def _resource_facts(account: str | None, context: Mapping[str, ContextValue] | None
                    ) -> dict[str, ContextValue]:
    facts: dict[str, ContextValue] = dict(context or {})
    if account:
        facts.setdefault("aws:ResourceAccount", account)
    return facts


@dataclass(frozen=True)
class Admin:
    """An effective administrator and why (see the module docstring for the definition)."""

    principal: str
    reason: str  # "full" | "self-escalation" | "takeover" | "via"
    detail: str
    path: Path | None = None
    conditions: tuple[str, ...] = field(default=())

    def describe(self, graph: AccessGraph | None = None) -> str:
        cond = f" (needs {', '.join(self.conditions)})" if self.conditions else ""
        return f"{self.principal}: {self.reason}: {self.detail}{cond}"


class _AdminFinder:
    def __init__(self, graph: AccessGraph, region: str) -> None:
        self.graph = graph
        self.region = region
        self.decider = Decider(graph.inventory.organization())
        self.managed_arn = {id(p): arn for arn, p in graph.inventory.managed_policies.items()}
        self.users = {u.arn: u for u in graph.inventory.users}
        self.groups = {g.arn: g for g in graph.inventory.groups}

    def ask(self, actor: Actor, action: str, resource: str,
            facts: Mapping[str, ContextValue] | None = None) -> Outcome | None:
        out = self.decider.decide(actor, action, resource, facts=facts)
        return out if out.allowed else None

    def full(self, actor: Actor, account: str) -> Outcome | None:
        if not self.able(actor, PROBE_ACTION):
            return None
        probe = self.ask(actor, PROBE_ACTION,
                         f"arn:aws:iamlab-probe:{self.region}:{account}:anything/probe")
        if probe is None:
            return None
        keys = dict(probe.supplied)
        for action in FULL_IAM_PROBES:
            out = self.ask(actor, action, f"arn:aws:iam::{account}:role/iamlab-probe")
            if out is None:
                return None
            keys.update(out.supplied)
        return Outcome(True, probe.decision, keys)

    def self_escalation(self, node: str, actor: Actor) -> tuple[str, Outcome] | None:
        kind = self.graph.nodes[node].kind
        me = actor.role_arn if kind is not NodeKind.USER else node
        assert me is not None
        admin_policy = {"iam:PolicyARN": ADMIN_POLICY}
        tries: list[tuple[str, str, Mapping[str, ContextValue] | None]] = []
        if kind is NodeKind.USER:
            tries += [("iam:PutUserPolicy", me, None), ("iam:AttachUserPolicy", me, admin_policy)]
            for group in self.users[node].groups:
                tries += [("iam:PutGroupPolicy", group, None),
                          ("iam:AttachGroupPolicy", group, admin_policy)]
        else:
            tries += [("iam:PutRolePolicy", me, None), ("iam:AttachRolePolicy", me, admin_policy)]
        for policy in actor.identity:
            arn = self.managed_arn.get(id(policy))
            if arn and ":iam::aws:policy/" not in arn:
                tries.append(("iam:CreatePolicyVersion", arn, None))
        for action, resource, facts in tries:
            if not self.able(actor, action):
                continue
            out = self.ask(actor, action, resource, facts)
            if out is not None:
                return f"{action} on {resource}", out
        return None

    def able(self, actor: Actor, action: str) -> bool:
        """Pruning only: could any of its identity statements allow ``action`` at all?"""
        return actor.external or any(policy_may_allow(p, action) for p in actor.identity)

    def takeover(self, actor: Actor, admins: Mapping[str, Admin],
                 full_groups: Iterable[str]) -> tuple[str, Outcome] | None:
        # IAM calls act on the caller's own account: only its administrators can be taken
        if not any(self.able(actor, a) for a in _TAKEOVER_ACTIONS):
            return None
        for target in sorted(admins):
            node = self.graph.nodes[target]
            if node.account != actor.account:
                continue
            actions: tuple[str, ...]
            if node.kind is NodeKind.USER:
                actions = ("iam:CreateAccessKey", "iam:CreateLoginProfile",
                           "iam:UpdateLoginProfile")
            elif node.kind is NodeKind.ROLE:
                actions = ("iam:UpdateAssumeRolePolicy",)
            else:
                continue
            for action in actions:
                if not self.able(actor, action):
                    continue
                out = self.ask(actor, action, target)
                if out is not None:
                    return f"{action} on {target}, an administrator", out
        if self.graph.nodes[actor.node].kind is NodeKind.USER \
                and self.able(actor, "iam:AddUserToGroup"):
            for group in sorted(full_groups):
                if self.graph.nodes[group].account != actor.account:
                    continue
                out = self.ask(actor, "iam:AddUserToGroup", group)
                if out is not None:
                    return f"iam:AddUserToGroup into {group}, whose members are administrators", out
        return None

    def full_groups(self) -> list[str]:
        """Groups whose policies alone make a member a full administrator."""
        found = []
        for group in self.graph.inventory.groups:
            probe = Actor(group.arn, f"arn:aws:iam::{group.account}:user/iamlab-probe",
                          group.account, group.policies)
            if self.full(probe, group.account) is not None:
                found.append(group.arn)
        return found


def administrators(graph: AccessGraph, region: str = "us-east-1") -> list[Admin]:
    """The effective administrators of the graph's accounts (definition: module docstring)."""
    finder = _AdminFinder(graph, region)
    admins: dict[str, Admin] = {}
    callers = {n: a for n, a in sorted(graph.actors.items())
               if graph.nodes[n].kind in (NodeKind.USER, NodeKind.ROLE, NodeKind.SESSION)}
    for node, actor in callers.items():
        assert actor.account is not None
        full = finder.full(actor, actor.account)
        if full is not None:
            admins[node] = Admin(node, "full", "allowed every action on every resource",
                                 conditions=full.conditions)
            continue
        esc = finder.self_escalation(node, actor)
        if esc is not None:
            admins[node] = Admin(node, "self-escalation", f"can change its own permissions: "
                                 f"{esc[0]}", conditions=esc[1].conditions)
    groups = finder.full_groups()
    changed = True
    while changed:
        changed = False
        reach = _bfs(graph, admins, forward=False)
        for node, chain in sorted(reach.items()):
            if node in admins or node not in graph.nodes:
                continue
            path = Path(node, chain)
            admins[node] = Admin(node, "via", f"reaches the administrator {path.end}", path,
                                 path.conditions)
            changed = True
        for node, actor in callers.items():
            if node in admins:
                continue
            took = finder.takeover(actor, admins, groups)
            if took is not None:
                admins[node] = Admin(node, "takeover", f"can become another administrator: "
                                     f"{took[0]}", conditions=took[1].conditions)
                changed = True
    return [admins[k] for k in sorted(admins)]

