"""Reading a learner's files with a size limit, so no input can exhaust memory or time.

The limits follow AWS's own quotas, with room to spare (README, "Input limits"):

* a policy (``iamlab lint``, and :func:`iamlab.lint.lint_policy` whatever it is given,
  :func:`over_limit`): the largest policy document any AWS service accepts is a KMS
  key policy, 32 KiB (KMS API reference, PutKeyPolicy: "The policy size limit is 32 KiB
  (32768 bytes)"); IAM's own are smaller (IAM User Guide, "IAM and AWS STS quotas":
  6,144 characters for a managed policy, 10,240 for a role's inline policies). iamlab
  reads four times that, so a policy too large for AWS is still read and reported as such;
* a case (one line of ``iamlab simulate``) carries every policy of one request, at most a
  few dozen of those: 1 MiB a line;
* a dump (``iamlab graph``): the largest account IAM allows (5,000 roles, 5,000 users,
  5,000 managed policies of five 6,144-character versions, URL-encoded) stays well under
  512 MiB.

Reading stops at the limit (so ``/dev/zero`` or an endless pipe is refused quickly) and the
error says which limit and why.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from typing import IO, Any, AnyStr

from iamlab.errors import IamlabError

__all__ = ["CASE_LIMIT_WHY", "DUMP_LIMIT_WHY", "MAX_CASE_LINE_BYTES", "MAX_DUMP_BYTES",
           "MAX_POLICY_BYTES", "POLICY_LIMIT_WHY", "InputTooLarge", "limited_lines",
           "over_limit", "policy_over_limit", "read_limited", "too_large"]

MAX_POLICY_BYTES = 131_072
POLICY_LIMIT_WHY = ("no AWS policy is that large: the largest AWS accepts is a KMS key "
                    "policy, 32 KiB, and IAM's managed policies are at most 6,144 characters")
MAX_CASE_LINE_BYTES = 1_048_576
CASE_LIMIT_WHY = "a case holds the policies of one request, far less than that"
MAX_DUMP_BYTES = 536_870_912
DUMP_LIMIT_WHY = ("that is more than the largest account IAM's quotas allow (5,000 roles, "
                  "5,000 users, 5,000 managed policies of five versions each)")
_CHUNK = 1 << 20
_JSON_STARTS = frozenset(b'{["-0123456789tfn')


class InputTooLarge(IamlabError):
    """An input larger than iamlab reads; the message says the limit and why."""


def _size(limit: int) -> str:
    if limit % (1 << 20) == 0:
        return f"{limit >> 20:,} MiB"
    if limit % 1024 == 0:
        return f"{limit >> 10:,} KiB"
    return f"{limit:,} bytes"


def too_large(where: str, what: str, limit: int, why: str) -> InputTooLarge:
    """The error for ``where`` holding more than ``limit`` bytes of ``what``."""
    return InputTooLarge(f"{where} is larger than {_size(limit)}, the most iamlab reads "
                         f"for {what} ({why})")


def over_limit(text: str | bytes, limit: int) -> bool:
    """Whether ``text`` (given from Python rather than read from a file) holds more than
    ``limit`` bytes, a ``str`` counted in UTF-8 as a file of it would be. Encodes only when
    the length alone cannot tell (a character is one to four bytes)."""
    if isinstance(text, bytes) or len(text) > limit:
        return len(text) > limit
    if len(text) * 4 <= limit:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limit


def policy_over_limit(source: str | bytes | Mapping[str, Any] | list[Any]) -> bool:
    """Whether a policy given from Python is larger than iamlab reads (text in UTF-8 bytes;
    a mapping or a list measured as the JSON text AWS would receive, encoded piece by piece
    and stopping past the limit; one that is not JSON is left to the parser, which says so)."""
    if isinstance(source, (Mapping, list)):
        encoder = json.JSONEncoder(allow_nan=False, ensure_ascii=False, separators=(",", ":"))
        size = 0
        try:
            for piece in encoder.iterencode(source):
                size += len(piece.encode("utf-8", "surrogatepass"))
                if size > MAX_POLICY_BYTES:
                    return True
        except (TypeError, ValueError, RecursionError):
            return False
        return False
    return over_limit(source, MAX_POLICY_BYTES)


def read_limited(source: str | os.PathLike[str] | IO[bytes], limit: int, what: str,
                 why: str, *, json_only: bool = False) -> bytes:
    """The bytes of a file (or an open binary stream), refusing more than ``limit``.

    With ``json_only``, reading stops after the first chunk when it cannot begin a JSON
    value (a binary file, ``/dev/zero``): what was read is returned, and the JSON parser
    then says where the text stops being JSON. Raises :class:`InputTooLarge` (and OSError).
    """
    if isinstance(source, (str, os.PathLike)):
        where = os.fspath(source)
        with open(source, "rb") as stream:
            return _read(stream, where, limit, what, why, json_only)
    return _read(source, "the input", limit, what, why, json_only)


def _read(stream: IO[bytes], where: str, limit: int, what: str, why: str,
          json_only: bool) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        if json_only and not chunks:
            start = chunk.lstrip()[:1]
            if start and start[0] not in _JSON_STARTS and not chunk.startswith(b"\xef\xbb\xbf"):
                return chunk
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large(where, what, limit, why)
    return b"".join(chunks)


def limited_lines(stream: IO[AnyStr], limit: int) -> Iterator[AnyStr]:
    """The lines of ``stream``; a line longer than ``limit`` (bytes, or characters for a
    text stream) is given cut after ``limit + 1`` (so it is seen to be too long), and
    reading stops there."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        yield line
        if len(line) > limit and line[-1:] not in (b"\n", "\n"):
            return
