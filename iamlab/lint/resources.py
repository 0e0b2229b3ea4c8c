"""Resource checks: is each Resource a well-formed ARN, and does it fit the actions?

Each action is authorized against the ARN of the resource it touches: s3:GetObject against
an object ARN (arn:aws:s3:::bucket/key), s3:ListBucket against a bucket ARN. A statement
whose Resource is the wrong kind of ARN for an action never applies to that action (IAM
User Guide, "IAM JSON policy elements: Resource"; the resource types come from the Service
Authorization Reference, through the offline catalog).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from iamlab.arn import ACCOUNT_ID
from iamlab.lint.common import (
    Issue,
    access_level,
    cat,
    expand,
    has_wildcard,
)
from iamlab.lint.common import quoted_list as _quoted
from iamlab.lint.model import LintContext, Stmt
from iamlab.parse import ACTION_SHAPE
from iamlab.policy import PolicyKind
from iamlab.variables import replace_variables

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e",
              "aws-iso-f", "aws-eusc")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+\Z")
_SERVICE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_EXAMPLE_VALUES = {
    "Partition": "aws", "Region": "us-east-1", "Account": "111122223333",
    "BucketName": "bucket", "ObjectName": "key", "RoleNameWithPath": "MyRole",
    "UserNameWithPath": "Alice", "GroupNameWithPath": "Admins",
    "PolicyNameWithPath": "MyPolicy", "RoleName": "MyRole", "UserName": "Alice",
}


def _wild(part: str) -> bool:
    return has_wildcard(part) or "${" in part


def check(ctx: LintContext, st: Stmt) -> None:
    """Well-formed ARNs; resources that fit the actions; Resource "*" where ARNs fit."""
    if st.resource_key is None:
        return
    for n, resource in enumerate(st.resources):
        for issue in arn_issues(resource):
            ctx.add(issue.code, st.resource_path(n), issue.message, fix=issue.fix,
                    severity=issue.severity)
    if st.resource_key != "Resource" or not st.has_actions:
        return
    resources = tuple(st.resources)
    for n, action in enumerate(st.actions):
        misfit = fit_issue(action, resources)
        if misfit is not None:
            path = st.resource_path(0) if len(resources) == 1 else st.action_path(n)
            ctx.add(misfit.code, path, misfit.message, fix=misfit.fix, severity=misfit.severity)
    if st.allow and ctx.kind is PolicyKind.IDENTITY and "*" in resources:
        star = star_issue(tuple(st.actions))
        if star is not None:
            ctx.add(star.code, st.resource_path(resources.index("*")), star.message,
                    fix=star.fix, severity=star.severity)


@lru_cache(maxsize=65536)
def arn_issues(resource: str) -> tuple[Issue, ...]:
    """What is wrong with the shape of one Resource value."""
    if resource == "*":
        return ()
    if not resource.startswith("arn:"):
        fix = None
        extra = ""
        if resource.lower().startswith("arn:"):
            fix = "arn:" + resource[4:]
            extra = ' ARNs start with lower-case "arn:".'
        elif re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?", resource):
            fix = f"arn:aws:s3:::{resource}"
            extra = f" If {resource.split('/')[0]} is an S3 bucket, write {fix}."
        return (Issue(
            "resource-malformed-arn",
            f'"{resource}" is not an ARN. A Resource is "*" or an Amazon Resource Name such '
            "as arn:aws:s3:::my-bucket/* (arn:partition:service:region:account-id:resource), "
            "and AWS rejects anything else." + extra, fix),)
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return (Issue(
            "resource-malformed-arn",
            f'"{resource}" has {len(parts)} colon-separated parts, but an ARN has six: '
            "arn:partition:service:region:account-id:resource (region and account may be "
            "empty, as in arn:aws:s3:::my-bucket, but their colons stay). AWS rejects it.",
            None),)
    _, partition, service, region, account, rest = parts
    if not _wild(partition) and partition not in PARTITIONS:
        fixed = ":".join(["arn", "aws", service, region, account, rest])
        return (Issue(
            "resource-malformed-arn",
            f'"{partition}" is not an AWS partition. The second part of an ARN is the '
            f"partition: aws in the commercial Regions ({', '.join(PARTITIONS[1:4])} ... "
            "elsewhere); AWS rejects any other.", fixed),)
    issues: list[Issue] = []
    if not _wild(service) and not _SERVICE.match(service):
        issues.append(Issue(
            "resource-arn-field",
            f'"{service}" is not a service name: the third part of an ARN names the service '
            "in lower case, such as s3, iam or dynamodb. ARNs are compared case-sensitively, "
            "so this Resource matches nothing.", None))
    if region and not _wild(region) and not _REGION.match(region):
        issues.append(Issue(
            "resource-arn-field",
            f'"{region}" is not a Region code like us-east-1 or eu-west-2 (the fourth part of '
            "an ARN), so this Resource matches no resource.", None))
    if account and not _wild(account) and not ACCOUNT_ID.match(account) and account != "aws":
        issues.append(Issue(
            "resource-arn-field",
            f'"{account}" is not an account ID: the fifth part of an ARN is the 12-digit ID '
            "of the owning account (or empty for services like S3 whose ARNs have none).",
            None))
    if not rest:
        issues.append(Issue(
            "resource-arn-field",
            "the resource part of this ARN (after the fifth colon) is empty, so it names no "
            "resource.", None))
    return tuple(issues)


@lru_cache(maxsize=65536)
def _instance_types(resource: str) -> frozenset[tuple[str, str]] | None:
    """The resource types (service, name) one concrete instance of ``resource`` fits.

    A pattern fits a resource type if some ARN could match both (the catalog's exact,
    but slow, test). Replacing each wildcard and policy variable by a letter gives one ARN
    the pattern matches: when that ARN fits a type, the pattern does too. So this quick
    answer is only ever used to say "fits"; a miss is confirmed with the exact test.
    """
    if any(v in resource for v in ("${*}", "${?}", "${$}")):
        return None
    concrete = replace_variables(resource, "x").replace("*", "x").replace("?", "x")
    return frozenset((t.service, t.name) for t in cat().resource_types_for_arn(concrete))


@lru_cache(maxsize=65536)
def _action_types(action: str) -> tuple[frozenset[tuple[str, str]], frozenset[str] | None]:
    """The action's resource types, and the literal service fields of their ARN formats
    (None when a format's service field is not literal)."""
    info = cat().action(action)
    if info is None:
        return frozenset(), frozenset()
    fields: set[str] | None = set()
    for ref in info.resource_types:
        parts = ref.arn_format.split(":", 3)
        field = parts[2] if len(parts) > 3 else ""
        if not field or any(c in field for c in "*?$") or fields is None:
            fields = None
        else:
            fields.add(field)
    return (frozenset((info.service, ref.name) for ref in info.resource_types),
            None if fields is None else frozenset(fields))


def _fits_quickly(action: str, resource: str) -> bool:
    """A sure "fits" from one instance of the resource (False means "not sure")."""
    if resource == "*":
        return True
    quick = _instance_types(resource)
    return quick is not None and not _action_types(action)[0].isdisjoint(quick)


@lru_cache(maxsize=262144)
def _fits(action: str, resource: str) -> bool:
    """Could ``resource`` be a resource of the canonical ``action``?"""
    if _fits_quickly(action, resource):
        return True
    fields = _action_types(action)[1]
    quick = _instance_types(resource)
    wild = has_wildcard(resource) or "${" in resource
    if quick is not None and not wild:
        return False  # the instance is the resource itself: the answer is exact
    parts = resource.split(":", 3)
    field = parts[2] if len(parts) > 3 else None
    if fields is not None and field is not None and not _wild(field) and field not in fields:
        return False  # another service's ARN cannot be this action's resource
    return cat().arn_fits_action(action, resource) is True


@lru_cache(maxsize=16384)
def _profile(action: str) -> tuple[tuple[str, ...], tuple[str, ...],
                                   frozenset[tuple[str, str]]] | None:
    """For an action or pattern: the canonical actions it matches, those that take specific
    resources, and all the resource types these take. None when it matches nothing."""
    matched = expand(action)
    if not matched:
        return None
    c = cat()
    infos = [i for i in (c.action(a) for a in matched) if i is not None]
    specific = tuple(i.full_name for i in infos if not i.only_star)
    types: set[tuple[str, str]] = set()
    for name in specific:
        types |= _action_types(name)[0]
    return tuple(i.full_name for i in infos), specific, frozenset(types)


@lru_cache(maxsize=65536)
def fit_issue(action: str, resources: tuple[str, ...]) -> Issue | None:
    """The statement's resources cannot be what ``action`` acts on (or it takes only "*")."""
    if action == "*" or not ACTION_SHAPE.match(action):
        return None
    profile = _profile(action)
    if profile is None:
        return None  # an unknown action is reported by the action checks
    every, specific, types = profile
    c = cat()
    if not specific:
        if "*" in resources or any(r.startswith("*") for r in resources):
            return None
        names = _quoted(list(every))
        return Issue(
            "resource-not-supported",
            f"{names} {'does' if len(every) == 1 else 'do'} not support resource-level "
            'permissions: AWS authorizes such an action against Resource "*" only, so a '
            f"statement that names {resources[0]} never applies to it.",
            'put the action in a statement with "Resource": "*"')
    for r in resources:
        if r == "*":
            return None
        quick = _instance_types(r)
        if quick is not None and not types.isdisjoint(quick):
            return None
    if any(_fits(name, r) for r in resources for name in specific):
        return None
    named = [r for r in resources if r != "*"]
    if not named:
        return None
    if has_wildcard(action):
        return Issue(
            "resource-mismatch",
            f'none of the {len(specific)} actions that "{action}" matches acts on '
            f"{_describe_arn(named[0])}, so this statement never applies to them.", None)
    info = c.action(specific[0])
    assert info is not None
    ranked = sorted(info.resource_types,
                    key=lambda t: -difflib.SequenceMatcher(None, _example(t.arn_format),
                                                           named[0]).ratio())
    best = ranked[0]
    others = [_plural(t.name) for t in ranked[1:4]]
    also = f" (or on {_quoted(others)})" if others else ""
    message = (f"{info.full_name} acts on {_plural(best.name)}, like "
               f"{_example(best.arn_format)}{also}; the statement names "
               f"{_describe_arn(named[0])}. AWS checks each request against the ARN of the "
               f"resource it touches, so this statement never applies to {info.full_name}.")
    fix = _example(best.arn_format)
    found = c.resource_types_for_arn(named[0])
    if best.name == "object" and found and found[0].name == "bucket" and \
            best.arn_format.startswith("arn:${Partition}:s3:::"):
        fix = named[0].rstrip("/") + "/*"
    return Issue("resource-mismatch", message, fix)


def _describe_arn(arn: str) -> str:
    found = cat().resource_types_for_arn(arn)
    if not found:
        return f"{arn}, which is not an ARN of any resource type the catalog knows"
    name = found[0].name
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name} ARN ({arn})"


