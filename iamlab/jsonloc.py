"""Read JSON like :func:`json.loads`, but also remember where every value came from.

A policy validator wants to tell a learner *where* a problem is ("Statement[1].Effect,
line 7, column 17"), which the standard library cannot do. :func:`parse_with_locations`
returns exactly the value ``json.loads`` would return together with a :class:`Locations`
table mapping each JSON path -- a tuple of object keys and array indices, ``()`` being the
whole document -- to the position of the value (and, for object members, of the key).

Why a parser of our own: ``json`` reports positions only for errors, and its messages
("Expecting ',' delimiter") are written for programmers. Here syntax errors are
:class:`JsonSyntaxError` with a message meant for someone learning JSON, pointing at the
offending character.

How it stays fast in pure Python: regular expressions do the scanning (one ``match`` per
object member in the common case), the nesting is an explicit stack (so no recursion
limit), and positions are stored as character offsets and turned into line/column only
when asked for, by bisecting the offsets of the line starts.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeAlias, cast

__all__ = [
    "MAX_DEPTH",
    "JsonSyntaxError",
    "Locations",
    "Path",
    "Position",
    "format_path",
    "parse_with_locations",
]

Path: TypeAlias = tuple[str | int, ...]
"""Where a value sits in a document: object keys (str) and array indices (int) from the root."""

MAX_DEPTH = 512
"""Default limit of nested arrays/objects. IAM documents nest about six levels; the limit
keeps the per-value path tuples (whose length is the depth) from growing quadratically."""


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column. Lines end at ``\n`` (so ``\r\n`` text counts right too);
    columns count characters (code points), a tab counting as one."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


class JsonSyntaxError(ValueError):
    """The text is not valid JSON. ``message`` explains why; ``line``/``column`` say where."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    @property
    def line(self) -> int:
        return self.position.line

    @property
    def column(self) -> int:
        return self.position.column

    def __str__(self) -> str:
        return f"{self.message} ({self.position})"


class Locations:
    """Positions of the values and keys of one parsed document.

    Lookups never raise: a path that is not in the document falls back to its nearest
    ancestor that is (so "missing key Effect" at ``("Statement", 1, "Effect")`` points at the
    statement's ``{``). A table from :meth:`empty` -- for a policy that was given as a Python
    dict, not as text -- knows no positions, and every lookup returns ``None``; a table from
    :func:`parse_with_locations` always knows the root, so its lookups never return ``None``.
    """

    __slots__ = ("_duplicates", "_keys", "_line_starts", "_text", "_values")

    def __init__(
        self,
        text: str,
        values: dict[Path, int],
        keys: dict[Path, int],
        duplicates: list[tuple[Path, str, int]],
    ) -> None:
        """Wrap the parser's tables; offsets are indices into ``text``."""
        self._text = text
        self._values = values
        self._keys = keys
        self._duplicates = duplicates
        self._line_starts: list[int] | None = None

    @classmethod
    def empty(cls) -> Locations:
        """A table with no positions, for documents that did not come from text."""
        return cls("", {}, {}, [])

    def value(self, path: Path) -> Position | None:
        """Where the value at ``path`` starts (else its nearest known ancestor, else None)."""
        path = tuple(path)
        values = self._values
        for end in range(len(path), -1, -1):
            offset = values.get(path[:end])
            if offset is not None:
                return self._position(offset)
        return None

    def key(self, path: Path) -> Position | None:
        """Where the object key ending ``path`` starts; for any other path, :meth:`value`."""
        offset = self._keys.get(tuple(path))
        return self.value(path) if offset is None else self._position(offset)

    @property
    def duplicates(self) -> list[tuple[Path, str, Position]]:
        """Repeated keys as ``(path of the object, key, position of the repetition)``.

        The value of the last repetition is the one kept, as with ``json.loads``.
        """
        return [(path, key, self._position(offset)) for path, key, offset in self._duplicates]

    def __contains__(self, path: object) -> bool:
        """Whether ``path`` (a tuple) is the path of a value in the document."""
        return path in self._values

    def __len__(self) -> int:
        """The number of values in the document."""
        return len(self._values)

    def _position(self, offset: int) -> Position:
        """Convert a character offset into the text to a line and column."""
        starts = self._line_starts
        if starts is None:
            starts = self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(self._text))]
        line = bisect_right(starts, offset)
        return Position(line, offset - starts[line - 1] + 1)


