"""IAM wildcard patterns (``*`` and ``?``) compiled to regular expressions, once each."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=65536)
def glob_regex_source(pattern: str) -> str:
    """Regex source for an IAM glob: ``*`` is any run of characters, ``?`` exactly one."""
    out: list[str] = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "".join(out)


@lru_cache(maxsize=65536)
def compile_glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """A compiled, anchored matcher for one IAM glob pattern."""
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(glob_regex_source(pattern) + r"\Z", flags)


@lru_cache(maxsize=65536)
def compile_globs(patterns: tuple[str, ...], ignore_case: bool = False) -> re.Pattern[str]:
    """One matcher for any of several globs (used for a statement's Action list)."""
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    body = "|".join(f"(?:{glob_regex_source(p)})" for p in patterns)
    return re.compile(f"(?:{body})\\Z", flags)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """True when ``value`` matches the IAM glob ``pattern``."""
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return compile_glob(pattern, ignore_case).match(value) is not None


@lru_cache(maxsize=65536)
def segment_source(segment: str) -> str:
    """Glob source inside one ARN segment: wildcards do not cross a colon."""
    return "".join("[^:]*" if c == "*" else "[^:]" if c == "?" else re.escape(c) for c in segment)


def arn_regex_source(pattern: str, resource_source: str | None = None) -> str:
    """Regex source matching ARNs part by part.

    The first five parts (``arn``, partition, service, region, account) are matched one by
    one; the resource part may contain colons, so its wildcards may span them.
    ``resource_source`` replaces the resource part's source (used for policy variables).
    Patterns that are not six-part ARNs are matched as plain globs.
    """
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        return glob_regex_source(pattern)
    head = ":".join(segment_source(p) for p in parts[:5])
    tail = resource_source if resource_source is not None else glob_regex_source(parts[5])
    return f"{head}:{tail}"


@lru_cache(maxsize=65536)
def compile_arn(pattern: str) -> re.Pattern[str]:
    """A compiled matcher for one ARN pattern (case-sensitive, as ARNs are)."""
    return re.compile(arn_regex_source(pattern) + r"\Z", re.DOTALL)


def arn_match(pattern: str, value: str) -> bool:
    """True when ARN ``value`` matches ARN pattern ``pattern`` (``*`` matches everything)."""
    if pattern == "*":
        return True
    return compile_arn(pattern).match(value) is not None
