"""Which context keys an edge needs: decided "absent" first, then "present and satisfying".

The engine evaluates exactly the context it is given (IAM User Guide, "AWS global condition
context keys"); :mod:`iamlab.graph.decide` supplies a key only when a statement that would
change the decision depends on it, and keeps a value only when the engine's condition matcher
confirms it.
"""

from __future__ import annotations

from typing import Any

from iamlab.engine import evaluate
from iamlab.graph.actors import user_actor
from iamlab.graph.decide import Decider
from iamlab.inventory import Inventory, UserInfo
from iamlab.parse import parse_policy
from iamlab.policy import Policy, PolicyKind

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Target"


def _trust(condition: dict[str, Any] | None = None, effect: str = "Allow",
           extra: list[dict[str, Any]] | None = None) -> Policy:
    st: dict[str, Any] = {"Effect": effect, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                          "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return parse_policy({"Version": "2012-10-17", "Statement": [st, *(extra or [])]},
                        PolicyKind.TRUST)


def _decide(trust: Policy, *identity: dict[str, Any], tags: dict[str, str] | None = None
            ) -> Any:
    from datetime import datetime, timezone

    policies = tuple(parse_policy({"Version": "2012-10-17", "Statement": [st]}, name=f"p{i}")
                     for i, st in enumerate(identity or (
                         {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},)))
    user = UserInfo(f"arn:aws:iam::{ACCOUNT}:user/u", "u", ACCOUNT, policies,
                    tags=tags or {})
    actor = user_actor(user, Inventory(users=(user,)),
                       datetime(2026, 1, 1, tzinfo=timezone.utc))
    out = Decider().decide(actor, "sts:AssumeRole", ROLE, trust)
    if out.allowed:  # the reported context really is allowed, and needed
        request = actor.request("sts:AssumeRole", ROLE, out.supplied)
        assert evaluate(request, actor.policies(trust)).allowed
    return out


def test_unconditional() -> None:
    out = _decide(_trust())
    assert out.allowed and out.conditions == () and out.supplied == {}


def test_ip_range_gets_an_address_inside_it() -> None:
    out = _decide(_trust({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
    assert out.conditions == ("aws:SourceIp",)
    assert str(out.supplied["aws:SourceIp"]).startswith("203.0.113.")
    assert out.requires == ('IpAddress aws:SourceIp "203.0.113.0/24"',)


def test_deny_outside_range_is_avoided_with_an_address_inside() -> None:
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["198.51.100.0/24"]}}}
    out = _decide(_trust(), {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
                  deny)
    assert out.allowed and out.conditions == ("aws:SourceIp",)
    assert str(out.supplied["aws:SourceIp"]).startswith("198.51.100.")
    assert out.requires == ('not NotIpAddress aws:SourceIp "198.51.100.0/24"',)


def test_mfa_age_below_a_limit() -> None:
    out = _decide(_trust({"Bool": {"aws:MultiFactorAuthPresent": "true"},
                          "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))
    assert out.conditions == ("aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent")
    assert float(str(out.supplied["aws:MultiFactorAuthAge"])) < 3600


def test_a_fact_that_fails_is_never_supplied() -> None:
    # the caller's tag is a fact (from the dump): a wrong one means no edge
    out = _decide(_trust({"StringEquals": {"aws:PrincipalTag/team": "blue"}}),
                  tags={"team": "red"})
    assert not out.allowed
    assert _decide(_trust({"StringEquals": {"aws:PrincipalTag/team": "blue"}}),
                   tags={"team": "blue"}).conditions == ()


def test_unconditional_deny_cannot_be_talked_around() -> None:
    out = _decide(_trust(extra=[{"Effect": "Deny", "Principal": "*",
                                 "Action": "sts:AssumeRole"}]))
    assert not out.allowed


def test_only_the_keys_needed_are_kept() -> None:
    # two ways in: with ExternalId or from an address; one key is enough
    trust = _trust({"StringEquals": {"sts:ExternalId": "abc"}}, extra=[{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}])
    out = _decide(trust)
    assert out.allowed and len(out.conditions) == 1


def test_wildcard_values_are_filled_in() -> None:
    out = _decide(_trust({"StringLike": {"sts:RoleSessionName": "ci-*"},
                          "ArnLike": {"aws:SourceArn": "arn:aws:codebuild:*:*:project/x"}}))
    assert out.conditions == ("aws:SourceArn", "sts:RoleSessionName")
    assert str(out.supplied["sts:RoleSessionName"]).startswith("ci-")


def test_identity_side_condition_is_found_too() -> None:
    out = _decide(_trust(), {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
                             "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}})
    assert out.conditions == ("aws:RequestedRegion",)
    assert out.supplied == {"aws:RequestedRegion": "eu-west-1"}


def test_no_allow_at_all_is_a_plain_denial() -> None:
    out = _decide(_trust(), {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    assert not out.allowed and out.decision.decision == "implicitDeny"
