"""The linter over every policy of three real account dumps: it never fails, and what it finds
is pinned per code (a regression table: a change in these numbers must be explained).

Documents linted (IAM API reference, GetAccountAuthorizationDetails): users', groups' and
roles' inline policies (each in its container, for its size quota), every managed policy's
default version (AWS managed ones without a quota: AWS's own policies are not held to the
customer quota), and every role's trust policy (AssumeRolePolicyDocument), with the role's
account so that other accounts are known as such.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from iamlab.lint import lint_policy

DATA = Path(__file__).resolve().parent / "data"


def documents(dump: dict[str, Any]) -> Iterator[tuple[str, str, Any, str, str | None]]:
    """(name, kind, document, container, account) for every policy in a dump."""
    for user in dump.get("UserDetailList", []):
        for p in user.get("UserPolicyList") or []:
            yield f"user {user['UserName']}/{p['PolicyName']}", "identity", \
                p["PolicyDocument"], "user-inline", None
    for group in dump.get("GroupDetailList", []):
        for p in group.get("GroupPolicyList") or []:
            yield f"group {group['GroupName']}/{p['PolicyName']}", "identity", \
                p["PolicyDocument"], "group-inline", None
    for role in dump.get("RoleDetailList", []):
        account = role["Arn"].split(":")[4]
        yield f"role {role['RoleName']} trust", "trust", role["AssumeRolePolicyDocument"], \
            "role-trust", account
        for p in role.get("RolePolicyList") or []:
            yield f"role {role['RoleName']}/{p['PolicyName']}", "identity", \
                p["PolicyDocument"], "role-inline", account
    for policy in dump.get("Policies", []):
        aws_managed = policy["Arn"].startswith("arn:aws:iam::aws:policy/")
        for version in policy.get("PolicyVersionList", []):
            if version.get("IsDefaultVersion"):
                yield f"policy {policy['PolicyName']}", "identity", version["Document"], \
                    "none" if aws_managed else "managed", None


def lint_dump(name: str) -> tuple[int, Counter[str]]:
    dump = json.loads((DATA / name).read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    total = 0
    for _, kind, document, container, account in documents(dump):
        total += 1
        text = json.dumps(document, indent=4)
        counts.update(f.code for f in lint_policy(text, kind, container=container,
                                                  account=account))
    return total, counts


# documents linted, and findings per code
# Notes: action-unknown(-service) are actions and services AWS has retired since the dumps
# were taken (gamesparks, deepcomposer, cloudhsm:ListHapgs ...); action-case is lower-case
# spellings in AWS managed policies (a4b:getDevice); resource-not-supported is mostly
# sns:ListTopics and sns:Unsubscribe on topic ARNs; trust-confused-deputy is the ssm roles.
EXPECTED: dict[str, tuple[int, dict[str, int]]] = {
    "authz-cloudmapper-demo.json": (10, {
        "action-unknown": 2, "action-wildcard-all": 1, "action-wildcard-service": 1,
        "resource-not-supported": 2, "resource-star": 6, "trust-confused-deputy": 1,
        "trust-principal-star": 1,
    }),
    "authz-cloudsplaining-example.json": (201, {
        "action-case": 2473, "action-unknown": 8, "action-unknown-service": 69,
        "action-wildcard-all": 4, "action-wildcard-large": 34, "action-wildcard-sensitive": 2,
        "action-wildcard-service": 29, "condition-forallvalues-single": 1,
        "condition-unknown-key": 2, "escalation-allow-notaction": 2,
        "escalation-iam-credentials": 7, "escalation-iam-policy-write": 19,
        "escalation-passrole-star": 19, "resource-not-supported": 19, "resource-star": 144,
        "trust-account-root": 2, "trust-confused-deputy": 23, "trust-no-external-id": 2,
    }),
    "authz-cloudsplaining-teaching.json": (41, {
        "action-case": 1373, "action-unknown": 4, "action-wildcard-all": 1,
        "action-wildcard-large": 12, "action-wildcard-sensitive": 1,
        "action-wildcard-service": 25, "condition-forallvalues-single": 1,
        "escalation-allow-notaction": 1, "escalation-iam-credentials": 2,
        "escalation-iam-policy-write": 1, "escalation-passrole-star": 5,
        "resource-not-supported": 3, "resource-star": 56, "trust-confused-deputy": 2,
    }),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dump_findings_per_code(name: str) -> None:
    total, counts = lint_dump(name)
    assert "lint-internal-error" not in counts
    assert (total, dict(sorted(counts.items()))) == EXPECTED[name]
