"""A session: credentials plus the place calls come from, and one client per service.

The one style used everywhere: ``session.s3.get_object(Bucket="reports", Key="q3.csv")``,
with boto3's method and parameter names and response shapes (``session.client("s3")`` is
the same client). Every call is signed with the session's credentials; a session built on
a credential source (an instance's metadata service) asks it for fresh ones each call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from iamlab.decision import Decision
from iamlab.request import ContextValue
from iamlab.world.credentials import Credentials, Location

if TYPE_CHECKING:
    from iamlab.world.core import World
    from iamlab.world.iam import IamClient
    from iamlab.world.services.autoscaling import AutoScalingClient
    from iamlab.world.services.base import ServiceClient
    from iamlab.world.services.cloudwatch import CloudWatchClient
    from iamlab.world.services.dynamodb import DynamoDBClient
    from iamlab.world.services.ec2 import Ec2Client
    from iamlab.world.services.ecs import EcsClient
    from iamlab.world.services.kms import KmsClient
    from iamlab.world.services.lambda_ import LambdaClient
    from iamlab.world.services.logs import LogsClient
    from iamlab.world.services.s3 import S3Client
    from iamlab.world.services.secretsmanager import SecretsManagerClient
    from iamlab.world.services.sqs import SqsClient
    from iamlab.world.services.ssm import SsmClient
    from iamlab.world.sts import StsClient

CredentialSource = Callable[[], Credentials]

_CLIENTS = {
    "iam": ("iamlab.world.iam", "IamClient"),
    "sts": ("iamlab.world.sts", "StsClient"),
    "s3": ("iamlab.world.services.s3", "S3Client"),
    "dynamodb": ("iamlab.world.services.dynamodb", "DynamoDBClient"),
    "sqs": ("iamlab.world.services.sqs", "SqsClient"),
    "logs": ("iamlab.world.services.logs", "LogsClient"),
    "kms": ("iamlab.world.services.kms", "KmsClient"),
    "secretsmanager": ("iamlab.world.services.secretsmanager", "SecretsManagerClient"),
    "ec2": ("iamlab.world.services.ec2", "Ec2Client"),
    "lambda": ("iamlab.world.services.lambda_", "LambdaClient"),
    "ecs": ("iamlab.world.services.ecs", "EcsClient"),
    "autoscaling": ("iamlab.world.services.autoscaling", "AutoScalingClient"),
    "ecr": ("iamlab.world.services.ecs", "EcrClient"),
    "ssm": ("iamlab.world.services.ssm", "SsmClient"),
    "cloudwatch": ("iamlab.world.services.cloudwatch", "CloudWatchClient"),
}


class Session:
    """Credentials and a location; ``session.s3``, ``session.iam``... make the calls."""

    def __init__(self, world: World, credentials: Credentials | CredentialSource,
                 location: Location, *, invoked_by: str = "") -> None:
        self.world = world
        self._source = credentials
        self.location = location
        self.invoked_by = invoked_by
        self._clients: dict[str, ServiceClient] = {}

    @property
    def credentials(self) -> Credentials:
        """The credentials the next call is signed with (fresh ones from a source)."""
        src = self._source
        return src if isinstance(src, Credentials) else src()

    def client(self, service: str) -> Any:
        """The client of one service (``"s3"``, ``"iam"``, ``"lambda"``...)."""
        found = self._clients.get(service)
        if found is None:
            where = _CLIENTS.get(service)
            if where is None:
                raise ValueError(f"iamlab does not simulate the {service!r} service; it has "
                                 f"{', '.join(sorted(_CLIENTS))}")
            import importlib

            cls = getattr(importlib.import_module(where[0]), where[1])
            found = self._clients[service] = cls(self)
        return found

    @cached_property
    def iam(self) -> IamClient:
        return self.client("iam")  # type: ignore[no-any-return]

    @cached_property
    def sts(self) -> StsClient:
        return self.client("sts")  # type: ignore[no-any-return]

    @cached_property
    def s3(self) -> S3Client:
        return self.client("s3")  # type: ignore[no-any-return]

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return self.client("dynamodb")  # type: ignore[no-any-return]

    @cached_property
    def sqs(self) -> SqsClient:
        return self.client("sqs")  # type: ignore[no-any-return]

    @cached_property
    def logs(self) -> LogsClient:
        return self.client("logs")  # type: ignore[no-any-return]

    @cached_property
    def kms(self) -> KmsClient:
        return self.client("kms")  # type: ignore[no-any-return]

    @cached_property
    def secretsmanager(self) -> SecretsManagerClient:
        return self.client("secretsmanager")  # type: ignore[no-any-return]

    @cached_property
    def ssm(self) -> SsmClient:
        return self.client("ssm")  # type: ignore[no-any-return]

    @cached_property
    def cloudwatch(self) -> CloudWatchClient:
        return self.client("cloudwatch")  # type: ignore[no-any-return]

    @cached_property
    def ec2(self) -> Ec2Client:
        return self.client("ec2")  # type: ignore[no-any-return]

    @cached_property
    def lambda_(self) -> LambdaClient:
        """The Lambda client (``lambda`` is a Python keyword)."""
        return self.client("lambda")  # type: ignore[no-any-return]

    @cached_property
    def ecs(self) -> EcsClient:
        return self.client("ecs")  # type: ignore[no-any-return]

    @cached_property
    def autoscaling(self) -> AutoScalingClient:
        return self.client("autoscaling")  # type: ignore[no-any-return]

    # -- questions that make no call ----------------------------------------------------------
    @property
    def arn(self) -> str:
        """Who this session is (no call is logged; ``sts.get_caller_identity()`` is the call)."""
        return self.world.resolve(self.credentials).arn

    def can(self, action: str, resource: str, *, resource_account: str | None = None,
            context: Mapping[str, ContextValue] | None = None) -> Decision:
        """Would this session be allowed ``action`` on ``resource``? Asks the engine with the
        identity side and the resource's own policy when the world knows the resource; makes
        no call and changes nothing."""
        from iamlab.world.lookup import resource_policy_of

        caller = self.world.resolve(self.credentials)
        policy, account = resource_policy_of(self.world, action, resource)
        return self.world.decide(caller, self.location, action, resource,
                                 resource_account=resource_account or account or caller.account,
                                 resource_policy=policy, context=context)

    def from_ip(self, source_ip: str) -> Session:
        """The same credentials used from another address (a stolen key, say)."""
        return Session(self.world, self._source, Location(source_ip), invoked_by="")

    def __repr__(self) -> str:
        try:
            who = self.arn
        except Exception as err:  # expired or revoked credentials: say so, never raise
            who = f"(credentials not usable: {getattr(err, 'code', type(err).__name__)})"
        where = self.location.vpc_id or self.location.source_ip
        return f"<Session {who} from {where}>"
