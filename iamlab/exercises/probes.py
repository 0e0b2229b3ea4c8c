"""The bounded request space an answer is compared on against the reference.

Two policies grant the same access when they decide the same way on every request that
could tell them apart. The requests asked are built from the AWS action catalog and the
exercise: every action of the services involved (grouped later by access level), each on
the exercise's resources and their siblings that fit the action's resource types; the
principals named by either policy and their neighbours (another user or role of the same
account, a stranger, the common services); and the condition contexts the exercise cares
about (MFA present or not, the right, a wrong or no external ID...). A handful of actions
of other services catches answers that grant far more than asked (``"Action": "*"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from iamlab.catalog import catalog
from iamlab.exercises.spec import Exercise, Probe
from iamlab.policy import Policy

# Services whose presence in an answer is almost always a mistake in these exercises: a few
# actions of each (one per access level) are always asked.
SENTINEL_SERVICES = ("iam", "sts", "s3", "ec2", "dynamodb", "lambda", "logs", "sqs", "kms",
                     "secretsmanager", "organizations")
ACCESS_LEVELS = ("Permissions management", "Write", "Tagging", "Read", "List")
COMMON_SERVICES = ("ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com")
STRANGER = "arn:aws:iam::999988887777:user/stranger"
_ACCOUNT = re.compile(r"^(?:arn:aws:iam::)?(\d{12})(?::root)?$")
_IAM_ARN = re.compile(r"^arn:aws:iam::(\d{12}):(user|role)/(.+)$")


def probes(exercise: Exercise, policies: Iterable[Policy]) -> list[Probe]:
    """Every request to compare on, in a stable order, without repeats."""
    policies = list(policies)
    made = (_trust_probes(exercise, policies) if exercise.kind == "trust"
            else _action_probes(exercise, policies))
    return list(dict.fromkeys(made))


# -- trust policies: who may assume the role, under which conditions -------------------------
def _trust_probes(exercise: Exercise, policies: list[Policy]) -> Iterable[Probe]:
    role_arn = f"arn:aws:iam::{_role_account(exercise)}:role/{exercise.role}"
    principals = [*exercise.principals, *COMMON_SERVICES, STRANGER]
    principals += [p.principal for p in (*exercise.must_allow, *exercise.must_deny)]
    for policy in policies:
        for st in policy.statements:
            for pr in st.principals or ():
                principals += _neighbours(pr.type, pr.value)
    for principal in dict.fromkeys(p for p in principals if p):
        for context in exercise.contexts:
            yield Probe("sts:AssumeRole", role_arn, principal, context)


def _role_account(exercise: Exercise) -> str:
    for probe in (*exercise.must_allow, *exercise.must_deny):
        match = re.match(r"^arn:aws:iam::(\d{12}):role/", probe.resource)
        if match:
            return match.group(1)
    return "111122223333"


def _neighbours(kind: str, value: str) -> list[str]:
    """The principal a policy names, and those it could be confused with."""
    if kind == "Service":
        from iamlab.lint.principals import check_service_principal

        problem = check_service_principal(value)  # IAM rejects a policy naming it
        return [] if problem is not None and problem[2] == "error" else [value]
    if kind != "AWS" or "*" in value or "?" in value:
        return [value] if kind == "Federated" else []
    account = _ACCOUNT.match(value)
    if account:
        a = account.group(1)
        return [f"arn:aws:iam::{a}:user/someone-else", f"arn:aws:iam::{a}:role/SomeRole"]
    named = _IAM_ARN.match(value)
    if named:
        a, what, name = named.groups()
        return [value, f"arn:aws:iam::{a}:{what}/someone-else",
                f"arn:aws:iam::{a}:{'role' if what == 'user' else 'user'}/{name}",
                f"arn:aws:iam::999988887777:{what}/{name}"]
    return [value]


# -- the role's own requests: actions on resources -----------------------------------------
def _action_probes(exercise: Exercise, policies: list[Policy]) -> Iterable[Probe]:
    cat = catalog()
    resources = list(dict.fromkeys([
        *exercise.resources, *(p.resource for p in (*exercise.must_allow, *exercise.must_deny)),
        *_named_resources(policies)]))
    services = list(dict.fromkeys([*exercise.services, *_named_services(policies)]))
    actions: list[str] = []
    for service in services:
        actions += cat.actions(service)
    for service in SENTINEL_SERVICES:
        if service not in services:
            actions += _one_per_level(service)
    actions += [p.action for p in (*exercise.must_allow, *exercise.must_deny)]
    for action in dict.fromkeys(actions):
        for resource in _resources_for(action, resources):
            for context in exercise.contexts:
                yield Probe(action, resource, "", context)


def _named_services(policies: list[Policy]) -> list[str]:
    """Services an answer names literally (``dynamodb:*`` names dynamodb)."""
    found = []
    for policy in policies:
        for st in policy.statements:
            for action in (*(st.actions or ()), *(st.not_actions or ())):
                prefix = action.split(":", 1)[0].lower()
                if prefix and "*" not in prefix and "?" not in prefix and \
                        catalog().has_service(prefix):
                    found.append(prefix)
    return found


def _named_resources(policies: list[Policy]) -> list[str]:
    """The literal ARNs an answer names (no wildcards: those are matched, not asked)."""
    return [r for policy in policies for st in policy.statements
            for r in (*(st.resources or ()), *(st.not_resources or ()))
            if r.startswith("arn:") and "*" not in r and "?" not in r and "${" not in r]


def _one_per_level(service: str) -> list[str]:
    cat = catalog()
    chosen: dict[str, str] = {}
    for action in cat.actions(service):
        info = cat.action(action)
        if info is not None and info.access_level not in chosen:
            chosen[info.access_level] = action
    return list(chosen.values())


def _resources_for(action: str, resources: list[str]) -> list[str]:
    """The exercise's resources this action can act on, or ``"*"`` for actions that take
    no resource (or a made-up ARN of the action's first resource type, so that an answer
    granting the action everywhere is still asked about it)."""
    cat = catalog()
    info = cat.action(action)
    if info is None:
        return [r for r in resources if r != "*"][:1] or ["*"]
    if info.only_star or not info.resource_types:
        return ["*"]
    fitting = [r for r in resources if r != "*" and cat.arn_fits_action(action, r)]
    if fitting:
        return fitting
    return [sample_arn(info.resource_types[0].arn_format)]


def sample_arn(arn_format: str) -> str:
    """An ARN of this format with placeholders filled in (``${Region}`` -> us-east-1...)."""
    values = {"Partition": "aws", "Region": "us-east-1", "Account": "111122223333"}
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), "example"), arn_format)
