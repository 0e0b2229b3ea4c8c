"""Does a statement apply to a request? Action, resource, principal and condition tests.

References (IAM User Guide): "IAM JSON policy elements: Action / NotAction" (actions are
case-insensitive, ``*`` and ``?`` wildcards), "Resource / NotResource" (ARNs are
case-sensitive; wildcards within segments), "Principal / NotPrincipal", "Condition".
Each statement is compiled once into wildcard matchers (:mod:`iamlab.glob`, linear in the
value) and condition matchers.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from iamlab.arn import ACCOUNT_ID, Identity, PrincipalType
from iamlab.conditions import CompiledCondition, ConditionCheck, parse_operator
from iamlab.glob import GlobSet, Matcher, arn_glob_of, glob_set
from iamlab.policy import Effect, Policy, Principal, Statement
from iamlab.request import Context
from iamlab.variables import substitute_glob, template_pieces

_NONE = GlobSet(())  # matches nothing


class PrincipalMatch(IntEnum):
    """How a resource policy's Principal names the caller, from weakest to strongest.

    The strength matters: within one account a resource policy that names the caller
    directly is enough on its own, one that names only its account is not.
    """

    NONE = 0
    ACCOUNT = 1  # the caller's account (root ARN or account ID)
    SESSION_ISSUER = 2  # the role (its ARN) behind the caller's session, or the role itself
    DIRECT = 3  # the caller itself, or "*"


_LAZY = frozenset({"conditions", "resource_dynamic", "resource_negated", "resource_set",
                   "resource_star"})


class CompiledStatement:
    """A statement turned into fast matchers for repeated evaluation.

    Only the Action test is built at once; the Resource and Condition matchers are built
    the first time one of them is read (by :meth:`__getattr__`), which for most statements
    of a policy seen once is never: their action does not match.
    """

    __slots__ = ("action_negated", "action_set", "allow", "conditions", "not_principal_deny",
                 "policy", "resource_dynamic", "resource_negated", "resource_set", "resource_star",
                 "statement")

    def __init__(self, policy: Policy, statement: Statement) -> None:
        self.policy = policy
        self.statement = statement
        self.allow = statement.effect is Effect.ALLOW
        # IAM User Guide, Permissions boundaries: such a Deny applies to any caller that
        # has a permissions boundary, whatever its NotPrincipal says.
        self.not_principal_deny = not self.allow and statement.not_principals is not None
        actions = statement.actions if statement.actions is not None else statement.not_actions
        self.action_set = glob_set(actions, True) if actions else _NONE
        self.action_negated = statement.actions is None

    def __getattr__(self, name: str) -> Any:
        """Build the Resource and Condition matchers on first use (only called for an
        attribute not set yet)."""
        if name not in _LAZY:
            raise AttributeError(name)
        self._complete()
        return object.__getattribute__(self, name)

    def _complete(self) -> None:
        statement = self.statement
        policy = self.policy
        resources = (statement.resources if statement.resources is not None
                     else statement.not_resources)
        # True when any resource matches (no Resource element, or "*" in Resource)
        self.resource_star = resources is None or (
            statement.resources is not None and "*" in resources)
        self.resource_negated = statement.not_resources is not None
        variables = policy.variables_enabled
        static = [r for r in resources or () if not (variables and _has_variable(r))]
        self.resource_dynamic = tuple(r for r in resources or ()
                                      if variables and _has_variable(r))
        self.resource_set = glob_set(tuple(static), False, True) if static else _NONE
        self.conditions = tuple(
            CompiledCondition(spec, c.key, c.values, variables)
            for c in statement.conditions
            if (spec := parse_operator(c.operator)) is not None
        )

    def action_matches(self, action: str) -> bool:
        hit = self.action_set.match(action)
        return hit if self.statement.actions is not None else not hit

    def resource_matches(self, arn: str, context: Context) -> bool:
        if self.resource_star:
            return True
        hit = self.resource_set.match(arn)
        if not hit and self.resource_dynamic:
            hit = any(_dynamic_resource_match(r, arn, context) for r in self.resource_dynamic)
        return hit is not self.resource_negated

    def principal_match(self, identity: Identity) -> PrincipalMatch:
        st = self.statement
        if st.principals is not None:
            best = PrincipalMatch.NONE  # the strongest way any entry names the caller
            for p in st.principals:
                match = principal_match(p, identity)
                if match is PrincipalMatch.DIRECT:
                    return match
                best = max(best, match)
            return best
        if st.not_principals is not None:
            # NotPrincipal page: listing Bob and his account spares Bob alone, not the other
            # principals of that account, and naming a role does not spare its sessions.
            named = any(principal_match(p, identity) is PrincipalMatch.DIRECT
                        or (p.type == "AWS" and p.value == identity.value)
                        for p in st.not_principals)
            return PrincipalMatch.NONE if named else PrincipalMatch.DIRECT
        return PrincipalMatch.DIRECT  # identity-side policies apply to their holder

    def conditions_hold(self, context: Context) -> bool:
        for c in self.conditions:  # noqa: SIM110 - a plain loop is faster on the hot path
            if not c.holds(context):
                return False
        return True

    def condition_checks(self, context: Context) -> tuple[ConditionCheck, ...]:
        return tuple(c.check(context) for c in self.conditions)



def compiled(policy: Policy) -> tuple[CompiledStatement, ...]:
    """The policy's statements compiled, built once per policy object."""
    if policy.compiled is None:
        object.__setattr__(policy, "compiled",
                           tuple(CompiledStatement(policy, s) for s in policy.statements))
    result: tuple[CompiledStatement, ...] = policy.compiled
    return result


