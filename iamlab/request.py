"""A request to AWS, as the engine sees it: principal, action, resource and context.

Modelled on Cedar's authorizer input. The engine evaluates exactly the context it is
given; :mod:`iamlab.context` builds the keys AWS itself would add.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from iamlab.arn import Identity, identify, parse_arn

ContextValue = str | list[str] | tuple[str, ...]


class Context(Mapping[str, tuple[str, ...]]):
    """Condition keys and their values. Key names compare case-insensitively.

    A key given as a list is multivalued (``aws:TagKeys``, ``aws:CalledVia``...), even with
    one element; a key given as a string is single-valued.
    """

    __slots__ = ("_names", "_values", "multivalued")

    def __init__(self, values: Mapping[str, ContextValue] | None = None) -> None:
        self._values: dict[str, tuple[str, ...]] = {}
        self._names: dict[str, str] = {}
        multi: set[str] = set()
        for key, value in (values or {}).items():
            low = key.lower()
            self._names[low] = key
            if isinstance(value, str):
                self._values[low] = (value,)
            else:
                self._values[low] = tuple(str(v) for v in value)
                multi.add(low)
        self.multivalued = frozenset(multi)

    def merged(self, extra: Mapping[str, ContextValue]) -> Context:
        """A new context with ``extra``'s keys added, winning over same-named keys (any
        case). Cheaper than building the whole context again when most keys are shared."""
        out = Context.__new__(Context)
        add = Context(extra)
        out._values = {**self._values, **add._values}
        out._names = {**self._names, **add._names}
        out.multivalued = (self.multivalued - add._values.keys()) | add.multivalued
        return out

    @property
    def lowered(self) -> dict[str, tuple[str, ...]]:
        """The values by lower-cased key name (for the engine's hot path; do not modify)."""
        return self._values

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._values[key.lower()]

    def get_values(self, key: str) -> tuple[str, ...] | None:
        """The values of ``key`` (any case), or None when the request lacks it."""
        return self._values.get(key.lower())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._values

    def to_dict(self) -> dict[str, str | list[str]]:
        """Back to the JSON shape: lists for multivalued keys, strings otherwise."""
        return {
            self._names[low]: list(vals) if low in self.multivalued else vals[0]
            for low, vals in self._values.items()
        }

    def __repr__(self) -> str:
        return f"Context({self.to_dict()!r})"


@dataclass(frozen=True, slots=True)
class Resource:
    """The resource a request acts on; ``account`` owns it (S3 ARNs carry no account)."""

    arn: str
    account: str | None = None

    @classmethod
    def of(cls, arn: str, account: str | None = None) -> Resource:
        if account is None:
            parsed = parse_arn(arn)
            account = parsed.account if parsed and parsed.account else None
        return cls(arn, account)


@dataclass(frozen=True, slots=True)
class Request:
    """Who (principal) wants to do what (action) to which resource, in what context.

    ``role_arn`` is for a role session whose role has a path: the session ARN
    (``arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION``) drops the path, yet a Principal or
    an ``aws:PrincipalArn`` condition that names the role by its full ARN
    (``arn:aws:iam::ACCOUNT:role/team/NAME``) must match the session (IAM User Guide, "IAM
    identifiers"; "AWS global condition context keys", aws:PrincipalArn: "For IAM roles,
    the request context returns the ARN of the role"). Leave it out for a role without a
    path. It must be the session's own role (a ValueError says why otherwise).
    """

    principal: str
    action: str
    resource: Resource
    context: Context = field(default_factory=Context)
    role_arn: str | None = None
    identity: Identity = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "identity", identify(self.principal, self.role_arn))

    @classmethod
    def of(
        cls,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue] | None = None,
        resource_account: str | None = None,
        role_arn: str | None = None,
    ) -> Request:
        """Convenience constructor from plain strings and a dict of context keys
        (``role_arn``: the role, with its path, behind an assumed-role session)."""
        return cls(principal, action, Resource.of(resource, resource_account), Context(context),
                   role_arn)

    @property
    def same_account(self) -> bool:
        """True when the principal and the resource belong to one account.

        A resource whose account is not known (an S3 ARN given without ``resource_account``,
        or ``*``) is taken to be in the caller's own account.
        """
        return (self.identity.account is not None
                and self.resource.account in (None, self.identity.account))
