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
