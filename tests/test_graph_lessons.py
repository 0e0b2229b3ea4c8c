"""Hand-built lessons and their exact edges (IAM User Guide sections cited per test).

Each lesson is an Inventory built directly (no simulated world), so the expected edges can be
read off the policies: nothing more, nothing less.
"""

from __future__ import annotations

from typing import Any

from iamlab.graph import EdgeKind, build_graph
from iamlab.graph.queries import administrators, reachable_from, who_can, who_can_assume
from iamlab.inventory import GroupInfo, Inventory, RoleInfo, UserInfo
from iamlab.parse import parse_policy
from iamlab.policy import Policy, PolicyKind

A = "111122223333"
B = "444455556666"


def allow(action: str | list[str], resource: str | list[str] = "*",
          condition: dict[str, Any] | None = None, name: str = "p") -> Policy:
    st: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return parse_policy({"Version": "2012-10-17", "Statement": [st]}, name=name)


def trust(principal: dict[str, Any] | str, condition: dict[str, Any] | None = None,
          action: str = "sts:AssumeRole", sid: str | None = None) -> Policy:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    if sid:
        st["Sid"] = sid
    return parse_policy({"Version": "2012-10-17", "Statement": [st]}, PolicyKind.TRUST,
                        name="trust")


def user(name: str, *policies: Policy, account: str = A,
         groups: tuple[str, ...] = ()) -> UserInfo:
    return UserInfo(f"arn:aws:iam::{account}:user/{name}", name, account, policies,
                    groups=groups)


def role(name: str, trust_policy: Policy, *policies: Policy, account: str = A,
         path: str = "/", profiles: tuple[str, ...] = ()) -> RoleInfo:
    arn = f"arn:aws:iam::{account}:role{path}{name}"
    return RoleInfo(arn, name, account, trust_policy, policies, path=path,
                    instance_profiles=profiles)


def edges_of(inv: Inventory) -> set[tuple[str, str, str, str | None, tuple[str, ...]]]:
    graph = build_graph(inv)
    return {(e.source, e.target, e.kind.value, e.via, e.conditions) for e in graph.edges}


