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
from iamlab.world.services.base import ServiceClient


class LogsClient(ServiceClient):
    service = "logs"
    endpoint = "logs.amazonaws.com"

    def _stream_arn(self, account: str, group: str, stream: str = "") -> str:
        return f"arn:aws:logs:{self.region}:{account}:log-group:{group}:log-stream:{stream}"

    def _group(self, account: str, name: Any) -> LogGroup:
        group = self.world.accounts[account].log_groups.get(name)
        if group is None:
            raise NotFound("The specified log group does not exist.",
                           code="ResourceNotFoundException")
        return group

    def create_log_group(self, *, logGroupName: str) -> dict[str, Any]:
        with self._call("CreateLogGroup") as call:
            account = call.caller.account
            call.authorize("logs:CreateLogGroup", self._stream_arn(account, logGroupName),
                           account=account)
            acct = self.world.accounts[account]
            if logGroupName in acct.log_groups:
                raise ServiceError("The specified log group already exists",
                                   code="ResourceAlreadyExistsException")
            acct.log_groups[logGroupName] = LogGroup(logGroupName, account,
                                                     self.world.clock.now())
            return {}

    def create_log_stream(self, *, logGroupName: str, logStreamName: str) -> dict[str, Any]:
        with self._call("CreateLogStream") as call:
            account = call.caller.account
            call.authorize("logs:CreateLogStream",
                           self._stream_arn(account, logGroupName, logStreamName),
                           account=account)
            group = self._group(account, logGroupName)
            if logStreamName in group.streams:
                raise ServiceError("The specified log stream already exists",
                                   code="ResourceAlreadyExistsException")
            group.streams[logStreamName] = LogStream(logStreamName, self.world.clock.now())
            return {}

    def put_log_events(self, *, logGroupName: str, logStreamName: str,
                       logEvents: list[dict[str, Any]]) -> dict[str, Any]:
        with self._call("PutLogEvents") as call:
            account = call.caller.account
            call.authorize("logs:PutLogEvents",
                           self._stream_arn(account, logGroupName, logStreamName),
                           account=account)
            group = self._group(account, logGroupName)
            stream = group.streams.get(logStreamName)
            if stream is None:
                raise NotFound("The specified log stream does not exist.",
                               code="ResourceNotFoundException")
            stream.events.extend(dict(e) for e in logEvents)
            return {"nextSequenceToken": self.world.ids.digits(20)}

    def get_log_events(self, *, logGroupName: str, logStreamName: str) -> dict[str, Any]:
        with self._call("GetLogEvents") as call:
            account = call.caller.account
            call.authorize("logs:GetLogEvents",
                           self._stream_arn(account, logGroupName, logStreamName),
                           account=account)
            group = self._group(account, logGroupName)
            stream = group.streams.get(logStreamName)
            if stream is None:
                raise NotFound("The specified log stream does not exist.",
                               code="ResourceNotFoundException")
            return {"events": [dict(e) for e in stream.events]}

    def describe_log_streams(self, *, logGroupName: str) -> dict[str, Any]:
        with self._call("DescribeLogStreams") as call:
            account = call.caller.account
            call.authorize("logs:DescribeLogStreams", self._stream_arn(account, logGroupName),
                           account=account)
            group = self._group(account, logGroupName)
            return {"logStreams": [{"logStreamName": s.name, "creationTime": s.created}
                                   for s in group.streams.values()]}
