"""STS in the world: assuming roles, and the credentials that come out of it.

AssumeRole is decided as AWS decides it (IAM User Guide, "Methods to assume a role",
"Switch to an IAM role (AWS API)", "Pass session tags in AWS STS", "Monitor and control
actions taken with assumed roles" for source identity): the role's trust policy must allow
the caller, and, unless the trust policy names the caller itself in the same account, the
caller's own policies must allow ``sts:AssumeRole`` too; the engine applies those rules.
Session tags need ``sts:TagSession`` and a source identity ``sts:SetSourceIdentity``, both
in the trust policy. A source identity, once set, passes down a chain of roles and cannot be
changed: a chained call that asks for another one is denied, and the next role must allow
``sts:SetSourceIdentity`` even when the call leaves it out ("Role chaining and cross-account
requirements"). DurationSeconds runs from 900 s up to the role's MaxSessionDuration,
and at most one hour when a role session assumes another role (role chaining).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from iamlab.arn import parse_arn
from iamlab.decision import Decision
from iamlab.policy import Policy, PolicyKind
from iamlab.request import ContextValue
from iamlab.world.errors import AccessDenied, ValidationError
from iamlab.world.iam import validation
from iamlab.world.services.base import Call, ServiceClient, tag_list, tags_context

if TYPE_CHECKING:
    from iamlab.world.core import Caller, World
    from iamlab.world.credentials import TemporarySession
    from iamlab.world.model import Role

# AWS's \w is ASCII ([A-Za-z0-9_]): "é-session" does not fit (STS API reference, AssumeRole)
_SESSION_NAME = re.compile(r"[\w+=,.@-]*\Z", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]*\Z", re.ASCII)
_TOKEN_CODE = re.compile(r"\d{6}\Z")
CHAINING_LIMIT = 3600


def _check_length(value: Any, member: str, low: int, high: int,
                  pattern: re.Pattern[str] | None = None, shown: str = "") -> str:
    if not isinstance(value, str) or len(value) < low:
        raise validation(value, member, f"Member must have length greater than or equal to {low}")
    if len(value) > high:
        raise validation(value, member, f"Member must have length less than or equal to {high}")
    if pattern is not None and not pattern.match(value):
        raise validation(value, member,
                         f"Member must satisfy regular expression pattern: {shown}")
    return value


def _carried_note(carried: str) -> str:
    """Why a chained AssumeRole that set no source identity still needs
    ``sts:SetSourceIdentity``."""
    return (f"(iamlab: this session carries the source identity {carried!r}, which passes to "
            "the new session, so the role's trust policy and the caller's own policies must "
            "both allow sts:SetSourceIdentity, even when the call does not set it.)")


def _check_duration(value: Any, high: int) -> None:
    """DurationSeconds: a whole number of seconds from 900 to ``high``."""
    if not isinstance(value, int) or value < 900:
        raise validation(value, "durationSeconds",
                         "Member must have value greater than or equal to 900")
    if value > high:
        raise validation(value, "durationSeconds",
                         f"Member must have value less than or equal to {high}")


class StsClient(ServiceClient):
    """AWS Security Token Service."""

    service = "sts"
    endpoint = "sts.amazonaws.com"
    denied_code = "AccessDenied"
    malformed_code = "MalformedPolicyDocument"

    def get_caller_identity(self) -> dict[str, Any]:
        """Who these credentials belong to. Needs no permission and cannot be denied."""
        with self._call("GetCallerIdentity") as call:
            caller = call.caller
            call.authorize("sts:GetCallerIdentity", "*", account=caller.account)
            return {"UserId": caller.userid, "Account": caller.account, "Arn": caller.arn}

    def assume_role(self, *, RoleArn: str, RoleSessionName: str,
                    DurationSeconds: int = 3600, ExternalId: str | None = None,
                    SerialNumber: str | None = None, TokenCode: str | None = None,
                    Policy: str | dict[str, Any] | None = None,
                    PolicyArns: list[dict[str, str]] | None = None,
                    Tags: Any = None, TransitiveTagKeys: list[str] | None = None,
                    SourceIdentity: str | None = None) -> dict[str, Any]:
        """Temporary credentials for a session of ``RoleArn``, if its trust policy and the
        caller's own policies allow it."""
        with self._call("AssumeRole") as call:
            caller = call.caller
            # parameters first, as STS validates them before anything else
            _check_length(RoleArn, "roleArn", 20, 2048)
            _check_length(RoleSessionName, "roleSessionName", 2, 64, _SESSION_NAME,
                          "[\\w+=,.@-]*")
            _check_duration(DurationSeconds, 43200)
            if ExternalId is not None:
                _check_length(ExternalId, "externalId", 2, 1224, _EXTERNAL_ID,
                              "[\\w+=,.@:\\/-]*")
            if SourceIdentity is not None:
                _check_length(SourceIdentity, "sourceIdentity", 2, 64, _SESSION_NAME,
                              "[\\w+=,.@-]*")
                if SourceIdentity.lower().startswith("aws:"):
                    raise ValidationError("SourceIdentity cannot begin with the prefix 'aws:'.")
            if TokenCode is not None:
                _check_length(TokenCode, "tokenCode", 6, 6, _TOKEN_CODE, "[\\d]*")
            session_policies = self._session_policies(Policy, PolicyArns)
            tags = tag_list(Tags)
            if len(tags) > 50:
                raise validation(len(tags), "tags",
                                 "Member must have length less than or equal to 50")
            transitive = frozenset(TransitiveTagKeys or ())
            if transitive - set(tags):
                raise ValidationError("The specified transitive tag keys must be included in "
                                      "the requested tags.")
            if caller.is_root:
                # AssumeRole is called with an IAM user's or a role's credentials (STS API
                # reference, AssumeRole); the root user gets AccessDenied, whatever the trust
                raise AccessDenied(None, principal=caller.arn, action="sts:AssumeRole",
                                   resource=RoleArn, code=self.denied_code,
                                   message="Roles may not be assumed by root accounts.")
            mfa = self._check_mfa(caller, SerialNumber, TokenCode)

            role = self.world.role_by_arn(RoleArn)
            parsed = parse_arn(RoleArn)
            account = parsed.account if parsed is not None else caller.account
            prev = caller.temp
            inherited = {k: v for k, v in (prev.tags.items() if prev else ())
                         if prev and k in prev.transitive_tag_keys}
            all_tags = {**inherited, **tags}
            ctx: dict[str, ContextValue] = {"sts:RoleSessionName": RoleSessionName,
                                            **tags_context(tags)}
            if ExternalId is not None:
                ctx["sts:ExternalId"] = ExternalId
            if transitive:
                ctx["sts:TransitiveTagKeys"] = sorted(transitive)
            carried = prev.source_identity if prev else None
            source_identity = carried or SourceIdentity
            if source_identity:
                ctx["sts:SourceIdentity"] = source_identity
            if mfa:
                ctx["aws:MultiFactorAuthPresent"] = "true"
                ctx["aws:MultiFactorAuthAge"] = "0"
            note = ""
            if role is None:
                note = (f"(iamlab: there is no role {RoleArn}. AWS answers AccessDenied rather "
                        "than saying so, so that callers cannot find out which roles exist.)")
            trust = role.trust if role is not None else None
            call.authorize("sts:AssumeRole", RoleArn, account=account, policy=trust,
                           context=ctx, note=note)
            if tags:
                call.authorize("sts:TagSession", RoleArn, account=account, policy=trust,
                               context=ctx)
            if source_identity:
                self._check_source_identity(call, carried, SourceIdentity, RoleArn)
                call.authorize("sts:SetSourceIdentity", RoleArn, account=account, policy=trust,
                               context=ctx, note=_carried_note(carried) if carried else "")
            assert role is not None  # a missing role can never be allowed
            chained = prev is not None and prev.role_arn is not None
            if DurationSeconds > role.max_session_duration:
                raise ValidationError("The requested DurationSeconds exceeds the "
                                      "MaxSessionDuration set for this role.")
            if chained and DurationSeconds > CHAINING_LIMIT:
                raise ValidationError("The requested DurationSeconds exceeds the 1 hour session "
                                      "limit for roles assumed by role chaining.")
            made = self.world.issue_role_session(
                role, session_name=RoleSessionName, duration=DurationSeconds, issued_to="sts",
                session_policies=session_policies, tags=all_tags,
                transitive_tag_keys=transitive | (prev.transitive_tag_keys if prev else
                                                  frozenset()),
                source_identity=source_identity, mfa_time=self.world.clock.now() if mfa else
                None, chained=chained)
            out: dict[str, Any] = {
                "Credentials": made.credentials.to_dict(),
                "AssumedRoleUser": {"AssumedRoleId": made.userid, "Arn": made.principal_arn}}
            if session_policies or tags:
                out["PackedPolicySize"] = min(99, 6 * len(session_policies) + 3 * len(tags))
            if source_identity:
                out["SourceIdentity"] = source_identity
            return out

    def get_session_token(self, *, DurationSeconds: int = 43200,
                          SerialNumber: str | None = None,
                          TokenCode: str | None = None) -> dict[str, Any]:
        """A user's own temporary credentials, with MFA when a code is given."""
        with self._call("GetSessionToken") as call:
            caller = call.caller
            if caller.temp is not None:
                raise AccessDenied(None, principal=caller.arn, action="sts:GetSessionToken",
                                   resource="*",
                                   message="Cannot call GetSessionToken with session "
                                           "credentials")
            _check_duration(DurationSeconds, 129600)
            if TokenCode is not None:
                _check_length(TokenCode, "tokenCode", 6, 6, _TOKEN_CODE, "[\\d]*")
            mfa = self._check_mfa(caller, SerialNumber, TokenCode)
            if caller.user is None:
                raise ValidationError("iamlab simulates GetSessionToken for IAM users only.")
            made = self.world.issue_user_session(
                caller.user, duration=DurationSeconds,
                mfa_time=self.world.clock.now() if mfa else None)
            return {"Credentials": made.credentials.to_dict()}

    # -- helpers ----------------------------------------------------------------------------
    def _check_source_identity(self, call: Call, carried: str | None, asked: str | None,
                               role_arn: str) -> None:
        """A session's source identity cannot be changed along a chain: asking for a
        different one is denied (IAM User Guide, "Monitor and control actions taken with
        assumed roles", "Role chaining and cross-account requirements")."""
        if carried is None or asked is None or asked == carried:
            return
        # no policy decided this: the log shows the refused permission and AWS's message
        call.decision, call.action, call.resource = None, "sts:SetSourceIdentity", role_arn
        raise AccessDenied(None, principal=call.caller.arn, action="sts:SetSourceIdentity",
                           resource=role_arn, code=self.denied_code,
                           note=f"(iamlab: this session already carries the source identity "
                                f"{carried!r}, set when the chain of roles began, and a "
                                f"source identity cannot be changed, so AWS denies "
                                f"{asked!r}. Leave SourceIdentity out, or give {carried!r} "
                                f"again: either way the new session carries {carried!r}.)")

    def _session_policies(self, document: Any, arns: list[dict[str, str]] | None
                          ) -> tuple[Policy, ...]:
        found: list[Policy] = []
        if document is not None:
            found.append(self._parse(document, PolicyKind.SESSION, name="session policy"))
        for entry in arns or ():
            arn = entry.get("arn") if isinstance(entry, Mapping) else None
            mp = self.world.managed_policy(arn) if isinstance(arn, str) else None
            if mp is None:
                raise ValidationError(f"Policy {arn} does not exist or is not attachable.")
            found.append(mp.as_(PolicyKind.SESSION))
        if len(found) > 11:
            raise validation(len(found) - 1, "policyArns",
                             "Member must have length less than or equal to 10")
        return tuple(found)

    def _check_mfa(self, caller: Caller, serial: str | None, code: str | None) -> bool:
        """Whether a valid MFA code came with the call (AccessDenied for a wrong one)."""
        if serial is None and code is None:
            return False
        if serial is None or code is None:
            raise ValidationError("SerialNumber and TokenCode must be given together.")
        device = self.world.find_mfa_device(serial)
        user = caller.user
        if device is None or user is None or device.user_name != user.name:
            raise AccessDenied(None, principal=caller.arn, action="sts:AssumeRole",
                               resource=serial, message="MultiFactorAuthentication failed, "
                               "unable to validate MFA code. Please verify your MFA serial "
                               "number is valid and associated with this user.")
        from iamlab.world.core import totp

        now = self.world.clock.now()
        if code not in (totp(device.seed, now, o) for o in (-1, 0, 1)):
            raise AccessDenied(None, principal=caller.arn, action="sts:AssumeRole",
                               resource=serial, message="MultiFactorAuthentication failed with "
                               "invalid MFA one time pass code.")
        return True


