"""Amazon DynamoDB in the world: tables, items, and table resource policies.

Item calls carry ``dynamodb:LeadingKeys`` (the partition key values), the key for
fine-grained access control (Amazon DynamoDB Developer Guide, "Using IAM policy conditions
for fine-grained access control").
"""

from __future__ import annotations

from typing import Any

from iamlab.policy import PolicyKind
from iamlab.world.errors import NotFound, ServiceError
from iamlab.world.model import Table
from iamlab.world.services.base import (
    Call,
    ServiceClient,
    document_text,
    resource_tags,
    tag_list,
    tags_context,
)


def _scalar(value: Any) -> str:
    """The text of a typed attribute value (``{"S": "42"}`` → ``"42"``)."""
    if isinstance(value, dict) and len(value) == 1:
        return str(next(iter(value.values())))
    raise ServiceError("One or more parameter values were invalid: key attributes must be "
                       'typed values such as {"S": "text"} or {"N": "1"}',
                       code="ValidationException")


class DynamoDBClient(ServiceClient):
    service = "dynamodb"
    endpoint = "dynamodb.amazonaws.com"

    def _arn(self, account: str, name: str) -> str:
        return f"arn:aws:dynamodb:{self.region}:{account}:table/{name}"

    def _table(self, call: Call, name_or_arn: Any) -> Table:
        """A table by name (the caller's account) or by ARN (any account)."""
        account, name = self._located(call, name_or_arn, "table/")
        acct = self.world.accounts.get(account)
        table = acct.tables.get(name) if acct else None
        if table is None:
            raise NotFound(f"Requested resource not found: Table: {name} not found",
                           code="ResourceNotFoundException")
        return table

    def _authorize(self, call: Call, action: str, table: Table,
                   key: dict[str, Any] | None = None) -> None:
        ctx: dict[str, Any] = resource_tags(table.tags)
        if key is not None:
            ctx["dynamodb:LeadingKeys"] = [_scalar(key[table.key_names[0]])]
        call.authorize(action, table.arn, account=table.account, policy=table.policy,
                       context=ctx)

    def _key_of(self, table: Table, item: dict[str, Any]) -> tuple[str, ...]:
        missing = [k for k in table.key_names if k not in item]
        if missing:
            raise ServiceError(f"One or more parameter values were invalid: Missing the key "
                               f"{missing[0]} in the item", code="ValidationException")
        return tuple(_scalar(item[k]) for k in table.key_names)

    def create_table(self, *, TableName: str, KeySchema: list[dict[str, str]],
                     AttributeDefinitions: list[dict[str, str]] | None = None,
                     BillingMode: str = "PAY_PER_REQUEST", Tags: Any = None,
                     ResourcePolicy: str | dict[str, Any] | None = None,
                     **_: Any) -> dict[str, Any]:
        with self._call("CreateTable") as call:
            account = call.caller.account
            keys = sorted(KeySchema, key=lambda k: 0 if k.get("KeyType") == "HASH" else 1)
            if not keys or keys[0].get("KeyType") != "HASH":
                raise ServiceError("1 validation error detected: KeySchema must have a HASH "
                                   "key", code="ValidationException")
            tags = tag_list(Tags)
            arn = self._arn(account, TableName)
            policy = None
            if ResourcePolicy is not None:
                policy = self._parse(ResourcePolicy, PolicyKind.RESOURCE,
                                     name=f"{TableName} resource policy")
            call.authorize("dynamodb:CreateTable", arn, account=account,
                           context=tags_context(tags))
            acct = self.world.accounts[account]
            if TableName in acct.tables:
                raise ServiceError(f"Table already exists: {TableName}",
                                   code="ResourceInUseException")
            table = Table(TableName, arn, account, tuple(k["AttributeName"] for k in keys),
                          self.world.clock.now(), tags=tags, policy=policy,
                          policy_text=None if ResourcePolicy is None else
                          document_text(ResourcePolicy))
            acct.tables[TableName] = table
            return {"TableDescription": {"TableName": TableName, "TableArn": arn,
                                         "TableStatus": "ACTIVE", "KeySchema": keys}}

    def put_item(self, *, TableName: str, Item: dict[str, Any]) -> dict[str, Any]:
        with self._call("PutItem") as call:
            table = self._table(call, TableName)
            key = self._key_of(table, Item)
            self._authorize(call, "dynamodb:PutItem", table, Item)
            table.items[key] = dict(Item)
            return {}

    def get_item(self, *, TableName: str, Key: dict[str, Any]) -> dict[str, Any]:
        with self._call("GetItem") as call:
            table = self._table(call, TableName)
            key = self._key_of(table, Key)
            self._authorize(call, "dynamodb:GetItem", table, Key)
            item = table.items.get(key)
            return {"Item": dict(item)} if item is not None else {}

    def delete_item(self, *, TableName: str, Key: dict[str, Any]) -> dict[str, Any]:
        with self._call("DeleteItem") as call:
            table = self._table(call, TableName)
            key = self._key_of(table, Key)
            self._authorize(call, "dynamodb:DeleteItem", table, Key)
            table.items.pop(key, None)
            return {}

    def scan(self, *, TableName: str) -> dict[str, Any]:
        with self._call("Scan") as call:
            table = self._table(call, TableName)
            self._authorize(call, "dynamodb:Scan", table)
            items = [dict(i) for i in table.items.values()]
            return {"Items": items, "Count": len(items), "ScannedCount": len(items)}

    def put_resource_policy(self, *, ResourceArn: str,
                            Policy: str | dict[str, Any]) -> dict[str, Any]:
        with self._call("PutResourcePolicy") as call:
            table = self._table(call, ResourceArn)
            policy, text = self._resource_policy(Policy, f"{table.name} resource policy")
            self._authorize(call, "dynamodb:PutResourcePolicy", table)
            table.policy, table.policy_text = policy, text
            return {"RevisionId": self.world.ids.digits(13)}

    def get_resource_policy(self, *, ResourceArn: str) -> dict[str, Any]:
        with self._call("GetResourcePolicy") as call:
            table = self._table(call, ResourceArn)
            self._authorize(call, "dynamodb:GetResourcePolicy", table)
            if table.policy_text is None:
                raise NotFound(f"Resource-based policy not found for the provided ResourceArn: "
                               f"{table.arn}", code="PolicyNotFoundException")
            return {"Policy": table.policy_text}
