"""**can pass role to a service**: a principal → a role it can hand to a service it can launch.

A principal that may ``iam:PassRole`` a role to a service (``iam:PassedToService``) *and* may
launch that service's compute acts with the role's permissions without assuming it (IAM User
Guide, "Granting a user permissions to pass a role to an AWS service"). The edge needs:

1. the role's trust policy lets the service in (a ``service-assume`` edge exists);
2. the engine allows ``iam:PassRole`` on the role with ``iam:PassedToService`` = the service
   (identity policies, boundary and SCPs: PassRole is never granted by a resource policy);
3. the engine allows one of the service's launch actions (:data:`LAUNCH`) in the principal's
   own account; for EC2 the role must also be in an instance profile, or the principal must
   be allowed to put it in one (``iam:AddRoleToInstanceProfile``).

Services without an entry in :data:`LAUNCH` get no pass-role edges. Only principals of the
role's own account are asked ("You can only use the PassRole permission to pass an IAM role
to a service that shares the same AWS account", same page), and of those only the ones whose
identity policies have an Allow whose Action covers ``iam:PassRole``.
"""

from __future__ import annotations

from iamlab.arn import parse_arn
from iamlab.graph.actors import Actor
from iamlab.graph.decide import Outcome
from iamlab.graph.edges.assume import role_facts
from iamlab.graph.model import Edge, EdgeKind
from iamlab.graph.state import BuildState
from iamlab.inventory import RoleInfo
from iamlab.matching import CompiledStatement, compiled
from iamlab.request import Context

PASS_ROLE = "iam:PassRole"
ADD_TO_PROFILE = "iam:AddRoleToInstanceProfile"
_NO_CONTEXT = Context()  # static Resources match on the ARN alone

# service principal -> the API calls that start its compute with a role, and the ARN pattern of
# the resource each acts on ({p} partition, {r} region, {a} account).
LAUNCH: dict[str, tuple[tuple[str, str], ...]] = {
    "ec2.amazonaws.com": (("ec2:RunInstances", "arn:{p}:ec2:{r}:{a}:instance/i-iamlabgraph"),),
    "lambda.amazonaws.com": (
        ("lambda:CreateFunction", "arn:{p}:lambda:{r}:{a}:function:iamlab-graph"),),
    "ecs-tasks.amazonaws.com": (
        ("ecs:RunTask", "arn:{p}:ecs:{r}:{a}:task-definition/iamlab-graph:1"),
        ("ecs:CreateService", "arn:{p}:ecs:{r}:{a}:service/default/iamlab-graph"),),
    "glue.amazonaws.com": (
        ("glue:CreateJob", "arn:{p}:glue:{r}:{a}:job/iamlab-graph"),
        ("glue:CreateDevEndpoint", "arn:{p}:glue:{r}:{a}:devEndpoint/iamlab-graph"),),
    "cloudformation.amazonaws.com": (
        ("cloudformation:CreateStack", "arn:{p}:cloudformation:{r}:{a}:stack/iamlab-graph/1"),
        ("cloudformation:UpdateStack", "arn:{p}:cloudformation:{r}:{a}:stack/iamlab-graph/1"),),
    "codebuild.amazonaws.com": (
        ("codebuild:CreateProject", "arn:{p}:codebuild:{r}:{a}:project/iamlab-graph"),),
    "sagemaker.amazonaws.com": (
        ("sagemaker:CreateNotebookInstance",
         "arn:{p}:sagemaker:{r}:{a}:notebook-instance/iamlab-graph"),
        ("sagemaker:CreateTrainingJob", "arn:{p}:sagemaker:{r}:{a}:training-job/iamlab-graph"),
        ("sagemaker:CreateProcessingJob",
         "arn:{p}:sagemaker:{r}:{a}:processing-job/iamlab-graph"),),
    "datapipeline.amazonaws.com": (
        ("datapipeline:CreatePipeline", "arn:{p}:datapipeline:{r}:{a}:pipeline/iamlab-graph"),),
    "elasticbeanstalk.amazonaws.com": (
        ("elasticbeanstalk:CreateEnvironment",
         "arn:{p}:elasticbeanstalk:{r}:{a}:environment/iamlab-graph/iamlab-graph"),),
}


def _partition(arn: str) -> str:
    parsed = parse_arn(arn)
    return parsed.partition if parsed is not None else "aws"


class _Launch:
    """Per (actor, service): can the actor start the service's compute? (asked once)."""

    def __init__(self, state: BuildState) -> None:
        self.state = state
        self.cache: dict[tuple[str, str], Outcome | None] = {}

    def __call__(self, actor: Actor, service: str, partition: str) -> Outcome | None:
        key = (actor.node, service)
        if key not in self.cache:
            found: Outcome | None = None
            for action, pattern in LAUNCH[service]:
                if not self.state.may_allow(actor, action):
                    continue
                resource = pattern.format(p=partition, r=self.state.region, a=actor.account)
                out = self.state.decider.decide(actor, action, resource)
                if out.allowed and (found is None or len(out.supplied) < len(found.supplied)):
                    found = out
            self.cache[key] = found
        return self.cache[key]


