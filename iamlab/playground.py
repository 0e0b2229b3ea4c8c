"""The role playground as data: one role, its two policies, a caller and a request.

The course's badge metaphor: a role is a badge. Its **trust policy** lists who may wear the
badge; its **permissions policy** lists what the badge lets the wearer do. The playground
answers both questions for one request, with the engine:

1. *Can the caller assume the role?* An ``sts:AssumeRole`` request (``AssumeRoleWithSAML``
   for a SAML-federated caller) by the caller on the role, decided with the trust policy
   as the role's resource-based policy and the caller's own identity policies (IAM User
   Guide, "Granting a user permissions to switch roles", "How IAM roles differ from
   resource-based policies").
2. *Can the role do the action?* The request made by the role's session
   (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``), decided with the role's permissions
   policies and permissions boundary (and the resource's own policy, if one is given).

A playground opened on a role of a simulated world or an inventory also carries what else
the world weighs: the role's boundary, tags (``aws:PrincipalTag/...``) and unique ID
(``aws:userid``), the callers' boundaries, tags and IDs, the organisation's SCPs and RCPs,
and the resources' own policies (bucket, key, queue... policies), so that both steps
decide as the world does.

Both must allow for anything to happen. Nothing here draws or displays: the widgets in
:mod:`iamlab.widgets` show what this module decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from iamlab.arn import PrincipalType, identify, parse_arn
from iamlab.context import aws_context
from iamlab.decision import Decision
from iamlab.engine import TRUST_ACTIONS, PolicySet, evaluate
from iamlab.errors import IamlabError, Problem
from iamlab.inventory import Inventory, RoleInfo, UserInfo
from iamlab.jsonloc import JsonSyntaxError, Locations, parse_with_locations
from iamlab.org import OrgSnapshot, control_levels, org_context, principal_org_id
from iamlab.parse import PolicySource, parse_policy
from iamlab.policy import Policy, PolicyKind
from iamlab.request import Context, ContextValue, Request, Resource

__all__ = [
    "DEFAULT_ACCOUNT",
    "Ask",
    "Caller",
    "Outcome",
    "PlaygroundError",
    "RolePlayground",
    "ask_problems",
    "catalog_problems",
    "default_callers",
]

DEFAULT_ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
SAML_AUDIENCE = "https://signin.aws.amazon.com/saml"


class PlaygroundError(IamlabError):
    """Something the playground cannot do (an unknown role or caller), said plainly."""


@dataclass(frozen=True)
class Caller:
    """Someone who might wear the badge: a service, a user, another account, a federated user.

    ``principal`` is what a request carries (``ec2.amazonaws.com``, a user ARN, a SAML
    provider ARN). ``policies`` are the caller's own identity policies (services and
    federated users have none). ``session_name`` is the name AWS gives the role session
    (EC2 uses the instance ID, Lambda the function name). ``tags`` and ``userid`` are an
    IAM user's tags (``aws:PrincipalTag/...``) and unique ID (``aws:userid``).
    """

    principal: str
    label: str
    policies: tuple[Policy, ...] = ()
    assume_action: str = "sts:AssumeRole"
    session_name: str = "session"
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    boundary: Policy | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    userid: str | None = None

    @property
    def is_service(self) -> bool:
        return identify(self.principal).type is PrincipalType.SERVICE

    @property
    def account(self) -> str | None:
        """The account of an IAM caller (a user, a role, an account's root), whose SCPs
        apply to it; None for services and identity providers, which have no account."""
        who = identify(self.principal)
        return who.account if who.type in _IAM_CALLERS else None


@dataclass(frozen=True)
class Ask:
    """The request: ``caller`` (a principal) wants to do ``action`` on ``resource``.

    ``context`` holds extra condition keys for both steps (``sts:ExternalId``,
    ``aws:SourceIp``...); the keys AWS supplies itself are added by :func:`aws_context`.
    """

    caller: str
    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """Both answers: may the caller wear the badge, and does the badge allow the action?"""

    ask: Ask
    caller: Caller
    role_arn: str
    session_arn: str
    assume: Decision
    act: Decision
    problems: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """True only when both steps allow: trust alone grants nothing, and permissions are
        useless to someone who cannot assume the role."""
        return self.assume.allowed and self.act.allowed

    @property
    def failed_step(self) -> str | None:
        """``"assume"``, ``"act"`` or None when everything is allowed."""
        if not self.assume.allowed:
            return "assume"
        return None if self.act.allowed else "act"

    @property
    def story(self) -> str:
        """The outcome told with the badge metaphor, in one or two sentences."""
        who = self.caller.label
        what = f"{self.ask.action} on {self.ask.resource}"
        if not self.assume.allowed:
            extra = (" Its permissions would allow the action, but they never come into play."
                     if self.act.allowed else "")
            return (f"Denied at step 1: {who} may not wear the badge. "
                    f"{self.assume.summary}{extra}")
        if not self.act.allowed:
            return (f"Denied at step 2: {who} may wear the badge, but the badge does not "
                    f"allow {what}. {self.act.summary}")
        return (f"Allowed: {who} may wear the badge (the trust policy allows it), and the "
                f"badge allows {what}.")


def default_callers(account: str = DEFAULT_ACCOUNT) -> tuple[Caller, ...]:
    """The callers a learner can try: three services, a user here, a user in another
    account, and a user federated through SAML (IAM User Guide, "Roles terms and concepts":
    a role is assumed by services, users in the same or another account, federated users)."""
    may_assume = {"Version": "2012-10-17", "Statement": [{
        "Sid": "MayAssumeRoles", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Resource": f"arn:aws:iam::{account}:role/*"}]}
    bob_may_assume = {"Version": "2012-10-17", "Statement": [{
        "Sid": "MayAssumeRolesElsewhere", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Resource": "*"}]}
    return (
        Caller("ec2.amazonaws.com", "EC2 (an instance)", session_name="i-0123456789abcdef0"),
        Caller("lambda.amazonaws.com", "Lambda (a function)", session_name="my-function"),
        Caller("ecs-tasks.amazonaws.com", "ECS (a task)",
               session_name="0123456789abcdef0123456789abcdef"),
        Caller(f"arn:aws:iam::{account}:user/alice", f"Alice (an IAM user in {account})",
               (parse_policy(may_assume, PolicyKind.IDENTITY, "AliceMayAssumeRoles"),),
               session_name="alice"),
        Caller(f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob",
               f"Bob (an IAM user in another account, {OTHER_ACCOUNT})",
               (parse_policy(bob_may_assume, PolicyKind.IDENTITY, "BobMayAssumeRoles"),),
               session_name="bob"),
        Caller(f"arn:aws:iam::{account}:saml-provider/CorpSSO",
               "a user federated through the company's SAML sign-in (CorpSSO)",
               assume_action="sts:AssumeRoleWithSAML", session_name="jane@example.com",
               context={"saml:aud": SAML_AUDIENCE}),
    )


_IAM_CALLERS = frozenset({PrincipalType.USER, PrincipalType.ROLE, PrincipalType.ASSUMED_ROLE,
                          PrincipalType.ACCOUNT, PrincipalType.FEDERATED_USER})


@dataclass(frozen=True)
class RolePlayground:
    """One role (its trust and permissions policies) and the callers who might assume it.

    ``role_path`` is the role's path (``/`` unless the role was created with one, such as
    ``/service-role/``): it is part of the role's ARN, which the trust step acts on and
    Principal elements and ``aws:PrincipalArn`` match, though not of its session ARNs.

    The rest describes the role and its surroundings as the world does: its permissions
    ``boundary``, ``tags`` and ``role_id`` (``aws:userid`` is ``ROLEID:SESSION``), whether
    it is ``service_linked`` (no SCP or RCP applies), the organisation (``org``: SCP and
    RCP levels by account), the owner of resources whose ARN names none
    (``resource_owners``, S3 buckets by ARN) and the ``region`` requests go to.

    What a learner may add: a ``session_policy`` passed when the role is assumed (it limits
    the session: IAM User Guide, "Session policies"), and an ``scp`` attached to the role's
    account (AWS Organizations User Guide, "SCP evaluation": it joins the policies at the
    account's own level, so with no organisation it is the only SCP on the path, as if the
    root kept its default FullAWSAccess).
    """

    trust: Policy
    permissions: tuple[Policy, ...] = ()
    role_name: str = "AppRole"
    account: str = DEFAULT_ACCOUNT
    callers: tuple[Caller, ...] = field(default_factory=default_callers)
    resource_policies: Mapping[str, Policy] = field(default_factory=dict)
    now: datetime | None = None
    role_path: str = "/"
    boundary: Policy | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    role_id: str | None = None
    org: OrgSnapshot | None = None
    resource_owners: Mapping[str, str] = field(default_factory=dict)
    region: str | None = None
    service_linked: bool = False
    session_policy: Policy | None = None
    scp: Policy | None = None

    def __post_init__(self) -> None:
        path = self.role_path.strip() or "/"
        path = ("" if path.startswith("/") else "/") + path
        path += "" if path.endswith("/") else "/"
        object.__setattr__(self, "role_path", path)

    @classmethod
    def from_inventory(cls, inventory: Inventory, role: str,
                       session_names: Mapping[str, str] | None = None,
                       resource_policies: Mapping[str, Policy] | None = None,
                       now: datetime | None = None, *, org: OrgSnapshot | None = None,
                       resource_owners: Mapping[str, str] | None = None,
                       region: str | None = None) -> RolePlayground:
        """A playground for one role of an inventory (``World.inventory()``, or an account's
        authorization details): its trust and permissions policies, boundary, tags and ID,
        the inventory's SCPs (unless ``org`` says more), and as callers the common services
        and every IAM user (with their own policies, boundary, tags and ID)."""
        info = inventory.role(role)
        if info is None:
            names = ", ".join(sorted(r.name for r in inventory.roles)) or "none"
            raise PlaygroundError(f"there is no role named {role!r} here (roles: {names})")
        if info.trust_policy is None:
            raise PlaygroundError(f"the role {info.name} has no trust policy to play with")
        sessions = dict(session_names or {})
        services = [c for c in default_callers(info.account) if c.is_service]
        callers = [replace(c, session_name=sessions.get(c.principal, c.session_name))
                   for c in services]
        callers += [Caller(u.arn, f"{u.name} (an IAM user in {u.account})", u.policies,
                           session_name=u.name, boundary=u.boundary, tags=dict(u.tags),
                           userid=u.user_id)
                    for u in inventory.users]
        if org is None and inventory.scps:
            org = OrgSnapshot(scps=dict(inventory.scps))
        return cls(info.trust_policy, info.policies, info.name, info.account, tuple(callers),
                   dict(resource_policies or {}), now, _path_of(info), info.boundary,
                   dict(info.tags), info.role_id, org, dict(resource_owners or {}), region,
                   info.service_linked)

    @classmethod
    def from_world(cls, world: Any, role: str) -> RolePlayground:
        """A playground for a role of a simulated world (``iamlab.world.World``), read only:
        its inventory at the world's time, the resources' own policies and owners, the
        organisation as it is now, and for EC2 the session name AWS would use (the ID of an
        instance that carries the role)."""
        from iamlab.world.lookup import resource_policies

        policies, owners = resource_policies(world)
        org = world.organization.snapshot() if world.organization is not None else None
        return cls.from_inventory(world.inventory(), role, _ec2_session_names(world, role),
                                  policies, world.clock.now(), org=org, resource_owners=owners,
                                  region=world.region)

    @classmethod
    def of(cls, trust: PolicySource, permissions: PolicySource | Iterable[Policy] = (),
           role_name: str = "AppRole", account: str = DEFAULT_ACCOUNT,
           callers: Iterable[Caller] | None = None) -> RolePlayground:
        """Build from JSON text or dicts; raises :class:`PolicyError` listing every problem."""
        trust_policy = parse_policy(trust, PolicyKind.TRUST, f"{role_name}-trust") \
            if not isinstance(trust, Policy) else trust
        many = isinstance(permissions, (list, tuple))
        items: list[Any] = list(permissions) if many else [permissions]  # type: ignore[arg-type]
        base = cls(trust_policy, (), role_name, account,
                   tuple(callers) if callers is not None else default_callers(account))
        return base.with_permissions(*items)

    @property
    def role_arn(self) -> str:
        """``arn:aws:iam::ACCOUNT:role/PATH/NAME`` (the path is ``/`` for most roles)."""
        return f"arn:aws:iam::{self.account}:role{self.role_path}{self.role_name}"

    def with_trust(self, trust: Policy | PolicySource) -> RolePlayground:
        """The same playground with another trust policy (text is parsed, strictly)."""
        if not isinstance(trust, Policy):
            trust = parse_policy(trust, PolicyKind.TRUST, f"{self.role_name}-trust")
        if trust.kind is not PolicyKind.TRUST:
            trust = replace(trust, kind=PolicyKind.TRUST)
        return replace(self, trust=trust)

    def with_permissions(self, *policies: Policy | PolicySource) -> RolePlayground:
        """The same playground with other permissions policies."""
        parsed = tuple(p if isinstance(p, Policy) else
                       parse_policy(p, PolicyKind.IDENTITY, f"{self.role_name}-permissions")
                       for p in policies)
        return replace(self, permissions=parsed)

    def caller(self, principal: str) -> Caller:
        """The caller with this principal (or label); an unknown ARN becomes a caller with
        no policies of its own."""
        for c in self.callers:
            if principal in (c.principal, c.label):
                return c
        if not principal.strip():
            raise PlaygroundError("choose who wants to wear the badge (a caller)")
        return Caller(principal, principal)

    def session_arn(self, caller: Caller) -> str:
        """The ARN of the role session the caller gets (IAM User Guide, "IAM identifiers":
        ``arn:aws:sts::account:assumed-role/role-name/role-session-name``)."""
        return f"arn:aws:sts::{self.account}:assumed-role/{self.role_name}/{caller.session_name}"

    def can_assume(self, caller: Caller | str, context: Mapping[str, ContextValue] | None = None,
                   now: datetime | None = None, *, explain: bool = True) -> Decision:
        """Step 1: may ``caller`` assume this role? (its trust policy and, for IAM users and
        roles, the caller's own identity policies, boundary and SCPs decide). Without
        ``explain`` only the decision is worked out (faster, for sweeps of many requests)."""
        who = caller if isinstance(caller, Caller) else self.caller(caller)
        action = who.assume_action
        extra: dict[str, ContextValue] = {}
        if action.lower() == "sts:assumerole":
            extra["sts:RoleSessionName"] = who.session_name
        ctx = self._context(who.principal, who.account, self.account, now,
                            {**extra, **who.context, **(context or {})}, tags=who.tags,
                            userid=who.userid)
        request = Request(who.principal, action, Resource.of(self.role_arn, self.account),
                          Context(ctx))
        scps, rcps = self._levels(who.account, self.account, action)
        return evaluate(request, PolicySet.of(identity=who.policies, resource=self.trust,
                                              boundary=who.boundary, scps=scps, rcps=rcps),
                        explain=explain)

    def can_do(self, caller: Caller | str, action: str, resource: str,
               context: Mapping[str, ContextValue] | None = None,
               now: datetime | None = None, *, explain: bool = True) -> Decision:
        """Step 2: may the caller's role session do ``action`` on ``resource``?"""
        who = caller if isinstance(caller, Caller) else self.caller(caller)
        session = self.session_arn(who)
        owner = self.resource_owner(resource)
        # the session ARN drops the role's path: the engine is told the role (path and all)
        role_arn = self.role_arn if self.role_path != "/" else None
        moment = now or self.now
        issued = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
        extra: dict[str, ContextValue] = {
            "aws:TokenIssueTime": issued.strftime("%Y-%m-%dT%H:%M:%SZ"), **(context or {})}
        userid = f"{self.role_id}:{who.session_name}" if self.role_id else None
        ctx = self._context(session, self.account, owner, moment, extra, role_arn=role_arn,
                            tags=self.tags, userid=userid)
        request = Request(session, action, Resource(resource, owner), Context(ctx), role_arn)
        scps, rcps = self._levels(self.account, owner, action)
        policies = PolicySet.of(identity=self.permissions,
                                resource=self.resource_policy(resource, action),
                                boundary=self.boundary, session=self.session_policy,
                                scps=scps, rcps=rcps)
        return evaluate(request, policies, explain=explain)

    def _levels(self, principal_account: str | None, resource_account: str | None,
                action: str) -> tuple[Any, Any]:
        """The SCP and RCP levels for a request (:func:`iamlab.org.control_levels`), with
        the learner's own SCP joining the level of the role's account."""
        scps, rcps = control_levels(self.org, principal_account, resource_account, action,
                                    service_linked=self.service_linked)
        if self.scp is not None and principal_account == self.account \
                and not self.service_linked:
            levels = tuple(scps or ())
            scps = (*levels[:-1], (*levels[-1], self.scp)) if levels else ((self.scp,),)
        return scps, rcps

    def policy_holder(self, resource: str) -> str:
        """The ARN whose own policy governs ``resource``: an S3 object's bucket, otherwise
        the resource itself (``resource_policies`` is keyed by it)."""
        if resource.startswith("arn:aws:s3:::") and "/" in resource:
            bucket = resource.split("/", 1)[0]
            if resource not in self.resource_policies:
                return bucket
        return resource

    def editable_holder(self, resource: str) -> str | None:
        """The ARN whose own policy a learner edits for a request on ``resource`` (its
        :meth:`policy_holder`: a bucket for an S3 object), or None when there is none to
        edit: the request names no single resource (``*``, or text that is not an ARN), or
        names a role, whose resource-based policy is its trust policy (edited as such)."""
        resource = resource.strip()
        parsed = parse_arn(resource)
        if parsed is None:
            return None
        if parsed.service == "iam" and parsed.resource.startswith("role/"):
            return None
        return self.policy_holder(resource)

    def own_policy(self, holder: str) -> Policy | None:
        """The policy ``holder`` has of its own as the playground started (``None`` for a
        role: its trust policy is edited as such, see :meth:`editable_holder`)."""
        found = self.resource_policies.get(holder)
        return None if found is None or found.kind is PolicyKind.TRUST else found

    def with_boundary(self, boundary: Policy | PolicySource | None) -> RolePlayground:
        """The same playground with another permissions boundary (None: none)."""
        return replace(self, boundary=self._parsed(boundary, PolicyKind.BOUNDARY, "boundary"))

    def with_session_policy(self, policy: Policy | PolicySource | None) -> RolePlayground:
        """The same playground with a session policy passed when assuming (None: none)."""
        return replace(self, session_policy=self._parsed(policy, PolicyKind.SESSION,
                                                         "session"))

    def with_scp(self, policy: Policy | PolicySource | None) -> RolePlayground:
        """The same playground with an SCP attached to the role's account (None: none)."""
        return replace(self, scp=self._parsed(policy, PolicyKind.SCP, "scp"))

    def with_resource_policy(self, resource: str, policy: Policy | PolicySource | None
                             ) -> RolePlayground:
        """The same playground with another policy on ``resource``'s holder (an object's
        bucket; see :meth:`policy_holder`), or none."""
        holder = self.policy_holder(resource)
        policies = dict(self.resource_policies)
        parsed = self._parsed(policy, PolicyKind.RESOURCE, "resource")
        if parsed is None:
            policies.pop(holder, None)
        else:
            policies[holder] = parsed
        return replace(self, resource_policies=policies)

    def _parsed(self, policy: Policy | PolicySource | None, kind: PolicyKind, what: str
                ) -> Policy | None:
        if policy is None or isinstance(policy, Policy):
            return policy
        return parse_policy(policy, kind, f"{self.role_name}-{what}")

    def _context(self, principal: str, account: str | None, resource_account: str | None,
                 now: datetime | None, extra: Mapping[str, ContextValue], *,
                 role_arn: str | None = None, tags: Mapping[str, str] | None = None,
                 userid: str | None = None) -> dict[str, ContextValue]:
        """The keys AWS supplies for ``principal`` (an IAM caller's: who, tags, ID,
        organisation), as the world supplies them, plus ``extra``."""
        keys: dict[str, ContextValue] = {}
        if account is not None:  # signed with AWS credentials, not by a service itself
            keys["aws:ViaAWSService"] = "false"
            keys.update(org_context(self.org, account, resource_account))
        keys.update(extra)
        return aws_context(principal, role_arn=role_arn, now=now or self.now,
                           principal_tags=tags, userid=userid,
                           org_id=principal_org_id(self.org, account), region=self.region,
                           resource_account=resource_account, extra=keys)

    def resource_owner(self, resource: str) -> str:
        """The account that owns ``resource``: the one its ARN names, the bucket's owner for
        S3, and otherwise the role's own account (as the world assumes)."""
        found = Resource.of(resource).account or self.resource_owners.get(resource)
        if found is None and resource.startswith("arn:aws:s3:::"):
            found = self.resource_owners.get(resource.split("/", 1)[0])
        return found or self.account

    def resource_policy(self, resource: str, action: str = "") -> Policy | None:
        """The resource's own policy, if it has one (an S3 object's is its bucket's; a
        role's is its trust policy, for the actions that assume it)."""
        if action.lower() in TRUST_ACTIONS and resource == self.role_arn:
            return self.trust  # as edited here
        found = self.resource_policies.get(resource)
        if found is not None and found.kind is PolicyKind.TRUST:
            return found if action.lower() in TRUST_ACTIONS else None
        if found is None and resource.startswith("arn:aws:s3:::"):
            found = self.resource_policies.get(resource.split("/", 1)[0])
        return found

    def decide(self, ask: Ask, now: datetime | None = None) -> Outcome:
        """Both steps for one request, and the problems worth telling the learner."""
        who = self.caller(ask.caller)
        assume = self.can_assume(who, ask.context, now)
        act = self.can_do(who, ask.action, ask.resource, ask.context, now)
        return Outcome(ask, who, self.role_arn, self.session_arn(who), assume, act,
                       tuple(ask_problems(ask)))

    def who_can_assume(self, now: datetime | None = None) -> dict[str, Decision]:
        """Step 1 for every known caller, by principal."""
        return {c.principal: self.can_assume(c, now=now) for c in self.callers}

    def inventory(self) -> Inventory:
        """The role and the IAM users among the callers, for the access graph."""
        role = RoleInfo(self.role_arn, self.role_name, self.account, self.trust,
                        self.permissions, self.boundary, dict(self.tags), self.role_path,
                        self.role_id, service_linked=self.service_linked)
        users = tuple(
            UserInfo(c.principal, c.principal.rsplit("/", 1)[-1], identify(c.principal).account
                     or self.account, c.policies, c.boundary, tags=dict(c.tags),
                     user_id=c.userid)
            for c in self.callers if identify(c.principal).type is PrincipalType.USER
            and ":user/" in c.principal)
        scps = dict(self.org.scps) if self.org is not None else {}
        return Inventory(users=users, roles=(role,), scps=scps)


def _path_of(role: RoleInfo) -> str:
    """The role's path, from its ARN (``arn:aws:iam::ACCOUNT:role/PATH/NAME``): the ARN is
    what AWS and the world match, whatever ``RoleInfo.path`` says."""
    resource = role.arn.split(":", 5)[-1]
    if resource.startswith("role/") and resource.endswith("/" + role.name):
        return resource[len("role"):-len(role.name)]
    return role.path


def _ec2_session_names(world: Any, role: str) -> dict[str, str]:
    """EC2 names a role session after the instance: an instance that carries the role."""
    for account in world.accounts.values():
        for instance in account.instances.values():
            carried = instance.role
            if carried is not None and role in (carried.name, carried.arn):
                return {"ec2.amazonaws.com": instance.instance_id}
    return {}


def ask_problems(ask: Ask) -> list[str]:
    """What looks wrong in a request, checked against the AWS action catalog: an unknown
    action (with suggestions) or a resource of the wrong type for the action."""
    from iamlab.catalog import catalog

    out: list[str] = []
    action = ask.action.strip()
    if not action:
        return ["choose an action, for example s3:GetObject"]
    cat = catalog()
    if cat.action(action) is None:
        hint = cat.suggest(action)
        tail = f" (did you mean {', '.join(hint)}?)" if hint else ""
        out.append(f"{action} is not an AWS action{tail}; nothing can allow an action "
                   "that does not exist")
        return out
    if not ask.resource.strip():
        out.append("choose a resource (an ARN, or * for actions that take no resource)")
    elif cat.arn_fits_action(action, ask.resource) is False:
        info = cat.action(action)
        kinds = ", ".join(f"{r.name} ({r.arn_format})" for r in info.resource_types) \
            if info is not None and info.resource_types else "only *"
        out.append(f"{ask.resource} is not a resource {action} acts on; it takes: {kinds}")
    return out


def catalog_problems(policy: Policy, text: str | None = None) -> list[Problem]:
    """Warnings for actions in ``policy`` that match nothing in the AWS action catalog.

    AWS stores such a policy, but the action can never match a real request, so a typo
    silently grants nothing. With ``text`` the warnings carry line and column.
    """
    from iamlab.catalog import catalog

    cat = catalog()
    read: tuple[Any, Locations | None] | None = None  # the text, read once if needed
    problems: list[Problem] = []
    for n, st in enumerate(policy.statements):
        for name, values in (("Action", st.actions), ("NotAction", st.not_actions)):
            for i, action in enumerate(values or ()):
                if action == "*" or cat.expand(action):
                    continue
                hint = cat.suggest(action)
                tail = f" (did you mean {', '.join(hint)}?)" if hint else ""
                if read is None:
                    read = _read_located(text)
                doc, locations = read
                path = _statement_path(doc, n, name, i)
                pos = locations.value(path) if locations is not None else None
                problems.append(Problem(
                    "unknown-action", f'"{action}" matches no AWS action{tail}; it can never '
                    "match a request", path, pos.line if pos else None,
                    pos.column if pos else None, "warning"))
    return problems


def _read_located(text: str | None) -> tuple[Any, Locations | None]:
    """The document and where its values are (None, None without readable text)."""
    if text is None:
        return None, None
    try:
        return parse_with_locations(text)
    except JsonSyntaxError:
        return None, None


def _statement_path(doc: Any, n: int, name: str, i: int) -> tuple[str | int, ...]:
    """The JSON path of the i-th value of ``name`` in statement n, as the text spells it."""
    base: tuple[str | int, ...] = ("Statement", n)
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statements, dict):
        base = ("Statement",)
        st = statements
    elif isinstance(statements, list) and n < len(statements):
        st = statements[n]
    else:
        return (*base, name, i)
    value = st.get(name) if isinstance(st, dict) else None
    return (*base, name, i) if isinstance(value, list) else (*base, name)
