"""Properties that hold for every input: found with hypothesis over random documents and worlds.

- The parser never fails with anything but a PolicyError (check_policy never raises at all),
  whatever it is given: random JSON, random policy-like dicts, mutated valid policies,
  random text.
- Evaluation is monotonic as AWS's logic is (IAM User Guide, "Policy evaluation logic",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
  an explicit Deny overrides every Allow, so adding a Deny never allows what was denied;
  Allow statements only ever grant, so adding one (without Not* elements or conditions) to a
  policy that is already there never denies what was allowed, and an explicit deny stays.
- The explanation never changes the answer: explain=True decides as explain=False does.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from iamlab.conditions import BASE_OPERATORS
from iamlab.decision import Decision
from iamlab.engine import TRUST_ACTIONS, PolicySet, evaluate
from iamlab.errors import PolicyError
from iamlab.parse import PRINCIPAL_TYPES, STATEMENT_KEYS, TOP_KEYS, check_policy, parse_policy
from iamlab.policy import Policy, PolicyKind
from iamlab.request import Request

# 200 examples keep the suite fast; IAMLAB_EXAMPLES=5000 searches much deeper.
EXAMPLES = int(os.environ.get("IAMLAB_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# --- the parser never crashes -----------------------------------------------------------------

KINDS = st.sampled_from(list(PolicyKind))
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
           | st.text(max_size=12))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)

WORDS = [*TOP_KEYS, *STATEMENT_KEYS, *PRINCIPAL_TYPES, *BASE_OPERATORS,
         "ForAnyValue:StringLike", "ForAllValues:StringEquals", "StringEqualsIfExists",
         "statement", "Actions", "effect", "aws:SourceIp", "aws:username", "s3:prefix"]
VALUES = ["Allow", "Deny", "allow", "*", "s3:GetObject", "s3:*", "arn:aws:s3:::b/*",
          "2012-10-17", "2008-10-17", "111122223333", "arn:aws:iam::111122223333:root",
          "ec2.amazonaws.com", "10.0.0.0/8", "2025-01-01T00:00:00Z", "true", "12",
          "${aws:username}", "arn:aws:iam::*:user/x", ""]
POLICY_LIKE = st.recursive(
    SCALARS | st.sampled_from(VALUES),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=6), inner, max_size=5),
    max_leaves=30)
DOCUMENTS = st.fixed_dictionaries(
    {}, optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17"]) | SCALARS,
                  "Id": SCALARS,
                  "Statement": POLICY_LIKE | st.lists(POLICY_LIKE, max_size=3)})

VALID = [
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"],
         "Resource": "arn:aws:s3:::b/${aws:username}/*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]},
                       "ForAnyValue:StringLike": {"aws:TagKeys": "a*"}}},
        {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": False}}}]},
    {"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Principal": {"AWS": ["111122223333", "*"],
                                         "Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}},
    {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/a"},
        "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Condition": {"NumericLessThan": {"s3:max-keys": 10},
                      "DateGreaterThan": {"aws:CurrentTime": "2025-01-01"}}}]},
]


def mutate(doc: Any, data: st.DataObject) -> Any:
    """One random change deep inside ``doc``: drop, rename, replace, wrap or empty a value."""
    if isinstance(doc, (dict, list)) and doc and data.draw(st.booleans()):
        keys = list(doc) if isinstance(doc, dict) else list(range(len(doc)))
        key = data.draw(st.sampled_from(keys))
        copy: Any = dict(doc) if isinstance(doc, dict) else list(doc)
        copy[key] = mutate(copy[key], data)
        return copy
    change = data.draw(st.sampled_from(["replace", "wrap", "empty", "drop", "rename"]))
    if change == "replace":
        return data.draw(POLICY_LIKE)
    if change == "wrap":
        return [doc]
    if change == "empty":
        return type(doc)() if isinstance(doc, (dict, list, str)) else None
    if isinstance(doc, dict) and doc:
        key = data.draw(st.sampled_from(list(doc)))
        copy = dict(doc)
        value = copy.pop(key)
        if change == "rename":
            copy[data.draw(st.sampled_from(WORDS))] = value
        return copy
    return doc


def never_crashes(source: Any, kind: PolicyKind) -> None:
    """check_policy returns; parse_policy returns a Policy or raises PolicyError -- and
    the two agree."""
    policy, problems = check_policy(source, kind)
    assert isinstance(problems, list)
    try:
        parsed = parse_policy(source, kind)
    except PolicyError as exc:
        assert policy is None and exc.problems == problems and str(exc)
        assert all(p.message and p.code for p in exc.problems)
    else:
        assert policy == parsed and isinstance(parsed, Policy)
        assert parse_policy(parsed.to_json(), kind) == parsed


@SETTINGS
@given(JSON, KINDS)
def test_random_json_values(value: Any, kind: PolicyKind) -> None:
    never_crashes(value if isinstance(value, dict) else json.dumps(value), kind)


@SETTINGS
@given(DOCUMENTS, KINDS)
def test_random_policy_like_documents(doc: dict[str, Any], kind: PolicyKind) -> None:
    never_crashes(doc, kind)
    never_crashes(json.dumps(doc, indent=1), kind)


@SETTINGS
@given(st.sampled_from(VALID), KINDS, st.data())
def test_mutated_valid_policies(doc: dict[str, Any], kind: PolicyKind,
                                data: st.DataObject) -> None:
    mutated = mutate(doc, data)
    never_crashes(mutated if isinstance(mutated, dict) else json.dumps(mutated), kind)


@SETTINGS
@given(st.text(max_size=200) | st.text(alphabet='{}[]",: \n\\tfalsenu0123456789.-eE',
                                       max_size=80), KINDS)
def test_random_text(text: str, kind: PolicyKind) -> None:
    never_crashes(text, kind)


@SETTINGS
@given(st.sampled_from(VALID), st.data())
def test_damaged_json_text(doc: dict[str, Any], data: st.DataObject) -> None:
    text = json.dumps(doc, indent=2)
    at = data.draw(st.integers(0, len(text)))
    if data.draw(st.booleans()):
        text = text[:at] + data.draw(st.sampled_from(list('{}[]",:\\ x\n'))) + text[at:]
    else:
        text = text[:at] + text[at + 1:]
    never_crashes(text, data.draw(KINDS))


@SETTINGS
@given(st.binary(max_size=60))
def test_random_bytes(raw: bytes) -> None:
    never_crashes(raw, PolicyKind.IDENTITY)


# --- random worlds for the evaluation properties ----------------------------------------------

A, B = "111122223333", "444455556666"
USER_A = f"arn:aws:iam::{A}:user/alice"
ROLE_A = f"arn:aws:iam::{A}:role/App"
SESSION_A = f"arn:aws:sts::{A}:assumed-role/App/s1"
USER_B = f"arn:aws:iam::{B}:user/eve"
CALLERS = [USER_A, USER_A, SESSION_A, SESSION_A, USER_B, f"arn:aws:sts::{B}:assumed-role/Ops/x",
           f"arn:aws:iam::{A}:root", "ec2.amazonaws.com", "*"]
REQUESTS = [("s3:GetObject", "arn:aws:s3:::b/home/alice/k"), ("s3:PutObject", "arn:aws:s3:::b/k"),
            ("sts:AssumeRole", f"arn:aws:iam::{A}:role/Target"),
            ("kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/1"), ("kms:ListKeys", "*"),
            ("ec2:RunInstances", f"arn:aws:ec2:us-east-1:{A}:instance/i-1")] * 3 + [
            ("sts:GetCallerIdentity", "*")]
ACTIONS = st.sampled_from(["*", "*", "*", "s3:*", "kms:*", "sts:*", "s3:Get*", "s3:GetObject",
                           "s3:?utObject", "ec2:*", "kms:Decrypt", "sts:AssumeRole", "iam:*"])
RESOURCES = st.sampled_from(["*", "*", "*", "*", "arn:aws:s3:::b/*", "arn:aws:s3:::*",
                             "arn:aws:s3:::c/*", "arn:aws:kms:*:*:key/*",
                             f"arn:aws:iam::{A}:role/*", "arn:aws:s3:::b/home/${aws:username}/*",
                             f"arn:aws:ec2:*:{A}:instance/*"])
PRINCIPALS = st.sampled_from(["*", {"AWS": "*"}, {"AWS": A}, {"AWS": B}, {"AWS": USER_A},
                              {"AWS": ROLE_A}, {"AWS": SESSION_A}, {"AWS": USER_B},
                              {"Service": "ec2.amazonaws.com"},
                              {"AWS": [f"arn:aws:iam::{B}:root", USER_A]}])
CONDITIONS = st.sampled_from([
    {"StringEquals": {"aws:username": "alice"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "red"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": "a*"}},
    {"Null": {"aws:username": "true"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:*"}},
])
CONTEXT = st.fixed_dictionaries({}, optional={
    "aws:username": st.sampled_from(["alice", "bob"]),
    "aws:SecureTransport": st.sampled_from(["true", "false"]),
    "aws:SourceIp": st.sampled_from(["10.1.2.3", "192.0.2.1", "2001:db8::1"]),
    "aws:PrincipalTag/team": st.sampled_from(["red", "blue"]),
    "aws:TagKeys": st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
    "aws:PrincipalArn": st.sampled_from([ROLE_A, USER_A, USER_B]),
})
RESOURCE_SIDE = (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP)


@st.composite
def statements(draw: st.DrawFn, kind: PolicyKind, effect: str | None = None,
               plain: bool = False, aim: Request | None = None) -> dict[str, Any]:
    """A statement valid for ``kind``; ``plain`` means no Not* elements, no conditions;
    ``aim`` makes it likely to name that request's action and resource."""
    effect = effect or draw(st.sampled_from(["Allow", "Allow", "Allow", "Deny"]))
    out: dict[str, Any] = {"Effect": effect}
    actions = ACTIONS if aim is None else st.sampled_from([aim.action, "*"]) | ACTIONS
    resources = RESOURCES if aim is None else st.sampled_from([aim.resource.arn]) | RESOURCES
    negate = not plain and draw(st.integers(0, 3)) == 3
    out["NotAction" if negate else "Action"] = draw(st.lists(actions, min_size=1, max_size=2))
    if kind is not PolicyKind.TRUST:
        negate = not plain and draw(st.integers(0, 3)) == 3
        out["NotResource" if negate else "Resource"] = draw(resources)
    if kind in RESOURCE_SIDE:
        if kind is PolicyKind.RCP:
            out["Principal"] = "*"
        elif not plain and effect == "Deny" and kind is PolicyKind.RESOURCE \
                and draw(st.integers(0, 3)) == 3:
            out["NotPrincipal"] = draw(PRINCIPALS.filter(lambda p: p != "*"))
        else:
            out["Principal"] = draw(PRINCIPALS)
    if not plain and draw(st.integers(0, 3)) == 3:
        out["Condition"] = draw(CONDITIONS)
    return out


