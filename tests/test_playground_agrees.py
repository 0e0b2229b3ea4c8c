"""The role playground decides as the simulated world does, for every role of every scenario
and for worlds where what the playground used to leave out decides: a permissions boundary,
role tags and the role's unique ID in conditions, SCPs and RCPs, and resources' own policies
(a bucket policy, a KMS key policy).

The world's side is the real thing: step 1 is the caller assuming the role (a user through
``sts.assume_role``, a service through the world's service AssumeRole), step 2 is
``session.can(...)`` with a session of the role named as the playground names it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from iamlab.arn import parse_arn
from iamlab.decision import Decision
from iamlab.playground import Ask, Caller, RolePlayground
from iamlab.world import AccessDenied, World
from iamlab.world import scenarios as sc
from iamlab.world.model import Role
from iamlab.world.session import Session
from iamlab.world.sts import service_assume_role

ACCOUNT = "111122223333"
MEMBER = "444455556666"
OUTSIDER = "777788889999"
VERSION = "2012-10-17"


def _asks(world: World) -> list[tuple[str, str]]:
    """Requests worth trying on everything the world holds (and ``*``)."""
    out = [("s3:ListAllMyBuckets", "*")]
    for bucket in world.buckets.values():
        for key in [*list(bucket.objects)[:2], "new.txt"]:
            out += [(a, f"{bucket.arn}/{key}") for a in ("s3:GetObject", "s3:PutObject")]
        out.append(("s3:ListBucket", bucket.arn))
    for acct in world.accounts.values():
        out += [(a, q.arn) for q in acct.queues.values()
                for a in ("sqs:ReceiveMessage", "sqs:SendMessage")]
        out += [(a, t.arn) for t in acct.tables.values()
                for a in ("dynamodb:PutItem", "dynamodb:GetItem")]
        out += [("kms:Decrypt", k.arn) for k in acct.keys.values()]
        out += [("secretsmanager:GetSecretValue", s.arn) for s in acct.secrets.values()]
        out += [("sts:AssumeRole", r.arn) for r in acct.roles.values()]
        out += [("logs:PutLogEvents", f"arn:aws:logs:{world.region}:{acct.account_id}:"
                 f"log-group:{g}:log-stream:x") for g in acct.log_groups]
    return out


class _WorldSide:
    """Both steps as the world decides them, with one access key per user."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.users: dict[str, Session] = {}

    def assume(self, role: Role, caller: Caller) -> tuple[Decision, Session | None]:
        """Step 1: the caller assumes the role; the decision and, if allowed, the session."""
        if caller.is_service:
            made, decision = service_assume_role(self.world, caller.principal, role,
                                                 session_name=caller.session_name, duration=3600)
            return decision, self.world.session(made.credentials) if made else None
        arn = parse_arn(caller.principal)
        assert arn is not None and arn.resource.startswith("user/")
        if caller.principal not in self.users:
            self.users[caller.principal] = self.world.user_session(
                arn.resource.rsplit("/", 1)[-1], account=arn.account)
        try:
            out = self.users[caller.principal].sts.assume_role(
                RoleArn=role.arn, RoleSessionName=caller.session_name)
        except AccessDenied as denied:
            assert denied.decision is not None
            return denied.decision, None
        return self.world.call_log.records[-1].decision, self.world.session(out["Credentials"])

    def session(self, role: Role, caller: Caller, assumed: Session | None) -> Session:
        """Step 2's session: the one assumed, or one issued as the caller would get it."""
        if assumed is not None:
            return assumed
        made = self.world.issue_role_session(role, session_name=caller.session_name,
                                             duration=3600, issued_to="iamlab-test")
        return self.world.session(made.credentials)


