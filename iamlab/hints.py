"""Catalog knowledge for explanations: why a statement's Resource cannot fit the action.

When a statement misses a request because of its Resource, the usual learner mistake is an
ARN of the wrong resource type ("s3:GetObject acts on objects; the statement names a
bucket"). The action catalog knows each action's resource types, so the explanation can
say so. Used only when an explanation is read; deciding never loads the catalog.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def resource_type_hint(action: str, resources: tuple[str, ...]) -> str:
    """A sentence about resources that cannot fit ``action``, or "" when none is known."""
    from iamlab.catalog import catalog

    cat = catalog()
    info = cat.action(action)
    if info is None:
        return ""
    if info.only_star:
        named = [r for r in resources if r != "*"]
        if named:
            return (f'{info.full_name} does not act on a specific resource, so its Resource '
                    f'must be "*"; the statement names {named[0]}.')
        return ""
    if not info.resource_types:
        return ""
    misfits = [r for r in resources if r != "*" and cat.arn_fits_action(action, r) is False]
    if not misfits:
        return ""
    types = sorted(info.resource_types, key=lambda t: len(t.arn_format))[:2]
    kinds = " or ".join(f"{t.name} ARNs like {t.arn_format.replace('${Partition}', 'aws')}"
                        for t in types)
    bad = misfits[0]
    found = cat.resource_types_for_arn(bad)
    what = f"a {found[0].name} ARN" if found else "an ARN of another kind"
    return f"{info.full_name} acts on {kinds}; the statement names {bad}, which is {what}."


SERVICE_SUFFIXES = (".amazonaws.com", ".amazon.com", ".amazonaws.com.cn")


def looks_like_service(principal: str) -> bool:
    """Whether a principal that is not an ARN is spelt like an AWS service principal
    (``ec2.amazonaws.com``); ``alice`` is not."""
    return principal.endswith(SERVICE_SUFFIXES)


@lru_cache(maxsize=1024)
def request_hints(principal: str, action: str, resource: str) -> tuple[str, ...]:
    """Sentences about a request that cannot be what the learner meant: an action that is
    not an AWS action (with "did you mean"), a principal or a resource that is not an ARN."""
    from iamlab.arn import ACCOUNT_ID, parse_arn
    from iamlab.catalog import catalog

    out: list[str] = []
    cat = catalog()
    if not action.strip():
        out.append("No action was given: name one, such as s3:GetObject (the service, a "
                   "colon, then the action).")
    elif "*" not in action and cat.action(action) is None:
        hint = cat.suggest(action)
        tail = f"; did you mean {', '.join(hint)}?" if hint else "."
        out.append(f"{action} is not an AWS action, so no policy can allow it{tail}")
    if (principal not in ("*", "anonymous", "") and parse_arn(principal) is None
            and not ACCOUNT_ID.match(principal) and not looks_like_service(principal)):
        out.append(f'"{principal}" is not an ARN: a user or role is named by its ARN, such as '
                   f"arn:aws:iam::111122223333:user/{principal}, and an AWS service by its "
                   "service principal, such as ec2.amazonaws.com.")
    out += _principal_hints(principal)
    if not resource.strip():
        out.append('No resource was given: name one by its ARN, such as '
                   'arn:aws:s3:::reports/q3.csv, or "*".')
    elif resource != "*" and parse_arn(resource) is None:
        out.append(f'"{resource}" is not an ARN: policies name resources by ARN, such as '
                   "arn:aws:s3:::reports/q3.csv for an object of the bucket reports (or "
                   'arn:aws:s3:::reports for the bucket itself), or "*".')
    return tuple(out)


def _principal_hints(principal: str) -> list[str]:
    """A principal that cannot exist: an IAM or STS ARN whose account is not 12 digits, or a
    service principal AWS does not have (``ec2.amazon.com``)."""
    from iamlab.arn import bad_account, parse_arn
    from iamlab.lint.principals import check_service_principal

    arn = parse_arn(principal)
    account = bad_account(arn) if arn is not None else None
    if account is not None:
        return [f'"{principal}" names the account {account}, but an account ID has exactly '
                "12 digits: no such principal exists."]
    problem = check_service_principal(principal) if looks_like_service(principal) else None
    if problem is not None and problem[2] == "error":
        fix = f"; did you mean {problem[1]}?" if problem[1] else "."
        return [f'"{principal}" is not an AWS service principal, so no trust policy can name '
                f"it{fix}"]
    return []
