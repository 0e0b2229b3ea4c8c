"""What the editors offer as the learner types: actions from the AWS action catalog,
condition keys and operators, principals and resources of the world.

Only lookups: nothing here decides anything. The catalog is loaded on first use.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache

COMMON_ACTIONS = (
    "sts:AssumeRole", "s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject",
    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem",
    "dynamodb:PutItem", "dynamodb:Query", "sqs:SendMessage", "sqs:ReceiveMessage",
    "ssm:GetParameter", "kms:Decrypt", "iam:PassRole", "ec2:DescribeInstances",
)

SERVICE_PRINCIPALS = (
    "ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com",
    "states.amazonaws.com", "events.amazonaws.com", "glue.amazonaws.com",
    "sagemaker.amazonaws.com", "codebuild.amazonaws.com", "apigateway.amazonaws.com",
)

OPERATORS = (
    "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase",
    "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Bool", "IpAddress", "NotIpAddress",
    "NumericLessThan", "NumericGreaterThan", "DateLessThan", "DateGreaterThan", "Null",
    "ForAnyValue:StringEquals", "ForAllValues:StringEquals", "ForAnyValue:StringLike",
    "StringEqualsIfExists", "ArnLikeIfExists", "BoolIfExists",
)

TRUST_KEYS = (
    "aws:SourceAccount", "aws:SourceArn", "sts:ExternalId", "aws:PrincipalOrgID",
    "aws:MultiFactorAuthPresent", "SAML:aud", "sts:RoleSessionName", "aws:PrincipalArn",
)


@lru_cache(maxsize=1)
def _sorted_actions() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every action, sorted case-insensitively, with the lower-cased keys beside it."""
    from iamlab.catalog import catalog

    names = sorted(catalog().all_actions(), key=str.lower)
    return tuple(n.lower() for n in names), tuple(names)


def complete_action(text: str, limit: int = 40) -> list[str]:
    """Actions that start with ``text`` (case-insensitive); the common ones when empty.

    ``s3:Get`` → ``s3:GetAccelerateConfiguration``, ...; a pattern with ``*`` completes to
    itself and the actions it covers, so the learner sees what a wildcard grants.
    """
    text = text.strip()
    if not text:
        return list(COMMON_ACTIONS)
    if "*" in text or "?" in text:
        from iamlab.catalog import catalog

        return [text, *catalog().expand(text)[: limit - 1]]
    lowered, names = _sorted_actions()
    low = text.lower()
    start = bisect_left(lowered, low)
    out: list[str] = []
    for i in range(start, len(lowered)):
        if not lowered[i].startswith(low) or len(out) >= limit:
            break
        out.append(names[i])
    if ":" in text and out:
        service = text.split(":", 1)[0]
        out.insert(0, f"{service}:*")
    return out


def complete_condition_key(text: str, actions: tuple[str, ...] = (), trust: bool = False,
                           limit: int = 40) -> list[str]:
    """Condition keys for the statement's actions (or the global ones) matching ``text``."""
    from iamlab.catalog import catalog

    cat = catalog()
    keys: set[str] = set(cat.global_condition_keys())
    for action in actions[:5]:
        if "*" not in action:
            keys.update(cat.condition_keys_for_action(action))
    preferred = list(TRUST_KEYS) if trust else []
    low = text.strip().lower()
    ordered = preferred + sorted(keys - set(preferred), key=str.lower)
    return [k for k in ordered if low in k.lower()][:limit]


def complete_operator(text: str) -> list[str]:
    low = text.strip().lower()
    return [op for op in OPERATORS if low in op.lower()]


def complete_from(choices: tuple[str, ...] | list[str], text: str, limit: int = 40) -> list[str]:
    """``choices`` containing ``text`` (case-insensitive), in their order."""
    low = text.strip().lower()
    return [c for c in choices if low in c.lower()][:limit]
