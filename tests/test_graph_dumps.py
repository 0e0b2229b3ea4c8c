"""The graph of each shared dump agrees with direct engine decisions, pair by pair.

Every assume/service-assume edge is an ``sts:AssumeRole`` (or ``...WithSAML``) the engine
allows (with the context the edge reports), and every pair the engine allows among *all* the
graph's principals and *all* roles is an edge: the brute-force set is computed here, so the
trust index may prune but never lose a pair. (IAM User Guide, "Policy evaluation logic" and
"Cross-account policy evaluation logic": the trust policy is the resource-based policy of an
AssumeRole request.)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from iamlab.authz_dump import load_inventory
from iamlab.engine import evaluate
from iamlab.graph import AccessGraph, EdgeKind, NodeKind, build_graph
from iamlab.graph.edges.assume import federated_action, role_facts

DATA = Path(__file__).parent / "data"
DUMPS = ["authz-cloudsplaining-example.json", "authz-cloudsplaining-teaching.json",
         "authz-cloudmapper-demo.json"]


@cache
def graph_of(name: str) -> AccessGraph:
    return build_graph(load_inventory(DATA / name))


def _action(graph: AccessGraph, node: str) -> str:
    kind = graph.nodes[node].kind
    return federated_action(node) if kind is NodeKind.FEDERATED else "sts:AssumeRole"


@pytest.mark.parametrize("name", DUMPS)
def test_edges_equal_brute_force_engine_decisions(name: str) -> None:
    graph = graph_of(name)
    roles = graph.inventory.roles
    allowed = set()
    for node, actor in graph.actors.items():
        for role in roles:
            if role.trust_policy is None:
                continue
            request = actor.request(_action(graph, node), role.arn, role_facts(role))
            if evaluate(request, actor.policies(role.trust_policy)).allowed:
                allowed.add((node, role.arn))
    assume_kinds = (EdgeKind.ASSUME, EdgeKind.SERVICE_ASSUME)
    unconditional = {(e.source, e.target) for e in graph.edges
                     if e.kind in assume_kinds and not e.conditions}
    assert unconditional == allowed
    assert allowed, "a dump with no assume edge at all would test nothing"


@pytest.mark.parametrize("name", DUMPS)
def test_conditional_edges_hold_only_with_their_keys(name: str) -> None:
    graph = graph_of(name)
    roles = {r.arn: r for r in graph.inventory.roles}
    for e in graph.edges:
        if e.kind not in (EdgeKind.ASSUME, EdgeKind.SERVICE_ASSUME) or not e.conditions:
            continue
        actor, role = graph.actors[e.source], roles[e.target]
        with_keys = actor.request(e.action or "", role.arn, {**role_facts(role), **e.supplied})
        without = actor.request(e.action or "", role.arn, role_facts(role))
        policies = actor.policies(role.trust_policy)
        assert evaluate(with_keys, policies).allowed, e
        assert not evaluate(without, policies).allowed, e
        assert {k.lower() for k in e.supplied} == {c.lower() for c in e.conditions}


def test_example_dump_edges_of_note() -> None:
    graph = graph_of("authz-cloudsplaining-example.json")
    edges = {(e.source, e.target, e.kind.value, e.conditions) for e in graph.edges}
    acct = "arn:aws:iam::210987654321"
    # the SAML provider reaches the SSO roles only with the SAML:aud claim
    saml = f"{acct}:saml-provider/AWSSSO_b937d2dff24f2774_DO_NOT_DELETE"
    admin = f"{acct}:role/aws-reserved/sso.amazonaws.com/" \
            "AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc"
    assert (saml, admin, "assume", ("SAML:aud",)) in edges
    # the privesc chain: starting-role -> intermediate-role -> ending-role
    start, mid, end = (f"{acct}:role/privesc-AssumeRole-{n}-role"
                       for n in ("starting", "intermediate", "ending"))
    assert (start, mid, "assume", ()) in edges
    assert (mid, end, "assume", ()) in edges
    # another account trusted by root: an "account" node outside the dump
    other = "arn:aws:iam::098765432109:root"
    assert graph.nodes[other].kind is NodeKind.ACCOUNT
    assert (other, f"{acct}:role/OrganizationAccountAccessRole", "assume", ()) in edges
    # the session named in 40 trust policies is a session of the SSO admin role
    session = "arn:aws:sts::210987654321:assumed-role/" \
              "AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc/learner1@example.com"
    assert (admin, session, "session", ("sts:RoleSessionName",)) in edges
    naming = {r.arn for r in graph.inventory.roles
              if r.trust_policy is not None and session in r.trust_policy.to_json()}
    assert len(naming) == 40  # README: 40 assumed-role ARNs in 40 roles
    reached = {e.target for e in graph.out_edges(session) if e.kind is EdgeKind.ASSUME}
    assert naming <= reached  # (and the role trusting its own account's root)
    assert reached - naming == {f"{acct}:role/privesc-permissive-role-trust"}
    # pass-role: the EC2 privesc user may pass the high-privilege role to EC2
    passes = {(e.source, e.target, e.via) for e in graph.edges_of(EdgeKind.PASS_ROLE)}
    assert (f"{acct}:user/privesc3-CreateEC2WithExistingInstanceProfile-user",
            f"{acct}:role/privesc-high-priv-service-role", "ec2.amazonaws.com") in passes


def test_demo_dump_edges_exactly() -> None:
    graph = graph_of("authz-cloudmapper-demo.json")
    a = "arn:aws:iam::123456789012"
    got = {(e.source, e.target, e.kind.value, e.via) for e in graph.edges}
    bad = f"{a}:role/bad_role"
    assert got == {
        ("*", bad, "assume", None),  # bad_role trusts "AWS": "*", which the engine
        ("ec2.amazonaws.com", bad, "service-assume", None),  # lets services match too
        ("ecs-tasks.amazonaws.com", bad, "service-assume", None),
        ("lambda.amazonaws.com", bad, "service-assume", None),
        (bad, bad, "assume", None),
        (f"{a}:role/exfiller", bad, "assume", None),
        (f"{a}:role/level3", bad, "assume", None),
        (f"{a}:role/service-role/level1", bad, "assume", None),
        (f"{a}:user/USER", bad, "assume", None),
        (f"{a}:user/USER_WITH_BAD_INLINE_POLICY", bad, "assume", None),
        (f"{a}:user/USER", f"{a}:group/GROUP_WITH_BAD_INLINE_POLICY", "member-of", None),
        ("ec2.amazonaws.com", f"{a}:role/exfiller", "service-assume", None),
        ("ecs-tasks.amazonaws.com", f"{a}:role/level3", "service-assume", None),
        ("lambda.amazonaws.com", f"{a}:role/service-role/level1", "service-assume", None),
        # bad_role has "*" on "*": it can pass every service role to its service
        (bad, f"{a}:role/exfiller", "pass-role", "ec2.amazonaws.com"),
        (bad, f"{a}:role/level3", "pass-role", "ecs-tasks.amazonaws.com"),
        (bad, f"{a}:role/service-role/level1", "pass-role", "lambda.amazonaws.com"),
    }


@pytest.mark.parametrize("name", DUMPS)
def test_pass_role_answers_shared_between_roles_change_no_edge(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking the engine about every (actor, role, service) gives the very same edges."""
    from iamlab.graph.edges import passrole

    shared = [e.to_json() for e in graph_of(name).edges]
    monkeypatch.setattr(passrole._Passed, "_naming", lambda self, actor: None)
    assert [e.to_json() for e in build_graph(load_inventory(DATA / name)).edges] == shared
    assert any(e.kind is EdgeKind.PASS_ROLE for e in graph_of(name).edges)


def test_graph_is_deterministic() -> None:
    inv = load_inventory(DATA / "authz-cloudsplaining-example.json")
    first, second = build_graph(inv), build_graph(inv)
    assert [e.to_json() for e in first.edges] == [e.to_json() for e in second.edges]
    assert list(first.nodes) == list(second.nodes) == sorted(first.nodes)
