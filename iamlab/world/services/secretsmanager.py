"""AWS Secrets Manager in the world: secrets, their resource policies and their KMS keys.

A secret encrypted with a customer managed key can only be read by a caller the key
policy also lets decrypt: Secrets Manager calls KMS with the caller's own credentials,
adding ``kms:ViaService`` and ``aws:CalledVia`` (AWS Secrets Manager User Guide, "Secret
encryption and decryption"; IAM User Guide, "aws:CalledVia").
"""

from __future__ import annotations

from typing import Any

from iamlab.arn import parse_arn
from iamlab.request import ContextValue
from iamlab.world.errors import NotFound, ServiceError
from iamlab.world.model import Secret
from iamlab.world.services.base import Call, ServiceClient, resource_tags, tag_list, tags_context


class SecretsManagerClient(ServiceClient):
    service = "secretsmanager"
    endpoint = "secretsmanager.amazonaws.com"

    def _secret(self, call: Call, secret_id: Any) -> Secret:
        account, name = call.caller.account, str(secret_id)
        parsed = parse_arn(name)
        if parsed is not None and parsed.service == "secretsmanager":
            acct = self.world.accounts.get(parsed.account)
            found = next((s for s in acct.secrets.values() if s.arn == name), None) \
                if acct else None
        else:
            acct = self.world.accounts.get(account)
            found = acct.secrets.get(name) if acct else None
        if found is None:
            raise NotFound("Secrets Manager can't find the specified secret.",
                           code="ResourceNotFoundException")
        return found

    def _authorize(self, call: Call, action: str, secret: Secret) -> None:
        call.authorize(action, secret.arn, account=secret.account, policy=secret.policy,
                       context=resource_tags(secret.tags))

    def _via_kms(self, call: Call, action: str, key_id: str, arn: str) -> None:
        """Secrets Manager asks KMS, with the caller's credentials, on the caller's behalf."""
        from iamlab.world.services.kms import KmsClient

        kms = KmsClient(self.session)
        key = kms._key(call, key_id)
        via: dict[str, ContextValue] = {
            "kms:ViaService": f"secretsmanager.{self.region}.amazonaws.com",
            "aws:CalledVia": ["secretsmanager.amazonaws.com"],
            "aws:CalledViaFirst": "secretsmanager.amazonaws.com",
            "aws:CalledViaLast": "secretsmanager.amazonaws.com",
            "aws:ViaAWSService": "true",
            "kms:EncryptionContext:SecretARN": arn,
            "kms:EncryptionContextKeys": ["SecretARN"]}
        kms._authorize_key(call, action, key, via)

    def create_secret(self, *, Name: str, SecretString: str = "", KmsKeyId: str | None = None,
                      Tags: Any = None, Description: str = "") -> dict[str, Any]:
        with self._call("CreateSecret") as call:
            account = call.caller.account
            arn = (f"arn:aws:secretsmanager:{self.region}:{account}:secret:{Name}-"
                   f"{self.world.ids.alnum(6)}")
            tags = tag_list(Tags)
            call.authorize("secretsmanager:CreateSecret", arn, account=account,
                           context=tags_context(tags))
            if KmsKeyId is not None:
                self._via_kms(call, "kms:GenerateDataKey", KmsKeyId, arn)
            acct = self.world.accounts[account]
            if Name in acct.secrets:
                raise ServiceError(f"The operation failed because the secret {Name} already "
                                   "exists.", code="ResourceExistsException")
            acct.secrets[Name] = Secret(Name, arn, account, self.world.clock.now(),
                                        str(SecretString), KmsKeyId, tags=tags)
            return {"ARN": arn, "Name": Name}

    def get_secret_value(self, *, SecretId: str) -> dict[str, Any]:
        with self._call("GetSecretValue") as call:
            secret = self._secret(call, SecretId)
            self._authorize(call, "secretsmanager:GetSecretValue", secret)
            if secret.kms_key_id is not None:
                self._via_kms(call, "kms:Decrypt", secret.kms_key_id, secret.arn)
            return {"ARN": secret.arn, "Name": secret.name, "SecretString": secret.value,
                    "CreatedDate": secret.created}

    def put_resource_policy(self, *, SecretId: str,
                            ResourcePolicy: str | dict[str, Any]) -> dict[str, Any]:
        with self._call("PutResourcePolicy") as call:
            secret = self._secret(call, SecretId)
            policy, text = self._resource_policy(ResourcePolicy,
                                                 f"{secret.name} resource policy")
            self._authorize(call, "secretsmanager:PutResourcePolicy", secret)
            secret.policy, secret.policy_text = policy, text
            return {"ARN": secret.arn, "Name": secret.name}

    def get_resource_policy(self, *, SecretId: str) -> dict[str, Any]:
        with self._call("GetResourcePolicy") as call:
            secret = self._secret(call, SecretId)
            self._authorize(call, "secretsmanager:GetResourcePolicy", secret)
            out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
            if secret.policy_text is not None:
                out["ResourcePolicy"] = secret.policy_text
            return out
