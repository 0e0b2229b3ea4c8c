"""Text that is safe to print on a terminal, whatever a policy or a dump put in it.

A policy, a dump or a request can carry any character: an escape sequence (``ESC[2J``
clears the screen, ``ESC]0;...BEL`` sets the window title), a carriage return that
overwrites a line, a bidirectional override that reorders it, or a lone surrogate
(``"\\ud800"`` in JSON) that cannot be written as UTF-8 at all. :func:`printable` shows each
of those as a Python-style escape (``\\x1b``, ``\\u202e``, ``\\ud800``), so what is printed is
exactly what was written, and nothing can take over the learner's terminal. Every command's
text output and the world's error messages go through it.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

# C0 controls, DEL, C1 controls, the bidirectional overrides and isolates (the "Trojan
# Source" characters), line and paragraph separators, and lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")
_UNSAFE_KEEP_NEWLINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029"
                                   "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character, bidirectional override and lone surrogate
    written as an escape (``\\x1b``, ``\\u202e``, ``\\ud800``); line breaks too unless
    ``keep_newlines`` (for a multi-line message whose lines iamlab itself made)."""
    pattern = _UNSAFE_KEEP_NEWLINES if keep_newlines else _UNSAFE
    return pattern.sub(_escape, text)