def assert_agrees(world: World, roles: list[Role] | None = None) -> int:
    """Every role × caller × request: both steps and the final answer as the world's.
    Returns how many requests were compared."""
    side = _WorldSide(world)
    asks = _asks(world)
    compared = 0
    for role in roles if roles is not None else _roles(world):
        pg = RolePlayground.from_world(world, role.arn)
        for caller in pg.callers:
            step1, assumed = side.assume(role, caller)
            session = side.session(role, caller, assumed)
            for action, resource in asks:
                outcome = pg.decide(Ask(caller.principal, action, resource))
                step2 = session.can(action, resource)
                where = f"{role.arn}, {caller.principal}, {action} on {resource}"
                assert outcome.assume.decision == step1.decision, f"step 1: {where}"
                assert outcome.act.decision == step2.decision, f"step 2: {where}"
                assert outcome.allowed == (step1.allowed and step2.allowed), where
                compared += 1
    return compared


def _roles(world: World) -> list[Role]:
    return [r for acct in world.accounts.values() for r in acct.roles.values()]


# -- every ready-made scenario ------------------------------------------------------------------

SCENARIOS: dict[str, Callable[[], Any]] = {
    "ec2_reads_s3": sc.ec2_reads_s3, "lambda_writes_dynamodb": sc.lambda_writes_dynamodb,
    "ecs_task_reads_sqs": sc.ecs_task_reads_sqs,
    "autoscaling_service_linked_role": sc.autoscaling_service_linked_role,
    "cross_account_s3": sc.cross_account_s3, "third_party_external_id": sc.third_party_external_id,
    "leaked_credentials": sc.leaked_credentials, "how_aws_decides": sc.how_aws_decides,
    "sessions": sc.sessions,
}


def test_every_scenario_is_listed() -> None:
    builders = {n for n in sc.__all__ if n[0].islower() and n not in ("allow", "trust",
                                                                      "save_order")}
    assert builders == set(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_playground_agrees_with_the_world_in_every_scenario(name: str) -> None:
    world = SCENARIOS[name]().world
    assert assert_agrees(world) > 0


# -- hand-built worlds: what the playground must carry ------------------------------------------

def _allow(actions: str | list[str], resources: str | list[str]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": actions,
                                               "Resource": resources}]}


def _trust_account_and_ec2(account: str = ACCOUNT) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root",
                                         "Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}


def _bucket(admin: Session, name: str, *keys: str) -> None:
    admin.s3.create_bucket(Bucket=name)
    for key in keys:
        admin.s3.put_object(Bucket=name, Key=key, Body=b"x")


def _user(admin: Session, name: str, *policies: dict[str, Any]) -> None:
    admin.iam.create_user(UserName=name)
    for n, doc in enumerate(policies):
        admin.iam.put_user_policy(UserName=name, PolicyName=f"p{n}", PolicyDocument=doc)


def _decide(pg: RolePlayground, action: str, resource: str, caller: str = "ec2.amazonaws.com"
            ) -> str:
    return pg.decide(Ask(caller, action, resource)).act.decision


