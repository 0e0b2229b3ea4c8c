"""IAM in the world: users, groups, roles, managed policies, access keys, instance profiles.

Method and parameter names are boto3's (``iam.create_role(RoleName=...,
AssumeRolePolicyDocument=...)``); each call is authorised like any other (``iam:CreateRole``
on the role's ARN...). Answers and errors follow the IAM API Reference: a missing role is
``NoSuchEntity`` ("The role with name X cannot be found."), a bad document is
``MalformedPolicyDocument`` saying where, a service-linked role cannot be edited
(``UnmodifiableEntity``). Every check runs before anything changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from iamlab.policy import Policy, PolicyKind
from iamlab.request import ContextValue
from iamlab.world.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    ServiceError,
    UnmodifiableEntity,
    ValidationError,
)
from iamlab.world.model import (
    SERVICE_ROLE_PATH,
    AccessKey,
    Account,
    Group,
    InstanceProfile,
    ManagedPolicy,
    MfaDevice,
    PolicyVersion,
    Role,
    User,
)
from iamlab.world.services.base import (
    Call,
    ServiceClient,
    resource_tags,
    tag_list,
    tags_context,
)

_NAME = re.compile(r"[\w+=,.@-]+\Z", re.ASCII)  # AWS's \w is ASCII: [A-Za-z0-9_]
_PATH = re.compile(r"/\Z|/[\x21-\x7E]*/\Z")
MIN_SESSION, MAX_SESSION = 3600, 43200

# The service-linked roles the world can create: the service's role name, the AWS managed
# policy that holds its permissions, and a description (Amazon EC2 Auto Scaling User Guide,
# "Service-linked roles for Amazon EC2 Auto Scaling").
SERVICE_LINKED = {
    "autoscaling.amazonaws.com": (
        "AWSServiceRoleForAutoScaling",
        "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy",
        "Default Service-Linked Role enables access to AWS Services and Resources used or "
        "managed by Auto Scaling"),
}


def validation(value: Any, member: str, constraint: str) -> ValidationError:
    return ValidationError(f"1 validation error detected: Value '{value}' at '{member}' failed "
                           f"to satisfy constraint: {constraint}")


def check_name(value: Any, member: str, max_len: int = 64) -> str:
    """An IAM name: 1 to ``max_len`` characters from ``[\\w+=,.@-]``."""
    if not isinstance(value, str) or not value:
        raise validation(value, member, "Member must have length greater than or equal to 1")
    if len(value) > max_len:
        raise validation(value, member,
                         f"Member must have length less than or equal to {max_len}")
    if not _NAME.match(value):
        raise validation(value, member,
                         "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
    return value


def check_path(path: Any) -> str:
    if not isinstance(path, str) or not _PATH.match(path) or "//" in path:
        raise ValidationError("The specified value for path is invalid. It must begin and end "
                              "with / and contain only alphanumeric characters and/or / "
                              "characters.")
    return path


def _document(policy: Policy) -> dict[str, Any]:
    if policy.source:
        try:
            loaded = json.loads(policy.source)
            if isinstance(loaded, dict):
                return loaded
        except ValueError:
            pass
    return policy.to_dict()


def _tags_out(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


class IamClient(ServiceClient):
    """IAM API (global service). Acts on the caller's own account."""

    service = "iam"
    endpoint = "iam.amazonaws.com"
    denied_code = "AccessDenied"
    malformed_code = "MalformedPolicyDocument"

    # -- helpers ----------------------------------------------------------------------------
    def _acct(self, call: Call) -> Account:
        return self.world.accounts[call.caller.account]

    def _arn(self, acct: Account, kind: str, name: str, path: str = "/") -> str:
        return f"arn:aws:iam::{acct.account_id}:{kind}{path}{name}"

    def _role(self, acct: Account, name: Any) -> Role:
        role = acct.roles.get(name) if isinstance(name, str) else None
        if role is None:
            raise NoSuchEntity(f"The role with name {name} cannot be found.")
        return role

    def _user(self, acct: Account, name: Any) -> User:
        user = acct.users.get(name) if isinstance(name, str) else None
        if user is None:
            raise NoSuchEntity(f"The user with name {name} cannot be found.")
        return user

    def _group(self, acct: Account, name: Any) -> Group:
        group = acct.groups.get(name) if isinstance(name, str) else None
        if group is None:
            raise NoSuchEntity(f"The group with name {name} cannot be found.")
        return group

    def _profile(self, acct: Account, name: Any) -> InstanceProfile:
        prof = acct.instance_profiles.get(name) if isinstance(name, str) else None
        if prof is None:
            raise NoSuchEntity(f"Instance Profile {name} cannot be found.")
        return prof

    def _policy(self, arn: Any, *, attachable: bool = True) -> ManagedPolicy:
        mp = self.world.managed_policy(arn) if isinstance(arn, str) else None
        if mp is None:
            suffix = " or is not attachable." if attachable else "."
            hint = ""
            if isinstance(arn, str) and ":aws:policy/" in arn:
                hint = (" (iamlab bundles only some AWS managed policies; see "
                        "iamlab/data/managed_policies/SOURCES.md)")
            raise NoSuchEntity(f"Policy {arn} does not exist{suffix}{hint}")
        return mp

    def _own_policy(self, call: Call, arn: Any) -> ManagedPolicy:
        mp = self._policy(arn, attachable=False)
        if mp.account != call.caller.account:
            raise ServiceError(f"Policy {arn} is not in your account; you can only change "
                               "your own customer managed policies.", code="InvalidInput")
        return mp

    @staticmethod
    def _attach(call: Call, entity: User | Group | Role, action: str, arn: str,
                context: Mapping[str, ContextValue] | None = None) -> None:
        """Authorise ``action`` (iam:Attach*Policy) on ``entity``, then attach ``arn`` (once)."""
        call.authorize(action, entity.arn, account=entity.account,
                       context={"iam:PolicyARN": arn, **(context or {})})
        if arn not in entity.attached:
            entity.attached.append(arn)

    @staticmethod
    def _detach(call: Call, entity: User | Group | Role, action: str, arn: str,
                context: Mapping[str, ContextValue] | None = None) -> None:
        """Authorise ``action`` (iam:Detach*Policy) on ``entity``, then detach ``arn``."""
        call.authorize(action, entity.arn, account=entity.account,
                       context={"iam:PolicyARN": arn, **(context or {})})
        if arn not in entity.attached:
            raise NoSuchEntity(f"Policy {arn} was not found.")
        entity.attached.remove(arn)

    @staticmethod
    def _not_service_linked(role: Role) -> None:
        if role.service_linked:
            raise UnmodifiableEntity(f"Cannot perform the operation on the protected role "
                                     f"'{role.name}' - this role is only modifiable by AWS")

    def _role_context(self, role: Role) -> dict[str, ContextValue]:
        return {**resource_tags(role.tags), **resource_tags(role.tags, "iam")}

    def _role_out(self, role: Role) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Path": role.path, "RoleName": role.name, "RoleId": role.role_id, "Arn": role.arn,
            "CreateDate": role.created, "AssumeRolePolicyDocument": _document(role.trust),
            "Description": role.description, "MaxSessionDuration": role.max_session_duration}
        if role.boundary:
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                          "PermissionsBoundaryArn": role.boundary}
        if role.tags:
            out["Tags"] = _tags_out(role.tags)
        out["RoleLastUsed"] = ({"LastUsedDate": role.last_used, "Region": self.region}
                               if role.last_used else {})
        return out

    def _user_out(self, user: User) -> dict[str, Any]:
        out: dict[str, Any] = {"Path": user.path, "UserName": user.name, "UserId": user.user_id,
                               "Arn": user.arn, "CreateDate": user.created}
        if user.boundary:
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                          "PermissionsBoundaryArn": user.boundary}
        if user.tags:
            out["Tags"] = _tags_out(user.tags)
        return out

    def _policy_out(self, mp: ManagedPolicy) -> dict[str, Any]:
        return {"PolicyName": mp.name, "PolicyId": mp.policy_id, "Arn": mp.arn,
                "Path": mp.path, "DefaultVersionId": mp.default_version,
                "AttachmentCount": self._attachments(mp.arn), "IsAttachable": True,
                "Description": mp.description, "CreateDate": mp.created}

    def _profile_out(self, acct: Account, prof: InstanceProfile) -> dict[str, Any]:
        return {"Path": prof.path, "InstanceProfileName": prof.name,
                "InstanceProfileId": prof.profile_id, "Arn": prof.arn,
                "CreateDate": prof.created,
                "Roles": [self._role_out(acct.roles[r]) for r in prof.roles if r in acct.roles]}

    def _attachments(self, arn: str) -> int:
        count = 0
        for acct in self.world.accounts.values():
            lists = [*(u.attached for u in acct.users.values()),
                     *(g.attached for g in acct.groups.values()),
                     *(r.attached for r in acct.roles.values())]
            count += sum(found.count(arn) for found in lists)
        return count

    def _boundary_arn(self, arn: Any) -> str:
        mp = self._policy(arn)
        return mp.arn

    def _now(self) -> datetime:
        return self.world.clock.now()

    def _parse_identity(self, document: Any, name: str) -> Policy:
        return self._parse(document, PolicyKind.IDENTITY, name=name)

    # -- roles ------------------------------------------------------------------------------
    def create_role(self, *, RoleName: str, AssumeRolePolicyDocument: str | dict[str, Any],
                    Path: str = "/", Description: str = "",
                    MaxSessionDuration: int = MIN_SESSION, PermissionsBoundary: str | None = None,
                    Tags: Any = None) -> dict[str, Any]:
        """Create a role: its trust policy says who may assume it."""
        with self._call("CreateRole") as call:
            acct = self._acct(call)
            check_name(RoleName, "roleName")
            check_path(Path)
            self._check_duration(MaxSessionDuration)
            tags = tag_list(Tags)
            trust = self._parse(AssumeRolePolicyDocument, PolicyKind.TRUST,
                                name=f"{RoleName} trust policy", what="policy")
            self._check_principals(trust)
            boundary = self._boundary_arn(PermissionsBoundary) if PermissionsBoundary else None
            arn = self._arn(acct, "role", RoleName, Path)
            ctx = tags_context(tags)
            if boundary:
                ctx["iam:PermissionsBoundary"] = boundary
            call.authorize("iam:CreateRole", arn, account=acct.account_id, context=ctx)
            if tags:
                call.authorize("iam:TagRole", arn, account=acct.account_id, context=ctx)
            if RoleName in acct.roles:
                raise EntityAlreadyExists(f"Role with name {RoleName} already exists.")
            role = Role(RoleName, arn, self.world.ids.unique_id("role"), acct.account_id, Path,
                        self._now(), trust, boundary=boundary,
                        max_session_duration=MaxSessionDuration, tags=tags,
                        description=Description)
            acct.roles[RoleName] = role
            return {"Role": self._role_out(role)}

    @staticmethod
    def _check_duration(seconds: Any) -> None:
        if not isinstance(seconds, int) or seconds < MIN_SESSION:
            raise validation(seconds, "maxSessionDuration",
                             f"Member must have value greater than or equal to {MIN_SESSION}")
        if seconds > MAX_SESSION:
            raise validation(seconds, "maxSessionDuration",
                             f"Member must have value less than or equal to {MAX_SESSION}")

    def get_role(self, *, RoleName: str) -> dict[str, Any]:
        with self._call("GetRole") as call:
            acct = self._acct(call)
            arn = self._arn(acct, "role", str(RoleName))
            role = acct.roles.get(RoleName)
            call.authorize("iam:GetRole", role.arn if role else arn, account=acct.account_id)
            return {"Role": self._role_out(self._role(acct, RoleName))}

    def list_roles(self, *, PathPrefix: str = "/") -> dict[str, Any]:
        with self._call("ListRoles") as call:
            acct = self._acct(call)
            call.authorize("iam:ListRoles", self._arn(acct, "role", "*"),
                           account=acct.account_id)
            return {"Roles": [self._role_out(r) for r in acct.roles.values()
                              if r.path.startswith(PathPrefix)]}

    def update_role(self, *, RoleName: str, Description: str | None = None,
                    MaxSessionDuration: int | None = None) -> dict[str, Any]:
        with self._call("UpdateRole") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            if MaxSessionDuration is not None:
                self._not_service_linked(role)
                self._check_duration(MaxSessionDuration)
            call.authorize("iam:UpdateRole", role.arn, account=acct.account_id,
                           context=self._role_context(role))
            if Description is not None:
                role.description = Description
            if MaxSessionDuration is not None:
                role.max_session_duration = MaxSessionDuration
            return {}

    def update_assume_role_policy(self, *, RoleName: str,
                                  PolicyDocument: str | dict[str, Any]) -> dict[str, Any]:
        """Replace a role's trust policy (not possible for a service-linked role)."""
        with self._call("UpdateAssumeRolePolicy") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            self._not_service_linked(role)
            trust = self._parse(PolicyDocument, PolicyKind.TRUST,
                                name=f"{RoleName} trust policy")
            self._check_principals(trust)
            call.authorize("iam:UpdateAssumeRolePolicy", role.arn, account=acct.account_id,
                           context=self._role_context(role))
            role.trust = trust
            return {}

    def delete_role(self, *, RoleName: str) -> dict[str, Any]:
        with self._call("DeleteRole") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            self._not_service_linked(role)
            call.authorize("iam:DeleteRole", role.arn, account=acct.account_id,
                           context=self._role_context(role))
            if any(RoleName in p.roles for p in acct.instance_profiles.values()):
                raise DeleteConflict("Cannot delete entity, must remove roles from instance "
                                     "profile first.")
            if role.inline:
                raise DeleteConflict("Cannot delete entity, must delete policies first.")
            if role.attached:
                raise DeleteConflict("Cannot delete entity, must detach all policies first.")
            del acct.roles[RoleName]
            return {}

    def put_role_policy(self, *, RoleName: str, PolicyName: str,
                        PolicyDocument: str | dict[str, Any]) -> dict[str, Any]:
        """Add or replace an inline permissions policy of a role."""
        with self._call("PutRolePolicy") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            self._not_service_linked(role)
            check_name(PolicyName, "policyName", 128)
            policy = self._parse_identity(PolicyDocument, PolicyName)
            call.authorize("iam:PutRolePolicy", role.arn, account=acct.account_id,
                           context=self._role_context(role))
            role.inline[PolicyName] = policy
            return {}

    def get_role_policy(self, *, RoleName: str, PolicyName: str) -> dict[str, Any]:
        with self._call("GetRolePolicy") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            call.authorize("iam:GetRolePolicy", role.arn, account=acct.account_id)
            policy = role.inline.get(PolicyName)
            if policy is None:
                raise NoSuchEntity(f"The role policy with name {PolicyName} cannot be found.")
            return {"RoleName": RoleName, "PolicyName": PolicyName,
                    "PolicyDocument": _document(policy)}

    def delete_role_policy(self, *, RoleName: str, PolicyName: str) -> dict[str, Any]:
        with self._call("DeleteRolePolicy") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            self._not_service_linked(role)
            call.authorize("iam:DeleteRolePolicy", role.arn, account=acct.account_id,
                           context=self._role_context(role))
            if PolicyName not in role.inline:
                raise NoSuchEntity(f"The role policy with name {PolicyName} cannot be found.")
            del role.inline[PolicyName]
            return {}

    def list_role_policies(self, *, RoleName: str) -> dict[str, Any]:
        with self._call("ListRolePolicies") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            call.authorize("iam:ListRolePolicies", role.arn, account=acct.account_id)
            return {"PolicyNames": list(role.inline)}

    def attach_role_policy(self, *, RoleName: str, PolicyArn: str) -> dict[str, Any]:
        """Attach a managed policy (customer or AWS managed) to a role."""
        with self._call("AttachRolePolicy") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            self._not_service_linked(role)
            mp = self._policy(PolicyArn)
            if mp.path.startswith(SERVICE_ROLE_PATH):
                raise ServiceError("The request failed because AWS service role policies can "
                                   "only be attached to the service-linked role for that "
                                   "service.", code="PolicyNotAttachable")
            self._attach(call, role, "iam:AttachRolePolicy", mp.arn, self._role_context(role))
            return {}

    def detach_role_policy(self, *, RoleName: str, PolicyArn: str) -> dict[str, Any]:
        with self._call("DetachRolePolicy") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            self._not_service_linked(role)
            self._detach(call, role, "iam:DetachRolePolicy", PolicyArn, self._role_context(role))
            return {}

    def list_attached_role_policies(self, *, RoleName: str) -> dict[str, Any]:
        with self._call("ListAttachedRolePolicies") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            call.authorize("iam:ListAttachedRolePolicies", role.arn, account=acct.account_id)
            return {"AttachedPolicies": [
                {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}
                for arn in role.attached]}

    def put_role_permissions_boundary(self, *, RoleName: str,
                                      PermissionsBoundary: str) -> dict[str, Any]:
        with self._call("PutRolePermissionsBoundary") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            self._not_service_linked(role)
            arn = self._boundary_arn(PermissionsBoundary)
            call.authorize("iam:PutRolePermissionsBoundary", role.arn, account=acct.account_id,
                           context={"iam:PermissionsBoundary": arn, **self._role_context(role)})
            role.boundary = arn
            return {}

    def delete_role_permissions_boundary(self, *, RoleName: str) -> dict[str, Any]:
        with self._call("DeleteRolePermissionsBoundary") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            self._not_service_linked(role)
            call.authorize("iam:DeleteRolePermissionsBoundary", role.arn,
                           account=acct.account_id, context=self._role_context(role))
            role.boundary = None
            return {}

    def tag_role(self, *, RoleName: str, Tags: Any) -> dict[str, Any]:
        with self._call("TagRole") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            tags = tag_list(Tags)
            call.authorize("iam:TagRole", role.arn, account=acct.account_id,
                           context={**tags_context(tags), **self._role_context(role)})
            role.tags.update(tags)
            return {}

    def untag_role(self, *, RoleName: str, TagKeys: list[str]) -> dict[str, Any]:
        with self._call("UntagRole") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            call.authorize("iam:UntagRole", role.arn, account=acct.account_id,
                           context={"aws:TagKeys": list(TagKeys), **self._role_context(role)})
            for key in TagKeys:
                role.tags.pop(key, None)
            return {}

    # -- service-linked roles ---------------------------------------------------------------
    def create_service_linked_role(self, *, AWSServiceName: str,
                                   Description: str = "") -> dict[str, Any]:
        """Create the role an AWS service uses; its trust and permissions are the service's."""
        with self._call("CreateServiceLinkedRole") as call:
            acct = self._acct(call)
            role = create_service_linked_role(self, call, acct, AWSServiceName, Description)
            return {"Role": self._role_out(role)}

    def delete_service_linked_role(self, *, RoleName: str) -> dict[str, Any]:
        """Ask for a service-linked role to be deleted; the answer is a task whose status
        says whether the service let it go (see get_service_linked_role_deletion_status)."""
        with self._call("DeleteServiceLinkedRole") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            if not role.service_linked:
                raise ValidationError(f"Role {RoleName} is not a service-linked role; delete it "
                                      "with DeleteRole.")
            call.authorize("iam:DeleteServiceLinkedRole", role.arn, account=acct.account_id)
            task_id = (f"task/aws-service-role/{role.service_linked}/{role.name}/"
                       f"{self.world.ids.uuid()}")
            in_use = _service_linked_role_usage(self.world, acct, role)
            if in_use:
                reason = {"Reason": f"SLR [{role.name}] is in use by other resources",
                          "RoleUsageList": [{"Region": self.region, "Resources": in_use}]}
                self.world.deletion_tasks[task_id] = {"Status": "FAILED", "Reason": reason}
            else:
                del acct.roles[role.name]
                self.world.deletion_tasks[task_id] = {"Status": "SUCCEEDED"}
            return {"DeletionTaskId": task_id}

    def get_service_linked_role_deletion_status(self, *, DeletionTaskId: str) -> dict[str, Any]:
        with self._call("GetServiceLinkedRoleDeletionStatus") as call:
            acct = self._acct(call)
            parts = DeletionTaskId.split("/")  # task/aws-service-role/SERVICE/NAME/ID
            role_arn = (f"arn:aws:iam::{acct.account_id}:role/{'/'.join(parts[1:4])}"
                        if len(parts) == 5 and parts[0] == "task" else self._arn(acct, "role", "*"))
            call.authorize("iam:GetServiceLinkedRoleDeletionStatus", role_arn,
                           account=acct.account_id)
            task = self.world.deletion_tasks.get(DeletionTaskId)
            if task is None:
                raise NoSuchEntity(f"Deletion task {DeletionTaskId} cannot be found.")
            return dict(task)

    # -- users and groups -------------------------------------------------------------------
    def create_user(self, *, UserName: str, Path: str = "/",
                    PermissionsBoundary: str | None = None, Tags: Any = None) -> dict[str, Any]:
        with self._call("CreateUser") as call:
            acct = self._acct(call)
            check_name(UserName, "userName")
            check_path(Path)
            tags = tag_list(Tags)
            boundary = self._boundary_arn(PermissionsBoundary) if PermissionsBoundary else None
            arn = self._arn(acct, "user", UserName, Path)
            ctx = tags_context(tags)
            if boundary:
                ctx["iam:PermissionsBoundary"] = boundary
            call.authorize("iam:CreateUser", arn, account=acct.account_id, context=ctx)
            if UserName in acct.users:
                raise EntityAlreadyExists(f"User with name {UserName} already exists.")
            user = User(UserName, arn, self.world.ids.unique_id("user"), acct.account_id, Path,
                        self._now(), tags=tags, boundary=boundary)
            acct.users[UserName] = user
            return {"User": self._user_out(user)}

    def get_user(self, *, UserName: str | None = None) -> dict[str, Any]:
        with self._call("GetUser") as call:
            acct = self._acct(call)
            if UserName is None:
                if call.caller.user is None:
                    raise ValidationError("Must specify userName when calling with non-User "
                                          "credentials")
                UserName = call.caller.user.name
            user = acct.users.get(UserName)
            call.authorize("iam:GetUser", user.arn if user else
                           self._arn(acct, "user", UserName), account=acct.account_id)
            return {"User": self._user_out(self._user(acct, UserName))}

    def list_users(self) -> dict[str, Any]:
        with self._call("ListUsers") as call:
            acct = self._acct(call)
            call.authorize("iam:ListUsers", self._arn(acct, "user", "*"),
                           account=acct.account_id)
            return {"Users": [self._user_out(u) for u in acct.users.values()]}

    def delete_user(self, *, UserName: str) -> dict[str, Any]:
        with self._call("DeleteUser") as call:
            acct = self._acct(call)
            user = self._user(acct, UserName)
            call.authorize("iam:DeleteUser", user.arn, account=acct.account_id)
            keys = [k for k in self._keys_of(acct, user)]
            if keys:
                raise DeleteConflict("Cannot delete entity, must delete access keys first.")
            if user.inline:
                raise DeleteConflict("Cannot delete entity, must delete policies first.")
            if user.attached:
                raise DeleteConflict("Cannot delete entity, must detach all policies first.")
            if user.groups:
                raise DeleteConflict("Cannot delete entity, must remove users from group "
                                     "first.")
            if user.mfa_serials:
                raise DeleteConflict("Cannot delete entity, must delete MFA device first.")
            del acct.users[UserName]
            return {}

    def put_user_policy(self, *, UserName: str, PolicyName: str,
                        PolicyDocument: str | dict[str, Any]) -> dict[str, Any]:
        with self._call("PutUserPolicy") as call:
            acct = self._acct(call)
            user = self._user(acct, UserName)
            check_name(PolicyName, "policyName", 128)
            policy = self._parse_identity(PolicyDocument, PolicyName)
            call.authorize("iam:PutUserPolicy", user.arn, account=acct.account_id)
            user.inline[PolicyName] = policy
            return {}

    def delete_user_policy(self, *, UserName: str, PolicyName: str) -> dict[str, Any]:
        with self._call("DeleteUserPolicy") as call:
            acct = self._acct(call)
            user = self._user(acct, UserName)
            call.authorize("iam:DeleteUserPolicy", user.arn, account=acct.account_id)
            if PolicyName not in user.inline:
                raise NoSuchEntity(f"The user policy with name {PolicyName} cannot be found.")
            del user.inline[PolicyName]
            return {}

    def attach_user_policy(self, *, UserName: str, PolicyArn: str) -> dict[str, Any]:
        with self._call("AttachUserPolicy") as call:
            acct = self._acct(call)
            user = self._user(acct, UserName)
            self._attach(call, user, "iam:AttachUserPolicy", self._policy(PolicyArn).arn)
            return {}

    def detach_user_policy(self, *, UserName: str, PolicyArn: str) -> dict[str, Any]:
        with self._call("DetachUserPolicy") as call:
            acct = self._acct(call)
            user = self._user(acct, UserName)
            self._detach(call, user, "iam:DetachUserPolicy", PolicyArn)
            return {}

    def put_user_permissions_boundary(self, *, UserName: str,
                                      PermissionsBoundary: str) -> dict[str, Any]:
        with self._call("PutUserPermissionsBoundary") as call:
            acct = self._acct(call)
            user = self._user(acct, UserName)
            arn = self._boundary_arn(PermissionsBoundary)
            call.authorize("iam:PutUserPermissionsBoundary", user.arn, account=acct.account_id,
                           context={"iam:PermissionsBoundary": arn})
            user.boundary = arn
            return {}

    def tag_user(self, *, UserName: str, Tags: Any) -> dict[str, Any]:
        with self._call("TagUser") as call:
            acct = self._acct(call)
            user = self._user(acct, UserName)
            tags = tag_list(Tags)
            call.authorize("iam:TagUser", user.arn, account=acct.account_id,
                           context=tags_context(tags))
            user.tags.update(tags)
            return {}

    def create_group(self, *, GroupName: str, Path: str = "/") -> dict[str, Any]:
        with self._call("CreateGroup") as call:
            acct = self._acct(call)
            check_name(GroupName, "groupName", 128)
            check_path(Path)
            arn = self._arn(acct, "group", GroupName, Path)
            call.authorize("iam:CreateGroup", arn, account=acct.account_id)
            if GroupName in acct.groups:
                raise EntityAlreadyExists(f"Group with name {GroupName} already exists.")
            group = Group(GroupName, arn, self.world.ids.unique_id("group"), acct.account_id,
                          Path, self._now())
            acct.groups[GroupName] = group
            return {"Group": {"Path": Path, "GroupName": GroupName, "GroupId": group.group_id,
                              "Arn": arn, "CreateDate": group.created}}

    def add_user_to_group(self, *, GroupName: str, UserName: str) -> dict[str, Any]:
        with self._call("AddUserToGroup") as call:
            acct = self._acct(call)
            group = self._group(acct, GroupName)
            user = self._user(acct, UserName)
            call.authorize("iam:AddUserToGroup", group.arn, account=acct.account_id)
            if GroupName not in user.groups:
                user.groups.append(GroupName)
            return {}

    def remove_user_from_group(self, *, GroupName: str, UserName: str) -> dict[str, Any]:
        with self._call("RemoveUserFromGroup") as call:
            acct = self._acct(call)
            group = self._group(acct, GroupName)
            user = self._user(acct, UserName)
            call.authorize("iam:RemoveUserFromGroup", group.arn, account=acct.account_id)
            if GroupName not in user.groups:
                raise NoSuchEntity(f"The user with name {UserName} is not in group "
                                   f"{GroupName}.")
            user.groups.remove(GroupName)
            return {}

    def put_group_policy(self, *, GroupName: str, PolicyName: str,
                         PolicyDocument: str | dict[str, Any]) -> dict[str, Any]:
        with self._call("PutGroupPolicy") as call:
            acct = self._acct(call)
            group = self._group(acct, GroupName)
            check_name(PolicyName, "policyName", 128)
            policy = self._parse_identity(PolicyDocument, PolicyName)
            call.authorize("iam:PutGroupPolicy", group.arn, account=acct.account_id)
            group.inline[PolicyName] = policy
            return {}

    def attach_group_policy(self, *, GroupName: str, PolicyArn: str) -> dict[str, Any]:
        with self._call("AttachGroupPolicy") as call:
            acct = self._acct(call)
            group = self._group(acct, GroupName)
            self._attach(call, group, "iam:AttachGroupPolicy", self._policy(PolicyArn).arn)
            return {}

    def detach_group_policy(self, *, GroupName: str, PolicyArn: str) -> dict[str, Any]:
        with self._call("DetachGroupPolicy") as call:
            acct = self._acct(call)
            group = self._group(acct, GroupName)
            self._detach(call, group, "iam:DetachGroupPolicy", PolicyArn)
            return {}

    # -- managed policies -------------------------------------------------------------------
    def create_policy(self, *, PolicyName: str, PolicyDocument: str | dict[str, Any],
                      Path: str = "/", Description: str = "", Tags: Any = None) -> dict[str, Any]:
        with self._call("CreatePolicy") as call:
            acct = self._acct(call)
            check_name(PolicyName, "policyName", 128)
            check_path(Path)
            policy = self._parse_identity(PolicyDocument, PolicyName)
            arn = self._arn(acct, "policy", PolicyName, Path)
            tags = tag_list(Tags)
            call.authorize("iam:CreatePolicy", arn, account=acct.account_id,
                           context=tags_context(tags))
            if arn in acct.policies:
                raise EntityAlreadyExists(f"A policy called {PolicyName} already exists. "
                                          "Duplicate names are not allowed.")
            now = self._now()
            mp = ManagedPolicy(arn, PolicyName, Path, self.world.ids.unique_id("policy"),
                               acct.account_id, {"v1": PolicyVersion("v1", policy,
                                                                     PolicyDocument, now)},
                               "v1", now, Description)
            acct.policies[arn] = mp
            return {"Policy": self._policy_out(mp)}

    def get_policy(self, *, PolicyArn: str) -> dict[str, Any]:
        with self._call("GetPolicy") as call:
            acct = self._acct(call)
            call.authorize("iam:GetPolicy", str(PolicyArn), account=acct.account_id)
            return {"Policy": self._policy_out(self._policy(PolicyArn, attachable=False))}

    def get_policy_version(self, *, PolicyArn: str, VersionId: str) -> dict[str, Any]:
        with self._call("GetPolicyVersion") as call:
            acct = self._acct(call)
            call.authorize("iam:GetPolicyVersion", str(PolicyArn), account=acct.account_id)
            mp = self._policy(PolicyArn, attachable=False)
            version = mp.versions.get(VersionId)
            if version is None:
                raise NoSuchEntity(f"Policy {PolicyArn} version {VersionId} does not exist or "
                                   "is not attachable.")
            doc = version.document
            if isinstance(doc, str):
                doc = json.loads(doc)
            return {"PolicyVersion": {"Document": doc, "VersionId": VersionId,
                                      "IsDefaultVersion": VersionId == mp.default_version,
                                      "CreateDate": version.created}}

    def list_policy_versions(self, *, PolicyArn: str) -> dict[str, Any]:
        with self._call("ListPolicyVersions") as call:
            acct = self._acct(call)
            call.authorize("iam:ListPolicyVersions", str(PolicyArn), account=acct.account_id)
            mp = self._policy(PolicyArn, attachable=False)
            return {"Versions": [{"VersionId": v.version_id, "CreateDate": v.created,
                                  "IsDefaultVersion": v.version_id == mp.default_version}
                                 for v in mp.versions.values()]}

    def create_policy_version(self, *, PolicyArn: str, PolicyDocument: str | dict[str, Any],
                              SetAsDefault: bool = False) -> dict[str, Any]:
        """A new version of a customer managed policy (at most five are kept)."""
        with self._call("CreatePolicyVersion") as call:
            mp = self._own_policy(call, PolicyArn)
            policy = self._parse_identity(PolicyDocument, mp.name)
            call.authorize("iam:CreatePolicyVersion", mp.arn, account=mp.account)
            if len(mp.versions) >= 5:
                raise LimitExceeded("A managed policy can have up to 5 versions. Before you "
                                    "create a new version, you must delete an existing "
                                    "version.")
            number = max(int(v[1:]) for v in mp.versions) + 1
            vid = f"v{number}"
            mp.versions[vid] = PolicyVersion(vid, policy, PolicyDocument, self._now())
            if SetAsDefault:
                mp.default_version = vid
            return {"PolicyVersion": {"VersionId": vid, "IsDefaultVersion": bool(SetAsDefault),
                                      "CreateDate": mp.versions[vid].created}}

    def set_default_policy_version(self, *, PolicyArn: str, VersionId: str) -> dict[str, Any]:
        with self._call("SetDefaultPolicyVersion") as call:
            mp = self._own_policy(call, PolicyArn)
            call.authorize("iam:SetDefaultPolicyVersion", mp.arn, account=mp.account)
            if VersionId not in mp.versions:
                raise NoSuchEntity(f"Policy {PolicyArn} version {VersionId} does not exist or "
                                   "is not attachable.")
            mp.default_version = VersionId
            return {}

    def delete_policy_version(self, *, PolicyArn: str, VersionId: str) -> dict[str, Any]:
        with self._call("DeletePolicyVersion") as call:
            mp = self._own_policy(call, PolicyArn)
            call.authorize("iam:DeletePolicyVersion", mp.arn, account=mp.account)
            if VersionId not in mp.versions:
                raise NoSuchEntity(f"Policy {PolicyArn} version {VersionId} does not exist or "
                                   "is not attachable.")
            if VersionId == mp.default_version:
                raise DeleteConflict("Cannot delete the default version of a policy.")
            del mp.versions[VersionId]
            return {}

    def delete_policy(self, *, PolicyArn: str) -> dict[str, Any]:
        with self._call("DeletePolicy") as call:
            mp = self._own_policy(call, PolicyArn)
            call.authorize("iam:DeletePolicy", mp.arn, account=mp.account)
            if self._attachments(mp.arn):
                raise DeleteConflict("Cannot delete a policy attached to entities.")
            acct = self.world.accounts[mp.account]
            if any(u.boundary == mp.arn for u in acct.users.values()) or \
                    any(r.boundary == mp.arn for r in acct.roles.values()):
                raise DeleteConflict("Cannot delete a policy attached to entities.")
            del acct.policies[mp.arn]
            return {}

    # -- access keys and MFA ----------------------------------------------------------------
    def _keys_of(self, acct: Account, user: User) -> list[AccessKey]:
        return [k for k in self.world._keys.values()
                if k.account == acct.account_id and k.user_name == user.name]

    def _key_user(self, call: Call, acct: Account, name: str | None) -> User:
        if name is None:
            if call.caller.user is None:
                raise ValidationError("Must specify userName when calling with non-User "
                                      "credentials")
            return call.caller.user
        return self._user(acct, name)

    def create_access_key(self, *, UserName: str | None = None) -> dict[str, Any]:
        """A new long-term access key (AKIA...) for a user: it works until deleted."""
        with self._call("CreateAccessKey") as call:
            acct = self._acct(call)
            user = self._key_user(call, acct, UserName)
            call.authorize("iam:CreateAccessKey", user.arn, account=acct.account_id)
            if len(self._keys_of(acct, user)) >= 2:
                raise LimitExceeded("Cannot exceed quota for AccessKeysPerUser: 2")
            key = AccessKey(self.world.ids.unique_id("access-key"), self.world.ids.secret(),
                            user.arn, acct.account_id, self._now(), user.name)
            self.world.register_key(key)
            return {"AccessKey": {"UserName": user.name, "AccessKeyId": key.access_key_id,
                                  "Status": key.status, "SecretAccessKey": key.secret,
                                  "CreateDate": key.created}}

    def list_access_keys(self, *, UserName: str | None = None) -> dict[str, Any]:
        with self._call("ListAccessKeys") as call:
            acct = self._acct(call)
            user = self._key_user(call, acct, UserName)
            call.authorize("iam:ListAccessKeys", user.arn, account=acct.account_id)
            return {"AccessKeyMetadata": [
                {"UserName": user.name, "AccessKeyId": k.access_key_id, "Status": k.status,
                 "CreateDate": k.created} for k in self._keys_of(acct, user)]}

    def _find_key(self, acct: Account, user: User, key_id: str) -> AccessKey:
        key = next((k for k in self._keys_of(acct, user) if k.access_key_id == key_id), None)
        if key is None:
            raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
        return key

    def update_access_key(self, *, AccessKeyId: str, Status: str,
                          UserName: str | None = None) -> dict[str, Any]:
        """Make a key ``Inactive`` (it stops working at once) or ``Active`` again."""
        with self._call("UpdateAccessKey") as call:
            acct = self._acct(call)
            user = self._key_user(call, acct, UserName)
            if Status not in ("Active", "Inactive"):
                raise validation(Status, "status",
                                 "Member must satisfy enum value set: [Active, Inactive]")
            call.authorize("iam:UpdateAccessKey", user.arn, account=acct.account_id)
            self._find_key(acct, user, AccessKeyId).status = Status
            return {}

    def delete_access_key(self, *, AccessKeyId: str,
                          UserName: str | None = None) -> dict[str, Any]:
        with self._call("DeleteAccessKey") as call:
            acct = self._acct(call)
            user = self._key_user(call, acct, UserName)
            call.authorize("iam:DeleteAccessKey", user.arn, account=acct.account_id)
            key = self._find_key(acct, user, AccessKeyId)
            self.world.forget_key(key.access_key_id)
            return {}

    def create_virtual_mfa_device(self, *, VirtualMFADeviceName: str,
                                  Path: str = "/") -> dict[str, Any]:
        with self._call("CreateVirtualMFADevice") as call:
            acct = self._acct(call)
            check_name(VirtualMFADeviceName, "virtualMFADeviceName", 226)
            serial = self._arn(acct, "mfa", VirtualMFADeviceName, Path)
            call.authorize("iam:CreateVirtualMFADevice", serial, account=acct.account_id)
            if serial in acct.mfa_devices:
                raise EntityAlreadyExists("MFADevice entity at the same path and name already "
                                          "exists.")
            seed = self.world.ids.alnum(32).encode()
            acct.mfa_devices[serial] = MfaDevice(serial, seed)
            return {"VirtualMFADevice": {"SerialNumber": serial,
                                         "Base32StringSeed": seed}}

    def enable_mfa_device(self, *, UserName: str, SerialNumber: str, AuthenticationCode1: str,
                          AuthenticationCode2: str) -> dict[str, Any]:
        """Link an MFA device to a user with two consecutive codes from it
        (``world.mfa_code(serial, offset=-1)`` then ``world.mfa_code(serial)``)."""
        with self._call("EnableMFADevice") as call:
            acct = self._acct(call)
            user = self._user(acct, UserName)
            device = acct.mfa_devices.get(SerialNumber)
            if device is None:
                raise NoSuchEntity(f"VirtualMFADevice with serial number {SerialNumber} "
                                   "doesn't exist.")
            call.authorize("iam:EnableMFADevice", user.arn, account=acct.account_id)
            if device.user_name is not None:
                raise EntityAlreadyExists("MFA device is already in use.")
            now = self._now()
            from iamlab.world.core import totp

            pairs = [(totp(device.seed, now, o - 1), totp(device.seed, now, o))
                     for o in (-1, 0, 1)]
            if (AuthenticationCode1, AuthenticationCode2) not in pairs:
                raise InvalidInput("Authentication code for device is not valid.",
                                   code="InvalidAuthenticationCode")
            device.user_name, device.enabled = user.name, now
            user.mfa_serials.append(SerialNumber)
            return {}

    def list_mfa_devices(self, *, UserName: str | None = None) -> dict[str, Any]:
        with self._call("ListMFADevices") as call:
            acct = self._acct(call)
            user = self._key_user(call, acct, UserName)
            call.authorize("iam:ListMFADevices", user.arn, account=acct.account_id)
            return {"MFADevices": [
                {"UserName": user.name, "SerialNumber": s,
                 "EnableDate": acct.mfa_devices[s].enabled} for s in user.mfa_serials]}

    # -- instance profiles ------------------------------------------------------------------
    def create_instance_profile(self, *, InstanceProfileName: str, Path: str = "/",
                                Tags: Any = None) -> dict[str, Any]:
        """An instance profile: the container that hands one role to EC2 instances."""
        with self._call("CreateInstanceProfile") as call:
            acct = self._acct(call)
            check_name(InstanceProfileName, "instanceProfileName", 128)
            check_path(Path)
            arn = self._arn(acct, "instance-profile", InstanceProfileName, Path)
            call.authorize("iam:CreateInstanceProfile", arn, account=acct.account_id,
                           context=tags_context(tag_list(Tags)))
            if InstanceProfileName in acct.instance_profiles:
                raise EntityAlreadyExists(f"Instance Profile {InstanceProfileName} already "
                                          "exists.")
            prof = InstanceProfile(InstanceProfileName, arn,
                                   self.world.ids.unique_id("instance-profile"),
                                   acct.account_id, Path, self._now())
            acct.instance_profiles[InstanceProfileName] = prof
            return {"InstanceProfile": self._profile_out(acct, prof)}

    def add_role_to_instance_profile(self, *, InstanceProfileName: str,
                                     RoleName: str) -> dict[str, Any]:
        """Put a role in an instance profile; the caller must be allowed to pass the role."""
        with self._call("AddRoleToInstanceProfile") as call:
            acct = self._acct(call)
            prof = self._profile(acct, InstanceProfileName)
            role = self._role(acct, RoleName)
            call.authorize("iam:AddRoleToInstanceProfile", prof.arn, account=acct.account_id)
            call.authorize("iam:PassRole", role.arn, account=acct.account_id, context={
                "iam:PassedToService": "ec2.amazonaws.com",
                "iam:AssociatedResourceArn": f"arn:aws:ec2:*:{acct.account_id}:instance/*",
                **self._role_context(role)})
            if prof.roles:
                raise LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: "
                                    "1")
            prof.roles.append(role.name)
            return {}

    def remove_role_from_instance_profile(self, *, InstanceProfileName: str,
                                          RoleName: str) -> dict[str, Any]:
        with self._call("RemoveRoleFromInstanceProfile") as call:
            acct = self._acct(call)
            prof = self._profile(acct, InstanceProfileName)
            call.authorize("iam:RemoveRoleFromInstanceProfile", prof.arn,
                           account=acct.account_id)
            if RoleName not in prof.roles:
                raise NoSuchEntity(f"The role with name {RoleName} cannot be found.")
            prof.roles.remove(RoleName)
            return {}

    def get_instance_profile(self, *, InstanceProfileName: str) -> dict[str, Any]:
        with self._call("GetInstanceProfile") as call:
            acct = self._acct(call)
            prof = self._profile(acct, InstanceProfileName)
            call.authorize("iam:GetInstanceProfile", prof.arn, account=acct.account_id)
            return {"InstanceProfile": self._profile_out(acct, prof)}

    def list_instance_profiles_for_role(self, *, RoleName: str) -> dict[str, Any]:
        with self._call("ListInstanceProfilesForRole") as call:
            acct = self._acct(call)
            role = self._role(acct, RoleName)
            call.authorize("iam:ListInstanceProfilesForRole", role.arn, account=acct.account_id)
            return {"InstanceProfiles": [self._profile_out(acct, p)
                                         for p in acct.instance_profiles.values()
                                         if RoleName in p.roles]}

    def delete_instance_profile(self, *, InstanceProfileName: str) -> dict[str, Any]:
        with self._call("DeleteInstanceProfile") as call:
            acct = self._acct(call)
            prof = self._profile(acct, InstanceProfileName)
            call.authorize("iam:DeleteInstanceProfile", prof.arn, account=acct.account_id)
            if prof.roles:
                raise DeleteConflict("Cannot delete entity, must remove roles from instance "
                                     "profile first.")
            del acct.instance_profiles[InstanceProfileName]
            return {}


