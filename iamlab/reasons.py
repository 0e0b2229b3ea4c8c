"""Sentences for decisions: what the engine's reason codes mean, in plain English.

Kept apart from :mod:`iamlab.engine` so that deciding stays fast: a sentence is written
only when someone reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iamlab.arn import PrincipalType
from iamlab.engine import TRUST_ACTIONS
from iamlab.hints import looks_like_service, request_hints
from iamlab.policy import PolicyKind

if TYPE_CHECKING:
    from iamlab.decision import Decision

_LIMITS = {
    PolicyKind.IDENTITY: "no identity-based policy allows {what}",
    PolicyKind.BOUNDARY: ("the permissions boundary does not allow {action} (a boundary only "
                          "limits what identity policies grant; it never grants)"),
    PolicyKind.SESSION: ("the session policy does not allow {action} (a session policy only "
                         "limits the session; it never grants)"),
}


def resource_policy_name(decision: Decision) -> str:
    """What the resource's policy is called for this request."""
    action = decision.request.action.lower()
    if action in TRUST_ACTIONS:
        return "role trust policy"
    if action.startswith("kms:"):
        return "key policy"
    return "resource-based policy"


def summary(d: Decision) -> str:
    """One sentence saying why ``d`` came out as it did; when the request itself cannot be
    what was meant (an action that does not exist, a principal or resource that is not an
    ARN), a second sentence says so (:func:`iamlab.hints.request_hints`)."""
    text = _reason(d)
    r = d.request
    if d.reason == "caller-identity":
        return text
    hints = request_hints(r.principal, r.action, r.resource.arn)
    return " ".join([text, *hints]) if hints else text


def _reason(d: Decision) -> str:
    """The sentence for the decision's reason code."""
    r = d.request
    what = f"{r.action} on {r.resource.arn}"
    rbp = resource_policy_name(d)
    cause = (f"{d.cause.policy.label}, {d.cause.statement.label}," if d.cause else "a policy")
    gap = _LIMITS.get(d.blocked_by, "").format(what=what, action=r.action) \
        if d.blocked_by else ""
    who = (f"the service {r.identity.value}" if r.identity.is_service
           and looks_like_service(r.identity.value)
           else f"the caller {r.identity.value}" if r.identity.is_service
           else f"the identity provider {r.identity.value}"
           if r.identity.type is PrincipalType.IDENTITY_PROVIDER
           else "an anonymous caller")
    account = r.resource.account
    texts = {
        "caller-identity": ("sts:GetCallerIdentity needs no permission: anyone signed in may "
                            "ask who they are, and no policy can deny it."),
        "explicit-deny": f"{cause} explicitly denies {what}; an explicit Deny overrides "
                         "every Allow.",
        "org-gap": (f"No {d.blocked_by.label if d.blocked_by else 'policy'} at organisation "
                    f"level {d.level + 1} allows {what}; every level of the organisation "
                    "must allow it."),
        "service-allowed": f"The {rbp} allows {who} to perform {what}.",
        "service-denied": (f"No {rbp} lets {who} perform {what}; such a caller has no "
                           "identity-based policies, so the resource's own policy must allow "
                           "it."),
        "resource-direct": (f"The {rbp} names the caller and allows {what}; within one account "
                            "that is enough on its own."),
        "resource-session": (f"The {rbp} names the role behind this session and "
                             f"allows {what}."),
        "resource-session-limited": (f"The {rbp} allows the role behind this session, "
                                     f"but {gap}."),
        "resource-role": (f"The {rbp} names the role's ARN and allows {what}, and no "
                          "permissions boundary limits it."),
        "resource-role-limited": (f"The {rbp} allows the role's ARN, but {gap}: a grant to "
                                  "a role ARN is limited by the role's permissions boundary "
                                  "(only a grant to a session ARN or an IAM user is not)."),
        "identity-gap": f"Denied because {gap}.",
        "resource-required": (f"The {rbp} does not allow {what}; a {rbp} must allow the "
                              "caller even within one account."),
        "root-cannot-assume": ("Denied: the account root user cannot assume a role, whatever "
                               "the policies say (STS AssumeRole needs the credentials of an "
                               "IAM user or role)."),
        "root": (f"The account root user may do anything in its own account, including "
                 f"{what}, and nothing denies it."),
        "identity": f"Allowed: {cause} allows {what}, and nothing denies it.",
        "cross-identity-gap": (f"Cross-account request denied: {gap}; the caller's own "
                               "account must allow the request too."),
        "cross-resource-gap": (f"Cross-account request denied: no {rbp} in the resource's "
                               f"account ({account}) allows {what} for this caller."),
        "cross-allowed": (f"Cross-account request allowed: {cause} allows {what}, and the {rbp}"
                          f" in account {account} allows it too."),
    }
    return texts.get(d.reason, d.reason)
