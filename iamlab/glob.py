"""IAM wildcard patterns (``*`` and ``?``), matched in time linear in the value.

One matcher for every place IAM wildcards are compared: Action/NotAction, Resource/
NotResource, StringLike and ArnLike conditions, the graph's pruning, the catalog and the
linter. A pattern is split at each ``*`` into segments; the first must match at the start,
the last at the end, and each one between at its leftmost place after the one before (the
leftmost place is always as good as any later one, so nothing is ever tried twice). A segment
is found with :meth:`str.find`, or, when it holds a ``?``, with a fixed-width regular
expression (no repetition, so no backtracking). A value of length n against a pattern of
length m costs O(n x m) at worst, never more: regular expressions made of ``.*`` take
exponential time on some values (``a*a*a*a*b`` against a long run of ``a``).

References (IAM User Guide): "IAM JSON policy elements: Action" (``*`` any run of
characters, ``?`` exactly one; actions compare case-insensitively), "IAM JSON policy
elements: Resource" (ARNs compare case-sensitively; a wildcard in the first five parts of an
ARN stays within its part, one in the resource part may span colons), "IAM JSON policy
elements: Condition operators" (StringLike, ArnLike).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

# One segment of a pattern (the text between two ``*``): its literal text, the fixed-width
# regex when it holds a ``?`` wildcard (else None), and its length in characters.
_Segment = tuple[str, "re.Pattern[str] | None", int]
Piece = tuple[str, bool]
"""Part of a template: (text, wild). In text that is not wild, ``*`` and ``?`` are literal
(characters that came from a policy variable's value or the ``${*}`` escape)."""


@lru_cache(maxsize=4096)
def _fixed_width(source: str) -> re.Pattern[str]:
    return re.compile(source, re.DOTALL)


def _segment(chunks: list[str | None]) -> _Segment:
    """A segment from its chunks: literal text, or None for one ``?`` wildcard."""
    if None not in chunks:
        text = "".join(c for c in chunks if c is not None)
        return text, None, len(text)
    source = "".join("." if c is None else re.escape(c) for c in chunks)
    width = sum(1 if c is None else len(c) for c in chunks)
    return source, _fixed_width(source), width


def _segments(pieces: Iterable[Piece]) -> list[_Segment]:
    """The segments between the wildcard ``*`` of a template (one more than the stars)."""
    chunks: list[list[str | None]] = [[]]
    for text, wild in pieces:
        if not wild:
            chunks[-1].append(text)
            continue
        for i, part in enumerate(text.split("*")):
            if i:
                chunks.append([])
            if "?" not in part:
                chunks[-1].append(part)
                continue
            for j, run in enumerate(part.split("?")):
                if j:
                    chunks[-1].append(None)
                chunks[-1].append(run)
    return [_segment(c) for c in chunks]


def _at(seg: _Segment, value: str, pos: int) -> bool:
    """Does ``seg`` match ``value`` at ``pos``? (the caller checked it fits)"""
    text, rx, _ = seg
    return value.startswith(text, pos) if rx is None else rx.match(value, pos) is not None


def _find(seg: _Segment, value: str, pos: int, end: int) -> int:
    """Where the leftmost match of ``seg`` in ``value[pos:end]`` ends, or -1."""
    text, rx, width = seg
    if rx is None:
        i = value.find(text, pos, end)
        return -1 if i < 0 else i + width
    m = rx.search(value, pos, end)
    return -1 if m is None else m.end()


class Glob:
    """One IAM wildcard pattern, ready to match values in linear time."""

    __slots__ = ("exact", "fold", "head", "middle", "min_len", "single", "tail")

    def __init__(self, pieces: Iterable[Piece], ignore_case: bool = False) -> None:
        self.fold = ignore_case
        if ignore_case:
            pieces = [(t.lower(), w) for t, w in pieces]
        segs = _segments(pieces)
        self.exact: str | None = None  # no wildcard at all: plain equality
        self.single: re.Pattern[str] | None = None  # no ``*`` but a ``?``
        self.head = self.tail = segs[0]
        self.middle: tuple[_Segment, ...] = ()
        self.min_len = sum(s[2] for s in segs)
        if len(segs) == 1:
            text, rx, _ = segs[0]
            if rx is None:
                self.exact = text
            else:
                self.single = rx
            return
        self.tail = segs[-1]
        self.middle = tuple(s for s in segs[1:-1] if s[2])

    @classmethod
    def of(cls, pattern: str, ignore_case: bool = False) -> Glob:
        """The matcher of a pattern written in a policy (every ``*`` and ``?`` is wild)."""
        return _glob(pattern, ignore_case)

    def match(self, value: str) -> bool:
        """True when the whole of ``value`` matches the pattern."""
        return self.match_folded(value.lower() if self.fold else value)

    def match_folded(self, value: str) -> bool:
        """:meth:`match` for a value already lower-cased if the pattern ignores case."""
        if self.exact is not None:
            return value == self.exact
        if self.single is not None:
            return self.single.fullmatch(value) is not None
        n = len(value)
        if n < self.min_len or not _at(self.head, value, 0):
            return False
        end = n - self.tail[2]
        if not _at(self.tail, value, end):
            return False
        pos = self.head[2]
        for seg in self.middle:
            pos = _find(seg, value, pos, end)
            if pos < 0:
                return False
        return True


@lru_cache(maxsize=16384)
def _glob(pattern: str, ignore_case: bool) -> Glob:
    return Glob(((pattern, True),), ignore_case)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """True when ``value`` matches the IAM glob ``pattern``."""
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return _glob(pattern, ignore_case).match(value)


class ArnGlob:
    """An ARN pattern with a wildcard before its resource part: matched part by part.

    The first five parts (``arn``, partition, service, region, account) are matched one by
    one, so their wildcards do not cross a colon; the resource part may hold colons.
    """

    __slots__ = ("head", "tail")

    def __init__(self, head: Sequence[Glob], tail: Glob) -> None:
        self.head = tuple(head)
        self.tail = tail

    def match(self, value: str) -> bool:
        parts = value.split(":", 5)
        if len(parts) != 6:
            return False
        for glob, part in zip(self.head, parts, strict=False):
            if not glob.match_folded(part):
                return False
        return self.tail.match_folded(parts[5])

    match_folded = match  # ARNs compare case-sensitively: nothing is folded


Matcher = Glob | ArnGlob


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def arn_head_is_wild(pattern: str) -> bool:
    """Does a wildcard appear in the first five parts of a six-part ARN pattern?

    When none does, the pattern can be matched as a plain glob: its literal head, colons
    included, lines up with the value's first five parts exactly.
    """
    parts = pattern.split(":", 5)
    return len(parts) == 6 and any(_wild(p) for p in parts[:5])


def arn_glob_of(head: Sequence[str], tail: Iterable[Piece]) -> Matcher:
    """An ARN matcher from the five head parts (as written) and the resource part's pieces."""
    tail_glob = Glob(tail)
    if not any(_wild(p) for p in head):
        return Glob(((":".join(head) + ":", False), *((t, w) for t, w in tail)))
    return ArnGlob([_glob(p, False) for p in head], tail_glob)


@lru_cache(maxsize=16384)
def arn_glob(pattern: str) -> Matcher:
    """The matcher of one ARN pattern (case-sensitive, as ARNs are). Patterns that are not
    six-part ARNs are matched as plain globs."""
    if not arn_head_is_wild(pattern):
        return _glob(pattern, False)
    parts = pattern.split(":", 5)
    return ArnGlob([_glob(p, False) for p in parts[:5]], _glob(parts[5], False))


def arn_match(pattern: str, value: str) -> bool:
    """True when ARN ``value`` matches ARN pattern ``pattern`` (``*`` matches everything)."""
    if pattern == "*":
        return True
    return arn_glob(pattern).match(value)


class GlobSet:
    """Any of several patterns (a statement's Action list, its Resource list, the values of
    one condition): equality by set lookup, trailing-``*`` patterns by one prefix test, the
    rest one by one."""

    __slots__ = ("everything", "exact", "fold", "others", "prefixes")

    def __init__(self, patterns: Iterable[str], ignore_case: bool = False, arn: bool = False
                 ) -> None:
        self.fold = ignore_case
        exact: set[str] = set()
        prefixes: list[str] = []
        others: list[Matcher] = []
        self.everything = False
        for raw in patterns:
            p = raw.lower() if ignore_case else raw
            if p == "*":
                self.everything = True
            elif not _wild(p):
                exact.add(p)
            elif arn and arn_head_is_wild(p):
                others.append(arn_glob(p))
            elif p[-1] == "*" and not _wild(p[:-1]):
                prefixes.append(p[:-1])
            else:
                others.append(_glob(p, False))
        self.exact = frozenset(exact)
        self.prefixes = tuple(prefixes)
        self.others = tuple(others)

    def match(self, value: str) -> bool:
        """True when ``value`` matches any of the patterns."""
        if self.everything:
            return True
        if self.fold:
            value = value.lower()
        if value in self.exact or (self.prefixes and value.startswith(self.prefixes)):
            return True
        return any(m.match_folded(value) for m in self.others)


@lru_cache(maxsize=16384)
def glob_set(patterns: tuple[str, ...], ignore_case: bool = False, arn: bool = False) -> GlobSet:
    """A shared :class:`GlobSet` for a tuple of patterns (cached by their text)."""
    return GlobSet(patterns, ignore_case, arn)
