"""The simulated AWS world: accounts, a clock, credentials, and the engine deciding calls.

Every call is made with credentials. The world finds out who they belong to (or refuses
them: unknown, inactive, expired), gathers every policy that applies (identity policies,
permissions boundary, session policies, the resource's own policy, the SCPs and RCPs of the
organisation), builds the request context AWS would supply, and asks the engine
(:func:`iamlab.engine.evaluate`). The services in :mod:`iamlab.world.services` use it.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from os import PathLike
from typing import TYPE_CHECKING, Any

from iamlab.arn import parse_arn
from iamlab.context import aws_context
from iamlab.decision import Decision
from iamlab.engine import PolicySet, evaluate
from iamlab.inventory import Inventory
from iamlab.org import control_levels, org_context, principal_org_id
from iamlab.policy import Policy, PolicyKind
from iamlab.request import Context, ContextValue, Request, Resource
from iamlab.world.calllog import CallLog, CallRecord
from iamlab.world.clock import START, Clock
from iamlab.world.credentials import OFFICE_IP, Credentials, Location, TemporarySession
from iamlab.world.errors import (
    ExpiredToken,
    InvalidClientTokenId,
    NotFound,
    SignatureDoesNotMatch,
)
from iamlab.world.ids import IdSource
from iamlab.world.managed_policies import bundled
from iamlab.world.model import (
    DEFAULT_ACCOUNT,
    AccessKey,
    Account,
    Bucket,
    Group,
    ManagedPolicy,
    MfaDevice,
    PolicyVersion,
    Role,
    User,
    VpcEndpoint,
)
from iamlab.world.organization import Organization

if TYPE_CHECKING:
    import pandas

    from iamlab.world.services.ec2 import Instance
    from iamlab.world.services.ecs import Task
    from iamlab.world.services.lambda_ import Function
    from iamlab.world.session import CredentialSource, Session

SSO_PROVIDER = "CorpSSO"  # the identity provider people sign in through
SAML_AUDIENCE = "https://signin.aws.amazon.com/saml"
_MORE_ACCOUNTS = ("444455556666", "777788889999", "123456789012", "210987654321")


@dataclass(frozen=True)
class Caller:
    """Who a request comes from, as found from its credentials."""

    arn: str
    account: str
    userid: str
    access_key_id: str
    user: User | None = None
    role: Role | None = None
    temp: TemporarySession | None = None

    @property
    def is_root(self) -> bool:
        return self.arn.endswith(":root")

    @property
    def service_linked(self) -> bool:
        return self.role is not None and self.role.service_linked is not None

    @property
    def role_arn(self) -> str | None:
        """For a role session, its role's ARN with the path the session ARN leaves out."""
        return self.temp.role_arn if self.temp is not None else None


