"""Worlds and inventories: a snapshot of a world, a world from a snapshot or a real dump.

References: IAM API Reference, "GetAccountAuthorizationDetails"; IAM User Guide, "Policy
evaluation logic" (a user's policies include its groups'), "Use service-linked roles",
"Use instance profiles"; the three dumps are described in tests/data/authz-README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iamlab.inventory import GroupInfo, Inventory, RoleInfo, UserInfo
from iamlab.parse import parse_policy
from iamlab.policy import PolicyKind
from iamlab.world import AccessDenied, World
from iamlab.world import scenarios as S

DATA = Path(__file__).parent / "data"
ACCT = "111122223333"


def policy(doc, name, kind=PolicyKind.IDENTITY):
    return parse_policy(doc, kind, name=name)


READ = policy(S.allow("s3:GetObject", "arn:aws:s3:::reports/*"), "ReadReports")
READONLY = policy(S.allow(["s3:Get*", "s3:List*"], "*"), "AmazonS3ReadOnlyAccess")
TRUST_EC2 = policy(S.trust("ec2.amazonaws.com"), "trust", PolicyKind.TRUST)


def hand_built() -> Inventory:
    group = GroupInfo(f"arn:aws:iam::{ACCT}:group/readers", "readers", ACCT, (READONLY,))
    user = UserInfo(f"arn:aws:iam::{ACCT}:user/alice", "alice", ACCT, (READ, READONLY),
                    groups=(group.arn,), tags={"team": "blue"})
    role = RoleInfo(f"arn:aws:iam::{ACCT}:role/App", "App", ACCT, TRUST_EC2, (READ,),
                    instance_profiles=(f"arn:aws:iam::{ACCT}:instance-profile/App",))
    return Inventory((user,), (group,), (role,),
                     {"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess": READONLY})


def test_a_world_from_a_hand_built_inventory_decides_with_its_policies():
    world = World.from_inventory(hand_built())
    acct = world.accounts[ACCT]
    alice = acct.users["alice"]
    assert list(alice.inline) == ["ReadReports"]  # the group's policy is not copied to her
    assert alice.groups == ["readers"]
    assert acct.groups["readers"].attached == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    assert acct.instance_profiles["App"].roles == ["App"]
    world.admin.s3.create_bucket(Bucket="reports")
    world.admin.s3.put_object(Bucket="reports", Key="q3.csv", Body="x")
    session = world.user_session("alice")
    assert session.s3.list_objects_v2(Bucket="reports")["KeyCount"] == 1  # via the group
    with pytest.raises(AccessDenied):
        session.s3.put_object(Bucket="reports", Key="new", Body="y")
    # the role is handed to an instance through its instance profile
    iid = world.admin.ec2.run_instances(IamInstanceProfile={"Name": "App"})["Instances"][0][
        "InstanceId"]
    assert world.instance(iid).session.s3.get_object(Bucket="reports", Key="q3.csv")


def test_inventory_round_trip_keeps_every_principal_and_policy():
    original = hand_built()
    again = World.from_inventory(original).inventory()
    for user in original.users:
        got = again.user(user.arn)
        assert got is not None
        assert sorted(p.to_json() for p in got.policies) == \
            sorted(p.to_json() for p in user.policies)
        assert got.groups == user.groups and dict(got.tags) == dict(user.tags)
    role = again.role("App")
    assert role is not None and role.trust_policy.to_json() == TRUST_EC2.to_json()
    assert role.instance_profiles == (f"arn:aws:iam::{ACCT}:instance-profile/App",)
    assert set(again.managed_policies) == set(original.managed_policies)


def test_a_worlds_inventory_shows_roles_profiles_service_linked_roles_and_scps():
    s = S.autoscaling_service_linked_role()
    inv = s.world.inventory()
    slr = inv.role("AWSServiceRoleForAutoScaling")
    assert slr is not None and slr.service_linked
    assert [p.name for p in slr.policies] == ["AutoScalingServiceRolePolicy"]
    e = S.ec2_reads_s3().world.inventory()
    role = e.role("ReportReader")
    assert role.instance_profiles == (f"arn:aws:iam::{ACCT}:instance-profile/ReportReader",)
    assert [st.principals[0].value for st in role.trust_policy.statements] == [
        "ec2.amazonaws.com"]
    assert e.scps == {}


DUMPS = {
    "authz-cloudsplaining-example.json": (44, 5, 78, 84),
    "authz-cloudsplaining-teaching.json": (3, 2, 3, 32),
    "authz-cloudmapper-demo.json": (2, 1, 4, 2),
}


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_every_user_group_role_and_policy_of_a_dump_arrives(name):
    from iamlab.authz_dump import load_inventory

    loaded = load_inventory(DATA / name)
    world = World.load_authorization_details(DATA / name)
    inv = world.inventory()
    assert (len(inv.users), len(inv.groups), len(inv.roles), len(inv.managed_policies)) == \
        DUMPS[name]
    for user in loaded.users:
        got = inv.user(user.arn)
        assert got is not None, user.arn
        assert sorted(p.to_json() for p in got.policies) == \
            sorted(p.to_json() for p in user.policies), user.name
    for role in loaded.roles:
        got = inv.role(role.arn)
        assert got is not None, role.arn
        assert sorted(p.to_json() for p in got.policies) == \
            sorted(p.to_json() for p in role.policies), role.name
        assert got.instance_profiles == role.instance_profiles
        assert got.service_linked == role.service_linked
    assert inv.notes == loaded.notes


def test_cloudmapper_dump_bad_role_trusts_everyone():
    world = World.load_authorization_details(DATA / "authz-cloudmapper-demo.json")
    outsider = world.create_account("444455556666")
    world.root(outsider.account_id).iam.create_user(UserName="mallory")
    world.root(outsider.account_id).iam.put_user_policy(
        UserName="mallory", PolicyName="assume", PolicyDocument=S.allow("sts:AssumeRole", "*"))
    mallory = world.user_session("mallory", account=outsider.account_id)
    # bad_role's trust policy says "AWS": "*": anyone, from any account
    out = mallory.sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/bad_role",
                                  RoleSessionName="mallory")
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/bad_role/mallory")
    # exfiller trusts only EC2
    with pytest.raises(AccessDenied):
        mallory.sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/exfiller",
                                RoleSessionName="mallory")
    # USER gets AmazonEC2RoleforSSM through its group: s3:PutObject yes, s3:DeleteObject no
    user = world.user_session("USER", account="123456789012")
    assert user.can("s3:PutObject", "arn:aws:s3:::any-bucket/k").allowed
    assert not user.can("s3:DeleteObject", "arn:aws:s3:::any-bucket/k").allowed


def test_teaching_dump_spot_decisions():
    world = World.load_authorization_details(DATA / "authz-cloudsplaining-teaching.json")
    acct = "012345678901"
    admin_user = world.user_session("learner2", account=acct)  # AdministratorAccess
    assert admin_user.can("iam:CreateRole", f"arn:aws:iam::{acct}:role/x").allowed
    learner3 = world.user_session("learner3", account=acct)
    got = learner3.can("s3:GetObject", "arn:aws:s3:::b/k")  # its inline InsecureUserPolicy
    assert got.allowed and 'identity-based policy "InsecureUserPolicy"' in got.summary
    got = learner3.can("rds:CreateDBInstance", f"arn:aws:rds:us-east-1:{acct}:db:x")
    assert got.allowed and "AmazonRDSFullAccess" in got.summary  # from its group
    assert not learner3.can("iam:CreateUser", f"arn:aws:iam::{acct}:user/x").allowed
    # OverprivilegedEC2 reaches an instance through its instance profile
    root = world.root(acct)
    root.s3.create_bucket(Bucket="drop-zone")
    iid = root.ec2.run_instances(IamInstanceProfile={"Name": "OverprivilegedEC2"})[
        "Instances"][0]["InstanceId"]
    on_instance = world.instance(iid).session
    on_instance.s3.put_object(Bucket="drop-zone", Key="k", Body="x")  # InsecurePolicy
    with pytest.raises(AccessDenied):
        on_instance.s3.delete_object(Bucket="drop-zone", Key="k")


def test_example_dump_trust_relationships():
    world = World.load_authorization_details(DATA / "authz-cloudsplaining-example.json")
    acct = "210987654321"
    sre = world.user_session("privesc-sre-user", account=acct)
    # the trust policy names the user itself, in the same account: enough on its own
    out = sre.sts.assume_role(RoleArn=f"arn:aws:iam::{acct}:role/privesc-sre-role",
                              RoleSessionName="sre")
    assert out["AssumedRoleUser"]["Arn"].endswith("privesc-sre-role/sre")
    # OrganizationAccountAccessRole trusts the management account 098765432109 only
    for account, allowed in (("098765432109", True), ("012345678901", False)):
        if account not in world.accounts:
            world.create_account(account)
        admin = world.administrator_of(account)  # root may not assume roles: an admin role
        role = f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole"
        if allowed:
            assert admin.sts.assume_role(RoleArn=role, RoleSessionName="ops")
        else:
            with pytest.raises(AccessDenied):
                admin.sts.assume_role(RoleArn=role, RoleSessionName="ops")