def test_a_boundary_that_denies_counts_as_in_the_world() -> None:
    world = World()
    admin = world.admin
    _bucket(admin, "data", "a.csv")
    boundary = admin.iam.create_policy(PolicyName="OnlyRead", PolicyDocument={
        "Version": VERSION, "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "*"}]})["Policy"]["Arn"]
    admin.iam.create_role(RoleName="Bounded", AssumeRolePolicyDocument=_trust_account_and_ec2(),
                          PermissionsBoundary=boundary)
    admin.iam.put_role_policy(RoleName="Bounded", PolicyName="S3", PolicyDocument=_allow(
        "s3:*", ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]))
    _user(admin, "dev", _allow("sts:AssumeRole", "*"))
    assert assert_agrees(world) > 0

    pg = RolePlayground.from_world(world, "Bounded")
    assert pg.boundary is not None and pg.boundary.name == "OnlyRead"
    assert _decide(pg, "s3:GetObject", "arn:aws:s3:::data/a.csv") == "allowed"
    assert _decide(pg, "s3:PutObject", "arn:aws:s3:::data/a.csv") == "implicitDeny"
    assert _decide(pg, "s3:ListBucket", "arn:aws:s3:::data") == "explicitDeny"
    unbounded = replace(pg, boundary=None)  # what the playground used to say
    assert _decide(unbounded, "s3:PutObject", "arn:aws:s3:::data/a.csv") == "allowed"
    # the boundary goes to the access graph too
    assert pg.inventory().roles[0].boundary == pg.boundary


def test_role_tags_and_the_role_id_count_as_in_the_world() -> None:
    world = World()
    admin = world.admin
    _bucket(admin, "data", "blue/a.csv", "red/a.csv")
    role = admin.iam.create_role(
        RoleName="TeamRole", AssumeRolePolicyDocument=_trust_account_and_ec2(),
        Tags=[{"Key": "team", "Value": "blue"}])["Role"]
    admin.iam.put_role_policy(RoleName="TeamRole", PolicyName="OwnTeam", PolicyDocument={
        "Version": VERSION, "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::data/${aws:PrincipalTag/team}/*"},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*",
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}]})
    # only this role's sessions may write, whoever else the account lets in (aws:userid)
    admin.s3.put_bucket_policy(Bucket="data", Policy={"Version": VERSION, "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::data/*",
        "Condition": {"StringNotLike": {"aws:userid": f"{role['RoleId']}:*"}}}]})
    _user(admin, "dev", _allow("sts:AssumeRole", "*"), _allow("s3:*", "*"))
    admin.iam.tag_user(UserName="dev", Tags=[{"Key": "team", "Value": "red"}])
    assert assert_agrees(world) > 0

    pg = RolePlayground.from_world(world, "TeamRole")
    assert pg.tags == {"team": "blue"} and pg.role_id == role["RoleId"]
    assert _decide(pg, "s3:GetObject", "arn:aws:s3:::data/blue/a.csv") == "allowed"
    assert _decide(pg, "s3:GetObject", "arn:aws:s3:::data/red/a.csv") == "implicitDeny"
    assert _decide(pg, "s3:PutObject", "arn:aws:s3:::data/x") == "allowed"
    untagged = replace(pg, tags={}, role_id=None)  # what the playground used to say
    assert _decide(untagged, "s3:GetObject", "arn:aws:s3:::data/blue/a.csv") == "implicitDeny"
    assert _decide(untagged, "s3:PutObject", "arn:aws:s3:::data/x") == "explicitDeny"
    dev = pg.caller(f"arn:aws:iam::{ACCOUNT}:user/dev")
    assert dev.tags == {"team": "red"} and dev.userid is not None
    assert pg.inventory().roles[0].tags == {"team": "blue"}


