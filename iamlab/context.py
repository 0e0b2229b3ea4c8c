"""The condition keys AWS itself adds to a request, built for a principal and a moment.

The engine evaluates exactly the context it is given (IAM User Guide, "AWS global condition
context keys": a key that is absent is absent). The simulated world and the widgets use
:func:`aws_context` to supply what AWS would: who is calling, from where, and when.
Keys given explicitly win over derived ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone

from iamlab.arn import PrincipalType, identify
from iamlab.request import ContextValue


def aws_context(
    principal: str,
    *,
    role_arn: str | None = None,
    now: datetime | None = None,
    source_ip: str | None = None,
    secure_transport: bool = True,
    mfa_age_seconds: int | None = None,
    principal_tags: Mapping[str, str] | None = None,
    userid: str | None = None,
    org_id: str | None = None,
    region: str | None = None,
    resource_account: str | None = None,
    extra: Mapping[str, ContextValue] | None = None,
) -> dict[str, ContextValue]:
    """Context keys AWS would supply for ``principal`` at ``now`` (UTC), plus ``extra``.

    ``role_arn`` is the role behind an assumed-role session when the role has a path (see
    :class:`iamlab.request.Request`): ``aws:PrincipalArn`` is then that ARN, path included.

    Which principal keys a caller gets follows each key's "Availability" in "AWS global
    condition context keys" and the table "Principal key values" of "IAM policy elements:
    Variables and tags":

    - an anonymous caller (``*``): aws:PrincipalType ``Anonymous``, aws:userid ``anonymous``
      and aws:PrincipalAccount ``anonymous`` ("For anonymous requests, the request context
      returns anonymous"); no aws:PrincipalArn, aws:PrincipalIsAWSService, aws:username,
      aws:PrincipalOrg*, aws:PrincipalTag ("Anonymous requests do not include this key");
    - an AWS service principal: aws:PrincipalServiceName and aws:PrincipalIsAWSService
      ``true`` only (the docs give no aws:PrincipalArn, aws:PrincipalType, aws:userid or
      aws:PrincipalAccount value for a service principal);
    - aws:userid, when ``userid`` is not given, only where the table fixes it without a
      unique ID: the account ID for the root user, ``account:caller-specified-name`` for a
      GetFederationToken session (``arn:aws:sts::ACCOUNT:federated-user/NAME``).
    """
    who = identify(principal, role_arn)
    ctx: dict[str, ContextValue] = {}
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    ctx["aws:CurrentTime"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    ctx["aws:EpochTime"] = str(int(moment.timestamp()))
    ctx["aws:SecureTransport"] = "true" if secure_transport else "false"
    if region:
        ctx["aws:RequestedRegion"] = region
    if resource_account:
        ctx["aws:ResourceAccount"] = resource_account
    if who.type is PrincipalType.SERVICE:
        ctx["aws:PrincipalServiceName"] = who.value
        ctx["aws:PrincipalIsAWSService"] = "true"
    elif who.type is PrincipalType.IDENTITY_PROVIDER:
        # AssumeRoleWithSAML / AssumeRoleWithWebIdentity are not signed with AWS credentials:
        # no aws:PrincipalIsAWSService ("present ... for all signed API requests that use AWS
        # credentials") and no aws:Principal* keys. aws:FederatedProvider "is present ... in
        # the role-trust policy when an OIDC provider is used to call
        # AssumeRoleWithWebIdentity" (AWS global condition context keys).
        if source_ip:
            ctx["aws:SourceIp"] = source_ip
        if ":saml-provider/" not in who.value:
            ctx["aws:FederatedProvider"] = who.value
    elif who.type is PrincipalType.ANONYMOUS:
        # aws:PrincipalType, aws:userid, aws:PrincipalAccount: "included in the request
        # context for all requests, including anonymous requests"; "Principal key values":
        # Anonymous caller -> aws:userid "anonymous", aws:PrincipalType "Anonymous";
        # aws:PrincipalAccount: "For anonymous requests, the request context returns
        # anonymous". aws:PrincipalIsAWSService: "Anonymous requests do not include this key".
        ctx["aws:PrincipalType"] = PrincipalType.ANONYMOUS.value
        ctx["aws:PrincipalAccount"] = "anonymous"
        ctx["aws:userid"] = userid or "anonymous"
        if source_ip:
            ctx["aws:SourceIp"] = source_ip
    else:
        ctx["aws:PrincipalIsAWSService"] = "false"
        if source_ip:
            ctx["aws:SourceIp"] = source_ip
    if who.type not in (PrincipalType.SERVICE, PrincipalType.ANONYMOUS,
                        PrincipalType.IDENTITY_PROVIDER):
        ctx["aws:PrincipalArn"] = who.role_arn or who.value
        if who.account:
            ctx["aws:PrincipalAccount"] = who.account
        ctx["aws:PrincipalType"] = who.type.value
        if who.type is PrincipalType.USER:
            ctx["aws:username"] = who.value.rsplit("/", 1)[-1]
        if userid:
            ctx["aws:userid"] = userid
        elif who.type is PrincipalType.ACCOUNT and who.account:
            ctx["aws:userid"] = who.account  # "Principal key values": AWS account ID
        elif who.type is PrincipalType.FEDERATED_USER and who.account:
            # "Principal key values": AWS STS federated user principal -> account:caller-
            # specified-name (the Name given to GetFederationToken, the ARN's last part)
            ctx["aws:userid"] = f"{who.account}:{who.value.rsplit('/', 1)[-1]}"
        if org_id:
            ctx["aws:PrincipalOrgID"] = org_id
        for key, value in (principal_tags or {}).items():
            ctx[f"aws:PrincipalTag/{key}"] = value
        if mfa_age_seconds is not None:
            ctx["aws:MultiFactorAuthPresent"] = "true"
            ctx["aws:MultiFactorAuthAge"] = str(mfa_age_seconds)
        elif who.type in (PrincipalType.ASSUMED_ROLE, PrincipalType.FEDERATED_USER):
            ctx["aws:MultiFactorAuthPresent"] = "false"
    lowered = {k.lower() for k in (extra or {})}
    ctx = {k: v for k, v in ctx.items() if k.lower() not in lowered}
    ctx.update(extra or {})
    return ctx
