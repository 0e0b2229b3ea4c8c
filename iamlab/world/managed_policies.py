"""The AWS managed policies bundled with iamlab, read offline from ``iamlab/data``.

Each JSON file holds one policy's default version as ``aws iam get-policy-version`` returns
it; ``iamlab/data/managed_policies/SOURCES.md`` says where each came from and which version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from iamlab.parse import parse_policy
from iamlab.policy import Policy, PolicyKind


@dataclass(frozen=True)
class ManagedPolicyData:
    """One bundled AWS managed policy: its identity and its default version's document."""

    name: str
    arn: str
    path: str
    description: str
    version_id: str
    create_date: str
    document: dict[str, Any]

    def policy(self) -> Policy:
        return parse_policy(self.document, PolicyKind.IDENTITY, name=self.name, strict=False)


@cache
def bundled() -> dict[str, ManagedPolicyData]:
    """Every bundled AWS managed policy by ARN."""
    folder = resources.files("iamlab") / "data" / "managed_policies"
    found: dict[str, ManagedPolicyData] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        raw = json.loads(entry.read_text(encoding="utf-8"))
        data = ManagedPolicyData(raw["PolicyName"], raw["Arn"], raw["Path"],
                                 raw.get("Description", ""), raw["DefaultVersionId"],
                                 raw.get("CreateDate", ""), raw["Document"])
        found[data.arn] = data
    return found


def arn_of(name: str) -> str | None:
    """The ARN of a bundled AWS managed policy given its name (``AmazonS3ReadOnlyAccess``)."""
    return next((d.arn for d in bundled().values() if d.name == name), None)
