"""Generated hostile input, across every entry point: no uncaught exception, strict JSON out.

Cases go through ``simulate_lines`` (what ``iamlab simulate`` runs), policies through the
parser and the linter (text output included), dumps through the loader, the graph and its
DOT text, and calls with odd parameters through every operation of the world. Each
generated input starts from a valid one and has some of its values replaced by odd ones
(wrong types, empty lists, control characters, lone surrogates, huge numbers, deep
nesting), so that the checks past the first one are reached too.

``IAMLAB_EXAMPLES`` sets how many examples each test tries (default 25, to keep
``make test`` fast; a longer run: ``IAMLAB_EXAMPLES=2000 pytest tests/test_fuzz.py``).
"""

from __future__ import annotations

import functools
import importlib
import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamlab.authz_dump import load_inventory
from iamlab.cli import json_answer, simulate_lines
from iamlab.errors import PolicyError
from iamlab.graph import build_graph
from iamlab.graph.dot import to_dot
from iamlab.lint import lint_policy
from iamlab.lint.command import _text
from iamlab.parse import parse_policy

EXAMPLES = int(os.environ.get("IAMLAB_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ACCOUNT = "111122223333"
KINDS = ("identity", "resource", "trust", "boundary", "scp", "rcp", "session")

ODD_TEXT = ["", " ", "*", "\x1b[2J", "\x1b]0;t\x07", "\ud800", "\u202e", "é", "${", "${aws:",
            "arn:", "arn:aws:iam::111122223333:role/", "arn:aws:iam::111122223333:user/R",
            "arn:aws:s3:::b/*/*/*", "s3:*", "a" * 300]
odd_scalars = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=8), st.none(),
                        st.booleans(), st.integers(), st.sampled_from([10 ** 40, -1, 0]),
                        st.floats(allow_nan=False, allow_infinity=False))
odd_values = st.recursive(odd_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)

POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "A", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": ["s3:GetObject", "sts:AssumeRole"], "Resource": "arn:aws:s3:::b/*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}]}
CASE = {"id": "c", "principal": f"arn:aws:iam::{ACCOUNT}:user/alice", "action": "s3:GetObject",
        "resource": "arn:aws:s3:::b/k", "accountId": ACCOUNT,
        "context": {"aws:PrincipalTag/team": "blue"},
        "identityPolicies": [POLICY], "resourcePolicy": POLICY,
        "permissionBoundaries": [POLICY], "scps": [[POLICY]], "sessionPolicy": POLICY}
DUMP = {
    "UserDetailList": [{"UserName": "alice", "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
                        "GroupList": ["g"], "Tags": [{"Key": "team", "Value": "blue"}],
                        "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": POLICY}],
                        "AttachedManagedPolicies": [
                            {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/m"}]}],
    "GroupDetailList": [{"GroupName": "g", "Arn": f"arn:aws:iam::{ACCOUNT}:group/g",
                         "GroupPolicyList": [{"PolicyName": "p", "PolicyDocument": POLICY}]}],
    "RoleDetailList": [{"RoleName": "R", "Arn": f"arn:aws:iam::{ACCOUNT}:role/R",
                        "AssumeRolePolicyDocument": POLICY, "MaxSessionDuration": 3600,
                        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": POLICY}],
                        "InstanceProfileList": [{"Arn": "arn:aws:iam::1:instance-profile/x"}],
                        "PermissionsBoundary": {
                            "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/m"}}],
    "Policies": [{"PolicyName": "m", "Arn": f"arn:aws:iam::{ACCOUNT}:policy/m",
                  "DefaultVersionId": "v1", "PolicyVersionList": [
                      {"VersionId": "v1", "IsDefaultVersion": True, "Document": POLICY}]}]}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (the value itself included)."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replaced(copy[head], rest, new)
    return copy


def mutated(base: Any) -> st.SearchStrategy[Any]:
    """``base`` with one to three of its values (or keys' values) replaced by odd ones."""
    places = _paths(base)

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        value = base
        for _ in range(draw(st.integers(1, 3))):
            options = _paths(value)
            path = draw(st.sampled_from(options if options else places))
            value = _replaced(value, path, draw(odd_values))
        return value

    return build()


def _deep(n: int) -> str:
    return "[" * n + "]" * n


@FUZZ
@given(mutated(CASE), st.booleans())
def test_generated_cases_get_strict_json_answers(case: Any, explain: bool) -> None:
    line = json.dumps(case)
    for answer in simulate_lines([line, line.encode("utf-8", "surrogatepass"), _deep(5000)],
                                 explain=explain):
        answer = json_answer(answer)
        assert set(answer) >= {"id", "decision", "error"}
        text = json.dumps(answer, allow_nan=False)
        text.encode("utf-8")


@FUZZ
@given(mutated(POLICY), st.sampled_from(KINDS))
def test_generated_policies_give_findings_or_policy_errors(doc: Any, kind: str) -> None:
    text = json.dumps(doc)
    findings = lint_policy(text, kind)
    assert "lint-internal-error" not in {f.code for f in findings}, [str(f) for f in findings]
    for f in findings:
        json.dumps(f.to_dict(), allow_nan=False)
        shown = _text("p.json", f)
        shown.encode("utf-8")
        assert "\x1b" not in shown
    try:
        parse_policy(text, kind)
    except PolicyError as err:
        assert err.problems


@FUZZ
@given(mutated(DUMP))
def test_generated_dumps_load_and_draw(dump: Any) -> None:
    if not isinstance(dump, dict) or not any(k in dump for k in
                                             ("UserDetailList", "GroupDetailList",
                                              "RoleDetailList", "Policies")):
        return  # not a dump at all: DumpError, tested elsewhere
    if not all(isinstance(dump.get(k, []), list) for k in ("UserDetailList", "GroupDetailList",
                                                            "RoleDetailList", "Policies")):
        return
    inventory = load_inventory(dump)
    graph = build_graph(inventory, pass_role=True)
    to_dot(graph).encode("utf-8")
    for edge in graph.edges:
        json.dumps(edge.to_json(), allow_nan=False)



@functools.cache
def _session() -> Any:
    """A user allowed everything, in a world with a role, a user and a bucket to act on."""
    from iamlab.world import World

    world = World()
    world.admin.iam.create_role(RoleName="r", AssumeRolePolicyDocument={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                               "Principal": {"AWS": ACCOUNT}}]})
    world.admin.iam.create_user(UserName="ops")
    world.admin.iam.put_user_policy(UserName="ops", PolicyName="all", PolicyDocument={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                               "Resource": "*"}]})
    world.admin.s3.create_bucket(Bucket="bkt")
    return world.user_session("ops")


def _operations() -> list[tuple[str, str]]:
    from iamlab.world.session import _CLIENTS

    return [(service, op) for service, (module, name) in _CLIENTS.items()
            for op in getattr(importlib.import_module(module), name).operations]


OPERATIONS = _operations()


@FUZZ
@given(st.sampled_from(OPERATIONS), st.data())
def test_generated_world_calls_raise_only_aws_shaped_errors(operation: tuple[str, str],
                                                            data: st.DataObject) -> None:
    """Whatever the parameters, a call answers or raises one of iamlab's errors (an AWS
    error, ParamValidationError), never a raw Python exception."""
    import inspect

    from iamlab.errors import IamlabError

    service, name = operation
    method = getattr(_session().client(service), name)
    params = [p for p in inspect.signature(inspect.unwrap(method)).parameters.values()
              if p.kind is inspect.Parameter.KEYWORD_ONLY]
    kwargs = {p.name: data.draw(st.one_of(st.just("x"), odd_values), label=p.name)
              for p in params if p.default is inspect.Parameter.empty or data.draw(
                  st.booleans(), label=f"give {p.name}")}
    try:
        method(**kwargs)
    except IamlabError as err:
        str(err).encode("utf-8")
        assert "\x1b" not in str(err)