def build(kind: PolicyKind, stmts: list[dict[str, Any]], name: str) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": stmts}, kind, name, strict=False)


@st.composite
def org_level(draw: st.DrawFn, kind: PolicyKind) -> list[list[dict[str, Any]]]:
    """One organisation level: usually the full-access policy, plus random ones."""
    full: dict[str, Any] = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    if kind is PolicyKind.RCP:
        full["Principal"] = "*"
    level = [] if draw(st.integers(0, 7)) == 7 else [[full]]
    return level + draw(st.lists(st.lists(statements(kind), min_size=1, max_size=2),
                                 max_size=2))


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Request, dict[str, Any]]:
    """A request and, by PolicySet field, lists of statement lists (one per policy)."""
    caller = draw(st.sampled_from(CALLERS))
    action, arn = draw(st.sampled_from(REQUESTS))
    account = draw(st.sampled_from([A, B]))
    request = Request.of(caller, action, arn, draw(CONTEXT), account)
    rkind = PolicyKind.TRUST if action.lower() in TRUST_ACTIONS else PolicyKind.RESOURCE

    def docs(kind: PolicyKind, most: int, least: int = 0) -> list[list[dict[str, Any]]]:
        return draw(st.lists(st.lists(statements(kind), min_size=1, max_size=3),
                             min_size=least, max_size=most))

    world: dict[str, Any] = {
        "identity": docs(PolicyKind.IDENTITY, 2, least=int(draw(st.integers(0, 3)) != 3)),
        "resource": docs(rkind, 1),
        "boundary": docs(PolicyKind.BOUNDARY, 1) if draw(st.integers(0, 2)) == 2 else [],
        "session": docs(PolicyKind.SESSION, 1)
        if "assumed-role" in caller and draw(st.integers(0, 2)) == 2 else [],
        "scps": draw(st.none() | st.lists(org_level(PolicyKind.SCP), min_size=1, max_size=3)),
        "rcps": draw(st.none() | st.lists(org_level(PolicyKind.RCP), min_size=1, max_size=2)),
        "rkind": rkind,
    }
    return request, world