def service_assume_role(world: World, service: str, role: Role, *, session_name: str,
                        duration: int, source_arn: str | None = None,
                        source_account: str | None = None,
                        context: Mapping[str, ContextValue] | None = None
                        ) -> tuple[TemporarySession | None, Decision]:
    """An AWS service (``ec2.amazonaws.com``...) assumes ``role`` for its work: only the
    role's trust policy decides. Logged as the service's own AssumeRole call."""
    ctx: dict[str, ContextValue] = {"sts:RoleSessionName": session_name}
    if source_arn:
        ctx["aws:SourceArn"] = source_arn
    if source_account:
        ctx["aws:SourceAccount"] = source_account
    decision = world.decide_service(service, "sts:AssumeRole", role.arn,
                                    resource_account=role.account, resource_policy=role.trust,
                                    context=ctx)
    if not decision.allowed:
        world.record_service_call(service, "sts.amazonaws.com", "AssumeRole", "sts:AssumeRole",
                                  role.arn, decision, "AccessDenied",
                                  f"{service} is not authorized to perform: sts:AssumeRole on "
                                  f"resource: {role.arn}")
        return None, decision
    world.record_service_call(service, "sts.amazonaws.com", "AssumeRole", "sts:AssumeRole",
                              role.arn, decision)
    made = world.issue_role_session(role, session_name=session_name, duration=duration,
                                    issued_to=service, context=context)
    return made, decision


__all__ = ["CHAINING_LIMIT", "Call", "StsClient", "service_assume_role"]
