"""Amazon EC2 Auto Scaling in the world: groups launched through a service-linked role.

The first Auto Scaling group of an account creates the service-linked role
``AWSServiceRoleForAutoScaling`` (the caller needs ``iam:CreateServiceLinkedRole``), trusted
by ``autoscaling.amazonaws.com`` and carrying ``AutoScalingServiceRolePolicy``. Auto Scaling
then launches and terminates instances with that role, not with the caller's permissions.
The role cannot be edited, and cannot be deleted while a group still uses it (Amazon EC2
Auto Scaling User Guide, "Service-linked roles for Amazon EC2 Auto Scaling").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from iamlab.world.credentials import Location
from iamlab.world.errors import AwsError, NotFound, ServiceError
from iamlab.world.services.base import Call, ServiceClient, pass_role

if TYPE_CHECKING:
    from iamlab.world.model import Account
    from iamlab.world.session import Session

AUTOSCALING = "autoscaling.amazonaws.com"
SLR_NAME = "AWSServiceRoleForAutoScaling"


@dataclass
class AutoScalingGroup:
    name: str
    arn: str
    account: str
    launch_template: str
    min_size: int
    max_size: int
    desired: int
    created: datetime
    instances: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {"AutoScalingGroupName": self.name, "AutoScalingGroupARN": self.arn,
                "MinSize": self.min_size, "MaxSize": self.max_size,
                "DesiredCapacity": self.desired,
                "LaunchTemplate": {"LaunchTemplateName": self.launch_template},
                "Instances": [{"InstanceId": i} for i in self.instances],
                "ServiceLinkedRoleARN": f"arn:aws:iam::{self.account}:role/aws-service-role/"
                                        f"{AUTOSCALING}/{SLR_NAME}"}


class AutoScalingClient(ServiceClient):
    service = "autoscaling"
    endpoint = "autoscaling.amazonaws.com"
    denied_code = "AccessDenied"

    def _arn(self, account: str, name: str) -> str:
        return (f"arn:aws:autoscaling:{self.region}:{account}:autoScalingGroup:"
                f"{self.world.ids.uuid()}:autoScalingGroupName/{name}")

    def _group(self, call: Call, name: Any) -> AutoScalingGroup:
        acct = self.world.accounts[call.caller.account]
        group = acct.auto_scaling_groups.get(name) if isinstance(name, str) else None
        if group is None:
            raise ServiceError(f"AutoScalingGroup name not found - AutoScalingGroup {name} not "
                               "found", code="ValidationError")
        return group

    def _service_session(self, acct: Account) -> Session:
        """Auto Scaling's own credentials: a session of its service-linked role."""
        from iamlab.world.session import Session
        from iamlab.world.sts import service_assume_role

        role = acct.roles.get(SLR_NAME)
        if role is None:
            raise ServiceError(f"The service-linked role {SLR_NAME} does not exist.",
                               code="ServiceLinkedRoleFailure")
        made, _ = service_assume_role(self.world, AUTOSCALING, role, session_name="AutoScaling",
                                      duration=3600)
        if made is None:
            raise ServiceError(f"Auto Scaling could not assume {SLR_NAME}.",
                               code="ServiceLinkedRoleFailure")
        return Session(self.world, made.credentials, Location("192.0.2.230"),
                       invoked_by=AUTOSCALING)

    def _scale(self, acct: Account, group: AutoScalingGroup, desired: int) -> None:
        """Launch or terminate instances with the service-linked role's permissions."""
        if desired == len(group.instances):
            return
        session = self._service_session(acct)
        try:
            if desired > len(group.instances):
                made = session.ec2.run_instances(
                    LaunchTemplate={"LaunchTemplateName": group.launch_template},
                    MinCount=desired - len(group.instances),
                    MaxCount=desired - len(group.instances))
                new = [i["InstanceId"] for i in made["Instances"]]
                group.instances += new
                group.activities.append(f"Launching {len(new)} instance(s): {', '.join(new)}")
            else:
                gone = group.instances[desired:]
                session.ec2.terminate_instances(InstanceIds=gone)
                group.instances = group.instances[:desired]
                group.activities.append(f"Terminating {len(gone)} instance(s): "
                                        f"{', '.join(gone)}")
        except AwsError as err:
            group.activities.append(f"Failed: {err}")

    def create_auto_scaling_group(self, *, AutoScalingGroupName: str,
                                  LaunchTemplate: dict[str, str], MinSize: int, MaxSize: int,
                                  DesiredCapacity: int | None = None,
                                  **_: Any) -> dict[str, Any]:
        """Create a group (and, the first time, the service-linked role)."""
        with self._call("CreateAutoScalingGroup") as call:
            acct = self.world.accounts[call.caller.account]
            desired = MinSize if DesiredCapacity is None else DesiredCapacity
            if not 0 <= MinSize <= desired <= MaxSize:
                raise ServiceError(f"Desired capacity:{desired} must be between the specified min "
                                   f"size:{MinSize} and max size:{MaxSize}",
                                   code="ValidationError")
            name = LaunchTemplate.get("LaunchTemplateName")
            tpl = acct.launch_templates.get(name or "")
            if tpl is None:
                raise ServiceError(f"The specified launch template, with template name {name}, "
                                   "does not exist.", code="ValidationError")
            arn = self._arn(acct.account_id, AutoScalingGroupName)
            call.authorize("autoscaling:CreateAutoScalingGroup", arn, account=acct.account_id)
            profile = tpl.data.get("IamInstanceProfile")
            if profile:
                prof = next((p for p in acct.instance_profiles.values()
                             if p.name == profile.get("Name") or p.arn == profile.get("Arn")),
                            None)
                for role_name in prof.roles if prof else ():
                    pass_role(call, acct.roles[role_name].arn, "ec2.amazonaws.com")
            if AutoScalingGroupName in acct.auto_scaling_groups:
                raise ServiceError(f"AutoScalingGroup by this name already exists - A group "
                                   f"with the name {AutoScalingGroupName} already exists",
                                   code="AlreadyExists")
            if SLR_NAME not in acct.roles:
                from iamlab.world.iam import create_service_linked_role

                create_service_linked_role(self, call, acct, AUTOSCALING)
            group = AutoScalingGroup(AutoScalingGroupName, arn, acct.account_id, tpl.name,
                                     MinSize, MaxSize, desired, self.world.clock.now())
            acct.auto_scaling_groups[AutoScalingGroupName] = group
            self._scale(acct, group, desired)
            return {}

    def update_auto_scaling_group(self, *, AutoScalingGroupName: str,
                                  DesiredCapacity: int | None = None, MinSize: int | None = None,
                                  MaxSize: int | None = None) -> dict[str, Any]:
        with self._call("UpdateAutoScalingGroup") as call:
            group = self._group(call, AutoScalingGroupName)
            lo = group.min_size if MinSize is None else MinSize
            hi = group.max_size if MaxSize is None else MaxSize
            want = group.desired if DesiredCapacity is None else DesiredCapacity
            want = min(max(want, lo), hi)
            call.authorize("autoscaling:UpdateAutoScalingGroup", group.arn,
                           account=group.account)
            group.min_size, group.max_size, group.desired = lo, hi, want
            self._scale(self.world.accounts[group.account], group, want)
            return {}

    def delete_auto_scaling_group(self, *, AutoScalingGroupName: str,
                                  ForceDelete: bool = False) -> dict[str, Any]:
        with self._call("DeleteAutoScalingGroup") as call:
            group = self._group(call, AutoScalingGroupName)
            call.authorize("autoscaling:DeleteAutoScalingGroup", group.arn,
                           account=group.account)
            if group.instances and not ForceDelete:
                raise ServiceError("You cannot delete an AutoScalingGroup while there are "
                                   "instances or pending Spot instance request(s) still in the "
                                   "group.", code="ResourceInUse")
            acct = self.world.accounts[group.account]
            self._scale(acct, group, 0)
            del acct.auto_scaling_groups[group.name]
            return {}

    def describe_auto_scaling_groups(self, *, AutoScalingGroupNames: list[str] | None = None
                                     ) -> dict[str, Any]:
        with self._call("DescribeAutoScalingGroups") as call:
            acct = self.world.accounts[call.caller.account]
            call.authorize("autoscaling:DescribeAutoScalingGroups", "*",
                           account=acct.account_id)
            groups = [g for g in acct.auto_scaling_groups.values()
                      if not AutoScalingGroupNames or g.name in AutoScalingGroupNames]
            return {"AutoScalingGroups": [g.describe() for g in groups]}


__all__ = ["AutoScalingClient", "AutoScalingGroup", "NotFound"]
