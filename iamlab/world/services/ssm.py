"""AWS Systems Manager in the world: what the SSM Agent on an instance does with its
instance profile's role.

The SSM Agent on an EC2 instance reaches Systems Manager with the credentials of the
instance's role, from the metadata service; with ``AmazonSSMManagedInstanceCore`` it may
call ``ssm:UpdateInstanceInformation`` and the instance becomes a *managed node* (Systems
Manager User Guide, "Configure instance permissions required for Systems Manager").
Not simulated: Default Host Management Configuration (a role Systems Manager gives instances
without an instance profile), hybrid activations, Run Command and Session Manager themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from iamlab.world.errors import ServiceError
from iamlab.world.services.base import ServiceClient

AGENT_VERSION = "3.3.987.0"


@dataclass
class ManagedNode:
    """An instance whose SSM Agent has checked in; ``ping_status`` goes to
    ``ConnectionLost`` when a later check-in is refused."""

    instance_id: str
    role_name: str
    last_ping: datetime
    ping_status: str = "Online"
    agent_version: str = AGENT_VERSION
    platform_type: str = "Linux"

    def describe(self) -> dict[str, Any]:
        return {"InstanceId": self.instance_id, "PingStatus": self.ping_status,
                "LastPingDateTime": self.last_ping, "AgentVersion": self.agent_version,
                "PlatformType": self.platform_type, "IamRole": self.role_name,
                "ResourceType": "EC2Instance"}


class SsmClient(ServiceClient):
    """The two calls that make an instance a managed node and list the managed nodes."""

    service = "ssm"
    endpoint = "ssm.amazonaws.com"

    def update_instance_information(self, *, InstanceId: str,
                                    AgentVersion: str = AGENT_VERSION,
                                    AgentName: str = "amazon-ssm-agent",
                                    PlatformType: str = "Linux") -> dict[str, Any]:
        """What the SSM Agent calls to check in, authorised on the instance's ARN."""
        with self._call("UpdateInstanceInformation") as call:
            acct = self.world.accounts[call.caller.account]
            arn = f"arn:aws:ec2:{self.region}:{acct.account_id}:instance/{InstanceId}"
            call.authorize("ssm:UpdateInstanceInformation", arn, account=acct.account_id)
            instance = acct.instances.get(InstanceId)
            if instance is None:
                raise ServiceError(f"Instance {InstanceId} is not a valid instance.",
                                   code="InvalidInstanceId")
            role = instance.role
            acct.managed_nodes[InstanceId] = ManagedNode(
                InstanceId, role.name if role else "", self.world.clock.now(),
                agent_version=AgentVersion, platform_type=PlatformType)
            return {}

    def describe_instance_information(self) -> dict[str, Any]:
        """The account's managed nodes (Fleet Manager's list)."""
        with self._call("DescribeInstanceInformation") as call:
            acct = self.world.accounts[call.caller.account]
            call.authorize("ssm:DescribeInstanceInformation", "*", account=acct.account_id)
            return {"InstanceInformationList": [n.describe()
                                                for n in acct.managed_nodes.values()]}