class World:
    """A simulated AWS: one or more accounts, a clock, and every call decided by the engine.

    ``world.admin`` is a session of the default account's root user, for setting things
    up; ``world.session(credentials)`` makes calls with any credentials;
    ``world.calls()`` shows what happened.
    """

    def __init__(self, *, account_id: str = DEFAULT_ACCOUNT, alias: str = "example",
                 region: str = "us-east-1", seed: int = 0, start: datetime = START) -> None:
        self.clock = Clock(start)
        self.ids = IdSource(seed)
        self.region = region
        self.accounts: dict[str, Account] = {}
        self.organization: Organization | None = None
        self.buckets: dict[str, Bucket] = {}
        self.call_log = CallLog()
        self.aws_policies: dict[str, ManagedPolicy] = {}
        self.deletion_tasks: dict[str, dict[str, Any]] = {}
        self.notes: list[str] = []  # what a loader skipped or repaired, for the learner
        self.imported_policies: set[str] = set()  # AWS managed policies read from a dump
        self._keys: dict[str, AccessKey] = {}
        self._temp: dict[str, TemporarySession] = {}
        self._sessions: dict[str, Session] = {}
        self.account = self.create_account(account_id, alias=alias)

    # -- accounts and organisation ----------------------------------------------------------
    def create_account(self, account_id: str | None = None, *, alias: str = "",
                       ou: str | None = None) -> Account:
        """Add an account (an ID is chosen when not given); in an organisation, under ``ou``."""
        if account_id is None:
            account_id = next((a for a in _MORE_ACCOUNTS if a not in self.accounts), None) \
                or self.ids.digits(12)
        if account_id in self.accounts:
            raise ValueError(f"account {account_id} already exists in this world")
        acct = Account(account_id, alias, default_vpc="vpc-0" + self.ids.hex(16))
        self.accounts[account_id] = acct
        if self.organization is not None:
            self.organization.add_account(account_id, ou)
        return acct

    def get_account(self, account_id: str | None = None) -> Account:
        if account_id is None:
            return self.account
        acct = self.accounts.get(account_id)
        if acct is None:
            raise NotFound(f"There is no account {account_id} in this world "
                           f"(accounts: {', '.join(self.accounts)}).", code="NoSuchAccount")
        return acct

    def create_organization(self, *, rcps: bool = False) -> Organization:
        """Make the default account the management account of an organisation holding every
        account of the world (under the root). Attach SCPs/RCPs through the result."""
        if self.organization is None:
            self.organization = Organization.create(self.account.account_id, rcps=rcps)
            for acct in self.accounts:
                if acct != self.account.account_id:
                    self.organization.add_account(acct)
        elif rcps:
            self.organization.enable_rcps()
        return self.organization

    # -- sessions ---------------------------------------------------------------------------
    @property
    def admin(self) -> Session:
        """The default account's root user, for lessons about the root user. To set a
        scenario up use :attr:`administrator`, as AWS advises (no root for daily work)."""
        return self.root()

    @property
    def administrator(self) -> Session:
        """A person signed in to the default account as the ``Administrator`` role."""
        return self.administrator_of()

    def administrator_of(self, account_id: str | None = None) -> Session:
        """An administrator of an account, signed in through single sign-on: a session of
        the role ``Administrator`` (``AdministratorAccess``), whose one-hour credentials are
        renewed as a sign-in portal renews them. The root user creates the role once, the
        one set-up step left to root (IAM User Guide, "Root user best practices")."""
        acct = self.get_account(account_id)
        key = f"administrator:{acct.account_id}"
        cached = self._sessions.get(key)
        if cached is not None:
            return cached
        role = acct.roles.get("Administrator")
        if role is None:
            root = self.root(acct.account_id).iam
            root.create_role(RoleName="Administrator", AssumeRolePolicyDocument=_sso_trust(
                acct.account_id), Description="People who run the account sign in as this")
            root.attach_role_policy(RoleName="Administrator",
                                    PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
            role = acct.roles["Administrator"]
        signed_in = role
        current: list[TemporarySession] = []

        def sign_in() -> Credentials:
            now = self.clock.now()
            if not current or now >= current[-1].expiration - timedelta(minutes=5):
                self._log_sign_in(signed_in)
                current.append(self.issue_role_session(
                    signed_in, session_name="admin", duration=3600, issued_to="sts"))
            return current[-1].credentials

        made = self.session(sign_in)
        self._sessions[key] = made
        return made

    def _log_sign_in(self, role: Role) -> None:
        """The sign-in portal's AssumeRoleWithSAML, as CloudTrail shows a person signing in
        through single sign-on: the identity provider asking for the role, which the role's
        trust policy allows."""
        provider = f"arn:aws:iam::{role.account}:saml-provider/{SSO_PROVIDER}"
        decision = self.decide_service(provider, "sts:AssumeRoleWithSAML", role.arn,
                                       resource_account=role.account,
                                       resource_policy=role.trust,
                                       context={"SAML:aud": SAML_AUDIENCE})
        self.call_log.add(CallRecord(self.clock.now(), provider, "sts.amazonaws.com",
                                     "AssumeRoleWithSAML", "sts:AssumeRoleWithSAML", role.arn,
                                     decision, message="a person signed in through single "
                                                       "sign-on (the sign-in portal)"))

    def root(self, account_id: str | None = None) -> Session:
        """A session of an account's root user."""
        acct = self.get_account(account_id)
        cached = self._sessions.get(acct.account_id)
        if cached is not None:
            return cached
        if acct.root_key is None:
            acct.root_key = AccessKey(self.ids.unique_id("access-key"), self.ids.secret(),
                                      acct.root_arn, acct.account_id, self.clock.now())
            self._keys[acct.root_key.access_key_id] = acct.root_key
        key = acct.root_key
        made = self.session(Credentials(key.access_key_id, key.secret))
        self._sessions[acct.account_id] = made
        return made

    def session(self, credentials: Credentials | CredentialSource | Mapping[str, Any], *,
                source_ip: str = OFFICE_IP, vpc_id: str | None = None,
                private_ip: str | None = None, secure_transport: bool = True,
                invoked_by: str = "") -> Session:
        """A session making calls with ``credentials`` from ``source_ip`` (or from inside a
        VPC). ``credentials`` may be a :class:`Credentials`, an STS/IAM response block, or a
        callable returning fresh credentials (as the metadata service does)."""
        from iamlab.world.session import Session

        if isinstance(credentials, Mapping):
            credentials = Credentials.from_dict(credentials)
        return Session(self, credentials,
                       Location(source_ip, vpc_id, private_ip, secure_transport),
                       invoked_by=invoked_by)

    def user_session(self, user_name: str, *, account: str | None = None,
                     source_ip: str = OFFICE_IP) -> Session:
        """A session of an IAM user with a new access key (created by the administrator)."""
        acct = self.get_account(account)
        made = self.administrator_of(acct.account_id).iam.create_access_key(UserName=user_name)
        return self.session(made["AccessKey"], source_ip=source_ip)

    def mfa_code(self, serial_number: str, *, offset: int = 0) -> str:
        """The code a virtual MFA device shows now (``offset`` steps of 30 s later/earlier)."""
        device = self.find_mfa_device(serial_number)
        if device is None:
            raise NotFound(f"No MFA device with serial number {serial_number}.",
                           code="NoSuchEntity")
        return totp(device.seed, self.clock.now(), offset)

    def find_mfa_device(self, serial_number: str) -> MfaDevice | None:
        for acct in self.accounts.values():
            if serial_number in acct.mfa_devices:
                return acct.mfa_devices[serial_number]
        return None

    # -- who is calling ---------------------------------------------------------------------
    def register_key(self, key: AccessKey) -> None:
        self._keys[key.access_key_id] = key

    def forget_key(self, access_key_id: str) -> None:
        self._keys.pop(access_key_id, None)

    def resolve(self, credentials: Credentials, service: str = "") -> Caller:
        """The caller behind ``credentials``, or the error AWS gives for them."""
        key_id = credentials.access_key_id
        temp = self._temp.get(key_id)
        if temp is not None:
            if temp.credentials.secret_access_key != credentials.secret_access_key:
                raise SignatureDoesNotMatch()
            if temp.credentials.session_token != credentials.session_token:
                raise _invalid(service)
            if self.clock.now() >= temp.expiration:
                raise _expired(service, temp.expiration)
            role = self.role_by_arn(temp.role_arn) if temp.role_arn else None
            if role is not None and role.role_id != temp.role_id:
                role = None  # the role was deleted (and perhaps re-created): not the same role
            user = self.user_by_arn(temp.user_arn) if temp.user_arn else None
            return Caller(temp.principal_arn, temp.account, temp.userid, key_id, user, role,
                          temp)
        key = self._keys.get(key_id)
        if key is None or key.status != "Active" or credentials.session_token is not None:
            raise _invalid(service)
        if key.secret != credentials.secret_access_key:
            raise SignatureDoesNotMatch()
        key.last_used = self.clock.now()
        if key.user_name is None:
            return Caller(key.owner_arn, key.account, key.account, key_id)
        user = self.accounts[key.account].users[key.user_name]
        return Caller(user.arn, user.account, user.user_id, key_id, user=user)

    def owner_of(self, access_key_id: str) -> str:
        """Whose key this is, as far as the world knows ("" for a key it never issued)."""
        temp = self._temp.get(access_key_id)
        if temp is not None:
            return temp.principal_arn
        key = self._keys.get(access_key_id)
        return key.owner_arn if key is not None else ""

    def temporary_session(self, access_key_id: str) -> TemporarySession | None:
        return self._temp.get(access_key_id)

    # -- which policies apply ---------------------------------------------------------------
    def managed_policy(self, arn: str) -> ManagedPolicy | None:
        """A customer managed policy of any account, or an AWS managed policy."""
        parsed = parse_arn(arn)
        if parsed is None:
            return None
        if parsed.account == "aws":
            found = self.aws_policies.get(arn)
            if found is None and arn in bundled():
                data = bundled()[arn]
                created = datetime.fromisoformat(data.create_date)
                found = ManagedPolicy(
                    data.arn, data.name, data.path, "ANPA" + hashlib.sha1(
                        data.arn.encode()).hexdigest()[:17].upper(), "aws",
                    {data.version_id: PolicyVersion(data.version_id, data.policy(),
                                                    data.document, created)},
                    data.version_id, created, data.description)
                self.aws_policies[arn] = found
            return found
        acct = self.accounts.get(parsed.account)
        return acct.policies.get(arn) if acct else None

    def own_policies(self, entity: User | Group | Role) -> list[Policy]:
        """A user's, group's or role's own policies: inline, then the managed ones attached."""
        managed = (self.managed_policy(arn) for arn in entity.attached)
        return [*entity.inline.values(), *(mp.policy for mp in managed if mp is not None)]

    def user_policies(self, user: User) -> list[Policy]:
        """Every identity policy of a user: its own and its groups' (inline and managed)."""
        acct = self.accounts[user.account]
        found = self.own_policies(user)
        for gname in user.groups:
            group = acct.groups.get(gname)
            if group is not None:
                found += self.own_policies(group)
        return found

    def role_policies(self, role: Role) -> list[Policy]:
        return self.own_policies(role)

    def boundary_of(self, arn: str | None) -> Policy | None:
        if arn is None:
            return None
        mp = self.managed_policy(arn)
        return mp.as_(PolicyKind.BOUNDARY) if mp else None

    def _policies(self, caller: Caller) -> tuple[tuple[Policy, ...], tuple[Policy, ...],
                                                 tuple[Policy, ...]]:
        temp = caller.temp
        session = temp.session_policies if temp is not None else ()
        if caller.role is not None:
            boundary = self.boundary_of(caller.role.boundary)
            return (tuple(self.role_policies(caller.role)),
                    (boundary,) if boundary else (), session)
        if caller.user is not None:
            boundary = self.boundary_of(caller.user.boundary)
            return (tuple(self.user_policies(caller.user)),
                    (boundary,) if boundary else (), session)
        return (), (), session

    def principal_tags(self, caller: Caller) -> dict[str, str]:
        tags: dict[str, str] = {}
        if caller.role is not None:
            tags.update(caller.role.tags)
        elif caller.user is not None:
            tags.update(caller.user.tags)
        if caller.temp is not None:
            tags.update(caller.temp.tags)
        return tags

    # -- deciding ---------------------------------------------------------------------------
    def network_keys(self, location: Location, service: str) -> dict[str, ContextValue]:
        """``aws:SourceIp``, or the VPC endpoint keys when the call goes through one."""
        if location.vpc_id:
            for acct in self.accounts.values():
                for ep in acct.vpc_endpoints.values():
                    if ep.vpc_id == location.vpc_id and ep.service == service:
                        keys: dict[str, ContextValue] = {"aws:SourceVpc": ep.vpc_id,
                                                         "aws:SourceVpce": ep.endpoint_id}
                        if location.private_ip:
                            keys["aws:VpcSourceIp"] = location.private_ip
                        return keys
        return {"aws:SourceIp": location.source_ip}

    def find_endpoint(self, vpc_id: str, service: str) -> VpcEndpoint | None:
        for acct in self.accounts.values():
            for ep in acct.vpc_endpoints.values():
                if ep.vpc_id == vpc_id and ep.service == service:
                    return ep
        return None

    def context_for(self, caller: Caller, location: Location, action: str,
                    resource_account: str | None,
                    extra: Mapping[str, ContextValue] | None = None) -> dict[str, ContextValue]:
        """The request context AWS supplies for this caller, place and moment, plus ``extra``."""
        service = action.split(":", 1)[0].lower()
        org = self.organization
        temp = caller.temp
        mfa_age = None
        mfa_time = temp.mfa_time if temp is not None else None
        if mfa_time is not None:
            mfa_age = int((self.clock.now() - mfa_time).total_seconds())
        keys: dict[str, ContextValue] = {"aws:ViaAWSService": "false"}
        keys.update(self.network_keys(location, service))
        keys.update(org_context(org, caller.account, resource_account))
        if temp is not None:
            keys["aws:TokenIssueTime"] = temp.issued.strftime("%Y-%m-%dT%H:%M:%SZ")
            if temp.source_identity:
                keys["aws:SourceIdentity"] = temp.source_identity
            keys.update(temp.context)
        if extra:
            keys.update(extra)
        return aws_context(
            caller.arn, role_arn=caller.role_arn, now=self.clock.now(), source_ip=None,
            secure_transport=location.secure_transport, mfa_age_seconds=mfa_age,
            principal_tags=self.principal_tags(caller), userid=caller.userid,
            org_id=principal_org_id(org, caller.account),
            region=self.region, resource_account=resource_account, extra=keys)

    def decide(self, caller: Caller, location: Location, action: str, resource: str, *,
               resource_account: str | None, resource_policy: Policy | None = None,
               context: Mapping[str, ContextValue] | None = None) -> Decision:
        """The engine's decision on ``caller`` doing ``action`` to ``resource`` (explained
        in full when denied)."""
        identity, boundary, session = self._policies(caller)
        ctx = self.context_for(caller, location, action, resource_account, context)
        scps, rcps = control_levels(self.organization, caller.account, resource_account, action,
                                    service_linked=caller.service_linked)
        request = Request(caller.arn, action, Resource(resource, resource_account), Context(ctx),
                          caller.role_arn)
        policies = PolicySet(identity, resource_policy, boundary, session, scps, rcps)
        decision = evaluate(request, policies)
        if not decision.allowed:
            decision = evaluate(request, policies, explain=True)
        return decision

    def decide_service(self, service_principal: str, action: str, resource: str, *,
                       resource_account: str | None, resource_policy: Policy | None,
                       context: Mapping[str, ContextValue] | None = None) -> Decision:
        """The decision on an AWS service principal (``ec2.amazonaws.com``) acting itself,
        for example assuming a role: only the resource's policy can allow it."""
        _, rcps = control_levels(self.organization, None, resource_account, action)
        ctx = aws_context(service_principal, now=self.clock.now(), region=self.region,
                          resource_account=resource_account, extra=dict(context or {}))
        request = Request(service_principal, action, Resource(resource, resource_account),
                          Context(ctx))
        policies = PolicySet((), resource_policy, (), (), None, rcps)
        decision = evaluate(request, policies)
        if not decision.allowed:
            decision = evaluate(request, policies, explain=True)
        return decision

    # -- issuing temporary credentials ------------------------------------------------------
    def issue_role_session(self, role: Role, *, session_name: str, duration: int,
                           issued_to: str, session_policies: tuple[Policy, ...] = (),
                           tags: Mapping[str, str] | None = None,
                           transitive_tag_keys: frozenset[str] = frozenset(),
                           source_identity: str | None = None,
                           mfa_time: datetime | None = None, chained: bool = False,
                           context: Mapping[str, ContextValue] | None = None
                           ) -> TemporarySession:
        """New temporary credentials (ASIA...) for a session of ``role``."""
        now = self.clock.now()
        creds = Credentials(self.ids.unique_id("temporary-key"), self.ids.secret(),
                            self.ids.session_token(), now + timedelta(seconds=duration))
        made = TemporarySession(
            creds, f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session_name}",
            role.account, f"{role.role_id}:{session_name}", now, role.arn, role.role_id,
            None, session_name, session_policies, dict(tags or {}), transitive_tag_keys,
            source_identity, mfa_time, chained, issued_to, dict(context or {}))
        self._temp[creds.access_key_id] = made
        role.last_used = now
        return made

    def issue_user_session(self, user: User, *, duration: int,
                           mfa_time: datetime | None) -> TemporarySession:
        """New temporary credentials for a user's own session (GetSessionToken)."""
        now = self.clock.now()
        creds = Credentials(self.ids.unique_id("temporary-key"), self.ids.secret(),
                            self.ids.session_token(), now + timedelta(seconds=duration))
        made = TemporarySession(creds, user.arn, user.account, user.user_id, now,
                                user_arn=user.arn, mfa_time=mfa_time, issued_to="sts")
        self._temp[creds.access_key_id] = made
        return made

    # -- lookups ----------------------------------------------------------------------------
    def role_by_arn(self, arn: str | None) -> Role | None:
        parsed = parse_arn(arn or "")
        if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("role/"):
            return None
        acct = self.accounts.get(parsed.account)
        if acct is None:
            return None
        role = acct.roles.get(parsed.resource.rsplit("/", 1)[-1])
        return role if role is not None and role.arn == arn else None

    def user_by_arn(self, arn: str | None) -> User | None:
        parsed = parse_arn(arn or "")
        if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("user/"):
            return None
        acct = self.accounts.get(parsed.account)
        user = acct.users.get(parsed.resource.rsplit("/", 1)[-1]) if acct else None
        return user if user is not None and user.arn == arn else None

    def principal_exists(self, arn: str) -> bool | None:
        """Whether an IAM user or role ARN names something that exists (None: not ours)."""
        parsed = parse_arn(arn)
        if parsed is None or parsed.service != "iam" or parsed.account not in self.accounts:
            return None
        kind = parsed.resource.split("/", 1)[0]
        if kind == "role":
            return self.role_by_arn(arn) is not None
        if kind == "user":
            return self.user_by_arn(arn) is not None
        return None

    def instance(self, instance_id: str) -> Instance:
        """An EC2 instance of any account, by ID (``resp["Instances"][0]["InstanceId"]``)."""
        for acct in self.accounts.values():
            if instance_id in acct.instances:
                return acct.instances[instance_id]
        raise NotFound(f"The instance ID '{instance_id}' does not exist",
                       code="InvalidInstanceID.NotFound")

    def function(self, name: str, account: str | None = None) -> Function:
        """A Lambda function by name (in the default account unless told)."""
        fn = self.get_account(account).functions.get(name)
        if fn is None:
            raise NotFound(f"Function not found: {name}", code="ResourceNotFoundException")
        return fn

    def task(self, task_arn_or_id: str) -> Task:
        """An ECS task of any account, by ARN or ID (``resp["tasks"][0]["taskArn"]``)."""
        task_id = task_arn_or_id.rsplit("/", 1)[-1]
        for acct in self.accounts.values():
            if task_id in acct.tasks:
                return acct.tasks[task_id]
        raise NotFound(f"The referenced task was not found: {task_arn_or_id}",
                       code="ClientException")

    # -- the call log -----------------------------------------------------------------------
    def calls(self, last: int | None = None, *, who: str | None = None,
              denied: bool = False) -> pandas.DataFrame:
        """Every call so far as a table, like a small CloudTrail (see :class:`CallLog`)."""
        return self.call_log.frame(last, who=who, denied=denied)

    def record_service_call(self, service_principal: str, endpoint: str, operation: str,
                            action: str, resource: str, decision: Decision | None,
                            error: str = "", message: str = "") -> None:
        """Log a call an AWS service made itself (assuming a role for an instance...)."""
        self.call_log.add(CallRecord(self.clock.now(), service_principal, endpoint, operation,
                                     action, resource, decision, error, message,
                                     invoked_by=service_principal))

    # -- inventories ------------------------------------------------------------------------
    def inventory(self) -> Inventory:
        """A snapshot of every account's principals and policies, for graphs and tables."""
        from iamlab.world.inventory_io import to_inventory

        return to_inventory(self)

    @classmethod
    def from_inventory(cls, inventory: Inventory, *, region: str = "us-east-1") -> World:
        """A world holding the users, groups, roles and policies of an inventory."""
        from iamlab.world.inventory_io import from_inventory

        return from_inventory(cls, inventory, region=region)

    @classmethod
    def load_authorization_details(cls, path: str | PathLike[str]) -> World:
        """A world from the output of ``aws iam get-account-authorization-details``."""
        from iamlab.authz_dump import load_inventory

        return cls.from_inventory(load_inventory(path))

    def __repr__(self) -> str:
        accounts = ", ".join(repr(a) for a in self.accounts.values())
        return f"<World at {self.clock.now():%Y-%m-%d %H:%M:%S}Z: {accounts}>"


def _sso_trust(account_id: str) -> dict[str, Any]:
    """The trust policy of a role people sign in to through a SAML identity provider."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
        "Principal": {"Federated": f"arn:aws:iam::{account_id}:saml-provider/{SSO_PROVIDER}"},
        "Condition": {"StringEquals": {"SAML:aud": SAML_AUDIENCE}}}]}


def _invalid(service: str) -> InvalidClientTokenId:
    if service == "s3":
        return InvalidClientTokenId("The AWS Access Key Id you provided does not exist in our "
                                    "records.", code="InvalidAccessKeyId")
    return InvalidClientTokenId()


def _expired(service: str, expiration: datetime) -> ExpiredToken:
    stamp = expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
    if service == "s3":
        return ExpiredToken("The provided token has expired.", expired_at=stamp)
    return ExpiredToken(expired_at=stamp)


def totp(seed: bytes, now: datetime, offset: int = 0) -> str:
    """A six-digit time-based one-time password (RFC 6238, 30-second steps)."""
    counter = int(now.timestamp()) // 30 + offset
    digest = hmac.new(seed, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[start:start + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


__all__ = ["Caller", "World", "totp"]
