"""Policy variables: ``${aws:username}`` and friends in Resource and condition values.

Reference: IAM User Guide, "IAM policy elements: Variables and tags". Any request context
key can be a variable; ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters;
``${key, 'default'}`` supplies a value when the key is absent. A variable whose key is
absent (and has no default) makes the value unusable: it never matches.
"""

from __future__ import annotations

from functools import lru_cache

from iamlab.glob import Glob, Piece
from iamlab.request import Context

_ESCAPES = {"*": "*", "?": "?", "$": "$"}

Part = tuple[bool, str, str | None]  # (is_variable, text_or_key, default)


def variable_spans(text: str) -> list[tuple[int, int]]:
    """Where each ``${...}`` of ``text`` starts and ends, in one pass (a ``${`` with no
    ``}`` after it is plain text, and so is every ``${`` after it)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (start := text.find("${", pos)) >= 0:
        end = text.find("}", start + 2)
        if end < 0:
            break
        spans.append((start, end + 1))
        pos = end + 1
    return spans


def replace_variables(text: str, replacement: str) -> str:
    """``text`` with each ``${...}`` replaced by ``replacement``."""
    out: list[str] = []
    pos = 0
    for start, end in variable_spans(text):
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _key_and_default(inner: str) -> tuple[str, str | None]:
    """``key, 'default'`` → (key, default); anything else is a key without a default."""
    key, comma, rest = inner.partition(",")
    key, rest = key.strip(), rest.strip()
    if (comma and key and len(rest) >= 2 and rest[0] == rest[-1] == "'"
            and "'" not in rest[1:-1]):
        return key, rest[1:-1]
    return inner.strip(), None


@lru_cache(maxsize=16384)
def split_template(text: str) -> tuple[Part, ...]:
    """Literal runs and variables of a template, in order."""
    parts: list[Part] = []
    pos = 0
    for start, end in variable_spans(text):
        if start > pos:
            parts.append((False, text[pos:start], None))
        inner = text[start + 2:end - 1]
        if inner in _ESCAPES:
            parts.append((True, inner, None))  # escaped literal character
        else:
            key, default = _key_and_default(inner)
            parts.append((True, key, default))
        pos = end
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


def template_pieces(text: str, context: Context) -> list[Piece] | None:
    """The template as (text, wild) pieces: the policy's own text is wild (its ``*`` and
    ``?`` act as wildcards), what comes from a variable or an escape is not. None when a
    variable cannot be resolved."""
    out: list[Piece] = []
    for is_var, body, default in split_template(text):
        if not is_var:
            out.append((body, True))
        elif body in _ESCAPES:
            out.append((_ESCAPES[body], False))
        else:
            resolved = _resolve(body, default, context)
            if resolved is None:
                return None
            out.append((resolved, False))
    return out


def substitute(text: str, context: Context) -> str | None:
    """The template with its variables replaced, or None if one cannot be resolved."""
    if "${" not in text:
        return text
    pieces = template_pieces(text, context)
    return None if pieces is None else "".join(t for t, _ in pieces)


def substitute_glob(text: str, context: Context) -> Glob | None:
    """The matcher of a glob template: wildcards in the policy's text act as wildcards,
    characters that come from variables or escapes are matched literally."""
    pieces = template_pieces(text, context)
    return None if pieces is None else Glob(pieces)
