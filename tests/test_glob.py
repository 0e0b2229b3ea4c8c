"""The one IAM wildcard matcher (iamlab.glob): the same answers as a regular expression, in
time linear in the value.

References (IAM User Guide): "IAM JSON policy elements: Action" (``*`` matches any run of
characters, ``?`` exactly one; actions are case-insensitive), "IAM JSON policy elements:
Resource" (ARNs are case-sensitive; "Wildcards (*) within each ARN segment" do not span a
colon, the resource part may hold colons), "IAM JSON policy elements: Condition operators"
(StringLike, ArnLike: "The value can include multi-character match wildcards (*) and
single-character match wildcards (?) anywhere in the string").

The inputs that used to hang (issue 13) are answered here: with a backtracking regex, each
of them takes minutes or never ends. Their speed is measured in benchmarks/bench_hostile.py;
these tests check the answers.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from iamlab.engine import PolicySet, evaluate
from iamlab.glob import Glob, GlobSet, arn_match, glob_match
from iamlab.parse import parse_policy
from iamlab.request import Request
from iamlab.variables import split_template, substitute

USER = "arn:aws:iam::111122223333:user/alice"


def reference(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """The plain regex reading of an IAM glob (fine as an oracle on short values)."""
    source = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(source, value, flags) is not None


def arn_reference(pattern: str, value: str) -> bool:
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        return reference(pattern, value)
    head = ":".join("".join("[^:]*" if c == "*" else "[^:]" if c == "?" else re.escape(c)
                            for c in p) for p in parts[:5])
    tail = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in parts[5])
    return re.fullmatch(f"{head}:{tail}", value, re.DOTALL) is not None


ALPHABET = "ab*?:/"


@settings(max_examples=1500, deadline=None)
@given(st.text(ALPHABET, max_size=10), st.text("ab:/", max_size=12), st.booleans())
def test_glob_agrees_with_the_regex_reading(pattern: str, value: str, fold: bool) -> None:
    if fold:
        value = value.upper()
    assert Glob.of(pattern, fold).match(value) == reference(pattern, value, fold)
    assert glob_match(pattern, value, fold) == reference(pattern, value, fold)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["arn", "aws", "s3", "", "*", "a?", "?", "a*b", "1"]),
                min_size=6, max_size=6),
       st.text("ab*?:/", max_size=6),
       st.lists(st.sampled_from(["arn", "aws", "s3", "", "a", "ab", "1", "x:y"]),
                min_size=5, max_size=7))
def test_arn_patterns_agree_with_the_regex_reading(head: list[str], tail: str,
                                                   value: list[str]) -> None:
    pattern = ":".join(head[:5]) + ":" + tail
    text = ":".join(value)
    assert arn_match(pattern, text) == arn_reference(pattern, text)
    assert GlobSet([pattern], arn=True).match(text) == arn_reference(pattern, text)


def test_a_wildcard_in_an_arn_part_does_not_cross_a_colon() -> None:
    """Resource page: wildcards within the first five segments stay in their segment."""
    assert arn_match("arn:aws:*:us-east-1:*:table/T", "arn:aws:dynamodb:us-east-1:1:table/T")
    assert not arn_match("arn:aws:dynamodb:*:1:table/T", "arn:aws:dynamodb:us:east:1:table/T")
    assert arn_match("arn:aws:dynamodb:*:*:table/T", "arn:aws:dynamodb:us:east:table/T")
    # the resource part may hold colons
    assert arn_match("arn:aws:*:*:*:function:*", "arn:aws:lambda:eu-west-1:1:function:f:2")


def test_glob_sets_split_their_patterns_by_kind() -> None:
    s = GlobSet(["s3:GetObject", "s3:List*", "iam:?et*", "*:Describe*"], ignore_case=True)
    assert s.match("S3:GETOBJECT") and s.match("s3:listbucket") and s.match("iam:GetRole")
    assert s.match("ec2:DescribeInstances")
    assert not s.match("s3:PutObject") and not s.match("iam:PassRole")
    assert GlobSet(["*"]).match("anything") and not GlobSet([]).match("")


def test_many_stars_against_a_long_action_that_does_not_match() -> None:
    """Issue 13: ``s3:a*a*a*a*a*a*a*a*a*a*b`` against a 40-character action hung."""
    pattern = "s3:" + "a*" * 10 + "b"
    assert not glob_match(pattern, "s3:" + "a" * 40, ignore_case=True)
    assert not glob_match(pattern, "s3:" + "a" * 100_000, ignore_case=True)
    assert glob_match(pattern, "s3:" + "a" * 100_000 + "b", ignore_case=True)


def test_many_path_stars_against_a_deep_object_key() -> None:
    """Issue 13: ``.../*/*/*/*/*/*/*.gz`` against a 100-segment key ran past 60 s."""
    pattern = "arn:aws:s3:::logs/*/*/*/*/*/*/*.gz"
    key = "arn:aws:s3:::logs/" + "/".join(["x"] * 100)
    assert not arn_match(pattern, key)
    assert arn_match(pattern, key + ".gz")
    assert not arn_match(pattern, "arn:aws:s3:::logs/" + "/" * 50_000 + "a.gzz")


def _decide(policy: dict[str, object], action: str, resource: str,
            context: dict[str, str] | None = None) -> tuple[str, str]:
    request = Request.of(USER, action, resource, context, resource_account="111122223333")
    policies = PolicySet.of(identity=[parse_policy(policy)])
    return (evaluate(request, policies).decision,
            evaluate(request, policies, explain=True).decision)


def test_hostile_wildcards_are_decided_everywhere_in_a_statement() -> None:
    """Action, NotAction, Resource, NotResource and StringLike / ArnLike with many stars:
    the engine answers (and quick and explained evaluation agree)."""
    stars = "a*" * 12 + "b"
    long = "a" * 5000
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": f"s3:{stars}", "Resource": "*"},
        {"Effect": "Allow", "NotAction": f"s3:{stars}", "NotResource": f"arn:aws:s3:::{stars}",
         "Condition": {"StringLike": {"aws:userid": stars},
                       "ArnLike": {"aws:SourceArn": f"arn:aws:*:*:*:{stars}"}}}]}
    context = {"aws:userid": long, "aws:SourceArn": f"arn:aws:sns:eu-west-1:1:{long}"}
    assert _decide(policy, f"s3:{long}", f"arn:aws:s3:::{long}", context) == (
        "implicitDeny", "implicitDeny")
    context = {"aws:userid": long + "b", "aws:SourceArn": f"arn:aws:sns:eu-west-1:1:{long}b"}
    assert _decide(policy, "sqs:SendMessage", f"arn:aws:s3:::{long}", context) == (
        "allowed", "allowed")


def test_variables_in_a_resource_with_stars_are_decided() -> None:
    """A Resource with a policy variable and many stars (IAM User Guide, "IAM policy
    elements: Variables and tags"): characters from the variable are literal."""
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::b/${aws:username}/" + "*/" * 10 + "*.gz"}]}
    key = "arn:aws:s3:::b/alice/" + "x/" * 3000
    ctx = {"aws:username": "alice"}
    assert _decide(policy, "s3:GetObject", key, ctx) == ("implicitDeny", "implicitDeny")
    assert _decide(policy, "s3:GetObject", key + ".gzip", ctx) == ("implicitDeny",
                                                                   "implicitDeny")
    assert _decide(policy, "s3:GetObject", key + ".gz", ctx) == ("allowed", "allowed")
    deep = "arn:aws:s3:::b/alice/" + "x/" * 11 + "a.gz"
    assert _decide(policy, "s3:GetObject", deep, ctx) == ("allowed", "allowed")
    assert _decide(policy, "s3:GetObject", deep, {"aws:username": "a*"}) == (
        "implicitDeny", "implicitDeny")


def test_an_unterminated_variable_is_plain_text() -> None:
    """``${`` without a closing ``}`` is not a variable: the text stays as written (and is
    read in one pass, issue 13: 30,000 of them took 18 s)."""
    text = "arn:aws:s3:::" + "${" * 30_000
    assert split_template(text) == ((False, text, None),)
    assert substitute(text, Request.of(USER, "s3:GetObject", "*").context) == text
    assert split_template("a${x}${") == ((False, "a", None), (True, "x", None),
                                         (False, "${", None))
    assert split_template("${aws:username, 'anon'}") == ((True, "aws:username", "anon"),)
