"""Where a learner's policy is tried: the exercise's world, built fresh, with the learner's
policy put in place of the one the exercise asks for.

A stage is a :class:`~iamlab.playground.RolePlayground` opened on the exercise's role in a
new world, so every request is decided as that world decides it (the role's other
policies, boundary, tags, the resources' own policies, the organisation's SCPs). Nothing a
learner did before leaks in: each grade builds its own world.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from iamlab.arn import PrincipalType, identify
from iamlab.decision import Decision
from iamlab.exercises.spec import Exercise, ExerciseSpecError, Probe
from iamlab.parse import parse_policy
from iamlab.playground import Caller, RolePlayground
from iamlab.policy import Policy, PolicyKind

# The callers' own side: a trust exercise grades the trust policy, so the other principals
# are given an identity policy that lets them ask (IAM User Guide, "Granting a user
# permissions to switch roles": a caller's own policy must allow sts:AssumeRole too).
MAY_ASSUME_ANY_ROLE = {"Version": "2012-10-17", "Statement": [{
    "Sid": "MayAssumeRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
_IAM_PRINCIPALS = frozenset({PrincipalType.USER, PrincipalType.ROLE,
                             PrincipalType.ASSUMED_ROLE, PrincipalType.FEDERATED_USER})


def build_world(name: str) -> Any:
    """A fresh scenario: ``iamlab.exercises.worlds.<name>`` or ``iamlab.world.scenarios.<name>``
    (a scenario object with a ``world``, or a world)."""
    for module in ("iamlab.exercises.worlds", "iamlab.world.scenarios"):
        builder = getattr(importlib.import_module(module), name, None)
        if callable(builder):
            return builder()
    raise ExerciseSpecError(f"there is no world builder named {name!r} (in "
                            "iamlab.exercises.worlds or iamlab.world.scenarios)")


def world_of(scenario: Any) -> Any:
    return getattr(scenario, "world", scenario)


@dataclass(frozen=True)
class Stage:
    """The exercise's role in a fresh world, and who acts (for the role's own requests)."""

    exercise: Exercise
    base: RolePlayground
    actor: Caller

    @classmethod
    def build(cls, exercise: Exercise) -> Stage:
        world = world_of(build_world(exercise.world))
        base = RolePlayground.from_world(world, exercise.role)
        known = {c.principal for c in base.callers}
        extra = [_caller(c.principal, tuple(parse_policy(p, PolicyKind.IDENTITY,
                                                         f"{c.principal}-policy-{i}")
                                            for i, p in enumerate(c.policies)))
                 for c in exercise.callers]
        wanted = [*exercise.principals, *(p.principal for p in exercise.must_allow),
                  *(p.principal for p in exercise.must_deny), *_named_roles_and_users(base)]
        overridden = {c.principal for c in extra}
        callers = [c for c in base.callers if c.principal not in overridden] + extra
        known |= overridden
        for principal in wanted:
            if principal and principal not in known:
                callers.append(_caller(principal))
                known.add(principal)
        base = replace(base, callers=tuple(callers))
        actor = _actor(base)
        return cls(exercise, base, actor)

    def with_policy(self, policy: Policy) -> RolePlayground:
        """The role's playground with the learner's policy where the exercise puts it."""
        kind = self.exercise.kind
        if kind == "trust":
            return self.base.with_trust(policy)
        if kind == "permissions":
            return self.base.with_permissions(policy)
        if kind == "boundary":
            return replace(self.base, boundary=policy)
        policies = dict(self.base.resource_policies)
        policies[self.exercise.resource_arn] = policy
        return replace(self.base, resource_policies=policies)

    def principal(self, probe: Probe) -> str:
        """Who makes the request: the probe's principal, or the role's session."""
        if self.exercise.kind == "trust" or probe.principal:
            return probe.principal
        return self.base.session_arn(self.actor)

    def decide(self, playground: RolePlayground, probe: Probe, explain: bool = False
               ) -> Decision:
        context: Mapping[str, Any] = probe.context_dict
        if self.exercise.kind == "trust":
            return playground.can_assume(playground.caller(probe.principal), context,
                                         explain=explain)
        who = playground.caller(probe.principal) if probe.principal else self.actor
        return playground.can_do(who, probe.action, probe.resource, context, explain=explain)


def _caller(principal: str, policies: tuple[Policy, ...] | None = None) -> Caller:
    who = identify(principal)
    if policies is None:
        policies = ((parse_policy(MAY_ASSUME_ANY_ROLE, PolicyKind.IDENTITY, "MayAssumeRoles"),)
                    if who.type in _IAM_PRINCIPALS else ())
    if who.type is PrincipalType.IDENTITY_PROVIDER and ":saml-provider/" in principal:
        return Caller(principal, principal, policies, "sts:AssumeRoleWithSAML",
                      session_name="jane@example.com",
                      context={"saml:aud": "https://signin.aws.amazon.com/saml"})
    return Caller(principal, principal, policies, session_name=principal.rsplit("/", 1)[-1])


def _named_roles_and_users(base: RolePlayground) -> list[str]:
    """The roles and users the world's trust policy names (PlatformCleaner trusts the
    Administrator role): a session of the role is theirs, not a service's that the trust
    policy does not let in."""
    named = []
    for statement in base.trust.statements if base.trust is not None else ():
        for principal in statement.principals or ():
            who = identify(principal.value)
            if principal.type == "AWS" and who.type in (PrincipalType.ROLE, PrincipalType.USER):
                named.append(principal.value)
    return named


def _actor(base: RolePlayground) -> Caller:
    """The caller whose session of the role makes the role's requests: the first caller
    the world's own trust policy lets in (a service, for a service role)."""
    for caller in base.callers:
        if base.can_assume(caller, explain=False).allowed:
            return caller
    return base.callers[0]
