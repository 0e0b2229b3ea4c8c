"""A real account's ``aws iam get-account-authorization-details`` output → an :class:`Inventory`.

The dump has four lists (IAM API reference, GetAccountAuthorizationDetails):
``UserDetailList``, ``GroupDetailList``, ``RoleDetailList`` and ``Policies``. Policy documents
come as JSON objects (the CLI decodes them) or as URL-encoded JSON text (the raw API, RFC 3986).

What each principal carries (IAM User Guide, "Policy evaluation logic" and "IAM groups"):

* a user's identity policies are its inline policies, its attached managed policies, and the
  inline and attached policies of every group it belongs to;
* a role's are its inline and attached policies; its ``AssumeRolePolicyDocument`` is its trust
  policy; ``PermissionsBoundary`` (users and roles) names a managed policy;
* a managed policy is its default version's document (``IsDefaultVersion``);
* a role whose path starts ``/aws-service-role/`` is service-linked ("Using service-linked
  roles").

Real dumps have quirks (see ``tests/data/authz-README.md``): they are repaired or skipped and
each repair is written to ``Inventory.notes``, so loading never stops on one bad document.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from iamlab.arn import ACCOUNT_ID, parse_arn
from iamlab.errors import IamlabError, PolicyError
from iamlab.inputs import DUMP_LIMIT_WHY, MAX_DUMP_BYTES, InputTooLarge, read_limited
from iamlab.inventory import GroupInfo, Inventory, RoleInfo, UserInfo
from iamlab.parse import parse_policy
from iamlab.policy import Policy, PolicyKind

DUMP_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
SERVICE_LINKED_PATH = "/aws-service-role/"

__all__ = ["DUMP_KEYS", "DumpError", "load_inventory"]


class DumpError(IamlabError):
    """The file is not an authorization-details dump at all (nothing could be loaded)."""


def load_inventory(source: str | os.PathLike[str] | Mapping[str, Any]) -> Inventory:
    """Read a dump (a path to its JSON file, or the parsed dict) into an :class:`Inventory`.

    Raises :class:`DumpError` only when the whole input is unusable; a document that does
    not parse is skipped with a note naming the entity and the problem.
    """
    raw = _read(source)
    return _Loader(raw).inventory()


def _read(source: str | os.PathLike[str] | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        data: Any = source
        where = "the dump"
    else:
        where = str(source)
        try:
            text = read_limited(source, MAX_DUMP_BYTES, "a dump", DUMP_LIMIT_WHY,
                                json_only=True).decode("utf-8")
        except InputTooLarge as exc:
            raise DumpError(str(exc)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DumpError(f"cannot read {where}: {exc}") from None
        try:
            data = json.loads(text, parse_int=_json_int)
        except json.JSONDecodeError as exc:
            raise DumpError(f"{where} is not JSON: line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}") from None
        except RecursionError:
            raise DumpError(f"{where} is not a dump: its JSON is nested too deeply (a dump "
                            "is only a few levels deep)") from None
    if not isinstance(data, Mapping) or not any(k in data for k in DUMP_KEYS):
        raise DumpError(f"{where} is not the output of `aws iam get-account-authorization-"
                        f"details`: expected a JSON object with {', '.join(DUMP_KEYS)}")
    for key in DUMP_KEYS:
        if key in data and not isinstance(data[key], list):
            raise DumpError(f"{where}: {key} must be a list, not {type(data[key]).__name__}")
    return data


def _json_int(text: str) -> int | str:
    """A JSON integer; one too long for Python to read (over 4,300 digits) stays text, so
    that one absurd number spoils only the field it is in (no field of a dump is that long)."""
    return int(text) if len(text) <= 1000 else text


class _Loader:
    """One pass over a dump, collecting principals and notes."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.notes: list[str] = []
        self.account = self._main_account()
        self.managed: dict[str, Policy] = {}
        self._boundaries: dict[str, Policy | None] = {}
        self._managed_docs: dict[str, tuple[str, Any]] = {}

    def entries(self, key: str) -> list[tuple[str, Mapping[str, Any]]]:
        """The entries of one of the dump's lists, each with where it is (``Policies[3]``)."""
        items = self.data.get(key) or []
        good = [(f"{key}[{i}]", e) for i, e in enumerate(items) if isinstance(e, Mapping)]
        if len(good) != len(items):
            self.notes.append(f"{key}: {len(items) - len(good)} entries are not JSON objects; "
                              "skipped")
        return good

    def listed(self, entry: Mapping[str, Any], key: str, what: str) -> list[Any]:
        """``entry[key]`` when it is a list (absent or null: empty); anything else is noted
        and read as empty, so one malformed field spoils only itself."""
        value = entry.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.notes.append(f"{what}: {key} should be a list, not "
                              f"{type(value).__name__}; ignored")
            return []
        return value

    def tags(self, entry: Mapping[str, Any], what: str) -> dict[str, str]:
        return {str(t.get("Key")): str(t.get("Value", "")) for t in
                self.listed(entry, "Tags", what) if isinstance(t, Mapping) and "Key" in t}

    def entity(self, where: str, entry: Mapping[str, Any], kind: str
               ) -> tuple[str, str, str] | None:
        """(ARN, account, name) of a user, group or role entry, or None with a note when the
        entry has no ARN of that kind. The name is the ARN's last part, which is what
        policies and sessions use; a ``RoleName`` (``UserName``, ``GroupName``) that says
        otherwise is noted."""
        raw = entry.get("Arn")
        label = kind.capitalize() + "Name"
        parsed = parse_arn(raw) if isinstance(raw, str) else None
        if parsed is None or parsed.service != "iam" or not parsed.resource.startswith(
                kind + "/") or not parsed.resource.rsplit("/", 1)[-1]:
            shown = f"{raw!r} is not" if raw is not None else "no Arn, so it is not"
            self.notes.append(f"{where}: {shown} an IAM {kind} ARN (arn:aws:iam::ACCOUNT:"
                              f"{kind}/NAME); the entry is skipped")
            return None
        arn, account = self.fix_arn(str(raw), kind)
        name = arn.rsplit("/", 1)[-1]
        given = entry.get(label)
        if given is not None and given != name:
            self.notes.append(f"{where}: {label} {given!r} differs from the name in its ARN "
                              f"{arn}; the ARN's name {name!r} is used")
        return arn, account, name

    def _main_account(self) -> str | None:
        """The account most ARNs in the dump belong to (to repair ``aws`` account fields)."""
        counts: Counter[str] = Counter()
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
            for entry in self.data.get(key) or []:
                arn = parse_arn(str(entry.get("Arn", ""))) if isinstance(entry, Mapping) else None
                if arn and ACCOUNT_ID.match(arn.account):
                    counts[arn.account] += 1
        for entry in self.data.get("Policies") or []:
            arn = parse_arn(str(entry.get("Arn", ""))) if isinstance(entry, Mapping) else None
            if arn and ACCOUNT_ID.match(arn.account):
                counts[arn.account] += 1
        return counts.most_common(1)[0][0] if counts else None

    def fix_arn(self, arn: str, what: str) -> tuple[str, str]:
        """(ARN, account), replacing a non-numeric account field by the dump's account."""
        parsed = parse_arn(arn)
        if parsed is None:
            self.notes.append(f"{what}: {arn!r} is not an ARN; kept as is")
            return arn, ""
        if ACCOUNT_ID.match(parsed.account) or self.account is None:
            return arn, parsed.account
        fixed = f"arn:{parsed.partition}:{parsed.service}:{parsed.region}:{self.account}:" \
                f"{parsed.resource}"
        self.notes.append(f"{what}: ARN {arn} has {parsed.account!r} in the account field; "
                          f"read as {fixed} (the dump's account)")
        return fixed, self.account

    # -- policies ----------------------------------------------------------------------------
    def document(self, doc: Any, kind: PolicyKind, name: str, what: str) -> Policy | None:
        """Parse one document (object or URL-encoded JSON); None with a note if it fails."""
        source: Any = doc
        if isinstance(doc, str):
            text = doc.strip()
            source = text if text.startswith("{") else unquote(text)
        if not isinstance(source, (str, Mapping)):
            self.notes.append(f"{what}: the policy document is {type(doc).__name__}, not a "
                              "JSON object; skipped")
            return None
        try:
            return parse_policy(source, kind, name=name, strict=False)
        except PolicyError as exc:
            problems = "; ".join(str(p) for p in exc.problems[:3])
            more = f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
            self.notes.append(f"{what}: cannot read it, skipped: {problems}{more}")
            return None

    def load_managed(self) -> None:
        for where, entry in self.entries("Policies"):
            arn = str(entry.get("Arn", ""))
            name = str(entry.get("PolicyName") or arn.rsplit("/", 1)[-1])
            what = f"{where} (managed policy {arn})"
            versions = [v for v in self.listed(entry, "PolicyVersionList", what)
                        if isinstance(v, Mapping)]
            chosen = [v for v in versions if v.get("IsDefaultVersion") is True]
            if not chosen:
                default = entry.get("DefaultVersionId")
                chosen = [v for v in versions if default and v.get("VersionId") == default]
            if not chosen and len(versions) == 1:
                chosen = versions
                self.notes.append(f"{what}: no version is marked default; used its only one")
            if not chosen:
                self.notes.append(f"{what}: no default version in the dump; skipped")
                continue
            doc = chosen[0].get("Document")
            self._managed_docs[arn] = (name, doc)
            policy = self.document(doc, PolicyKind.IDENTITY, name, what)
            if policy is not None:
                self.managed[arn] = policy

    def attached(self, entry: Mapping[str, Any], what: str) -> list[Policy]:
        out = []
        for att in self.listed(entry, "AttachedManagedPolicies", what):
            arn = str(att.get("PolicyArn", "")) if isinstance(att, Mapping) else ""
            policy = self.managed.get(arn)
            if policy is not None:
                out.append(policy)
            elif arn not in self._managed_docs:
                shown = arn or repr(att)
                self.notes.append(f"{what}: attached managed policy {shown} is not in the "
                                  "dump's Policies; skipped")
        return out

    def inline(self, entry: Mapping[str, Any], key: str, what: str,
               label: str = "") -> list[Policy]:
        out = []
        for item in self.listed(entry, key, what):
            if not isinstance(item, Mapping):
                continue
            name = str(item.get("PolicyName", ""))
            shown = f"{name} ({label})" if label else name
            policy = self.document(item.get("PolicyDocument"), PolicyKind.IDENTITY, shown,
                                   f"{what}, inline policy {name!r}")
            if policy is not None:
                out.append(policy)
        return out

    def boundary(self, entry: Mapping[str, Any], what: str) -> Policy | None:
        spec = entry.get("PermissionsBoundary")
        if not isinstance(spec, Mapping) or not spec.get("PermissionsBoundaryArn"):
            return None
        arn = str(spec["PermissionsBoundaryArn"])
        if arn not in self._boundaries:
            found = self._managed_docs.get(arn)
            if found is None:
                self.notes.append(f"{what}: permissions boundary {arn} is not in the dump's "
                                  "Policies; the boundary is ignored")
                self._boundaries[arn] = None
            else:
                self._boundaries[arn] = self.document(found[1], PolicyKind.BOUNDARY, found[0],
                                                      f"permissions boundary {arn}")
        return self._boundaries[arn]

    # -- principals ---------------------------------------------------------------------------
    def inventory(self) -> Inventory:
        self.load_managed()
        groups: list[GroupInfo] = []
        by_name: dict[tuple[str, str], GroupInfo] = {}
        for where, entry in self.entries("GroupDetailList"):
            found = self.entity(where, entry, "group")
            if found is None:
                continue
            arn, account, name = found
            what = f"group {arn}"
            policies = self.inline(entry, "GroupPolicyList", what, f"group {name}")
            policies += self.attached(entry, what)
            group = GroupInfo(arn, name, account, tuple(policies), str(entry.get("Path", "/")))
            groups.append(group)
            by_name[(account, name)] = group
        users = [u for where, entry in self.entries("UserDetailList")
                 if (u := self.user(where, entry, by_name)) is not None]
        roles = [r for where, entry in self.entries("RoleDetailList")
                 if (r := self.role(where, entry)) is not None]
        return Inventory(tuple(users), tuple(groups), tuple(roles), dict(self.managed),
                         {}, tuple(self.notes))

    def user(self, where: str, entry: Mapping[str, Any],
             groups: Mapping[tuple[str, str], GroupInfo]) -> UserInfo | None:
        found = self.entity(where, entry, "user")
        if found is None:
            return None
        arn, account, name = found
        what = f"user {arn}"
        policies = self.inline(entry, "UserPolicyList", what) + self.attached(entry, what)
        member_of: list[str] = []
        for group_name in self.listed(entry, "GroupList", what):
            group = groups.get((account, str(group_name)))
            if group is None:
                self.notes.append(f"{what}: member of group {group_name!r}, which is not in "
                                  "the dump; its policies are missing")
                continue
            member_of.append(group.arn)
            policies += group.policies
        return UserInfo(arn, name, account, _unique(policies), self.boundary(entry, what),
                        tuple(member_of), self.tags(entry, what), str(entry.get("Path", "/")),
                        str(entry["UserId"]) if entry.get("UserId") else None)

    def role(self, where: str, entry: Mapping[str, Any]) -> RoleInfo | None:
        found = self.entity(where, entry, "role")
        if found is None:
            return None
        arn, account, name = found
        what = f"role {arn}"
        trust_doc = entry.get("AssumeRolePolicyDocument")
        trust = None
        if trust_doc is None:
            self.notes.append(f"{what}: no trust policy (AssumeRolePolicyDocument); nobody "
                              "can assume it")
        else:
            trust = self.document(trust_doc, PolicyKind.TRUST, f"trust policy of {name}",
                                  f"{what}, trust policy")
        policies = self.inline(entry, "RolePolicyList", what) + self.attached(entry, what)
        path = str(entry.get("Path") or "/")
        profiles = tuple(str(p.get("Arn")) for p in
                         self.listed(entry, "InstanceProfileList", what)
                         if isinstance(p, Mapping) and p.get("Arn"))
        duration = entry.get("MaxSessionDuration")
        return RoleInfo(arn, name, account, trust, _unique(policies),
                        self.boundary(entry, what), self.tags(entry, what), path,
                        str(entry["RoleId"]) if entry.get("RoleId") else None,
                        int(duration) if isinstance(duration, int) else 3600,
                        path.startswith(SERVICE_LINKED_PATH), profiles)


def _unique(policies: Sequence[Policy]) -> tuple[Policy, ...]:
    """The same managed policy reached twice (directly and by a group) counts once."""
    seen: set[int] = set()
    out = []
    for p in policies:
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return tuple(out)
