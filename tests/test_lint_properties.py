"""The linter never raises, whatever it is given: random documents come back as findings."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamlab.lint import Finding, lint_policy

KINDS = ("identity", "resource", "trust", "boundary", "scp", "rcp", "session")
WORDS = ["*", "s3:GetObject", "s3:Get*", "iam:*", "sts:AssumeRole", "s4:Nope", "arn:aws:s3:::b",
         "arn:aws:s3:::b/*", "arn:aws:iam::111122223333:role/R", "111122223333",
         "lamda.amazonaws.com", "ec2.amazonaws.com", "aws:SourceIp", "aws:TagKeys",
         "${aws:username}", "arn:", "Allow", "Deny", "",
         "arn:aws:iam::111122223333:saml-provider/X", "s3:prefix", "\u201c"]
KEYS = ["Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action",
        "NotAction", "Resource", "NotResource", "Condition", "AWS", "Service", "Federated",
        "StringEquals", "ForAnyValue:StringNotLike", "IpAddress", "Bool", "Null",
        "NumericLessThanIfExists", "ForAllValues:ArnLike", "aws:SourceIp",
        "aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "s3:prefix", "x"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.sampled_from(WORDS), st.text(max_size=12))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)),
                                            inner, max_size=5)),
    max_leaves=30)
statement = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8)
documents = st.one_of(
    json_values,
    st.fixed_dictionaries({"Version": st.sampled_from(["2012-10-17", "2008-10-17", "x"]),
                           "Statement": st.one_of(statement, st.lists(statement, max_size=4))}),
)


def check(source: Any, kind: str) -> None:
    found = lint_policy(source, kind)
    assert isinstance(found, list)
    assert all(isinstance(f, Finding) for f in found)
    assert "lint-internal-error" not in [f.code for f in found], [str(f) for f in found]
    for f in found:
        assert f.severity in ("error", "warning", "suggestion")
        json.dumps(f.to_dict())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from(KINDS))
def test_random_documents_give_only_findings(doc: Any, kind: str) -> None:
    check(json.dumps(doc), kind)
    if isinstance(doc, dict):
        check(doc, kind)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(KINDS))
def test_random_text_gives_only_findings(text: str, kind: str) -> None:
    check(text, kind)


@settings(max_examples=100, deadline=None)
@given(documents, st.data())
def test_mangled_json_text_gives_only_findings(doc: Any, data: st.DataObject) -> None:
    text = json.dumps(doc, indent=1)
    cut = data.draw(st.integers(0, len(text)))
    check(text[:cut] + data.draw(st.text(max_size=3)) + text[cut:], "identity")