class _Passed:
    """Per (actor, role, service): may the actor ``iam:PassRole`` the role to the service?

    The engine's answer depends on the role's ARN only through which statements (of the
    actor's identity policies, boundary and SCPs) that can apply to ``iam:PassRole`` have a
    Resource matching it; everything else it weighs is the request's context: the actor's
    facts plus the role's (its account, its tags) and ``iam:PassedToService``. So roles with
    the same facts that the same statements' Resources match get the same answer, asked
    once. (With a policy variable in such a Resource the match could depend on the context:
    that actor is asked about every role.)
    """

    def __init__(self, state: BuildState) -> None:
        self.state = state
        self.named: dict[str, list[CompiledStatement] | None] = {}
        self.cache: dict[tuple[object, ...], Outcome] = {}

    def __call__(self, actor: Actor, role: RoleInfo, service: str,
                 facts: dict[str, str]) -> Outcome:
        statements = self._naming(actor)
        if statements is None:
            return self._ask(actor, role, service, facts)
        matched = tuple(cs.resource_matches(role.arn, _NO_CONTEXT) for cs in statements)
        key = (actor.node, service, tuple(sorted(facts.items())), matched)
        if key not in self.cache:
            self.cache[key] = self._ask(actor, role, service, facts)
        return self.cache[key]

    def _ask(self, actor: Actor, role: RoleInfo, service: str,
             facts: dict[str, str]) -> Outcome:
        return self.state.decider.decide(actor, PASS_ROLE, role.arn,
                                         facts={**facts, "iam:PassedToService": service})

    def _naming(self, actor: Actor) -> list[CompiledStatement] | None:
        """The statements that can apply to iam:PassRole and name resources (not ``*``);
        None when one has a policy variable in its Resource."""
        if actor.node not in self.named:
            own = actor.policies()
            docs = [*own.identity, *own.boundary, *(p for lv in own.scps or () for p in lv)]
            found = [cs for p in docs for cs in compiled(p)
                     if cs.action_matches(PASS_ROLE) and not cs.resource_star]
            dynamic = any(cs.resource_dynamic for cs in found)
            self.named[actor.node] = None if dynamic else found
        return self.named[actor.node]


def _profile_ok(state: BuildState, actor: Actor, role: RoleInfo) -> tuple[bool, Outcome | None]:
    """EC2 needs the role in an instance profile (or the right to put it in one)."""
    if role.instance_profiles:
        return True, None
    if not state.may_allow(actor, ADD_TO_PROFILE):
        return False, None
    profile = f"arn:{_partition(role.arn)}:iam::{role.account}:instance-profile/iamlab-graph"
    out = state.decider.decide(actor, ADD_TO_PROFILE, profile)
    return out.allowed, out


def passrole_edges(state: BuildState, service_edges: list[Edge]) -> list[Edge]:
    launch = _Launch(state)
    passes = _Passed(state)
    targets: dict[str, list[str]] = {}
    for e in service_edges:
        if e.kind is EdgeKind.SERVICE_ASSUME and e.source in LAUNCH:
            targets.setdefault(e.target, []).append(e.source)
    edges: list[Edge] = []
    for done, role_arn in enumerate(sorted(targets), start=1):
        if state.progress is not None:
            state.progress(done, len(targets), "pass-role")
        role = state.roles[role_arn]
        facts = role_facts(role)
        callers = [a for a in state.inventory_actors(role.account)
                   if state.may_allow(a, PASS_ROLE)]
        for actor in callers:
            if actor.role_arn == role_arn:  # the role itself, or one of its sessions
                continue
            for service in sorted(targets[role_arn]):
                passed = passes(actor, role, service, facts)
                if not passed.allowed:
                    continue
                started = launch(actor, service, _partition(role.arn))
                if started is None:
                    continue
                parts = [passed, started]
                if service == "ec2.amazonaws.com":
                    ok, profile = _profile_ok(state, actor, role)
                    if not ok:
                        continue
                    if profile is not None:
                        parts.append(profile)
                supplied = {k: v for p in parts for k, v in p.supplied.items()}
                requires = tuple(dict.fromkeys(r for p in parts for r in p.requires))
                conditions = tuple(sorted({c for p in parts for c in p.conditions},
                                          key=str.lower))
                edges.append(Edge(actor.node, role.arn, EdgeKind.PASS_ROLE, conditions,
                                  requires, via=service, action=PASS_ROLE, supplied=supplied,
                                  because=passed.because))
    return edges

