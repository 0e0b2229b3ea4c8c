"""How each node of the graph makes a request: its principal string, policies and known context.

An :class:`Actor` turns "can this node do X to Y?" into exactly the request the engine would
see from it (IAM User Guide, "Policy evaluation logic"):

* an IAM user calls as its user ARN with its own and its groups' policies and its boundary;
* a role calls as one of its sessions (``arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION``),
  with the role's policies and boundary; the engine is told the role behind the session
  with its path, which the session ARN does not carry;
* a service, an identity provider and ``*`` call with no identity policy of their own;
* a principal of an account that is not in the dump is assumed to be allowed by its own
  account (the dump cannot say otherwise): only the trust policy and resource policies of
  the dump then decide. Its edges say so in the diagram.

The context holds the keys that are *facts* about the caller (who it is, its tags, when, and
its organisation when the inventory knows one); keys a caller supplies or circumstances decide
(MFA, ExternalId, SourceIp...) are left out, see :mod:`iamlab.graph.decide`. SCPs are those of
the caller's account (none for a service-linked role), as :func:`iamlab.org.control_levels`
says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from iamlab.context import aws_context
from iamlab.engine import PolicySet
from iamlab.inventory import Inventory, RoleInfo, UserInfo
from iamlab.org import Levels, OrgSnapshot, control_levels, org_context, principal_org_id
from iamlab.parse import parse_policy
from iamlab.policy import Policy
from iamlab.request import Context, ContextValue, Request, Resource

SESSION_NAME = "iamlab-graph"
# Context keys that depend on how the caller signed in, never facts about who it is.
_CIRCUMSTANTIAL = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})
_FACT_PREFIXES_IAM = ("aws:principaltag/",)
# With an organisation known, its keys are facts: present for its members, absent otherwise.
ORG_KEYS = ("aws:principalorgid", "aws:principalorgpaths", "aws:resourceorgid",
            "aws:resourceorgpaths")

_ASSUMED: dict[str, Policy] = {}


def assumed_allow(account: str | None) -> Policy:
    """Stand-in for the unknown policies of a principal in an account outside the dump."""
    key = account or "?"
    if key not in _ASSUMED:
        _ASSUMED[key] = parse_policy(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
            name=f"(assumed) the own policies of account {key}, not in the dump")
    return _ASSUMED[key]


@dataclass(frozen=True, slots=True)
class Actor:
    """A node able to call AWS: what the engine needs to decide its requests."""

    node: str
    principal: str
    account: str | None
    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    scps: Levels | None = None
    role_arn: str | None = None  # the role behind a session, with its path
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    fact_prefixes: tuple[str, ...] = ()
    external: bool = False  # identity side not in the dump (assumed to allow)
    is_service: bool = False
    service_linked: bool = False  # a service-linked role: no SCP or RCP applies
    fact_keys: frozenset[str] = field(init=False, repr=False, compare=False)
    facts: Context = field(init=False, repr=False, compare=False)
    own: PolicySet = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fact_keys", frozenset(k.lower() for k in self.context))
        object.__setattr__(self, "facts", Context(self.context))
        object.__setattr__(self, "own", PolicySet.of(identity=self.identity,
                                                     boundary=self.boundary, scps=self.scps))

    def is_fact(self, key: str) -> bool:
        """Is this context key a fact about the caller (never something to supply)?"""
        low = key.lower()
        return low in self.fact_keys or low.startswith(self.fact_prefixes)

    def request(self, action: str, resource: str, extra: Mapping[str, ContextValue] | None = None,
                resource_account: str | None = None) -> Request:
        """The request this actor makes; ``extra`` context keys win over the facts."""
        return self.request_on(action, Resource.of(resource, resource_account), extra)

    def request_on(self, action: str, resource: Resource,
                   extra: Mapping[str, ContextValue] | None = None) -> Request:
        """:meth:`request` on a resource already resolved (the graph asks many times)."""
        context = self.facts.merged(extra) if extra else self.facts
        # A session ARN drops the role's path: the request names the role (path and all)
        # that Principal elements and aws:PrincipalArn must match.
        return Request(self.principal, action, resource, context, self.role_arn)

    def policies(self, resource_policy: Policy | None = None,
                 rcps: Levels | None = None) -> PolicySet:
        """The actor's own policies, with a resource's policy and RCP levels if given."""
        if resource_policy is None and rcps is None:
            return self.own
        own = self.own
        return PolicySet(own.identity, resource_policy, own.boundary, (), own.scps, rcps)


def session_arn(role: RoleInfo, name: str = SESSION_NAME) -> str:
    """``arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME`` (the role's path is not part of it)."""
    partition = role.arn.split(":", 2)[1] if role.arn.startswith("arn:") else "aws"
    return f"arn:{partition}:sts::{role.account}:assumed-role/{role.name}/{name}"


def _facts(principal: str, now: datetime, extra: Mapping[str, ContextValue] | None = None,
           **kwargs: object) -> dict[str, ContextValue]:
    ctx = aws_context(principal, now=now, extra=extra, **kwargs)  # type: ignore[arg-type]
    return {k: v for k, v in ctx.items() if k.lower() not in _CIRCUMSTANTIAL}


def org_prefixes(org: OrgSnapshot | None) -> tuple[str, ...]:
    """The organisation's keys, facts when the organisation is known (see :data:`ORG_KEYS`)."""
    return ORG_KEYS if org is not None and org.org_id else ()


def _member_facts(org: OrgSnapshot | None, account: str | None) -> dict[str, ContextValue]:
    """The organisation's keys for a caller of ``account`` (none outside it)."""
    keys = org_context(org, account, None)
    if (org_id := principal_org_id(org, account)) is not None:
        keys["aws:PrincipalOrgID"] = org_id
    return keys


def user_actor(user: UserInfo, inventory: Inventory, now: datetime) -> Actor:
    org = inventory.organization()
    ctx = _facts(user.arn, now, principal_tags=user.tags, userid=user.user_id,
                 extra=_member_facts(org, user.account))
    return Actor(user.arn, user.arn, user.account, user.policies, user.boundary,
                 _scps(org, user.account), None, ctx,
                 _FACT_PREFIXES_IAM + org_prefixes(org))


def role_actor(role: RoleInfo, inventory: Inventory, now: datetime,
               session: str | None = None, node: str | None = None) -> Actor:
    """A session of ``role`` (``session`` names it; the graph's own name otherwise)."""
    org = inventory.organization()
    principal = session or session_arn(role)
    name = principal.rsplit("/", 1)[-1]
    userid = f"{role.role_id}:{name}" if role.role_id else None
    ctx = _facts(principal, now, principal_tags=role.tags, userid=userid, role_arn=role.arn,
                 extra=_member_facts(org, role.account))
    return Actor(node or role.arn, principal, role.account, role.policies, role.boundary,
                 _scps(org, role.account, role.service_linked), role.arn, ctx,
                 _FACT_PREFIXES_IAM + org_prefixes(org), service_linked=role.service_linked)


def service_actor(service: str, now: datetime, org: OrgSnapshot | None = None) -> Actor:
    return Actor(service, service, None, context=_facts(service, now),
                 fact_prefixes=org_prefixes(org), is_service=True)


def anyone_actor(now: datetime) -> Actor:
    return Actor("*", "*", None, context=_facts("*", now))


def federated_actor(provider: str, now: datetime, org: OrgSnapshot | None = None) -> Actor:
    """An identity provider: the caller of AssumeRoleWithSAML / ...WithWebIdentity."""
    account = provider.split(":")[4] if provider.startswith("arn:") else None
    ctx = {k: v for k, v in _facts(provider, now).items()
           if k.lower() in ("aws:currenttime", "aws:epochtime", "aws:securetransport",
                            "aws:federatedprovider")}
    return Actor(provider, provider, account or None, context=ctx,
                 fact_prefixes=org_prefixes(org))


def external_actor(principal: str, account: str | None, now: datetime,
                   role_arn: str | None = None, node: str | None = None,
                   org: OrgSnapshot | None = None) -> Actor:
    """A principal (or a whole account, as its root) from an account the dump lacks."""
    ctx = _facts(principal, now, role_arn=role_arn, extra=_member_facts(org, account))
    return Actor(node or principal, principal, account, (assumed_allow(account),), None, None,
                 role_arn, ctx, org_prefixes(org), external=True)


def _scps(org: OrgSnapshot | None, account: str, service_linked: bool = False) -> Levels | None:
    """The SCP levels of the caller's account (:func:`iamlab.org.control_levels`)."""
    levels, _ = control_levels(org, account, None, "", service_linked=service_linked)
    return tuple(tuple(level) for level in levels) if levels else None
