"""Natural mistakes in Python get answers that say what is wrong and what to write (issue
14): the wrong argument to evaluate or PolicySet.of, a misspelt action, a principal or a
resource that is not an ARN, a file name given to parse_policy, a trust policy read as an
identity-based policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamlab import PolicySet, Request, evaluate, parse_policy
from iamlab.errors import IamlabError, PolicyError

ROOT = Path(__file__).resolve().parent.parent
ALICE = "arn:aws:iam::111122223333:user/alice"
READ = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}
GET = Request.of(ALICE, "s3:GetObject", "arn:aws:s3:::reports/q3.csv")


def test_evaluate_with_a_list_says_to_use_a_policy_set() -> None:
    with pytest.raises(IamlabError, match=r"takes a PolicySet second, not list.*"
                                          r"PolicySet\.of\(identity=\[policy\]\)"):
        evaluate(GET, [parse_policy(READ)])  # type: ignore[arg-type]
    with pytest.raises(IamlabError, match=r"takes a Request first.*Request\.of"):
        evaluate("alice", PolicySet.of())  # type: ignore[arg-type]


@pytest.mark.parametrize("given", [READ, json.dumps(READ), parse_policy(READ)],
                         ids=["dict", "json-text", "policy"])
def test_policy_set_takes_dicts_and_json_text(given: object) -> None:
    assert evaluate(GET, PolicySet.of(identity=[given])).allowed  # type: ignore[list-item]
    assert evaluate(GET, PolicySet.of(identity=given)).allowed  # type: ignore[arg-type]


def test_policy_set_says_what_it_expects() -> None:
    with pytest.raises(IamlabError, match=r"must be a Policy .*a dict or JSON text, not int"):
        PolicySet.of(identity=[42])  # type: ignore[list-item]
    with pytest.raises(PolicyError, match="Effect"):  # a dict is parsed, and checked
        PolicySet.of(identity=[{"Version": "2012-10-17", "Statement": [
            {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}])


def test_a_misspelt_action_gets_did_you_mean_in_the_explanation() -> None:
    d = evaluate(Request.of(ALICE, "s3:GetObjects", "arn:aws:s3:::reports/q3.csv"),
                 PolicySet.of(identity=[READ]), explain=True)
    assert d.decision == "implicitDeny"
    assert "s3:GetObjects is not an AWS action" in d.summary
    assert "did you mean s3:GetObject" in d.summary
    assert "did you mean s3:GetObject" in d.text()


def test_a_principal_that_is_not_an_arn_is_not_called_a_service() -> None:
    d = evaluate(Request.of("alice", "s3:GetObject", "arn:aws:s3:::reports/q3.csv"),
                 PolicySet.of(identity=[READ]))
    assert "the service alice" not in d.summary
    assert '"alice" is not an ARN' in d.summary
    assert "arn:aws:iam::111122223333:user/alice" in d.summary
    service = evaluate(Request.of("ec2.amazonaws.com", "s3:GetObject",
                                  "arn:aws:s3:::reports/q3.csv"), PolicySet.of())
    assert "the service ec2.amazonaws.com" in service.summary
    assert "not an ARN" not in service.summary


def test_a_resource_that_is_not_an_arn_gets_a_hint() -> None:
    d = evaluate(Request.of(ALICE, "s3:GetObject", "reports/q3.csv"),
                 PolicySet.of(identity=[READ]))
    assert not d.allowed
    assert '"reports/q3.csv" is not an ARN' in d.summary
    assert "arn:aws:s3:::reports/q3.csv" in d.summary
    assert "not an ARN" not in evaluate(GET, PolicySet.of(identity=[READ])).summary


def test_parse_policy_reads_a_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    (tmp_path / "read.json").write_text(json.dumps(READ), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert parse_policy("read.json").statements[0].actions == ("s3:GetObject",)
    with pytest.raises(PolicyError, match=r"cannot read missing\.json"):
        parse_policy("missing.json")
    with pytest.raises(PolicyError, match="invalid JSON"):  # text stays text
        parse_policy("nope")


def test_a_trust_policy_file_read_as_identity_says_to_pass_the_kind() -> None:
    path = str(ROOT / "examples" / "broken-trust-policy.json")
    with pytest.raises(PolicyError) as caught:
        parse_policy(path)
    assert "Hint: this looks like a role trust policy" in str(caught.value)
    assert 'parse_policy(source, "trust")' in str(caught.value)
    assert parse_policy(path, "trust").kind.value == "trust"
    with pytest.raises(PolicyError) as identity:
        parse_policy({"Version": "2012-10-17", "Statement": [
            {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]})
    assert "trust policy" not in str(identity.value)  # no hint where it does not fit


def test_one_statement_without_its_policy_says_to_wrap_it() -> None:
    """A learner who writes only a statement ({"Effect": ..., "Action": ...}) or a list of
    them hears once what is missing (the Version and Statement around it, IAM User Guide,
    "IAM JSON policy element reference"), not one "not a policy element" per key."""
    statement = READ["Statement"][0]
    for given, says in [(statement, "this is one statement, not a whole policy"),
                        (json.dumps(statement), "this is one statement, not a whole policy"),
                        ([statement], "these look like statements; put them in a policy")]:
        with pytest.raises(PolicyError) as info:
            parse_policy(given)  # type: ignore[arg-type]
        [problem] = info.value.problems
        assert says in problem.message
        assert '{"Version": "2012-10-17", "Statement": [' in problem.message


def test_a_widget_given_as_a_policy_says_so() -> None:
    """``answer = exercises.get(...).editor()`` hands the grader a widget, not a policy."""
    from iamlab.widgets import PolicyEditor

    with pytest.raises(PolicyError, match=r"not PolicyEditor \(that is a widget, not a policy: "
                                          r"give the policy it shows, as a dict"):
        parse_policy(PolicyEditor(json.dumps(READ)))  # type: ignore[arg-type]


@pytest.mark.parametrize(("principal", "action", "resource", "says"), [
    (ALICE, "", "arn:aws:s3:::reports/q3.csv", "No action was given: name one, such as "
                                               "s3:GetObject"),
    (ALICE, "s3:GetObject", "", 'No resource was given: name one by its ARN'),
    ("arn:aws:iam::11112222333:user/bob", "s3:GetObject", "arn:aws:s3:::reports/q3.csv",
     '"arn:aws:iam::11112222333:user/bob" names the account "11112222333" (11 digits), but '
     "an account ID has exactly 12 digits"),
    ("ec2.amazon.com", "s3:GetObject", "arn:aws:s3:::reports/q3.csv",
     '"ec2.amazon.com" is not an AWS service principal, so no trust policy can name it; did '
     "you mean ec2.amazonaws.com?"),
])
def test_a_request_that_cannot_be_meant_says_why(principal: str, action: str, resource: str,
                                                 says: str) -> None:
    """What a learner leaves empty or mistypes in the playground's request (who, wants to,
    on) is named in the explanation, not only "denied" (IAM User Guide, "IAM identifiers":
    an account ID is 12 digits; "AWS JSON policy elements: Principal": service principals)."""
    d = evaluate(Request.of(principal, action, resource), PolicySet.of(identity=[READ]))
    assert says in d.summary
    assert "names the account" not in evaluate(GET, PolicySet.of(identity=[READ])).summary


def test_the_request_hints_and_the_parser_agree_on_what_an_account_is() -> None:
    """One rule (iamlab.arn.bad_account) for both: CloudFront's legacy origin access identity,
    arn:aws:iam::cloudfront:user/..., is a principal, an 11-digit account is not."""
    oai = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1ABCDEF"
    d = evaluate(Request.of(oai, "s3:GetObject", "arn:aws:s3:::reports/q3.csv"),
                 PolicySet.of(identity=[READ]))
    assert "names the account" not in d.summary
    bad = "arn:aws:iam::11112222333:user/bob"
    d = evaluate(Request.of(bad, "s3:GetObject", "arn:aws:s3:::reports/q3.csv"),
                 PolicySet.of(identity=[READ]))
    assert '"11112222333" (11 digits)' in d.summary