def _has_variable(resource: str) -> bool:
    """Does a Resource value hold a policy variable where AWS substitutes one?

    IAM User Guide, "IAM policy elements: Variables and tags", "Resource element": "You can
    use a policy variable in the Resource element, but only in the resource portion of the
    ARN. This portion of the ARN appears after the fifth colon (:). You can't use a variable
    to replace parts of the ARN before the fifth colon, such as the service or account."
    Before the fifth colon ``${...}`` is therefore plain text (its ``*`` and ``?`` are
    wildcards like any others there), the ``${*}``, ``${?}``, ``${$}`` escapes included
    (predefined variables that "can be used in any string where you can use regular policy
    variables"). Colons are counted in the text as written, a variable's own
    (``${aws:...}``) included. A value that is not an ARN is a template throughout.
    """
    if "${" not in resource:
        return False
    parts = resource.split(":", 5)
    return "${" in (parts[5] if len(parts) == 6 else resource)


def _dynamic_resource_match(pattern: str, arn: str, context: Context) -> bool:
    """Match a Resource whose resource part holds policy variables: resolve them, then glob.

    Only the resource part is a template (see :func:`_has_variable`); the first five parts
    are matched as written. In the template, ``*`` and ``?`` written in the policy are
    wildcards, while characters that come from a variable's value or from the ``${*}``,
    ``${?}``, ``${$}`` escapes are matched literally ("Special characters": the escapes are
    for where "inserting an * asterisk in the string would be interpreted as a wildcard").
    """
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        glob = substitute_glob(pattern, context)
        return glob is not None and glob.match(arn)
    tail = template_pieces(parts[5], context)
    if tail is None:
        return False
    matcher: Matcher = arn_glob_of(parts[:5], tail)
    return matcher.match(arn)


# Callers that an account principal never names: a service principal, and an identity
# provider (an account principal "delegates authority to the account ... an administrator
# in that account must then grant access to an identity (IAM user or role)").
_NOT_OF_AN_ACCOUNT = frozenset({PrincipalType.SERVICE, PrincipalType.IDENTITY_PROVIDER})


def principal_match(p: Principal, who: Identity) -> PrincipalMatch:
    """How one Principal entry names the caller."""
    if p.is_wildcard:
        # Principal page, "All principals": a wildcard specifies "all principals" (and the
        # page's list of principals includes AWS services); "For anonymous users, the
        # following elements are equivalent": "Principal": "*" and {"AWS": "*"}.
        return PrincipalMatch.DIRECT
    if p.type == "AWS":
        value = p.value
        if ACCOUNT_ID.match(value):
            value = f"arn:aws:iam::{value}:root"
        if value == who.value:
            # A role's own ARN names the role, not one of its sessions: within one account
            # such a grant is still limited by an implicit deny in the role's permissions
            # boundary or session policy (IAM User Guide, "Permissions boundaries for IAM
            # entities", resource-based policies; "Policy evaluation for requests within a
            # single account"). Only a session ARN or an IAM user ARN is named "directly".
            if who.type is PrincipalType.ROLE:
                return PrincipalMatch.SESSION_ISSUER
            return PrincipalMatch.DIRECT
        if value == who.role_arn:
            return PrincipalMatch.SESSION_ISSUER
        if (value.endswith(":root") and who.account is not None
                and value.startswith("arn:") and value.split(":")[4] == who.account
                and who.type not in _NOT_OF_AN_ACCOUNT):
            return PrincipalMatch.ACCOUNT
        return PrincipalMatch.NONE
    if p.type == "Service":
        same = who.type is PrincipalType.SERVICE and p.value.lower() == who.value.lower()
        return PrincipalMatch.DIRECT if same else PrincipalMatch.NONE
    return PrincipalMatch.DIRECT if p.value == who.value else PrincipalMatch.NONE