def _example(arn_format: str) -> str:
    """An example ARN from a catalog format: arn:${Partition}:s3:::${BucketName} → ..."""
    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _EXAMPLE_VALUES:
            return _EXAMPLE_VALUES[name]
        return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
    return re.sub(r"\$\{([^}]*)\}", value, arn_format)


def _plural(name: str) -> str:
    if name.endswith(("s", "x", "sh", "ch")):
        return name + "es"
    if name.endswith("y") and name[-2:-1] not in ("a", "e", "o", "u"):
        return name[:-1] + "ies"
    return name + "s"


def _changes(writes: list[str]) -> str:
    if len(writes) == 1:
        return f"one of them, {writes[0]}, changes things"
    return f"{len(writes)} of them change things ({_quoted(writes)})"


@lru_cache(maxsize=16384)
def star_issue(actions: tuple[str, ...]) -> Issue | None:
    """Resource "*" with actions that could be limited to specific resources."""
    if "*" in actions:
        return None  # Action "*" already has its own finding
    limited: list[str] = []
    for action in actions:
        for name in expand(action):
            info = cat().action(name)
            if info is not None and not info.only_star and name not in limited:
                limited.append(name)
    if not limited:
        return None
    writes = [a for a in limited if access_level(a) in ("Write", "Permissions management",
                                                        "Tagging")]
    first = cat().action(limited[0])
    example = "an ARN"
    if first is not None and first.resource_types:
        formats = [t.arn_format for t in first.resource_types]
        service = limited[0].split(":", 1)[0].lower()
        own = [f for f in formats if f":{service}:" in f]  # ssm's own ARN, not an ECS task's
        example = _example(min(own or formats, key=len))
    if len(limited) == 1:
        what = ("It supports resource-level permissions" + (" and changes things" if writes
                                                             else "")
                + f", so name the resources the task needs, like {example}")
    else:
        what = ("These actions support resource-level permissions, so you can name the "
                f"resources the task needs, like {example}"
                + (f"; {_changes(writes)}" if writes else ""))
    return Issue(
        "resource-star",
        f'Resource "*" lets {_quoted(limited)} act on every matching resource in the account '
        f"(and in others that allow it). {what}.",
        f'name the resources instead of "*", e.g. "{example}"',
        "warning" if writes else "suggestion")