def policy_set(world: dict[str, Any]) -> PolicySet:
    def many(kind: PolicyKind, docs: list[list[dict[str, Any]]]) -> list[Policy]:
        return [build(kind, d, f"{kind.value}{i}") for i, d in enumerate(docs)]

    def levels(kind: PolicyKind, lv: Any) -> list[list[Policy]] | None:
        return None if lv is None else [many(kind, level) for level in lv]

    resource = many(world["rkind"], world["resource"])
    return PolicySet.of(
        identity=many(PolicyKind.IDENTITY, world["identity"]),
        resource=resource[0] if resource else None,
        boundary=many(PolicyKind.BOUNDARY, world["boundary"]),
        session=many(PolicyKind.SESSION, world["session"]),
        scps=levels(PolicyKind.SCP, world["scps"]),
        rcps=levels(PolicyKind.RCP, world["rcps"]))


def decide(request: Request, world: dict[str, Any]) -> Decision:
    policies = policy_set(world)
    quick = evaluate(request, policies)
    explained = evaluate(request, policies, explain=True)
    assert (explained.verdict, explained.blocked_by, explained.reason, explained.level) == \
        (quick.verdict, quick.blocked_by, quick.reason, quick.level)
    assert explained.summary == quick.summary
    return quick


def places(world: dict[str, Any], adding_allow: bool) -> list[tuple[str, tuple[int, ...]]]:
    """Where a statement can go: (field, index path to a statement list).

    A Deny may start a new policy anywhere; an Allow joins a policy already present (a new
    boundary or session policy would limit, not grant) or starts a new identity or resource
    policy, which only ever grant.
    """
    out: list[tuple[str, tuple[int, ...]]] = []
    for field in ("identity", "resource", "boundary", "session"):
        out += [(field, (i,)) for i in range(len(world[field]))]
        grants = field in ("identity", "resource") or not adding_allow
        if grants and (field != "resource" or not world[field]):
            out.append((field, (len(world[field]),)))
    for field in ("scps", "rcps"):
        for i, level in enumerate(world[field] or []):
            out += [(field, (i, j)) for j in range(len(level))]
            if not adding_allow:
                out.append((field, (i, len(level))))
    return out