def test_ec2_instance_profile() -> None:
    # "Using an IAM role to grant permissions to applications running on Amazon EC2
    # instances" and "Grant a user permissions to pass a role to an AWS service".
    app = role("AppServer", trust({"Service": "ec2.amazonaws.com"}),
               allow("s3:GetObject", "arn:aws:s3:::reports/*"),
               profiles=(f"arn:aws:iam::{A}:instance-profile/AppServer",))
    dev = user("dev", allow("iam:PassRole", app.arn,
                            {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
               allow("ec2:RunInstances", name="run"))
    no_pass = user("intern", allow("ec2:RunInstances"))
    wrong_service = user("ops", allow("iam:PassRole", app.arn,
                                      {"StringEquals": {
                                          "iam:PassedToService": "lambda.amazonaws.com"}}),
                         allow("ec2:RunInstances", name="run"))
    no_launch = user("auditor", allow("iam:PassRole", "*"))
    got = edges_of(Inventory(users=(dev, no_pass, wrong_service, no_launch), roles=(app,)))
    assert got == {
        ("ec2.amazonaws.com", app.arn, "service-assume", None, ()),
        (dev.arn, app.arn, "pass-role", "ec2.amazonaws.com", ()),
    }


def test_ec2_role_without_instance_profile_needs_add_role_to_profile() -> None:
    app = role("NoProfile", trust({"Service": "ec2.amazonaws.com"}))
    runner = user("runner", allow(["iam:PassRole", "ec2:RunInstances"]))
    builder = user("builder", allow(["iam:PassRole", "ec2:RunInstances",
                                     "iam:AddRoleToInstanceProfile"]))
    got = edges_of(Inventory(users=(runner, builder), roles=(app,)))
    assert (builder.arn, app.arn, "pass-role", "ec2.amazonaws.com", ()) in got
    assert not any(s == runner.arn for s, *_ in got)


def test_cross_account_with_external_id() -> None:
    # "How to use an external ID when granting access to your AWS resources to a third party"
    audit = role("ThirdPartyAudit",
                 trust({"AWS": f"arn:aws:iam::{B}:root"},
                       {"StringEquals": {"sts:ExternalId": "Unique-1234"}}),
                 allow("s3:ListBucket"))
    # account B is in the inventory too: its own policies must allow (cross-account rule)
    auditor = user("auditor", allow("sts:AssumeRole", audit.arn), account=B)
    bystander = user("bystander", allow("s3:ListAllMyBuckets"), account=B)
    graph = build_graph(Inventory(users=(auditor, bystander), roles=(audit,)))
    got = {(e.source, e.target, e.kind.value, e.conditions, e.requires) for e in graph.edges}
    assert got == {(auditor.arn, audit.arn, "assume", ("sts:ExternalId",),
                    ('StringEquals sts:ExternalId "Unique-1234"',))}
    (edge,) = graph.edges
    assert edge.supplied == {"sts:ExternalId": "Unique-1234"}
    # with account B outside the dump, the account itself is the node
    outside = build_graph(Inventory(roles=(audit,)))
    assert {(e.source, e.conditions) for e in outside.edges} == \
        {(f"arn:aws:iam::{B}:root", ("sts:ExternalId",))}


def test_role_chain_and_mfa() -> None:
    # "Switching to an IAM role", role chaining; MFA: "Configuring MFA-protected API access"
    dev = role("Dev", trust({"AWS": f"arn:aws:iam::{A}:user/alice"}),
               allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/ops/Prod"))
    prod = role("Prod", trust({"AWS": f"arn:aws:iam::{A}:role/Dev"}),
                allow("dynamodb:*", name="prod-data"), path="/ops/")
    admin = role("Admin", trust({"AWS": f"arn:aws:iam::{A}:root"},
                                {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                 allow("*"))
    alice = user("alice", allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/Admin"))
    bob = user("bob", allow("s3:*"))
    inv = Inventory(users=(alice, bob), roles=(dev, prod, admin))
    graph = build_graph(inv)
    got = {(e.source, e.target, e.kind.value, e.conditions) for e in graph.edges}
    assert got == {
        # the trust policy names alice: within one account that is enough on its own
        (alice.arn, dev.arn, "assume", ()),
        # a role with a path: the session of Dev is matched to arn:...:role/Dev
        (dev.arn, prod.arn, "assume", ()),
        (alice.arn, admin.arn, "assume", ("aws:MultiFactorAuthPresent",)),
        # Admin allows itself everything, and trusts its account (with MFA)
        (admin.arn, admin.arn, "assume", ("aws:MultiFactorAuthPresent",)),
    }
    paths = {p.start: p for p in who_can_assume(graph, prod.arn)}
    assert set(paths) == {dev.arn, alice.arn}
    assert [e.target for e in paths[alice.arn].edges] == [dev.arn, prod.arn]
    assert paths[alice.arn].describe(graph) == \
        "user/alice -[assume]-> role/Dev -[assume]-> role/Prod"
    assert [p.end for p in reachable_from(graph, "alice")] == [admin.arn, dev.arn, prod.arn]
    direct = who_can_assume(graph, prod.arn, transitive=False)
    assert [p.start for p in direct] == [dev.arn]
    # who can write the table? Prod itself, and Dev and alice through it
    access = {a.principal: a for a in who_can(graph, "dynamodb:PutItem",
                                              f"arn:aws:dynamodb:us-east-1:{A}:table/t")}
    assert set(access) == {prod.arn, dev.arn, alice.arn, admin.arn}
    assert access[dev.arn].path.nodes == (dev.arn, prod.arn)
    assert access[dev.arn].decision.allowed
    assert 'identity-based policy "prod-data"' in access[dev.arn].decision.summary
    # alice's shortest way is Admin, which needs MFA
    assert access[alice.arn].path.nodes == (alice.arn, admin.arn)
    assert access[alice.arn].conditions == ("aws:MultiFactorAuthPresent",)
    assert access[prod.arn].direct
    assert bob.arn not in access


def test_passrole_escalation_and_administrators() -> None:
    # "Grant a user permissions to pass a role to an AWS service": PassRole + CreateFunction
    power = role("LambdaAdmin", trust({"Service": "lambda.amazonaws.com"}),
                 allow("*", name="AdministratorAccess"))
    builder = user("builder", allow(["iam:PassRole", "lambda:CreateFunction"]))
    ec2_only = user("ec2only", allow("iam:PassRole", "*",
                                     {"StringEquals": {
                                         "iam:PassedToService": "ec2.amazonaws.com"}}),
                    allow("lambda:CreateFunction", name="lambda"))
    writer = user("writer", allow("iam:PutUserPolicy", f"arn:aws:iam::{A}:user/writer"))
    keys = user("keys", allow("iam:CreateAccessKey", f"arn:aws:iam::{A}:user/*"))
    root_admin = user("root-admin", allow("*"))
    group = GroupInfo(f"arn:aws:iam::{A}:group/devs", "devs", A,
                      (allow("iam:PutGroupPolicy", f"arn:aws:iam::{A}:group/devs"),))
    member = user("member", *group.policies, groups=(group.arn,))
    inv = Inventory(users=(builder, ec2_only, writer, keys, root_admin, member),
                    groups=(group,), roles=(power,))
    got = edges_of(inv)
    assert got == {
        ("lambda.amazonaws.com", power.arn, "service-assume", None, ()),
        (builder.arn, power.arn, "pass-role", "lambda.amazonaws.com", ()),
        (root_admin.arn, power.arn, "pass-role", "lambda.amazonaws.com", ()),
        (member.arn, group.arn, "member-of", None, ()),
    }
    graph = build_graph(inv)
    admins = {a.principal: a.reason for a in administrators(graph)}
    assert admins == {
        power.arn: "full", root_admin.arn: "full",
        builder.arn: "via", "lambda.amazonaws.com": "via",
        writer.arn: "self-escalation", member.arn: "self-escalation",
        keys.arn: "takeover",  # CreateAccessKey on root-admin, an administrator
    }


def test_service_with_source_account_condition() -> None:
    # confused-deputy protection: "The confused deputy problem"
    r = role("Delivery", trust({"Service": "logs.amazonaws.com"},
                               {"StringEquals": {"aws:SourceAccount": A}}))
    got = edges_of(Inventory(roles=(r,)))
    assert got == {("logs.amazonaws.com", r.arn, "service-assume", None,
                    ("aws:SourceAccount",))}


def test_explicit_deny_removes_the_edge() -> None:
    target = role("Target", trust({"AWS": f"arn:aws:iam::{A}:root"}))
    denied = user("denied", allow("sts:AssumeRole"),
                  parse_policy({"Version": "2012-10-17", "Statement": [
                      {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]},
                      name="deny"))
    mfa_deny = user("mfa", allow("sts:AssumeRole"), parse_policy(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]},
        name="mfa"))
    got = edges_of(Inventory(users=(denied, mfa_deny), roles=(target,)))
    assert got == {(mfa_deny.arn, target.arn, "assume", None,
                    ("aws:MultiFactorAuthPresent",))}


def test_federated_oidc() -> None:
    # "Creating a role for web identity or OpenID Connect federation"
    provider = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
    r = role("Deploy", trust({"Federated": provider},
                             {"StringLike": {"token.actions.githubusercontent.com:sub":
                                             "repo:org/app:*"}},
                             action="sts:AssumeRoleWithWebIdentity"))
    graph = build_graph(Inventory(roles=(r,)))
    (edge,) = graph.edges
    assert (edge.source, edge.kind, edge.action, edge.conditions) == (
        provider, EdgeKind.ASSUME, "sts:AssumeRoleWithWebIdentity",
        ("token.actions.githubusercontent.com:sub",))


def test_caller_role_with_a_path_is_named_by_its_full_arn() -> None:
    # "IAM identifiers": the session of a role with the path /ops/ is assumed-role/Prod/...,
    # yet trust policies name the role as role/ops/Prod, in the Principal element and in
    # aws:PrincipalArn ("For IAM roles, the request context returns the ARN of the role").
    prod = role("Prod", trust({"AWS": f"arn:aws:iam::{A}:root"}),
                allow("sts:AssumeRole", "*"), path="/ops/")
    by_principal = role("Reports", trust({"AWS": prod.arn}))
    by_condition = role("Audit", trust({"AWS": f"arn:aws:iam::{A}:root"},
                                       {"ArnEquals": {"aws:PrincipalArn": prod.arn}}))
    path_less = role("Other", trust({"AWS": f"arn:aws:iam::{A}:role/Prod"}))
    graph = build_graph(Inventory(roles=(prod, by_principal, by_condition, path_less)))
    got = {(e.source, e.target, e.conditions) for e in graph.edges if e.source == prod.arn}
    assert got == {(prod.arn, by_principal.arn, ()), (prod.arn, by_condition.arn, ()),
                   (prod.arn, prod.arn, ())}
