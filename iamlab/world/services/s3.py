"""Amazon S3 in the world: buckets, objects and bucket policies.

Object actions are authorised on ``arn:aws:s3:::bucket/key``, listing on the bucket's ARN
with ``s3:prefix`` (Amazon S3 User Guide, "Policy actions for Amazon S3", "Bucket policy
examples"). S3 ARNs carry no account: the bucket's owner is the resource account. Without
``s3:ListBucket`` a missing key answers AccessDenied rather than NoSuchKey, as S3 does.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from iamlab.request import ContextValue
from iamlab.world.errors import AccessDenied, NotFound, ServiceError, ValidationError
from iamlab.world.model import Bucket, S3Object
from iamlab.world.services.base import Call, ServiceClient

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")


class StreamingBody:
    """The ``Body`` of an object, read as boto3's is: ``obj["Body"].read()``."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._read = False

    def read(self) -> bytes:
        data = b"" if self._read else self._data
        self._read = True
        return data

    def __repr__(self) -> str:
        return f"<StreamingBody {len(self._data)} bytes>"


def _bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if body is None:
        return b""
    raise ValidationError(f"Body must be bytes or text, not {type(body).__name__}")


class S3Client(ServiceClient):
    service = "s3"
    endpoint = "s3.amazonaws.com"
    denied_code = "AccessDenied"
    malformed_code = "MalformedPolicy"

    def _bucket(self, name: Any) -> Bucket:
        bucket = self.world.buckets.get(name) if isinstance(name, str) else None
        if bucket is None:
            raise NotFound("The specified bucket does not exist", code="NoSuchBucket")
        return bucket

    def _authorize(self, call: Call, action: str, bucket: Bucket, key: str | None = None,
                   context: dict[str, ContextValue] | None = None) -> None:
        arn = bucket.arn if key is None else f"{bucket.arn}/{key}"
        call.authorize(action, arn, account=bucket.account, policy=bucket.policy,
                       context=context)

    def create_bucket(self, *, Bucket: str, **_: Any) -> dict[str, Any]:
        with self._call("CreateBucket") as call:
            if not isinstance(Bucket, str) or not _BUCKET.match(Bucket) or ".." in Bucket:
                raise ServiceError("The specified bucket is not valid.", code="InvalidBucketName")
            account = call.caller.account
            call.authorize("s3:CreateBucket", f"arn:aws:s3:::{Bucket}", account=account)
            existing = self.world.buckets.get(Bucket)
            if existing is not None:
                if existing.account == account:
                    raise ServiceError("Your previous request to create the named bucket "
                                       "succeeded and you already own it.",
                                       code="BucketAlreadyOwnedByYou")
                raise ServiceError("The requested bucket name is not available. The bucket "
                                   "namespace is shared by all users of the system. Please "
                                   "select a different name and try again.",
                                   code="BucketAlreadyExists")
            self.world.buckets[Bucket] = Bucket_(Bucket, account, self.world.clock.now())
            return {"Location": f"/{Bucket}"}

    def list_buckets(self) -> dict[str, Any]:
        with self._call("ListBuckets") as call:
            account = call.caller.account
            call.authorize("s3:ListAllMyBuckets", "*", account=account)
            return {"Buckets": [{"Name": b.name, "CreationDate": b.created}
                                for b in self.world.buckets.values() if b.account == account]}

    def put_object(self, *, Bucket: str, Key: str, Body: Any = b"",
                   **_: Any) -> dict[str, Any]:
        with self._call("PutObject") as call:
            bucket = self._bucket(Bucket)
            data = _bytes(Body)
            self._authorize(call, "s3:PutObject", bucket, Key)
            bucket.objects[Key] = S3Object(Key, data, self.world.clock.now())
            return {"ETag": f'"{hashlib.md5(data).hexdigest()}"'}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        with self._call("GetObject") as call:
            bucket = self._bucket(Bucket)
            self._authorize(call, "s3:GetObject", bucket, Key)
            obj = bucket.objects.get(Key)
            if obj is None:
                self._missing_key(call, bucket)
                raise NotFound("The specified key does not exist.", code="NoSuchKey")
            return {"Body": StreamingBody(obj.body), "ContentLength": len(obj.body),
                    "LastModified": obj.modified,
                    "ETag": f'"{hashlib.md5(obj.body).hexdigest()}"'}

    def _missing_key(self, call: Call, bucket: Bucket) -> None:
        """S3 says NoSuchKey only to callers allowed to list the bucket."""
        decision = self.world.decide(call.caller, self.session.location, "s3:ListBucket",
                                     bucket.arn, resource_account=bucket.account,
                                     resource_policy=bucket.policy,
                                     context={"s3:prefix": ""})
        if not decision.allowed:
            call.decision, call.action, call.resource = decision, "s3:ListBucket", bucket.arn
            raise AccessDenied(decision, principal=call.caller.arn, action="s3:ListBucket",
                               resource=bucket.arn, code=self.denied_code,
                               note="The object does not exist; S3 answers AccessDenied "
                                    "instead of NoSuchKey to a caller who may not list the "
                                    "bucket, so that it cannot learn which keys exist.")

    def delete_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        with self._call("DeleteObject") as call:
            bucket = self._bucket(Bucket)
            self._authorize(call, "s3:DeleteObject", bucket, Key)
            bucket.objects.pop(Key, None)
            return {}

    def list_objects_v2(self, *, Bucket: str, Prefix: str = "", Delimiter: str | None = None,
                        MaxKeys: int = 1000) -> dict[str, Any]:
        with self._call("ListObjectsV2") as call:
            bucket = self._bucket(Bucket)
            ctx: dict[str, ContextValue] = {"s3:prefix": Prefix, "s3:max-keys": str(MaxKeys)}
            if Delimiter is not None:
                ctx["s3:delimiter"] = Delimiter
            self._authorize(call, "s3:ListBucket", bucket, context=ctx)
            keys = sorted(k for k in bucket.objects if k.startswith(Prefix))
            contents, prefixes = [], []
            for key in keys:
                rest = key[len(Prefix):]
                if Delimiter and Delimiter in rest:
                    common = Prefix + rest.split(Delimiter, 1)[0] + Delimiter
                    if {"Prefix": common} not in prefixes:
                        prefixes.append({"Prefix": common})
                    continue
                obj = bucket.objects[key]
                contents.append({"Key": key, "Size": len(obj.body),
                                 "LastModified": obj.modified})
            out: dict[str, Any] = {"Name": Bucket, "Prefix": Prefix,
                                   "KeyCount": len(contents[:MaxKeys]),
                                   "Contents": contents[:MaxKeys]}
            if prefixes:
                out["CommonPrefixes"] = prefixes
            return out

    def put_bucket_policy(self, *, Bucket: str, Policy: str | dict[str, Any]) -> dict[str, Any]:
        """Set the bucket's resource-based policy (who else may use it, and how)."""
        with self._call("PutBucketPolicy") as call:
            bucket = self._bucket(Bucket)
            policy, text = self._resource_policy(Policy, f"{Bucket} bucket policy")
            self._authorize(call, "s3:PutBucketPolicy", bucket)
            bucket.policy, bucket.policy_text = policy, text
            return {}

    def get_bucket_policy(self, *, Bucket: str) -> dict[str, Any]:
        with self._call("GetBucketPolicy") as call:
            bucket = self._bucket(Bucket)
            self._authorize(call, "s3:GetBucketPolicy", bucket)
            if bucket.policy_text is None:
                raise NotFound("The bucket policy does not exist", code="NoSuchBucketPolicy")
            return {"Policy": bucket.policy_text}

    def delete_bucket_policy(self, *, Bucket: str) -> dict[str, Any]:
        with self._call("DeleteBucketPolicy") as call:
            bucket = self._bucket(Bucket)
            self._authorize(call, "s3:DeleteBucketPolicy", bucket)
            bucket.policy = None
            bucket.policy_text = None
            return {}


Bucket_ = Bucket
