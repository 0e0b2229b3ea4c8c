"""Identifiers shaped like AWS's (AKIA..., ASIA..., AROA..., i-0...), drawn deterministically.

Every world draws from its own seeded generator, so a notebook run twice prints the same
keys and IDs. Prefixes follow the IAM User Guide, "IAM identifiers" (unique ID prefixes).
"""

from __future__ import annotations

import base64
import random
import string

_UPPER_DIGITS = string.ascii_uppercase + "234567"  # AWS unique IDs use base32 characters
_SECRET = string.ascii_letters + string.digits + "+/"
_HEX = "0123456789abcdef"

PREFIXES = {
    "user": "AIDA", "role": "AROA", "group": "AGPA", "policy": "ANPA",
    "instance-profile": "AIPA", "access-key": "AKIA", "temporary-key": "ASIA",
}


class IdSource:
    """Draws AWS-shaped identifiers from a seeded generator."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)

    def _pick(self, alphabet: str, n: int) -> str:
        return "".join(self._rng.choice(alphabet) for _ in range(n))

    def unique_id(self, kind: str) -> str:
        """``AIDA`` + 17 characters for a user, ``AROA`` for a role...; 20 for access keys."""
        prefix = PREFIXES[kind]
        length = 16 if kind in ("access-key", "temporary-key") else 17
        return prefix + self._pick(_UPPER_DIGITS, length)

    def secret(self) -> str:
        """A 40-character secret access key."""
        return self._pick(_SECRET, 40)

    def session_token(self) -> str:
        """An opaque session token, as long and unreadable as AWS's."""
        raw = bytes(self._rng.getrandbits(8) for _ in range(180))
        return "IQoJb3JpZ2luX2Vj" + base64.b64encode(raw).decode()

    def hex(self, n: int) -> str:
        return self._pick(_HEX, n)

    def instance_id(self) -> str:
        return "i-0" + self.hex(16)

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def alnum(self, n: int) -> str:
        return self._pick(string.ascii_letters + string.digits, n)

    def digits(self, n: int) -> str:
        return self._pick(string.digits, n)
