"""Loading `aws iam get-account-authorization-details` dumps (tests/data/authz-*.json).

Counts come from the summary table of tests/data/authz-README.md; the rules from the IAM User
Guide ("Policy evaluation logic": a user's groups' policies apply to it; "Managed policies and
inline policies": the default version is the one in force; "Using service-linked roles").
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from iamlab.authz_dump import DumpError, load_inventory
from iamlab.engine import PolicySet, evaluate
from iamlab.policy import PolicyKind
from iamlab.request import Request

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "authz-cloudsplaining-example.json"
TEACHING = DATA / "authz-cloudsplaining-teaching.json"
DEMO = DATA / "authz-cloudmapper-demo.json"

# authz-README.md, "Summary": users, groups, roles, managed policies, instance profiles
COUNTS = {
    EXAMPLE: (44, 5, 78, 84, 2),
    TEACHING: (3, 2, 3, 32, 1),
    DEMO: (2, 1, 4, 2, 0),
}


@pytest.mark.parametrize("path", list(COUNTS), ids=lambda p: p.name)
def test_every_entity_arrives(path: Path) -> None:
    inv = load_inventory(path)
    users, groups, roles, managed, profiles = COUNTS[path]
    assert (len(inv.users), len(inv.groups), len(inv.roles)) == (users, groups, roles)
    assert len(inv.managed_policies) == managed
    assert sum(1 for r in inv.roles if r.instance_profiles) == profiles
    raw = json.loads(path.read_text())
    assert {u.arn.rsplit("/", 1)[1] for u in inv.users} == \
        {u["UserName"] for u in raw["UserDetailList"]}
    assert {r.arn for r in inv.roles} == {r["Arn"] for r in raw["RoleDetailList"]}
    # every trust policy parsed as a trust policy
    assert all(r.trust_policy is not None and r.trust_policy.kind is PolicyKind.TRUST
               for r in inv.roles)


def test_inline_policy_counts_match_readme() -> None:
    # README: inline policies (user / group / role) 2 / 1 / 36 in cloudsplaining-example
    raw = json.loads(EXAMPLE.read_text())
    inv = load_inventory(EXAMPLE)
    role_inline = sum(len(r["RolePolicyList"]) for r in raw["RoleDetailList"])
    assert role_inline == 36
    managed = {id(p) for p in inv.managed_policies.values()}
    assert sum(1 for r in inv.roles for p in r.policies if id(p) not in managed) == 36


def test_user_gets_its_groups_policies() -> None:
    inv = load_inventory(TEACHING)
    user = inv.user("userwithlotsofpermissions")
    assert user is not None
    names = {p.name for p in user.policies}
    # its own inline policy and the admin group's attached AdministratorAccess
    assert names == {"InsecureUserPolicy", "AdministratorAccess"}
    assert user.groups == ("arn:aws:iam::012345678901:group/admin",)


def test_default_version_is_the_one_loaded() -> None:
    raw = json.loads(EXAMPLE.read_text())
    entry = next(p for p in raw["Policies"] if p["PolicyName"] == "AWSCodeCommitPowerUser")
    assert len(entry["PolicyVersionList"]) == 2  # README quirk: v11 is the default
    default = next(v for v in entry["PolicyVersionList"] if v["IsDefaultVersion"])
    other = next(v for v in entry["PolicyVersionList"] if not v["IsDefaultVersion"])
    assert default["VersionId"] == "v11"
    assert default["Document"] != other["Document"]
    loaded = load_inventory(EXAMPLE).managed_policies[entry["Arn"]]
    assert loaded.to_dict() == _normalised(default["Document"])
    assert loaded.to_dict() != _normalised(other["Document"])


def _normalised(doc: dict) -> dict:
    from iamlab.parse import parse_policy

    return parse_policy(doc).to_dict()


def test_service_linked_roles_detected_by_path() -> None:
    inv = load_inventory(EXAMPLE)
    linked = {r.name for r in inv.roles if r.service_linked}
    assert linked == {r.name for r in inv.roles if r.path.startswith("/aws-service-role/")}
    assert "AWSServiceRoleForSSO" in linked
    reserved = [r for r in inv.roles if r.path == "/aws-reserved/sso.amazonaws.com/"]
    assert reserved and not any(r.service_linked for r in reserved)


def test_aws_in_account_field_is_repaired_with_a_note() -> None:
    inv = load_inventory(DEMO)
    assert {u.arn for u in inv.users} == {
        "arn:aws:iam::123456789012:user/USER",
        "arn:aws:iam::123456789012:user/USER_WITH_BAD_INLINE_POLICY"}
    assert inv.groups[0].arn == "arn:aws:iam::123456789012:group/GROUP_WITH_BAD_INLINE_POLICY"
    assert sum("'aws' in the account field" in n for n in inv.notes) == 3
    user = inv.user("USER")
    assert user is not None and user.groups == (inv.groups[0].arn,)


def test_url_encoded_documents_load_like_objects() -> None:
    raw = json.loads(TEACHING.read_text())
    encoded = copy.deepcopy(raw)
    for role in encoded["RoleDetailList"]:
        role["AssumeRolePolicyDocument"] = quote(json.dumps(role["AssumeRolePolicyDocument"]))
        for p in role["RolePolicyList"]:
            p["PolicyDocument"] = quote(json.dumps(p["PolicyDocument"]))
    for p in encoded["Policies"]:
        for v in p["PolicyVersionList"]:
            v["Document"] = quote(json.dumps(v["Document"]))
    plain, coded = load_inventory(raw), load_inventory(encoded)
    assert [r.trust_policy for r in coded.roles] == [r.trust_policy for r in plain.roles]
    assert [r.policies for r in coded.roles] == [r.policies for r in plain.roles]
    assert coded.managed_policies == plain.managed_policies
    assert coded.notes == ()


def test_a_broken_document_is_skipped_with_a_note() -> None:
    raw = json.loads(DEMO.read_text())
    raw["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"] = {
        "Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*"}]}
    raw["RoleDetailList"][1]["AssumeRolePolicyDocument"] = "%7Bnot json"
    inv = load_inventory(raw)
    assert len(inv.roles) == 4
    exfiller = inv.role("exfiller")
    assert exfiller is not None and exfiller.policies == ()
    bad = inv.role("bad_role")
    assert bad is not None and bad.trust_policy is None
    notes = "\n".join(inv.notes)
    assert "role arn:aws:iam::123456789012:role/exfiller, inline policy 'tmp'" in notes
    assert "Effect" in notes
    assert "role arn:aws:iam::123456789012:role/bad_role, trust policy: cannot read it" in notes


def test_missing_attached_policy_and_group_are_noted() -> None:
    raw = json.loads(DEMO.read_text())
    raw["Policies"] = [p for p in raw["Policies"] if p["PolicyName"] != "AmazonEC2RoleforSSM"]
    raw["UserDetailList"][1]["GroupList"].append("NoSuchGroup")
    inv = load_inventory(raw)
    notes = "\n".join(inv.notes)
    assert "AmazonEC2RoleforSSM is not in the dump's Policies" in notes
    assert "'NoSuchGroup', which is not in the dump" in notes


def test_not_a_dump_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{ nope")
    with pytest.raises(DumpError, match=r"is not JSON: line 1, column 3"):
        load_inventory(bad)
    bad.write_text('{"Statement": []}')
    with pytest.raises(DumpError, match="get-account-authorization-details"):
        load_inventory(bad)
    with pytest.raises(DumpError, match="cannot read"):
        load_inventory(tmp_path / "missing.json")


def _decide(policies: tuple, principal: str, action: str, resource: str,
            boundary: object = None) -> str:
    return evaluate(Request.of(principal, action, resource),
                    PolicySet.of(identity=policies, boundary=boundary)).decision


def test_spot_decisions_follow_the_dumps_policies() -> None:
    demo = load_inventory(DEMO)
    exfiller = demo.role("exfiller")
    assert exfiller is not None  # inline "tmp": s3:* on *
    assert _decide(exfiller.policies, exfiller.arn, "s3:GetObject",
                   "arn:aws:s3:::any/key") == "allowed"
    assert _decide(exfiller.policies, exfiller.arn, "iam:CreateUser",
                   "arn:aws:iam::123456789012:user/x") == "implicitDeny"
    user = demo.user("USER")  # only through its group: AmazonEC2RoleforSSM
    assert user is not None
    assert _decide(user.policies, user.arn, "ssm:GetDocument", "arn:aws:ssm:*") == "allowed"
    assert _decide(user.policies, user.arn, "s3:DeleteBucket",
                   "arn:aws:s3:::b") == "implicitDeny"

    example = load_inventory(EXAMPLE)
    # fp2: allow-all and deny-all managed policies: the explicit Deny wins
    fp2 = example.user("fp2-allow-and-deny-multiple-policies-user")
    assert fp2 is not None
    assert _decide(fp2.policies, fp2.arn, "iam:PassRole",
                   "arn:aws:iam::210987654321:role/x") == "explicitDeny"
    # privesc7 may attach policies to users, nothing else
    p7 = example.user("privesc7-AttachUserPolicy-user")
    assert p7 is not None
    assert _decide(p7.policies, p7.arn, "iam:AttachUserPolicy",
                   p7.arn) == "allowed"
    assert _decide(p7.policies, p7.arn, "iam:AttachRolePolicy",
                   "arn:aws:iam::210987654321:role/x") == "implicitDeny"