def _organisation_world() -> World:
    """A member account whose SCP denies writing to S3 and whose RCP keeps its bucket inside
    the organisation; an outside-looking member account whose SCP denies assuming roles."""
    world = World()
    world.create_account(MEMBER)
    world.create_account(OUTSIDER)
    member = world.root(MEMBER)
    _bucket(member, "member-data", "a.csv")
    member.iam.create_role(RoleName="Worker", AssumeRolePolicyDocument={
        "Version": VERSION, "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
                "AWS": [f"arn:aws:iam::{MEMBER}:root", f"arn:aws:iam::{OUTSIDER}:root"],
                "Service": "ec2.amazonaws.com"}}]})
    member.iam.put_role_policy(RoleName="Worker", PolicyName="S3",
                               PolicyDocument=_allow("s3:*", "*"))
    _user(member, "dev", _allow("sts:AssumeRole", "*"))
    _user(world.root(OUTSIDER), "visitor", _allow("sts:AssumeRole", "*"))
    # the organisation last: its SCP would stop the member's root from filling the bucket
    org = world.create_organization(rcps=True)
    org.create_policy("NoS3Writes", {"Version": VERSION, "Statement": [{
        "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]})
    org.attach_policy("NoS3Writes", MEMBER)
    org.create_policy("NoRoles", {"Version": VERSION, "Statement": [{
        "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]})
    org.attach_policy("NoRoles", OUTSIDER)
    org.create_policy("DataStaysInTheOrg", {"Version": VERSION, "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org.org_id}}}]},
        type="RESOURCE_CONTROL_POLICY")
    org.attach_policy("DataStaysInTheOrg", MEMBER)
    return world


def test_scps_and_rcps_count_as_in_the_world() -> None:
    world = _organisation_world()
    assert assert_agrees(world) > 0

    pg = RolePlayground.from_world(world, f"arn:aws:iam::{MEMBER}:role/Worker")
    org = pg.org
    assert org is not None and world.organization is not None
    assert org.org_id == world.organization.org_id
    obj = "arn:aws:s3:::member-data/a.csv"
    assert pg.resource_owner(obj) == MEMBER
    assert _decide(pg, "s3:PutObject", obj) == "explicitDeny"  # the member's SCP
    get = pg.decide(Ask("ec2.amazonaws.com", "s3:GetObject", obj))
    assert get.act.allowed  # the RCP lets the organisation's principals in
    assert get.act.request.context["aws:PrincipalOrgID"] == (org.org_id,)
    visitor = f"arn:aws:iam::{OUTSIDER}:user/visitor"
    assert pg.can_assume(visitor).decision == "explicitDeny"  # the visitor's account's SCP
    assert pg.can_assume(f"arn:aws:iam::{MEMBER}:user/dev").allowed
    outside = replace(pg, org=None)  # what the playground used to say
    assert _decide(outside, "s3:PutObject", obj) == "allowed"
    assert outside.can_assume(visitor).allowed


def test_resource_policies_that_deny_the_role_count_as_in_the_world() -> None:
    world = World()
    admin = world.admin
    _bucket(admin, "guarded", "a.csv")
    role_arn = admin.iam.create_role(RoleName="Reader",
                                     AssumeRolePolicyDocument=_trust_account_and_ec2())["Role"]["Arn"]
    admin.iam.put_role_policy(RoleName="Reader", PolicyName="All", PolicyDocument=_allow(
        ["s3:*", "kms:*", "sqs:*"], ["arn:aws:s3:::guarded*", "arn:aws:kms:*", "arn:aws:sqs:*"]))
    # a bucket of another account whose policy lets the role in: across accounts the role's
    # own policies must allow too, so knowing the bucket's owner matters
    world.create_account(MEMBER)
    partner = world.root(MEMBER)
    _bucket(partner, "partner-drop", "a.csv")
    partner.s3.put_bucket_policy(Bucket="partner-drop", Policy={"Version": VERSION,
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": role_arn},
                       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::partner-drop/*"}]})
    admin.s3.put_bucket_policy(Bucket="guarded", Policy={"Version": VERSION, "Statement": [{
        "Effect": "Deny", "Principal": {"AWS": role_arn}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::guarded/*"}]})
    key = admin.kms.create_key(Policy={"Version": VERSION, "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": role_arn}, "Action": "kms:Decrypt",
         "Resource": "*"}]})["KeyMetadata"]["Arn"]
    queue_url = admin.sqs.create_queue(QueueName="jobs")["QueueUrl"]
    admin.sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps({
        "Version": VERSION, "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]})})
    _user(admin, "dev", _allow("sts:AssumeRole", "*"))
    assert assert_agrees(world) > 0

    pg = RolePlayground.from_world(world, "Reader")
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
    assert _decide(pg, "s3:GetObject", "arn:aws:s3:::guarded/a.csv") == "explicitDeny"
    assert _decide(pg, "s3:PutObject", "arn:aws:s3:::guarded/a.csv") == "allowed"
    assert _decide(pg, "kms:Decrypt", key) == "explicitDeny"
    assert _decide(pg, "kms:Encrypt", key) == "allowed"
    assert _decide(pg, "sqs:SendMessage", queue) == "explicitDeny"
    assert _decide(pg, "sqs:ReceiveMessage", queue) == "allowed"
    dropped = "arn:aws:s3:::partner-drop/a.csv"
    assert pg.resource_owner(dropped) == MEMBER
    assert _decide(pg, "s3:GetObject", dropped) == "implicitDeny"
    assert _decide(replace(pg, resource_owners={}), "s3:GetObject", dropped) == "allowed"
    # step 2 on a role (chaining) weighs that role's trust policy; its own, as edited
    assert _decide(pg, "sts:AssumeRole", role_arn) == "implicitDeny"
    self_trusting = pg.with_trust({"Version": VERSION, "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": role_arn}, "Action": "sts:AssumeRole"}]})
    assert _decide(self_trusting, "sts:AssumeRole", role_arn) == "allowed"
