"""Policy variables: ``${aws:username}`` and friends in Resource and condition values.

Reference: IAM User Guide, "IAM policy elements: Variables and tags". Any request context
key can be a variable; ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters;
``${key, 'default'}`` supplies a value when the key is absent. A variable whose key is
absent (and has no default) makes the value unusable: it never matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from iamlab.glob import glob_regex_source
from iamlab.request import Context

_VAR = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"\s*([^,\s][^,]*?)\s*,\s*'([^']*)'\s*\Z")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}

Part = tuple[bool, str, str | None]  # (is_variable, text_or_key, default)


@lru_cache(maxsize=16384)
def split_template(text: str) -> tuple[Part, ...]:
    """Literal runs and variables of a template, in order."""
    parts: list[Part] = []
    pos = 0
    for m in _VAR.finditer(text):
        if m.start() > pos:
            parts.append((False, text[pos:m.start()], None))
        inner = m.group(1)
        if inner in _ESCAPES:
            parts.append((True, inner, None))  # escaped literal character
        else:
            d = _DEFAULT.match(inner)
            if d:
                parts.append((True, d.group(1).strip(), d.group(2)))
            else:
                parts.append((True, inner.strip(), None))
        pos = m.end()
    if pos < len(text):
        parts.append((False, text[pos:], None))
    return tuple(parts)


def has_variables(text: str) -> bool:
    return "${" in text


def variable_keys(text: str) -> list[str]:
    """The context keys a template refers to (escapes excluded)."""
    return [p[1] for p in split_template(text) if p[0] and p[1] not in _ESCAPES]


def _resolve(key: str, default: str | None, context: Context) -> str | None:
    values = context.get_values(key)
    if values is None or len(values) != 1 or key.lower() in context.multivalued:
        return default
    return values[0]


def _render(text: str, context: Context, literal: Callable[[str], str],
            value: Callable[[str], str]) -> str | None:
    out: list[str] = []
    for is_var, body, default in split_template(text):
        if not is_var:
            out.append(literal(body))
        elif body in _ESCAPES:
            out.append(value(_ESCAPES[body]))
        else:
            resolved = _resolve(body, default, context)
            if resolved is None:
                return None
            out.append(value(resolved))
    return "".join(out)


def substitute(text: str, context: Context) -> str | None:
    """The template with its variables replaced, or None if one cannot be resolved."""
    if "${" not in text:
        return text
    return _render(text, context, lambda s: s, lambda s: s)


def substitute_glob(text: str, context: Context) -> str | None:
    """Regex source for a glob template: wildcards in the literal text act as wildcards,
    characters that come from variables or escapes are matched literally."""
    return _render(text, context, glob_regex_source, re.escape)
