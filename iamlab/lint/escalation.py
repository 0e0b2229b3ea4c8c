"""Privilege-escalation hints: permissions that let their holder give themselves more.

Whoever may change IAM permissions (attach or write a policy, make another version the
default, rewrite a trust policy) or pass any role to a service can reach every permission
in the account. And Allow combined with NotAction, NotResource or NotPrincipal grants
everything *except* a list, including whatever AWS adds later. References: IAM User Guide,
"Grant a user permissions to pass a role to an AWS service", "IAM JSON policy elements:
NotAction / NotResource / NotPrincipal", "IAM Access Analyzer policy check reference".
"""

from __future__ import annotations

from functools import lru_cache

from iamlab.glob import Glob
from iamlab.lint.common import quoted_list
from iamlab.lint.model import LintContext, Stmt

POLICY_WRITE_ACTIONS = (
    "iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy",
    "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:PutGroupPolicy",
    "iam:PutRolePolicy", "iam:PutUserPolicy", "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup", "iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
)
CREDENTIAL_ACTIONS = ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile")


@lru_cache(maxsize=16384)
def _covered_by(action: str, targets: tuple[str, ...]) -> frozenset[str]:
    """Which of ``targets`` one action pattern matches (case-insensitively, as IAM does)."""
    if ":" not in action:
        return frozenset()
    matcher = Glob.of(action, True)
    return frozenset(t for t in targets if matcher.match(t))


@lru_cache(maxsize=16384)
def _covered(actions: tuple[str, ...], targets: tuple[str, ...]) -> tuple[str, ...]:
    """Which of ``targets`` the action patterns match, in the order of ``targets``."""
    hit: set[str] = set()
    for action in actions:
        hit |= _covered_by(action, targets)
    return tuple(t for t in targets if t in hit)


def _all_roles(resource: str) -> bool:
    """``*`` or a pattern covering every role of an account (``...:role/*``)."""
    if resource == "*":
        return True
    head, sep, rest = resource.partition(":role/")
    return bool(sep) and head.startswith("arn:") and rest == "*"


def _reported(ctx: LintContext, path: tuple[str | int, ...]) -> bool:
    """Whether the parser already reported a problem with this element (then it is an
    error there, and a second finding would say the same thing twice)."""
    return any(f.path == path and f.code.startswith("grammar-") for f in ctx.findings)


def check(ctx: LintContext, st: Stmt) -> None:
    """Allow statements of policies that grant (identity- and resource-based)."""
    if not st.allow:
        return
    if st.action_key == "NotAction":
        ctx.add("escalation-allow-notaction", (*st.path, "NotAction"),
                'Allow with NotAction allows every action except the listed ones, in every '
                "service, including actions AWS adds in the future. That is almost always "
                "more than intended. List the actions to allow with Action instead (NotAction "
                "is meant for Deny statements).", at_key=True)
    if st.resource_key == "NotResource":
        ctx.add("escalation-allow-notresource", (*st.path, "NotResource"),
                "Allow with NotResource allows the actions on every resource except the "
                "listed ones, including resources created later and resources in other "
                "accounts. Name the resources to allow with Resource instead.", at_key=True)
    if st.principal_key == "NotPrincipal" and not _reported(ctx, (*st.path, "NotPrincipal")):
        ctx.add("escalation-allow-notprincipal", (*st.path, "NotPrincipal"),
                "Allow with NotPrincipal allows everyone except the listed principals, "
                "including anonymous users. AWS strongly recommends against it: name the "
                "principals to allow with Principal instead.", at_key=True)
    if not ctx.grants or not st.has_actions or "*" in st.actions:
        return
    actions = tuple(st.actions)
    path = st.action_path(0) if len(actions) == 1 else (*st.path, "Action")
    if st.resource_key == "Resource":
        broad = [r for r in st.resources if _all_roles(r)] \
            if _covered(actions, ("iam:PassRole",)) else []
        if broad:
            ctx.add("escalation-passrole-star", st.resource_path(st.resources.index(broad[0])),
                    f'iam:PassRole on "{broad[0]}" lets the holder hand any role, including an '
                    "administrator role, to a service (launch an EC2 instance or a Lambda "
                    "function with it) and then act with that role's permissions. Name the "
                    "roles that may be passed, and limit the services with the "
                    "iam:PassedToService condition key.",
                    fix="arn:aws:iam::111122223333:role/RoleToPass")
    writes = _covered(actions, POLICY_WRITE_ACTIONS)
    if writes:
        ctx.add("escalation-iam-policy-write", path,
                f"{quoted_list(list(writes))} can change what an identity is allowed to do. "
                "Whoever holds this can attach or write a policy granting themselves (or a "
                "role they can use) any permission: privilege escalation. Keep these actions "
                "for administrators, limit them to specific resources, or guard them with a "
                "permissions boundary condition (iam:PermissionsBoundary).")
    creds = _covered(actions, CREDENTIAL_ACTIONS)
    if creds and not all("${aws:username}" in r for r in st.resources):
        ctx.add("escalation-iam-credentials", path,
                f"{quoted_list(list(creds))} lets the holder create credentials (access keys "
                "or a console password) for other IAM users and then act as them. Limit it "
                "to the caller's own user with a Resource like "
                "arn:aws:iam::111122223333:user/${aws:username}.",
                fix="arn:aws:iam::111122223333:user/${aws:username}")
