"""Small helpers the check families share: issues, the catalog, patterns, words."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from iamlab.parse import ACTION_SHAPE  # what the parser accepts as an action

if TYPE_CHECKING:
    from iamlab.catalog import Catalog



class Issue(NamedTuple):
    """A finding before it has a place: cached per value, placed by the caller."""

    code: str
    message: str
    fix: str | None = None
    severity: str | None = None


_catalog: Catalog | None = None


def cat() -> Catalog:
    """The shared action catalog (loaded on first use, never at import)."""
    global _catalog
    if _catalog is None:
        from iamlab.catalog import catalog

        _catalog = catalog()
    return _catalog


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=16384)
def expand(pattern: str) -> tuple[str, ...]:
    """The canonical actions an action or pattern matches (empty when none)."""
    if pattern == "*":
        return tuple(sorted(cat().all_actions()))
    if not ACTION_SHAPE.match(pattern):
        return ()
    return cat().expand(pattern)


@lru_cache(maxsize=16384)
def access_level(action: str) -> str:
    """The access level of a canonical action ("Read", "Write", ...), "" when unknown."""
    info = cat().action(action)
    return info.access_level if info is not None else ""


def quoted_list(items: list[str] | tuple[str, ...], limit: int = 3) -> str:
    """``a, b and c`` (``a, b, c and 4 more`` past ``limit``)."""
    shown = list(items[:limit])
    rest = len(items) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def did_you_mean(suggestions: list[str]) -> str:
    """`` Did you mean s3:GetObject?`` or ""."""
    if not suggestions:
        return ""
    return " Did you mean " + " or ".join(suggestions[:3]) + "?"
