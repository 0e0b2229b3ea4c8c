"""Amazon CloudWatch Logs in the world: log groups, streams and events.

CloudWatch Logs authorises CreateLogStream and PutLogEvents on the stream's ARN
(``arn:aws:logs:REGION:ACCOUNT:log-group:NAME:log-stream:STREAM``), so a policy on
``log-group:NAME:*`` covers them; CreateLogGroup is checked on
``...:log-group:NAME:log-stream:``, which ``arn:aws:logs:REGION:ACCOUNT:*`` covers.
Log groups have no resource-based policies.
"""

from __future__ import annotations

from typing import Any

from iamlab.world.errors import NotFound, ServiceError
from iamlab.world.model import LogGroup, LogStream
from iamlab.world.services.base import Call, ServiceClient


class LogsClient(ServiceClient):
    service = "logs"
    endpoint = "logs.amazonaws.com"

    def _stream_arn(self, account: str, group: str, stream: str = "") -> str:
        return f"arn:aws:logs:{self.region}:{account}:log-group:{group}:log-stream:{stream}"

    def _authorize(self, call: Call, action: str, group: str, stream: str = "") -> str:
        """Authorise ``action`` on the stream's ARN in the caller's account (where Logs acts
        here), and return that account."""
        account = call.caller.account
        call.authorize(action, self._stream_arn(account, group, stream), account=account)
        return account

    def _group(self, account: str, name: Any) -> LogGroup:
        group = self.world.accounts[account].log_groups.get(name)
        if group is None:
            raise NotFound("The specified log group does not exist.",
                           code="ResourceNotFoundException")
        return group

    def _stream(self, account: str, group: Any, name: Any) -> LogStream:
        stream = self._group(account, group).streams.get(name)
        if stream is None:
            raise NotFound("The specified log stream does not exist.",
                           code="ResourceNotFoundException")
        return stream

    def create_log_group(self, *, logGroupName: str) -> dict[str, Any]:
        with self._call("CreateLogGroup") as call:
            account = self._authorize(call, "logs:CreateLogGroup", logGroupName)
            acct = self.world.accounts[account]
            if logGroupName in acct.log_groups:
                raise ServiceError("The specified log group already exists",
                                   code="ResourceAlreadyExistsException")
            acct.log_groups[logGroupName] = LogGroup(logGroupName, account,
                                                     self.world.clock.now())
            return {}

    def create_log_stream(self, *, logGroupName: str, logStreamName: str) -> dict[str, Any]:
        with self._call("CreateLogStream") as call:
            account = self._authorize(call, "logs:CreateLogStream", logGroupName, logStreamName)
            group = self._group(account, logGroupName)
            if logStreamName in group.streams:
                raise ServiceError("The specified log stream already exists",
                                   code="ResourceAlreadyExistsException")
            group.streams[logStreamName] = LogStream(logStreamName, self.world.clock.now())
            return {}

    def put_log_events(self, *, logGroupName: str, logStreamName: str,
                       logEvents: list[dict[str, Any]]) -> dict[str, Any]:
        with self._call("PutLogEvents") as call:
            account = self._authorize(call, "logs:PutLogEvents", logGroupName, logStreamName)
            stream = self._stream(account, logGroupName, logStreamName)
            stream.events.extend(dict(e) for e in logEvents)
            return {"nextSequenceToken": self.world.ids.digits(20)}

    def get_log_events(self, *, logGroupName: str, logStreamName: str) -> dict[str, Any]:
        with self._call("GetLogEvents") as call:
            account = self._authorize(call, "logs:GetLogEvents", logGroupName, logStreamName)
            stream = self._stream(account, logGroupName, logStreamName)
            return {"events": [dict(e) for e in stream.events]}

    def describe_log_streams(self, *, logGroupName: str) -> dict[str, Any]:
        with self._call("DescribeLogStreams") as call:
            account = self._authorize(call, "logs:DescribeLogStreams", logGroupName)
            group = self._group(account, logGroupName)
            return {"logStreams": [{"logStreamName": s.name, "creationTime": s.created}
                                   for s in group.streams.values()]}