def format_path(path: Path) -> str:
    """Render a path for people: ``Statement[1].Effect``; the root is ``(document)``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "(document)"


# ---------------------------------------------------------------------------------------------
# The parser. `pos` is always an offset into `text`; all scanning is done with these patterns.

_WS_CHARS = " \t\n\r"
# Patterns that always match, typed so: `_skip_ws(text, pos).end()` is where whitespace ends.
_AlwaysMatch: TypeAlias = "Callable[[str, int], re.Match[str]]"
_skip_ws = cast(_AlwaysMatch, re.compile(r"[ \t\n\r]*").match)
_string_chunk = cast(_AlwaysMatch, re.compile(r'[^"\\\x00-\x1f]*').match)
_NEWLINE = re.compile(r"\n")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_:-]*")
_SIMPLE_STRING = re.compile(r'"([^"\\\x00-\x1f]*)"')
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
# A number, not followed by what would make it an invalid one (as in 01, 1.x, 2e, 3abc).
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?(?![-+.0-9A-Za-z_])")
_WORD = re.compile(r"""[^ \t\n\r\[\]{}:,"']+""")
# Fast paths: a whole `"key":` with its surrounding whitespace, with or without a leading comma.
_MEMBER = re.compile(r'[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
_NEXT_MEMBER = re.compile(r'[ \t\n\r]*,[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
_NEXT_ITEM = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def parse_with_locations(text: str, *, max_depth: int = MAX_DEPTH) -> tuple[Any, Locations]:
    """Parse ``text`` as JSON: the value ``json.loads(text)`` returns, and its :class:`Locations`.

    Raises :class:`JsonSyntaxError` (and nothing else) for text that is not JSON, including
    arrays/objects nested more than ``max_depth`` deep. Repeated keys are not an error: the
    last one wins, as with ``json.loads``, and each repetition is listed in
    :attr:`Locations.duplicates`.
    """
    values: dict[Path, int] = {}
    keys: dict[Path, int] = {}
    duplicates: list[tuple[Path, str, int]] = []
    # The innermost open array/object, its path, whether it is a dict, and (for a dict) the key
    # of the member being read; `stack` saves the same four for every enclosing container.
    container: Any = None
    cpath: Path = ()
    is_dict = False
    key = ""
    stack: list[tuple[Any, Path, bool, str]] = []
    path: Path = ()
    value: Any = None
    end = len(text)
    if text.startswith("\ufeff"):
        _fail(text, "the text starts with an invisible byte-order mark (U+FEFF); remove it", 0)
    pos = _skip_ws(text, 0).end()

    while True:
        # A value starts at `pos` (whitespace already skipped); it belongs at `path`.
        values[path] = pos
        c = text[pos : pos + 1]
        if c == '"':
            m = _SIMPLE_STRING.match(text, pos)
            if m is not None:
                value, pos = m.group(1), m.end()
            else:
                value, pos = _scan_string(text, pos)
        elif c == "{" or c == "[":  # (not `c in "{["`: that is also true for "" at the end)
            if len(stack) >= max_depth:
                _fail(text, f"nesting too deep (more than {max_depth} levels of [ and {{)", pos)
            if c == "[":
                first = _skip_ws(text, pos + 1).end()
                if text.startswith("]", first):
                    value, pos = [], first + 1
                else:
                    stack.append((container, cpath, is_dict, key))
                    container, cpath, is_dict = [], path, False
                    path, pos = path + (0,), first  # noqa: RUF005 (faster than (*path, 0))
                    continue
            else:
                m = _MEMBER.match(text, pos + 1)
                if m is not None:
                    first_key, key_pos, pos = m.group(1), m.start(1) - 1, m.end()
                else:
                    first = _skip_ws(text, pos + 1).end()
                    if text.startswith("}", first):
                        value, pos = {}, first + 1
                        first_key = None
                    else:
                        first_key, key_pos, pos = _slow_member(text, first, None)
                if first_key is not None:
                    stack.append((container, cpath, is_dict, key))
                    container, cpath, is_dict, key = {}, path, True, first_key
                    path = path + (key,)  # noqa: RUF005
                    keys[path] = key_pos
                    continue
        elif c == "t" and text.startswith("true", pos):
            value, pos = True, pos + 4
        elif c == "f" and text.startswith("false", pos):
            value, pos = False, pos + 5
        elif c == "n" and text.startswith("null", pos):
            value, pos = None, pos + 4
        elif c == "-" or "0" <= c <= "9":
            m = _NUMBER.match(text, pos)
            if m is None:
                _bad_value(text, pos, container, is_dict)
            number, pos = m.group(), m.end()
            if m.lastindex:  # a fraction or an exponent
                value = float(number)
            elif len(number) < 4000:
                value = int(number)
            else:  # int() refuses very long digit strings (sys.set_int_max_str_digits)
                _fail(text, "number too long", m.start())
        else:
            _bad_value(text, pos, container, is_dict)

        # A complete value ends at `pos`: store it, then see what follows it.
        while True:
            if container is None:
                rest = _skip_ws(text, pos).end()
                if rest != end:
                    _fail(text, "extra text after the JSON document", rest)
                return value, Locations(text, values, keys, duplicates)
            if is_dict:
                container[key] = value
                m = _NEXT_MEMBER.match(text, pos)
                if m is not None:
                    key, key_pos, pos = m.group(1), m.start(1) - 1, m.end()
                    break
            else:
                container.append(value)
                m = _NEXT_ITEM.match(text, pos)
                if m is not None:
                    key_pos, pos = -1, m.end()
                    break
            pos = _skip_ws(text, pos).end()
            c = text[pos : pos + 1]
            if c == ("}" if is_dict else "]"):
                value, pos = container, pos + 1
                container, cpath, is_dict, key = stack.pop()
            elif c == "," and is_dict:  # a comma the fast path did not handle: escapes or errors
                key, key_pos, pos = _slow_member(text, _skip_ws(text, pos + 1).end(), pos)
                break
            else:
                _bad_separator(text, pos, values[cpath], is_dict)

        # After a comma: the next member or element starts at `pos`.
        if is_dict:
            path = cpath + (key,)  # noqa: RUF005
            if key in container:
                duplicates.append((cpath, key, key_pos))
                _forget(values, keys, path, container[key])
            keys[path] = key_pos
        else:
            path = cpath + (len(container),)  # noqa: RUF005


def _forget(values: dict[Path, int], keys: dict[Path, int], path: Path, old: Any) -> None:
    """Drop the locations inside ``old``, a value at ``path`` that a duplicate key replaces."""
    todo = [(path, old)] if isinstance(old, (dict, list)) else []
    while todo:
        path, old = todo.pop()
        items = old.items() if isinstance(old, dict) else enumerate(old)
        for part, child in items:
            child_path = (*path, part)
            values.pop(child_path, None)
            keys.pop(child_path, None)
            if isinstance(child, (dict, list)) and child:
                todo.append((child_path, child))
    # (`old` itself is not dropped: its path is about to get the new value's position.)


def _scan_string(text: str, start: int) -> tuple[str, int]:
    """Decode the string whose opening quote is at ``start``; return it and the end offset.

    The slow path for strings with escapes (or errors), matching ``json.loads`` exactly:
    a ``\\uD8xx\\uDCxx`` surrogate pair becomes one character, lone surrogates are kept.
    """
    chunks: list[str] = []
    pos = start + 1
    while True:
        chunk_end = _string_chunk(text, pos).end()
        chunks.append(text[pos:chunk_end])
        pos = chunk_end
        c = text[pos : pos + 1]
        if c == '"':
            return "".join(chunks), pos + 1
        if c == "\\":
            esc = text[pos + 1 : pos + 2]
            if esc in _ESCAPES:
                chunks.append(_ESCAPES[esc])
                pos += 2
            elif esc == "u":
                m = _HEX4.match(text, pos + 2)
                if m is None:
                    _fail(text, "invalid \\u escape: it needs 4 hex digits, as in \\u00e9", pos)
                code, pos = int(m.group(), 16), pos + 6
                if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", pos):
                    low = _HEX4.match(text, pos + 2)
                    if low is not None and 0xDC00 <= (code2 := int(low.group(), 16)) <= 0xDFFF:
                        code, pos = 0x10000 + ((code - 0xD800) << 10) + (code2 - 0xDC00), pos + 6
                chunks.append(chr(code))
            elif esc:
                _fail(
                    text,
                    f"invalid \\escape '\\{esc}': JSON allows only "
                    '\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX',
                    pos,
                )
            else:
                _fail(text, "unterminated string", start)
        elif not c:
            _fail(text, "unterminated string", start)
        elif c in "\r\n":
            _fail(text, "unterminated string: it runs into a line break (write \\n instead)", start)
        else:
            _fail(text, f"control character U+{ord(c):04X} in a string; escape it (e.g. \\t)", pos)


def _slow_member(text: str, pos: int, comma: int | None) -> tuple[str, int, int]:
    """Read ``"key":`` at ``pos`` (after ``{`` or, at offset ``comma``, after a comma).

    Returns the key, the key's offset and the offset of the value; raises on anything else.
    """
    c = text[pos : pos + 1]
    if c == '"':
        key, after = _scan_string(text, pos)
    elif c == "}" and comma is not None:
        _fail(text, "trailing comma before '}' (JSON does not allow it)", comma)
    else:
        _bad_token(text, pos, "}", "expected a key in double quotes")
    colon = _skip_ws(text, after).end()
    if not text.startswith(":", colon):
        if colon == len(text):
            _bad_token(text, colon, "}", "")
        _fail(text, f"expected ':' after the key {json.dumps(key, ensure_ascii=False)}", colon)
    return key, pos, _skip_ws(text, colon + 1).end()


def _bad_value(text: str, pos: int, container: Any, is_dict: bool) -> NoReturn:
    """Explain why no JSON value starts at ``pos``."""
    closer = "" if container is None else "}" if is_dict else "]"
    c = text[pos : pos + 1]
    if c and c == closer:
        before = len(text[:pos].rstrip(_WS_CHARS)) - 1
        if text[before] == ",":
            _fail(text, f"trailing comma before '{closer}' (JSON does not allow it)", before)
    if not c and container is None:
        _fail(text, "empty document: expected a JSON value", pos)
    m = _WORD.match(text, pos)
    word = m.group() if m is not None else ""
    if word.lstrip("+-") in ("NaN", "Infinity"):
        _fail(text, "NaN and Infinity are not JSON numbers", pos)
    if c == "+" or c == "." or c == "-" or "0" <= c <= "9":
        _fail(text, f"invalid number '{word[:40]}'", pos)
    if word.lower() in ("true", "false", "null", "none"):
        _fail(text, f"'{word}' is not JSON; use lowercase true, false or null", pos)
    _bad_token(
        text, pos, closer, "expected a value (a string, number, object, array, true, false, null)"
    )


def _bad_separator(text: str, pos: int, opened: int, is_dict: bool) -> NoReturn:
    """Explain why neither a comma nor the closing bracket follows a member or element."""
    opener, closer, what = (
        ("{", "}", "an object member") if is_dict else ("[", "]", "an array element")
    )
    message = f"expected ',' or '{closer}' after {what}"
    c = text[pos : pos + 1]
    if c in ("]", "}"):
        where = _position(text, opened)
        message += f"; found '{c}' but the '{opener}' at {where} is still open"
    elif c == '"':
        message += " (missing comma?)"
    _bad_token(text, pos, closer, message)


def _bad_token(text: str, pos: int, closer: str, message: str) -> NoReturn:
    """Raise for the unexpected character at ``pos``, recognising common mistakes first."""
    c = text[pos : pos + 1]
    if not c:
        message = f"unexpected end of text: the document stops before the closing '{closer}'"
    elif c == "'":
        message = "single quotes are not JSON; use double quotes"
    elif c == "/" and text[pos + 1 : pos + 2] in ("/", "*"):
        message = "comments are not allowed in JSON"
    elif message.startswith("expected a key") and (word := _WORD.match(text, pos)):
        message = f"expected a key in double quotes, found '{word.group()[:40]}'"
    elif message.startswith("expected a value") and c.isalpha():
        word = _WORD.match(text, pos)
        found = word.group()[:40] if word else c
        message = f"unexpected word '{found}': text must be in double quotes"
    _fail(text, message, pos)


def _position(text: str, offset: int) -> Position:
    """Line and column of ``offset`` (linear time; for error messages only)."""
    return Position(text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset))


def _fail(text: str, message: str, offset: int) -> NoReturn:
    raise JsonSyntaxError(message, _position(text, offset))
