"""Finding a resource's own policy and owner from its ARN (for questions like
``session.can("s3:GetObject", "arn:aws:s3:::reports/q3.csv")``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iamlab.arn import parse_arn
from iamlab.engine import TRUST_ACTIONS
from iamlab.policy import Policy

if TYPE_CHECKING:
    from iamlab.world.core import World


def resource_policy_of(world: World, action: str, arn: str) -> tuple[Policy | None, str | None]:
    """The policy the resource itself carries for ``action`` (a trust policy for
    ``sts:AssumeRole``...), and the account that owns it; (None, None) when unknown."""
    parsed = parse_arn(arn)
    if parsed is None:
        return None, None
    account = parsed.account or None
    if action.lower() in TRUST_ACTIONS:
        role = world.role_by_arn(arn)
        return (role.trust, role.account) if role else (None, account)
    acct = world.accounts.get(parsed.account) if parsed.account else None
    res = parsed.resource
    if parsed.service == "s3":
        bucket = world.buckets.get(res.split("/", 1)[0])
        return (bucket.policy, bucket.account) if bucket else (None, None)
    if acct is None:
        return None, account
    if parsed.service == "sqs":
        queue = acct.queues.get(res)
        return (queue.policy if queue else None), account
    if parsed.service == "dynamodb" and res.startswith("table/"):
        table = acct.tables.get(res.split("/")[1])
        return (table.policy if table else None), account
    if parsed.service == "kms" and res.startswith("key/"):
        key = acct.keys.get(res.split("/", 1)[1])
        return (key.policy if key else None), account
    if parsed.service == "secretsmanager":
        secret = next((s for s in acct.secrets.values() if s.arn == arn), None)
        return (secret.policy if secret else None), account
    return None, account


def resource_arns(world: World) -> list[str]:
    """Every resource of the world that can carry its own policy: buckets, queues, tables,
    KMS keys, secrets, and roles (their trust policies)."""
    arns = [b.arn for b in world.buckets.values()]
    for acct in world.accounts.values():
        for found in (acct.queues, acct.tables, acct.keys, acct.secrets, acct.roles):
            arns += [r.arn for r in found.values()]
    return arns


def resource_policies(world: World) -> tuple[dict[str, Policy], dict[str, str]]:
    """Each resource's own policy by ARN (a role's is its trust policy, for the actions that
    assume it), and each resource's owner, as :func:`resource_policy_of` finds them."""
    policies: dict[str, Policy] = {}
    owners: dict[str, str] = {}
    for arn in resource_arns(world):
        action = "sts:AssumeRole" if ":role/" in arn else ""
        policy, account = resource_policy_of(world, action, arn)
        if policy is not None:
            policies[arn] = policy
        if account:
            owners[arn] = account
    return policies, owners
