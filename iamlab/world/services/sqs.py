"""Amazon SQS in the world: queues, messages and queue policies."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from iamlab.world.errors import NotFound, ServiceError
from iamlab.world.model import Message, Queue
from iamlab.world.services.base import Call, ServiceClient, resource_tags, tag_list, tags_context

_MISSING = "AWS.SimpleQueueService.NonExistentQueue"


class SqsClient(ServiceClient):
    service = "sqs"
    endpoint = "sqs.amazonaws.com"
    denied_code = "AccessDenied"
    malformed_code = "InvalidAttributeValue"

    def _url(self, account: str, name: str) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{account}/{name}"

    def _queue(self, url: Any) -> Queue:
        parts = str(url).rstrip("/").split("/")
        acct = self.world.accounts.get(parts[-2]) if len(parts) >= 2 else None
        queue = acct.queues.get(parts[-1]) if acct else None
        if queue is None:
            raise NotFound("The specified queue does not exist.", code=_MISSING)
        return queue

    def _authorize(self, call: Call, action: str, queue: Queue) -> None:
        call.authorize(action, queue.arn, account=queue.account, policy=queue.policy,
                       context=resource_tags(queue.tags))

    def _set_policy(self, queue: Queue, text: Any) -> None:
        if text in (None, ""):
            queue.policy, queue.policy_text = None, None
            return
        queue.policy, queue.policy_text = self._resource_policy(
            text, f"{queue.name} queue policy")

    def create_queue(self, *, QueueName: str, Attributes: dict[str, Any] | None = None,
                     tags: Any = None) -> dict[str, Any]:
        with self._call("CreateQueue") as call:
            account = call.caller.account
            arn = f"arn:aws:sqs:{self.region}:{account}:{QueueName}"
            tag_map = tag_list(tags)
            probe = Queue(QueueName, arn, self._url(account, QueueName), account,
                          self.world.clock.now(), tags=tag_map)
            policy_text = (Attributes or {}).get("Policy")
            self._set_policy(probe, policy_text)  # checks the policy before anything changes
            call.authorize("sqs:CreateQueue", arn, account=account,
                           context=tags_context(tag_map))
            acct = self.world.accounts[account]
            if QueueName not in acct.queues:
                acct.queues[QueueName] = probe
            return {"QueueUrl": acct.queues[QueueName].url}

    def get_queue_url(self, *, QueueName: str,
                      QueueOwnerAWSAccountId: str | None = None) -> dict[str, Any]:
        with self._call("GetQueueUrl") as call:
            account = QueueOwnerAWSAccountId or call.caller.account
            queue = self._queue(self._url(account, QueueName))
            self._authorize(call, "sqs:GetQueueUrl", queue)
            return {"QueueUrl": queue.url}

    def send_message(self, *, QueueUrl: str, MessageBody: str) -> dict[str, Any]:
        with self._call("SendMessage") as call:
            queue = self._queue(QueueUrl)
            self._authorize(call, "sqs:SendMessage", queue)
            msg = Message(self.world.ids.uuid(), str(MessageBody), self.world.clock.now())
            queue.messages.append(msg)
            return {"MessageId": msg.message_id,
                    "MD5OfMessageBody": hashlib.md5(msg.body.encode()).hexdigest()}

    def receive_message(self, *, QueueUrl: str, MaxNumberOfMessages: int = 1,
                        VisibilityTimeout: int = 30, **_: Any) -> dict[str, Any]:
        with self._call("ReceiveMessage") as call:
            queue = self._queue(QueueUrl)
            self._authorize(call, "sqs:ReceiveMessage", queue)
            now = self.world.clock.now()
            out: list[dict[str, str]] = []
            for msg in queue.messages:
                if len(out) >= MaxNumberOfMessages:
                    break
                if msg.visible_after is not None and msg.visible_after > now:
                    continue
                msg.receipt_handle = self.world.ids.alnum(40)
                msg.visible_after = now + timedelta(seconds=VisibilityTimeout)
                msg.receive_count += 1
                out.append({"MessageId": msg.message_id, "ReceiptHandle": msg.receipt_handle,
                            "Body": msg.body,
                            "MD5OfBody": hashlib.md5(msg.body.encode()).hexdigest()})
            return {"Messages": out} if out else {}

    def delete_message(self, *, QueueUrl: str, ReceiptHandle: str) -> dict[str, Any]:
        with self._call("DeleteMessage") as call:
            queue = self._queue(QueueUrl)
            self._authorize(call, "sqs:DeleteMessage", queue)
            queue.messages = [m for m in queue.messages if m.receipt_handle != ReceiptHandle]
            return {}

    def set_queue_attributes(self, *, QueueUrl: str,
                             Attributes: dict[str, Any]) -> dict[str, Any]:
        """Only the ``Policy`` attribute matters in iamlab (the queue's resource policy)."""
        with self._call("SetQueueAttributes") as call:
            queue = self._queue(QueueUrl)
            probe = Queue(queue.name, queue.arn, queue.url, queue.account, queue.created)
            if "Policy" in Attributes:
                self._set_policy(probe, Attributes["Policy"])
            self._authorize(call, "sqs:SetQueueAttributes", queue)
            if "Policy" in Attributes:
                queue.policy, queue.policy_text = probe.policy, probe.policy_text
            return {}

    def get_queue_attributes(self, *, QueueUrl: str,
                             AttributeNames: list[str] | None = None) -> dict[str, Any]:
        with self._call("GetQueueAttributes") as call:
            queue = self._queue(QueueUrl)
            self._authorize(call, "sqs:GetQueueAttributes", queue)
            attrs = {"QueueArn": queue.arn,
                     "ApproximateNumberOfMessages": str(len(queue.messages))}
            if queue.policy_text:
                attrs["Policy"] = queue.policy_text
            return {"Attributes": attrs}


__all__ = ["ServiceError", "SqsClient"]
