"""A simulated AWS account to learn IAM roles in, offline.

    >>> from iamlab.world import World
    >>> world = World()
    >>> admin = world.admin                       # the account's root user
    >>> admin.s3.create_bucket(Bucket="reports")
    {'Location': '/reports'}

Every call is made with credentials through a session (``session.s3.get_object(...)``,
boto3's names), decided by the engine, and logged (``world.calls()``). Ready-made worlds
for the course are in :mod:`iamlab.world.scenarios`.
"""

from __future__ import annotations

from iamlab.world.clock import Clock
from iamlab.world.core import Caller, World
from iamlab.world.credentials import ELSEWHERE_IP, OFFICE_IP, Credentials, Location
from iamlab.world.errors import (
    AccessDenied,
    AwsError,
    DeleteConflict,
    EntityAlreadyExists,
    ExpiredToken,
    InvalidClientTokenId,
    LimitExceeded,
    MalformedPolicyDocument,
    NoCredentials,
    NoSuchEntity,
    NotFound,
    ParamValidationError,
    ServiceError,
    SignatureDoesNotMatch,
    UnknownOperation,
    UnmodifiableEntity,
    ValidationError,
)
from iamlab.world.session import Session

__all__ = [
    "ELSEWHERE_IP", "OFFICE_IP", "AccessDenied", "AwsError", "Caller", "Clock", "Credentials",
    "DeleteConflict", "EntityAlreadyExists", "ExpiredToken", "InvalidClientTokenId",
    "LimitExceeded", "Location", "MalformedPolicyDocument", "NoCredentials", "NoSuchEntity",
    "NotFound", "ParamValidationError", "ServiceError", "Session", "SignatureDoesNotMatch",
    "UnknownOperation", "UnmodifiableEntity", "ValidationError", "World",
]