def create_service_linked_role(client: ServiceClient, call: Call, acct: Account,
                               service: str, description: str = "") -> Role:
    """Create a service's linked role (the caller needs iam:CreateServiceLinkedRole with
    iam:AWSServiceName = the service). Used by CreateServiceLinkedRole and by services that
    create their role on first use."""
    known = SERVICE_LINKED.get(service)
    if known is None:
        raise InvalidInput(f"iamlab can create the service-linked role of "
                           f"{', '.join(SERVICE_LINKED)} only, not {service}.")
    name, policy_arn, default_description = known
    path = f"{SERVICE_ROLE_PATH}{service}/"
    arn = f"arn:aws:iam::{acct.account_id}:role{path}{name}"
    call.authorize("iam:CreateServiceLinkedRole", arn, account=acct.account_id,
                   context={"iam:AWSServiceName": service})
    if name in acct.roles:
        raise InvalidInput(f"Service role name {name} has been taken in this account, please "
                           "try a different suffix.")
    from iamlab.parse import parse_policy

    trust = parse_policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]},
        PolicyKind.TRUST, name=f"{name} trust policy")
    world = client.world
    role = Role(name, arn, world.ids.unique_id("role"), acct.account_id, path,
                world.clock.now(), trust, attached=[policy_arn],
                description=description or default_description, service_linked=service)
    acct.roles[name] = role
    return role


def _service_linked_role_usage(world: Any, acct: Account, role: Role) -> list[str]:
    """ARNs of the resources that still use a service-linked role."""
    if role.service_linked == "autoscaling.amazonaws.com":
        return [g.arn for g in acct.auto_scaling_groups.values()]
    return []