def with_statement(world: dict[str, Any], place: tuple[str, tuple[int, ...]],
                   statement: dict[str, Any]) -> dict[str, Any]:
    field, path = place
    new = json.loads(json.dumps({k: v for k, v in world.items() if k != "rkind"}))
    new["rkind"] = world["rkind"]
    target = new[field]
    for index in path[:-1]:
        target = target[index]
    if path[-1] == len(target):
        target.append([])
    target[path[-1]].append(statement)
    return new


def kind_of(field: str, world: dict[str, Any]) -> PolicyKind:
    return {"identity": PolicyKind.IDENTITY, "resource": world["rkind"],
            "boundary": PolicyKind.BOUNDARY, "session": PolicyKind.SESSION,
            "scps": PolicyKind.SCP, "rcps": PolicyKind.RCP}[field]


@SETTINGS
@given(worlds(), st.data())
def test_adding_a_deny_never_allows(world: tuple[Request, dict[str, Any]],
                                    data: st.DataObject) -> None:
    request, policies = world
    before = decide(request, policies)
    place = data.draw(st.sampled_from(places(policies, adding_allow=False)))
    statement = data.draw(statements(kind_of(place[0], policies), effect="Deny", aim=request))
    after = decide(request, with_statement(policies, place, statement))
    if not before.allowed:
        assert not after.allowed, (before.summary, after.summary)
    if before.decision == "explicitDeny":
        assert after.decision == "explicitDeny"


@SETTINGS
@given(worlds(), st.data())
def test_adding_a_plain_allow_never_denies(world: tuple[Request, dict[str, Any]],
                                           data: st.DataObject) -> None:
    request, policies = world
    before = decide(request, policies)
    options = places(policies, adding_allow=True)
    assume(options)
    place = data.draw(st.sampled_from(options))
    statement = data.draw(statements(kind_of(place[0], policies), effect="Allow", plain=True,
                                     aim=request))
    after = decide(request, with_statement(policies, place, statement))
    if before.allowed:
        assert after.allowed, (before.summary, after.summary)
    if before.decision == "explicitDeny":
        assert after.decision == "explicitDeny"


@SETTINGS
@given(worlds())
def test_explanation_never_changes_the_answer(world: tuple[Request, dict[str, Any]]) -> None:
    request, policies = world
    decision = decide(request, policies)  # compares explain=True with explain=False
    assert decision.summary
