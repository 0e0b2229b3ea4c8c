"""AWS KMS in the world: keys whose key policy must allow every use.

A key policy is required: without a statement that allows the caller (or, through the
default statement, lets IAM policies decide by trusting the account), nobody can use the
key, not even in its own account (AWS KMS Developer Guide, "Key policies in AWS KMS",
"Default key policy"). Creating or changing a key policy that would stop the caller from
changing it again is refused, as KMS does unless BypassPolicyLockoutSafetyCheck is set.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from iamlab.request import ContextValue
from iamlab.world.errors import MalformedPolicyDocument, NotFound, ServiceError
from iamlab.world.model import KmsKey
from iamlab.world.services.base import Call, ServiceClient, resource_tags, tag_list

_BLOB = b"iamlab-kms:"


def default_key_policy(account: str) -> dict[str, Any]:
    """The default key policy: the account (and so its IAM policies) may use the key."""
    return {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*", "Resource": "*"}]}


def encryption_context(ctx: dict[str, str] | None) -> dict[str, ContextValue]:
    keys: dict[str, ContextValue] = {f"kms:EncryptionContext:{k}": v
                                     for k, v in (ctx or {}).items()}
    if ctx:
        keys["kms:EncryptionContextKeys"] = list(ctx)
    return keys


class KmsClient(ServiceClient):
    service = "kms"
    endpoint = "kms.amazonaws.com"

    def _key(self, call: Call, key_id: Any) -> KmsKey:
        """A key by ID (the caller's account) or by ARN (any account)."""
        account, kid = self._located(call, key_id, "key/")
        acct = self.world.accounts.get(account)
        found = acct.keys.get(kid) if acct else None
        if found is None:
            raise NotFound(f"Key '{key_id}' does not exist", code="NotFoundException")
        return found

    def _authorize_key(self, call: Call, action: str, key: KmsKey,
                      context: dict[str, ContextValue] | None = None) -> None:
        call.authorize(action, key.arn, account=key.account, policy=key.policy,
                       context={**resource_tags(key.tags), **(context or {})})

    def _lockout_check(self, call: Call, policy: Any, arn: str, account: str) -> None:
        decision = self.world.decide(call.caller, self.session.location, "kms:PutKeyPolicy",
                                     arn, resource_account=account, resource_policy=policy)
        if not decision.allowed:
            raise MalformedPolicyDocument(
                [], code=self.malformed_code,
                message="The new key policy will not allow you to update the key policy in the "
                        "future.")

    def create_key(self, *, Policy: str | dict[str, Any] | None = None, Description: str = "",
                   Tags: Any = None, BypassPolicyLockoutSafetyCheck: bool = False,
                   **_: Any) -> dict[str, Any]:
        with self._call("CreateKey") as call:
            account = call.caller.account
            document = Policy if Policy is not None else default_key_policy(account)
            policy, text = self._resource_policy(document, "key policy")
            key_id = self.world.ids.uuid()
            arn = f"arn:aws:kms:{self.region}:{account}:key/{key_id}"
            call.authorize("kms:CreateKey", "*", account=account)
            if not BypassPolicyLockoutSafetyCheck:
                self._lockout_check(call, policy, arn, account)
            key = KmsKey(key_id, arn, account, self.world.clock.now(), policy, text,
                         Description, tag_list(Tags))
            self.world.accounts[account].keys[key_id] = key
            return {"KeyMetadata": {"KeyId": key_id, "Arn": arn, "AWSAccountId": account,
                                    "Description": Description, "KeyState": "Enabled",
                                    "KeyManager": "CUSTOMER"}}

    def get_key_policy(self, *, KeyId: str, PolicyName: str = "default") -> dict[str, Any]:
        with self._call("GetKeyPolicy") as call:
            key = self._key(call, KeyId)
            self._authorize_key(call, "kms:GetKeyPolicy", key)
            return {"Policy": key.policy_text, "PolicyName": "default"}

    def put_key_policy(self, *, KeyId: str, Policy: str | dict[str, Any],
                       PolicyName: str = "default",
                       BypassPolicyLockoutSafetyCheck: bool = False) -> dict[str, Any]:
        with self._call("PutKeyPolicy") as call:
            key = self._key(call, KeyId)
            policy, text = self._resource_policy(Policy, "key policy")
            self._authorize_key(call, "kms:PutKeyPolicy", key)
            if not BypassPolicyLockoutSafetyCheck:
                self._lockout_check(call, policy, key.arn, key.account)
            key.policy, key.policy_text = policy, text
            return {}

    def encrypt(self, *, KeyId: str, Plaintext: bytes | str,
                EncryptionContext: dict[str, str] | None = None) -> dict[str, Any]:
        with self._call("Encrypt") as call:
            key = self._key(call, KeyId)
            self._authorize_key(call, "kms:Encrypt", key, encryption_context(EncryptionContext))
            data = Plaintext.encode() if isinstance(Plaintext, str) else bytes(Plaintext)
            return {"CiphertextBlob": seal(key, data, EncryptionContext), "KeyId": key.arn}

    def decrypt(self, *, CiphertextBlob: bytes, EncryptionContext: dict[str, str] | None = None,
                KeyId: str | None = None) -> dict[str, Any]:
        with self._call("Decrypt") as call:
            key_arn, context, data = unseal(CiphertextBlob)
            key = self._key(call, key_arn)
            self._authorize_key(call, "kms:Decrypt", key, encryption_context(EncryptionContext))
            if (EncryptionContext or {}) != context:
                raise ServiceError("", code="InvalidCiphertextException")
            return {"Plaintext": data, "KeyId": key.arn}


def seal(key: KmsKey, data: bytes, context: dict[str, str] | None) -> bytes:
    """A stand-in ciphertext naming its key (real KMS ciphertext does too)."""
    head = json.dumps({"key": key.arn, "context": context or {}}).encode()
    return _BLOB + base64.b64encode(head) + b":" + base64.b64encode(data)


def unseal(blob: Any) -> tuple[str, dict[str, str], bytes]:
    if not isinstance(blob, bytes) or not blob.startswith(_BLOB):
        raise ServiceError("", code="InvalidCiphertextException")
    head, _, data = blob[len(_BLOB):].partition(b":")
    meta = json.loads(base64.b64decode(head))
    return str(meta["key"]), dict(meta["context"]), base64.b64decode(data)
