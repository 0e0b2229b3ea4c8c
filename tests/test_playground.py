"""The role playground model: the two steps (assume the role, then act with it).

References (AWS IAM User Guide): "Use an IAM role to grant permissions to applications running
on Amazon EC2 instances"; "Roles terms and concepts" (trust policy, permissions policy,
role session); "IAM identifiers" (assumed-role ARNs); "Policy evaluation logic" and
"Cross-account policy evaluation logic"; "Grant a user permissions to switch roles";
"Create a role for SAML 2.0 federation".
"""

from __future__ import annotations

import json

import pytest

from iamlab.errors import IamlabError, PolicyError
from iamlab.playground import (
    Ask,
    Caller,
    PlaygroundError,
    RolePlayground,
    ask_problems,
    catalog_problems,
)
from iamlab.policy import PolicyKind

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/AppRole"


def trust(principal: dict | str, action: str = "sts:AssumeRole", **extra: object) -> str:
    st = {"Effect": "Allow", "Principal": principal, "Action": action, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def allow(action: str | list[str], resource: str, effect: str = "Allow", sid: str = "S") -> str:
    st = {"Sid": sid, "Effect": effect, "Action": action, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


EC2_TRUST = trust({"Service": "ec2.amazonaws.com"})
READ_REPORTS = allow("s3:GetObject", "arn:aws:s3:::reports/*")
GET_REPORT = Ask("ec2.amazonaws.com", "s3:GetObject", "arn:aws:s3:::reports/q3.csv")


@pytest.fixture
def pg() -> RolePlayground:
    return RolePlayground.of(EC2_TRUST, READ_REPORTS)


def test_ec2_trusted_and_permitted_reads_the_object(pg: RolePlayground) -> None:
    outcome = pg.decide(GET_REPORT)
    assert outcome.assume.allowed and outcome.act.allowed and outcome.allowed
    assert outcome.failed_step is None
    assert outcome.assume.request.action == "sts:AssumeRole"
    assert outcome.assume.request.resource.arn == ROLE
    assert outcome.story.startswith("Allowed: EC2 (an instance) may wear the badge")


def test_the_session_is_an_assumed_role_arn_named_after_the_instance(pg: RolePlayground) -> None:
    # IAM identifiers: arn:aws:sts::account:assumed-role/role-name/role-session-name;
    # EC2 uses the instance ID as the session name.
    outcome = pg.decide(GET_REPORT)
    assert outcome.session_arn == (f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/"
                                   "i-0123456789abcdef0")
    assert outcome.act.request.principal == outcome.session_arn
    assert outcome.act.request.context["aws:PrincipalType"] == ("AssumedRole",)


def test_trust_naming_another_service_stops_ec2_at_step_one(pg: RolePlayground) -> None:
    wrong = pg.with_trust(trust({"Service": "lambda.amazonaws.com"}))
    outcome = wrong.decide(GET_REPORT)
    assert outcome.assume.decision == "implicitDeny"
    assert outcome.act.allowed  # the badge would allow it ...
    assert not outcome.allowed  # ... but nobody may wear it: permissions are useless
    assert outcome.failed_step == "assume"
    assert "may not wear the badge" in outcome.story
    assert "never come into play" in outcome.story
    # Lambda, named by the trust policy, may
    assert wrong.can_assume("lambda.amazonaws.com").allowed


def test_permission_naming_another_bucket_stops_the_role_at_step_two(pg: RolePlayground) -> None:
    wrong = pg.with_permissions(allow("s3:GetObject", "arn:aws:s3:::other-bucket/*"))
    outcome = wrong.decide(GET_REPORT)
    assert outcome.assume.allowed
    assert outcome.act.decision == "implicitDeny"
    assert outcome.failed_step == "act"
    assert "the badge does not allow s3:GetObject" in outcome.story
    assert outcome.act.statements[0].why_not == "its Resource does not cover this resource"


def test_being_trusted_gives_no_permissions(pg: RolePlayground) -> None:
    bare = pg.with_permissions()
    outcome = bare.decide(GET_REPORT)
    assert outcome.assume.allowed and not outcome.act.allowed
    assert outcome.act.aws_reason == ("because no identity-based policy allows the "
                                      "s3:GetObject action")


def test_explicit_deny_in_the_permissions_wins(pg: RolePlayground) -> None:
    denied = pg.with_permissions(READ_REPORTS, allow("s3:*", "*", "Deny", "NoS3"))
    outcome = denied.decide(GET_REPORT)
    assert outcome.act.decision == "explicitDeny"
    assert [r.statement.sid for r in outcome.act.deciding] == ["NoS3"]


def test_a_user_in_the_same_account_needs_its_own_permission_when_trust_names_the_account(
        pg: RolePlayground) -> None:
    # Trust naming the account delegates to the account's identity policies.
    account_trust = pg.with_trust(trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    alice = f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert account_trust.can_assume(alice).allowed  # alice's policy allows sts:AssumeRole
    bare_alice = Caller(alice, "Alice without policies")
    assert not account_trust.can_assume(bare_alice).allowed
    # a trust policy naming alice herself is enough within one account
    named = pg.with_trust(trust({"AWS": alice}))
    assert named.can_assume(bare_alice).allowed


def test_another_account_needs_both_sides(pg: RolePlayground) -> None:
    bob = "arn:aws:iam::444455556666:user/bob"
    trusted = pg.with_trust(trust({"AWS": "arn:aws:iam::444455556666:root"}))
    assert trusted.can_assume(bob).allowed
    assert not trusted.can_assume(Caller(bob, "Bob without policies")).allowed
    assert not pg.can_assume(bob).allowed  # EC2 trust: the other account is not named


def test_saml_federated_users_assume_with_saml(pg: RolePlayground) -> None:
    provider = f"arn:aws:iam::{ACCOUNT}:saml-provider/CorpSSO"
    saml = pg.with_trust(trust({"Federated": provider}, "sts:AssumeRoleWithSAML",
                               Condition={"StringEquals": {
                                   "SAML:aud": "https://signin.aws.amazon.com/saml"}}))
    decision = saml.can_assume(provider)
    assert decision.allowed
    assert decision.request.action == "sts:AssumeRoleWithSAML"
    wrong_audience = saml.can_assume(provider, {"saml:aud": "https://example.com/"})
    assert not wrong_audience.allowed


def test_who_can_assume_lists_every_caller(pg: RolePlayground) -> None:
    who = pg.who_can_assume()
    assert {p for p, d in who.items() if d.allowed} == {"ec2.amazonaws.com"}
    assert len(who) == len(pg.callers) == 6


def test_inventory_describes_the_role_and_the_users(pg: RolePlayground) -> None:
    inv = pg.inventory()
    role = inv.role("AppRole")
    assert role is not None and role.trust_policy == pg.trust
    assert role.policies == pg.permissions
    assert {u.name for u in inv.users} == {"alice", "bob"}


def test_bad_json_is_a_policy_error_with_a_place() -> None:
    with pytest.raises(PolicyError) as info:
        RolePlayground.of('{"Version": "2012-10-17", "Statement": [', READ_REPORTS)
    assert info.value.first.line == 1
    with pytest.raises(PolicyError) as info:
        RolePlayground.of(allow("s3:GetObject", "*"), READ_REPORTS)  # trust has Resource
    assert {p.code for p in info.value.problems} >= {"prohibited-resource", "missing-principal"}


def test_unknown_callers_and_empty_caller(pg: RolePlayground) -> None:
    stranger = pg.caller("arn:aws:iam::999999999999:user/eve")
    assert stranger.policies == ()
    assert not pg.can_assume(stranger).allowed
    with pytest.raises(PlaygroundError) as info:
        pg.caller("  ")
    assert isinstance(info.value, IamlabError)
    assert "choose who" in str(info.value)


def test_ask_problems_name_unknown_actions_and_wrong_resources() -> None:
    typo = ask_problems(Ask("ec2.amazonaws.com", "s3:GetObjekt", "arn:aws:s3:::reports/a"))
    assert typo and "s3:GetObjekt is not an AWS action" in typo[0]
    assert "s3:GetObject" in typo[0]  # the suggestion
    bucket = ask_problems(Ask("ec2.amazonaws.com", "s3:GetObject", "arn:aws:s3:::reports"))
    assert bucket and "is not a resource s3:GetObject acts on" in bucket[0]
    assert ask_problems(GET_REPORT) == []
    assert ask_problems(Ask("x", " ", "*")) == ["choose an action, for example s3:GetObject"]


def test_catalog_problems_warn_with_line_and_column() -> None:
    text = ('{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow",\n'
            '    "Action": ["s3:GetObject", "s3:GetObjekt"], "Resource": "*"}\n}')
    pg = RolePlayground.of(EC2_TRUST, text)
    problems = catalog_problems(pg.permissions[0], text)
    assert len(problems) == 1
    p = problems[0]
    assert (p.severity, p.code, p.line, p.column) == ("warning", "unknown-action", 4, 32)
    assert p.path == ("Statement", "Action", 1)
    assert catalog_problems(pg.trust, EC2_TRUST) == []
    assert catalog_problems(pg.permissions[0]) == [
        type(p)(p.code, p.message, ("Statement", 0, "Action", 1), None, None, "warning")]


def test_with_trust_accepts_text_and_policies(pg: RolePlayground) -> None:
    again = pg.with_trust(pg.trust)
    assert again == pg
    identity_kind = RolePlayground.of(EC2_TRUST).trust
    assert identity_kind.kind is PolicyKind.TRUST


# -- a role of an inventory (the simulated world's) ------------------------------------------

def test_from_inventory_takes_the_role_its_policies_and_the_users() -> None:
    from iamlab.world import scenarios

    s = scenarios.leaked_credentials()
    pg = RolePlayground.from_inventory(s.world.inventory(), "ReportReader",
                                       {"ec2.amazonaws.com": s.instance.instance_id})
    assert pg.role_arn == "arn:aws:iam::111122223333:role/ReportReader"
    outcome = pg.decide(Ask("ec2.amazonaws.com", "s3:GetObject", "arn:aws:s3:::reports/q3.csv"))
    assert outcome.allowed
    assert outcome.session_arn.endswith("/ReportReader/" + s.instance.instance_id)
    # the world's IAM user is a caller, with its own policy (which does not allow AssumeRole)
    app = pg.caller("arn:aws:iam::111122223333:user/report-app")
    assert app.policies and not pg.can_assume(app).allowed
    # the world agrees: the role's own session may read the report
    assert s.instance.session.can("s3:GetObject", "arn:aws:s3:::reports/q3.csv").allowed


def test_from_inventory_names_the_roles_when_one_is_missing() -> None:
    from iamlab.world import scenarios

    world = scenarios.ec2_reads_s3().world
    expected = r"no role named 'Reader' here \(roles: Administrator, ReportReader\)"
    with pytest.raises(PlaygroundError, match=expected):
        RolePlayground.from_inventory(world.inventory(), "Reader")


def test_a_bucket_policy_counts_in_step_two(pg: RolePlayground) -> None:
    # Policy evaluation logic: an explicit Deny in a resource-based policy wins.
    bucket_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": "arn:aws:s3:::reports/*"}]})
    from iamlab.parse import parse_policy

    guarded = RolePlayground(pg.trust, pg.permissions, resource_policies={
        "arn:aws:s3:::reports": parse_policy(bucket_policy, PolicyKind.RESOURCE)})
    assert guarded.decide(GET_REPORT).act.decision == "explicitDeny"
    assert guarded.resource_policy("arn:aws:s3:::other/x") is None


# -- a role with a path (IAM identifiers: arn:aws:iam::ACCOUNT:role/team/NAME) ---------------

BUILDER = f"arn:aws:iam::{ACCOUNT}:role/team/Builder"


def _world_with_a_role_on_a_path():  # type: ignore[no-untyped-def]
    """bob may assume roles under /team/ only; the role reads the bucket only because the
    bucket policy names it by its ARN, path included (Principal and aws:PrincipalArn)."""
    from iamlab.world import World

    world = World()
    a = world.admin
    a.s3.create_bucket(Bucket="artifacts")
    a.s3.put_object(Bucket="artifacts", Key="app.zip", Body=b"PK")
    account_trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole"}]}
    role = a.iam.create_role(RoleName="Builder", Path="/team/",
                             AssumeRolePolicyDocument=account_trust)["Role"]
    assert role["Arn"] == BUILDER
    a.iam.create_user(UserName="bob")
    a.iam.put_user_policy(UserName="bob", PolicyName="AssumeTeamRoles", PolicyDocument=json.loads(
        allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/team/*")))
    a.s3.put_bucket_policy(Bucket="artifacts", Policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": BUILDER}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::artifacts/app.zip"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::artifacts/other.zip",
         "Condition": {"ArnEquals": {"aws:PrincipalArn": BUILDER}}}]})
    return world


@pytest.mark.parametrize("key", ["app.zip", "other.zip"])
def test_a_role_with_a_path_is_decided_as_the_world_decides(key: str) -> None:
    world = _world_with_a_role_on_a_path()
    pg = RolePlayground.from_world(world, "Builder")
    assert pg.role_arn == BUILDER and pg.role_path == "/team/"
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    outcome = pg.decide(Ask(bob, "s3:GetObject", f"arn:aws:s3:::artifacts/{key}"))
    # step 1 acts on the role's ARN with its path (bob's policy allows role/team/* only)
    assert outcome.assume.request.resource.arn == BUILDER
    assert outcome.assume.allowed
    # step 2: the session ARN drops the path, yet the bucket policy's Principal and
    # aws:PrincipalArn name the role with it
    assert outcome.session_arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Builder/bob"
    assert outcome.act.request.context["aws:PrincipalArn"] == (BUILDER,)
    assert outcome.act.allowed and outcome.allowed
    # the world agrees, step by step
    out = world.user_session("bob").sts.assume_role(RoleArn=BUILDER, RoleSessionName="bob")
    session = world.session(out["Credentials"])
    assert session.can("s3:GetObject", f"arn:aws:s3:::artifacts/{key}").allowed
    # and so does the access graph: bob may assume the role, by its ARN with the path
    from iamlab.graph import build_graph

    assert pg.inventory().roles[0].arn == BUILDER
    graph = build_graph(world.inventory())
    assert any(e.source == bob and e.target == BUILDER for e in graph.edges)
    assert any(e.source == bob and e.target == BUILDER for e in build_graph(pg.inventory()).edges)


def test_the_role_path_is_normalised_and_kept_by_edits(pg: RolePlayground) -> None:
    from dataclasses import replace

    team = replace(pg, role_path="team")
    assert team.role_path == "/team/" and team.role_arn == BUILDER.replace("team/Builder",
                                                                          "team/AppRole")
    assert team.with_trust(EC2_TRUST).role_arn == team.role_arn
    assert RolePlayground(pg.trust, role_path="").role_arn == ROLE
    assert pg.decide(GET_REPORT).act.request.role_arn is None  # no path: nothing to add
