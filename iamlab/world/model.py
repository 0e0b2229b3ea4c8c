"""What a simulated AWS account holds: IAM entities and the resources services keep.

These records are the world's mutable state. Policies inside them are immutable
:class:`~iamlab.policy.Policy` values: changing a policy replaces it. Every operation checks
everything before it changes anything, so a failed call leaves the world as it was.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from iamlab.policy import Policy, PolicyKind

if TYPE_CHECKING:
    from iamlab.world.services.autoscaling import AutoScalingGroup
    from iamlab.world.services.cloudwatch import Metric
    from iamlab.world.services.ec2 import Instance, LaunchTemplate
    from iamlab.world.services.ecs import Task, TaskDefinition
    from iamlab.world.services.lambda_ import Function
    from iamlab.world.services.ssm import ManagedNode

DEFAULT_ACCOUNT = "111122223333"
SERVICE_ROLE_PATH = "/aws-service-role/"


def as_kind(policy: Policy, kind: PolicyKind) -> Policy:
    """The same document read as another kind (a managed policy used as a boundary...)."""
    return policy if policy.kind is kind else dataclasses.replace(policy, kind=kind)


@dataclass
class PolicyVersion:
    version_id: str
    policy: Policy
    document: Any  # the document as given (JSON text or dict), for GetPolicyVersion
    created: datetime


@dataclass
class ManagedPolicy:
    """A managed policy (customer or AWS managed) with its versions; the default one applies."""

    arn: str
    name: str
    path: str
    policy_id: str
    account: str  # "aws" for AWS managed policies
    versions: dict[str, PolicyVersion]
    default_version: str
    created: datetime
    description: str = ""
    _views: dict[tuple[str, PolicyKind], Policy] = field(default_factory=dict, repr=False)

    @property
    def aws_managed(self) -> bool:
        return self.account == "aws"

    @property
    def policy(self) -> Policy:
        """The default version's document, as an identity policy."""
        return self.versions[self.default_version].policy

    def as_(self, kind: PolicyKind) -> Policy:
        """The default version read as a boundary or session policy (cached)."""
        key = (self.default_version, kind)
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = as_kind(self.policy, kind)
        return view


@dataclass
class AccessKey:
    """A long-term access key (AKIA...): valid until deleted or made inactive."""

    access_key_id: str
    secret: str
    owner_arn: str
    account: str
    created: datetime
    user_name: str | None = None  # None for the root user's key
    status: str = "Active"
    last_used: datetime | None = None


@dataclass
class MfaDevice:
    """A virtual MFA device; its codes follow the world's clock (TOTP, 30-second steps)."""

    serial: str
    seed: bytes
    user_name: str | None = None
    enabled: datetime | None = None


@dataclass
class User:
    name: str
    arn: str
    user_id: str
    account: str
    path: str
    created: datetime
    inline: dict[str, Policy] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)  # managed policy ARNs
    groups: list[str] = field(default_factory=list)  # group names
    tags: dict[str, str] = field(default_factory=dict)
    boundary: str | None = None  # managed policy ARN
    mfa_serials: list[str] = field(default_factory=list)


@dataclass
class Group:
    name: str
    arn: str
    group_id: str
    account: str
    path: str
    created: datetime
    inline: dict[str, Policy] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)


@dataclass
class Role:
    """An IAM role: a trust policy (who may assume it) and permissions (what it may do)."""

    name: str
    arn: str
    role_id: str
    account: str
    path: str
    created: datetime
    trust: Policy
    inline: dict[str, Policy] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)
    boundary: str | None = None
    max_session_duration: int = 3600
    tags: dict[str, str] = field(default_factory=dict)
    description: str = ""
    service_linked: str | None = None  # the service principal that owns the role
    last_used: datetime | None = None


@dataclass
class InstanceProfile:
    """The container that hands a role to an EC2 instance (at most one role)."""

    name: str
    arn: str
    profile_id: str
    account: str
    path: str
    created: datetime
    roles: list[str] = field(default_factory=list)  # role names


@dataclass
class S3Object:
    key: str
    body: bytes
    modified: datetime
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Bucket:
    name: str
    account: str
    created: datetime
    objects: dict[str, S3Object] = field(default_factory=dict)
    policy: Policy | None = None
    policy_text: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"


@dataclass
class Table:
    name: str
    arn: str
    account: str
    key_names: tuple[str, ...]  # partition key first
    created: datetime
    items: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict)
    policy: Policy | None = None
    policy_text: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Message:
    message_id: str
    body: str
    sent: datetime
    receipt_handle: str = ""
    visible_after: datetime | None = None
    receive_count: int = 0


@dataclass
class Queue:
    name: str
    arn: str
    url: str
    account: str
    created: datetime
    messages: list[Message] = field(default_factory=list)
    policy: Policy | None = None
    policy_text: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class LogStream:
    name: str
    created: datetime
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LogGroup:
    name: str
    account: str
    created: datetime
    streams: dict[str, LogStream] = field(default_factory=dict)


@dataclass
class KmsKey:
    key_id: str
    arn: str
    account: str
    created: datetime
    policy: Policy
    policy_text: str
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Secret:
    name: str
    arn: str
    account: str
    created: datetime
    value: str
    kms_key_id: str | None = None
    policy: Policy | None = None
    policy_text: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class VpcEndpoint:
    endpoint_id: str
    vpc_id: str
    service: str  # "s3", "dynamodb"...
    account: str


@dataclass
class Account:
    """One AWS account: its IAM entities and the resources its services hold."""

    account_id: str
    alias: str = ""
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)  # customer managed, by ARN
    instance_profiles: dict[str, InstanceProfile] = field(default_factory=dict)
    mfa_devices: dict[str, MfaDevice] = field(default_factory=dict)  # by serial
    tables: dict[str, Table] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    log_groups: dict[str, LogGroup] = field(default_factory=dict)
    keys: dict[str, KmsKey] = field(default_factory=dict)
    secrets: dict[str, Secret] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    task_definitions: dict[str, TaskDefinition] = field(default_factory=dict)  # family:rev
    tasks: dict[str, Task] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    launch_templates: dict[str, LaunchTemplate] = field(default_factory=dict)
    auto_scaling_groups: dict[str, AutoScalingGroup] = field(default_factory=dict)
    vpc_endpoints: dict[str, VpcEndpoint] = field(default_factory=dict)
    managed_nodes: dict[str, ManagedNode] = field(default_factory=dict)  # SSM, by instance
    metrics: dict[str, Metric] = field(default_factory=dict)  # CloudWatch, "namespace/name"
    default_vpc: str = "vpc-0a1b2c3d4e5f60718"
    root_key: AccessKey | None = None

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def __repr__(self) -> str:
        alias = f" ({self.alias})" if self.alias else ""
        return (f"<Account {self.account_id}{alias}: {len(self.users)} users, "
                f"{len(self.roles)} roles>")
