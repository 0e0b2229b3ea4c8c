"""The policy linter: every finding code has a policy that triggers it and a corrected policy
that does not, and findings say where, why and how to fix.

References for the expected behaviour are cited per case (IAM User Guide sections).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamlab.lint import CODES, Finding, has_errors, lint_policy
from iamlab.lint.quotas import minified_length
from iamlab.policy import PolicyKind

ROLE = "arn:aws:iam::111122223333:role/App"
OTHER_ROLE = "arn:aws:iam::444455556666:role/Partner"
SAML = "arn:aws:iam::111122223333:saml-provider/Okta"
GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
OIDC = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"


def doc(*statements: dict[str, Any], version: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"Statement": list(statements)}
    if version:
        out = {"Version": "2012-10-17", **out}
    return out


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: Any, action: Any = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def text(policy: Any, indent: int | None = 2) -> str:
    return policy if isinstance(policy, str) else json.dumps(policy, indent=indent)


def codes(policy: Any, kind: str = "identity", **options: Any) -> list[str]:
    return [f.code for f in lint_policy(text(policy), kind, **options)]


def big_trust(statements: int, indent: int | None = None) -> str:
    """A trust policy whose size grows with ``statements``."""
    st = [trust({"AWS": f"arn:aws:iam::111122223333:role/Role{n:04d}"},
                Condition={"StringEquals": {"sts:ExternalId": f"id-{n:04d}"}})
          for n in range(statements)]
    return json.dumps(doc(*st), indent=indent)


def padded_managed(target: int) -> str:
    """An identity policy of about ``target`` characters without white space."""
    arns = []
    while len(json.dumps(doc(allow("s3:GetObject", arns)), separators=(",", ":"))) < target:
        arns.append(f"arn:aws:s3:::bucket/{len(arns):05d}/*")
    return json.dumps(doc(allow("s3:GetObject", arns)), indent=2)


OBJECT = "arn:aws:s3:::bucket/*"
BUCKET = "arn:aws:s3:::bucket"

# code, kind, policy that triggers it, corrected policy, options
CASES: list[tuple[str, str, Any, Any, dict[str, Any]]] = [
    # grammar (IAM User Guide, "IAM JSON policy grammar")
    ("grammar-bad-effect", "identity", doc({**allow("s3:GetObject", OBJECT), "Effect": "allow"}),
     doc(allow("s3:GetObject", OBJECT)), {}),
    ("grammar-invalid-json", "identity", '{"Version": "2012-10-17", "Statement": [],}',
     doc(allow("s3:GetObject", OBJECT)), {}),
    ("grammar-prohibited-resource", "trust", doc({**trust({"AWS": ROLE}), "Resource": "*"}),
     doc(trust({"AWS": ROLE})), {}),
    ("grammar-no-version", "identity", doc(allow("s3:GetObject", OBJECT), version=False),
     doc(allow("s3:GetObject", OBJECT)), {}),
    # actions (Service Authorization Reference; "Grant least privilege")
    ("action-unknown-service", "identity", doc(allow("s4:GetObject", OBJECT)),
     doc(allow("s3:GetObject", OBJECT)), {}),
    ("action-unknown", "identity", doc(allow("s3:GetObjects", OBJECT)),
     doc(allow("s3:GetObject", OBJECT)), {}),
    ("action-no-match", "identity", doc(allow("s3:GetFoo*", OBJECT)),
     doc(allow("s3:GetObject*", OBJECT)), {}),
    ("action-case", "identity", doc(allow("s3:getobject", OBJECT)),
     doc(allow("s3:GetObject", OBJECT)), {}),
    ("action-wildcard-all", "identity", doc(allow("*")), doc(allow("s3:GetObject", OBJECT)), {}),
    ("action-wildcard-service", "identity", doc(allow("s3:*", OBJECT)),
     doc(allow("s3:GetObject", OBJECT)), {}),
    ("action-wildcard-sensitive", "identity", doc(allow("iam:Put*", ROLE)),
     doc(allow("iam:GetRole", ROLE)), {}),
    ("action-wildcard-large", "identity", doc(allow("ec2:Describe*")),
     doc(allow("ec2:DescribeInstances")), {}),
    ("action-wildcard-in-service", "identity", doc(allow("s?:GetObject", OBJECT)),
     doc(allow("s3:GetObject", OBJECT)), {}),
    # resources ("IAM JSON policy elements: Resource", "Amazon Resource Names")
    ("resource-malformed-arn", "identity", doc(allow("s3:GetObject", "bucket/key")),
     doc(allow("s3:GetObject", "arn:aws:s3:::bucket/key")), {}),
    ("resource-arn-field", "identity",
     doc(allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:12345:table/T")),
     doc(allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/T")), {}),
    ("resource-mismatch", "identity", doc(allow("s3:GetObject", BUCKET)),
     doc(allow("s3:GetObject", OBJECT)), {}),
    ("resource-not-supported", "identity", doc(allow("s3:ListAllMyBuckets", BUCKET)),
     doc(allow("s3:ListAllMyBuckets", "*")), {}),
    ("resource-star", "identity", doc(allow("s3:GetObject", "*")),
     doc(allow("s3:GetObject", OBJECT)), {}),
    # conditions ("Condition operators", "Single-valued vs. multivalued context keys")
    ("condition-unknown-key", "identity",
     doc(allow("s3:GetObject", OBJECT, Condition={"IpAddress": {"aws:SourceIpAddress":
                                                                "203.0.113.0/24"}})),
     doc(allow("s3:GetObject", OBJECT, Condition={"IpAddress": {"aws:SourceIp":
                                                                "203.0.113.0/24"}})), {}),
    ("condition-key-not-for-actions", "identity",
     doc(allow("s3:GetObject", OBJECT, Condition={"StringLike": {"s3:prefix": "home/*"}})),
     doc(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": "home/*"}})),
     {}),
    ("condition-missing-ifexists", "identity",
     doc(allow(["ec2:RunInstances", "ec2:DescribeInstances"],
               Condition={"StringEquals": {"ec2:InstanceType": "t3.micro"}})),
     doc(allow(["ec2:RunInstances", "ec2:DescribeInstances"],
               Condition={"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}})), {}),
    ("condition-type-mismatch", "identity",
     doc(allow("s3:GetObject", OBJECT, Condition={"StringEquals": {"aws:SourceIp":
                                                                   "203.0.113.0/24"}})),
     doc(allow("s3:GetObject", OBJECT, Condition={"IpAddress": {"aws:SourceIp":
                                                                "203.0.113.0/24"}})), {}),
    ("condition-multivalued-without-set", "identity",
     doc(allow("s3:PutObjectTagging", OBJECT,
               Condition={"StringEquals": {"aws:TagKeys": ["team", "env"]}})),
     doc(allow("s3:PutObjectTagging", OBJECT,
               Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}})),
     {}),
    ("condition-forallvalues-single", "identity",
     doc(allow("s3:GetObject", OBJECT,
               Condition={"ForAllValues:StringEquals": {"aws:PrincipalTag/team": "blue"}})),
     doc(allow("s3:GetObject", OBJECT,
               Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})), {}),
    ("condition-foranyvalue-single", "identity",
     doc(allow("s3:GetObject", OBJECT,
               Condition={"ForAnyValue:StringEquals": {"aws:PrincipalTag/team": "blue"}})),
     doc(allow("s3:GetObject", OBJECT,
               Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})), {}),
    ("condition-foranyvalue-negated", "identity",
     doc(allow("s3:PutObjectTagging", OBJECT,
               Condition={"ForAnyValue:StringNotEquals": {"aws:TagKeys": "secret"}})),
     doc(allow("s3:PutObjectTagging", OBJECT,
               Condition={"ForAllValues:StringNotEquals": {"aws:TagKeys": "secret"}})), {}),
    ("condition-account-id", "trust",
     doc(trust({"Service": "ecs-tasks.amazonaws.com"},
               Condition={"StringEquals": {"aws:SourceAccount": "11112222333"}})),
     doc(trust({"Service": "ecs-tasks.amazonaws.com"},
               Condition={"StringEquals": {"aws:SourceAccount": "111122223333"}})), {}),
    ("condition-deny-missing-ifexists", "identity",
     doc(deny("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})),
     doc(deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})), {}),
    ("condition-deny-negated-absent", "identity",
     doc(deny("*", Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
     doc(deny("*", Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                              "Bool": {"aws:ViaAWSService": "false"}})), {}),
    # principals and trust ("Principal", "Roles terms and concepts", "confused deputy")
    ("trust-principal-star", "trust", doc(trust("*")), doc(trust({"AWS": ROLE})), {}),
    ("principal-public", "resource",
     doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECT}),
     doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECT,
          "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}), {}),
    ("trust-account-root", "trust", doc(trust({"AWS": "arn:aws:iam::111122223333:root"})),
     doc(trust({"AWS": ROLE})), {"account": "111122223333"}),
    ("trust-no-external-id", "trust", doc(trust({"AWS": OTHER_ROLE})),
     doc(trust({"AWS": OTHER_ROLE},
               Condition={"StringEquals": {"sts:ExternalId": "Partner-1234"}})),
     {"account": "111122223333"}),
    ("principal-unknown-service", "trust", doc(trust({"Service": "lamda.amazonaws.com"})),
     doc(trust({"Service": "lambda.amazonaws.com"})), {}),
    ("trust-confused-deputy", "trust", doc(trust({"Service": "codebuild.amazonaws.com"})),
     doc(trust({"Service": "codebuild.amazonaws.com"},
               Condition={"StringEquals": {"aws:SourceAccount": "111122223333"}})), {}),
    # GitHub's docs ("Configuring OpenID Connect in Amazon Web Services"): "you must define at
    # least one condition, so that untrusted repositories can't request access tokens"
    ("trust-oidc-no-subject", "trust",
     doc(trust({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity",
               Condition={"StringEquals": {
                   "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})),
     doc(trust({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity",
               Condition={"StringEquals": {
                   "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                   "StringLike": {"token.actions.githubusercontent.com:sub":
                                  "repo:octo-org/shop:ref:refs/heads/main"}})), {}),
    ("trust-no-assume-action", "trust", doc(trust({"AWS": ROLE}, "sts:GetCallerIdentity")),
     doc(trust({"AWS": ROLE})), {}),
    ("trust-wrong-action", "trust", doc(trust({"Federated": SAML})),
     doc(trust({"Federated": SAML}, "sts:AssumeRoleWithSAML")), {}),
    ("trust-non-sts-action", "trust", doc(trust({"AWS": ROLE}, ["sts:AssumeRole", "s3:GetObject"])),
     doc(trust({"AWS": ROLE}, ["sts:AssumeRole", "sts:TagSession"])), {}),
    # privilege escalation ("Pass a role to an AWS service", NotAction, NotResource)
    ("escalation-passrole-star", "identity", doc(allow("iam:PassRole", "*")),
     doc(allow("iam:PassRole", ROLE)), {}),
    ("escalation-iam-policy-write", "identity", doc(allow("iam:PutRolePolicy", ROLE)),
     doc(allow("iam:GetRolePolicy", ROLE)), {}),
    ("escalation-iam-credentials", "identity",
     doc(allow("iam:CreateAccessKey", "arn:aws:iam::111122223333:user/*")),
     doc(allow("iam:CreateAccessKey", "arn:aws:iam::111122223333:user/${aws:username}")), {}),
    ("escalation-allow-notaction", "identity",
     doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
     doc({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}), {}),
    ("escalation-allow-notresource", "identity",
     doc({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": OBJECT}),
     doc({"Effect": "Deny", "Action": "s3:GetObject", "NotResource": OBJECT}), {}),
    # quotas ("IAM and AWS STS quotas")
    ("quota-exceeded", "trust", big_trust(30), big_trust(5), {}),
    ("quota-whitespace", "trust", big_trust(10, indent=12), big_trust(10), {}),
    ("quota-near-limit", "identity", padded_managed(5700), padded_managed(3000), {}),
    ("quota-bad-character", "identity",
     json.dumps(doc(allow("s3:GetObject", OBJECT, Condition={
         "StringEquals": {"aws:PrincipalTag/team": "blue\u2019s"}})), ensure_ascii=False),
     doc(allow("s3:GetObject", OBJECT,
               Condition={"StringEquals": {"aws:PrincipalTag/team": "blues"}})), {}),
]


@pytest.mark.parametrize(("code", "kind", "bad", "good", "options"), CASES,
                         ids=[c[0] for c in CASES])
def test_each_code_is_triggered_and_a_corrected_policy_is_clean(
        code: str, kind: str, bad: Any, good: Any, options: dict[str, Any]) -> None:
    found = lint_policy(text(bad), kind, **options)
    assert code in [f.code for f in found], [str(f) for f in found]
    assert code not in codes(good, kind, **options)
    hit = next(f for f in found if f.code == code)
    assert hit.message and hit.doc_url.startswith("https://docs.aws.amazon.com/")
    assert hit.severity in ("error", "warning", "suggestion")


def test_every_code_has_a_case() -> None:
    covered = {c[0] for c in CASES} | {"grammar", "lint-internal-error",
                                       "escalation-allow-notprincipal"}
    assert set(CODES) - covered == set()


def test_allow_with_notprincipal_is_reported_once() -> None:
    # IAM User Guide, "AWS JSON policy elements: NotPrincipal": only with Deny. The parser
    # may already reject it; the linter then does not say it a second time.
    bad = doc({"Effect": "Allow", "NotPrincipal": {"AWS": ROLE}, "Action": "s3:GetObject",
               "Resource": OBJECT})
    found = [c for c in codes(bad, "resource") if "notprincipal" in c]
    assert len(found) == 1
    good = doc({"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "s3:GetObject",
                "Resource": OBJECT})
    assert not [c for c in codes(good, "resource") if "notprincipal" in c]


# ------------------------------------------------------------------ messages that teach


def test_object_action_on_a_bucket_arn_says_what_it_acts_on() -> None:
    policy = text(doc(allow("s3:GetObject", BUCKET)))
    [finding] = [f for f in lint_policy(policy) if f.code == "resource-mismatch"]
    assert finding.message.startswith(
        "s3:GetObject acts on objects, like arn:aws:s3:::bucket/key")
    assert "the statement names a bucket ARN (arn:aws:s3:::bucket)" in finding.message
    assert finding.fix == "arn:aws:s3:::bucket/*"
    assert finding.path == ("Statement", 0, "Resource")
    line = policy.splitlines()[finding.line - 1]  # type: ignore[operator]
    assert line[finding.column - 1:].startswith('"arn:aws:s3:::bucket"')  # type: ignore[operator]


def test_bucket_action_on_an_object_arn() -> None:
    found = lint_policy(text(doc(allow(["s3:ListBucket", "s3:GetObject"], OBJECT))))
    [finding] = [f for f in found if f.code == "resource-mismatch"]
    assert finding.message.startswith("s3:ListBucket acts on buckets, like arn:aws:s3:::bucket")
    # both ARNs: each action finds its own resource, nothing to report
    assert "resource-mismatch" not in codes(doc(allow(["s3:ListBucket", "s3:GetObject"],
                                                      [BUCKET, OBJECT])))


def test_typo_gets_did_you_mean_and_fix() -> None:
    [finding] = [f for f in lint_policy(text(doc(allow("s3:GetObjects", OBJECT))))
                 if f.code == "action-unknown"]
    assert "Did you mean s3:GetObject" in finding.message
    assert finding.fix == "s3:GetObject"
    assert finding.severity == "error"
    assert finding.path == ("Statement", 0, "Action")
    assert (finding.line, finding.column) == (6, 17)


def test_action_typo_in_a_list_points_at_the_item() -> None:
    policy = doc(allow(["s3:GetObject", "s3:PutObjekt"], OBJECT))
    [finding] = [f for f in lint_policy(text(policy)) if f.code == "action-unknown"]
    assert finding.path == ("Statement", 0, "Action", 1)
    assert finding.fix == "s3:PutObject"


def test_date_key_with_numeric_operator() -> None:
    # IAM User Guide, "Condition operators": date keys need the Date operators.
    policy = doc(allow("s3:GetObject", OBJECT,
                       Condition={"NumericLessThan": {"aws:CurrentTime": "1767225600"}}))
    [finding] = [f for f in lint_policy(text(policy)) if f.code == "condition-type-mismatch"]
    assert finding.fix == "DateLessThan"
    assert "aws:CurrentTime is a date and time" in finding.message
    assert finding.path == ("Statement", 0, "Condition", "NumericLessThan", "aws:CurrentTime")


def test_ip_key_with_string_operator_suggests_ipaddress() -> None:
    policy = doc(deny("*", Condition={"StringNotEquals": {"aws:SourceIp": "203.0.113.0/24"}}))
    [finding] = [f for f in lint_policy(text(policy)) if f.code == "condition-type-mismatch"]
    assert finding.fix == "NotIpAddress"


def test_mfa_deny_trap_suggests_boolifexists() -> None:
    # IAM User Guide, "aws:MultiFactorAuthPresent": absent for long-term access keys.
    policy = doc(deny("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    [finding] = [f for f in lint_policy(text(policy))
                 if f.code == "condition-deny-missing-ifexists"]
    assert finding.fix == "BoolIfExists"
    assert "long-term access keys" in finding.message


def test_negated_deny_explains_that_ifexists_would_not_help() -> None:
    policy = doc(deny("*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}))
    [finding] = [f for f in lint_policy(text(policy))
                 if f.code == "condition-deny-negated-absent"]
    assert "IfExists would not change that" in finding.message
    assert "aws:ViaAWSService" in (finding.fix or "")


def test_web_identity_provider_keys_are_not_unknown() -> None:
    policy = doc(trust({"Federated": OIDC}, "sts:AssumeRoleWithWebIdentity",
                       Condition={"StringEquals": {
                           "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                           "token.actions.githubusercontent.com:sub": "repo:org/app:ref:x"}}))
    assert codes(policy, "trust") == []


def test_oidc_principal_needs_web_identity_action() -> None:
    found = lint_policy(text(doc(trust({"Federated": OIDC}))), "trust")
    [finding] = [f for f in found if f.code == "trust-wrong-action"]
    assert finding.fix == "sts:AssumeRoleWithWebIdentity"
    assert "web identity (OIDC)" in finding.message


def test_star_principal_with_condition_is_a_warning_not_an_error() -> None:
    with_condition = doc(trust("*", Condition={"StringEquals": {"aws:PrincipalOrgID":
                                                                "o-a1b2c3d4e5"}}))
    [finding] = [f for f in lint_policy(text(with_condition), "trust")
                 if f.code == "trust-principal-star"]
    assert finding.severity == "warning"
    [bare] = [f for f in lint_policy(text(doc(trust("*"))), "trust")
              if f.code == "trust-principal-star"]
    assert bare.severity == "error"


def test_external_id_without_known_account_is_only_a_suggestion() -> None:
    # Third parties are trusted by account ("Access to AWS accounts owned by third
    # parties"): without the role's own account, only an account principal gets the hint.
    partner = {"AWS": "arn:aws:iam::444455556666:root"}
    [finding] = [f for f in lint_policy(text(doc(trust(partner))), "trust")
                 if f.code == "trust-no-external-id"]
    assert finding.severity == "suggestion"
    assert "trust-no-external-id" not in codes(doc(trust({"AWS": OTHER_ROLE})), "trust")
    [known] = [f for f in lint_policy(text(doc(trust({"AWS": OTHER_ROLE}))), "trust",
                                      account="111122223333")
               if f.code == "trust-no-external-id"]
    assert known.severity == "warning"
    assert codes(doc(trust({"AWS": ROLE})), "trust", account="111122223333") == []


def test_account_root_explains_delegation() -> None:
    [finding] = [f for f in lint_policy(text(doc(trust({"AWS": "111122223333"}))), "trust",
                                        account="111122223333")
                 if f.code == "trust-account-root"]
    assert "stands for the whole account 111122223333, not its root user" in finding.message


def test_misspelt_service_principal_suffix() -> None:
    [finding] = [f for f in lint_policy(text(doc(trust({"Service": "ec2.amazonaws.co"}))),
                                        "trust") if f.code == "principal-unknown-service"]
    assert finding.fix == "ec2.amazonaws.com"
    assert finding.severity == "error"


@pytest.mark.parametrize(("principal", "fix"), [("ec2.amazon.com", "ec2.amazonaws.com"),
                                               ("lamda.amazon.com", "lambda.amazonaws.com")])
def test_a_service_principal_ending_in_amazon_com(principal: str, fix: str) -> None:
    """Service principals end in .amazonaws.com (IAM User Guide, "AWS JSON policy elements:
    Principal", "AWS service principals"); only Alexa's end in .amazon.com. A learner's
    "ec2.amazon.com" is refused by IAM ("Invalid principal"), so it is an error with a fix."""
    [finding] = [f for f in lint_policy(text(doc(trust({"Service": principal}))), "trust")
                 if f.code == "principal-unknown-service"]
    assert finding.fix == fix and finding.severity == "error"
    assert "only a few Alexa ones end in .amazon.com" in finding.message
    assert not [f for f in lint_policy(text(doc(trust({"Service": "alexa-appkit.amazon.com"}))),
                                       "trust") if f.code == "principal-unknown-service"]


def test_an_account_key_with_a_digit_too_few_says_where_and_why() -> None:
    """aws:SourceAccount and the other account keys hold a 12-digit account ID (IAM User
    Guide, "AWS global condition context keys"): a learner's 11-digit value is accepted by
    IAM and silently matches nothing; wildcards with StringLike and policy variables are
    left alone."""
    def found(value: Any, op: str = "StringEquals") -> list[Finding]:
        bad = doc(trust({"Service": "ecs-tasks.amazonaws.com"},
                        Condition={op: {"aws:SourceAccount": value}}))
        return [f for f in lint_policy(text(bad), "trust") if f.code == "condition-account-id"]

    [finding] = found("11112222333")
    assert finding.message.startswith('"11112222333" (11 digits) is not an account ID')
    assert finding.message.endswith("the condition is never true.")
    assert (finding.line, finding.column) == (12, 32)
    [second] = found(["111122223333", "44445555666"])
    assert second.path[-1] == 1 and "44445555666" in second.message
    assert "always true" in found("acme", "StringNotEquals")[0].message
    assert found("1111*", "StringLike") == found("${aws:PrincipalAccount}") == []


def test_wildcard_breadth_only_for_policies_that_grant() -> None:
    # An SCP or a boundary only limits: "*" there is the normal way to allow through.
    assert "action-wildcard-all" not in codes(doc(allow("*")), "scp")
    assert "action-wildcard-all" not in codes(doc(allow("*")), "boundary")
    assert "action-wildcard-all" not in codes(doc(deny("*")), "identity")


def test_unknown_action_is_an_error_and_sets_has_errors() -> None:
    assert has_errors(lint_policy(text(doc(allow("s3:GetObjects", OBJECT)))))
    assert not has_errors(lint_policy(text(doc(allow("s3:GetObject", OBJECT)))))


# ------------------------------------------------------------------ clean policies


@pytest.mark.parametrize(("kind", "policy"), [
    ("identity", doc(allow(["s3:GetObject", "s3:PutObject"], OBJECT),
                     allow("s3:ListBucket", BUCKET,
                           Condition={"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}))),
    ("trust", doc(trust({"Service": "lambda.amazonaws.com"}))),
    ("trust", doc(trust({"AWS": ROLE}, ["sts:AssumeRole", "sts:TagSession"]))),
    ("trust", doc(trust({"Federated": SAML}, "sts:AssumeRoleWithSAML",
                        Condition={"StringEquals": {"SAML:aud":
                                                    "https://signin.aws.amazon.com/saml"}}))),
    ("scp", doc(deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
                     Sid="RegionLock"), allow("*"))),
    ("boundary", doc(allow(["s3:*", "dynamodb:*"]))),
    ("session", doc(allow("s3:GetObject", OBJECT))),
    ("resource", doc({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:GetObject",
                      "Resource": OBJECT})),
])
def test_good_policies_have_no_findings(kind: str, policy: Any) -> None:
    assert [str(f) for f in lint_policy(text(policy), kind)] == []


# ------------------------------------------------------------------ inputs of every shape


def test_dict_bytes_and_path_inputs(tmp_path: Path) -> None:
    policy = doc(allow("s3:GetObjects", OBJECT))
    from_dict = lint_policy(policy)
    assert [f.code for f in from_dict] == ["action-unknown"]
    assert from_dict[0].line is None and from_dict[0].path == ("Statement", 0, "Action")
    file = tmp_path / "p.json"
    file.write_text(text(policy))
    assert [f.code for f in lint_policy(file)] == ["action-unknown"]
    assert [f.code for f in lint_policy(text(policy).encode())] == ["action-unknown"]


@pytest.mark.parametrize("source", [
    "", "null", "[]", "{}", "42", '"text"', '{"Statement": 5}', '{"Statement": [1, "x", null]}',
    '{"Version": 7, "Statement": {"Effect": ["Allow"], "Action": {"a": 1}, "Resource": [[]]}}',
    '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
    '"Condition": {"StringEquals": [], "Foo": {"k": {}}, "Bool": {"aws:SecureTransport": '
    '[true, null]}}}]}',
    '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": [1, "*"], "Service": {}}, '
    '"Action": ["sts:AssumeRole", 3], "Resource": "arn"}]}',
    "[" * 2000 + "]" * 2000, '{"a": 1e999999}', "\ufeff{}",
    '{"Statement": [{"Sid": "\\ud800"}]}',
    b"\xff\xfe\x00", "{" + '"k": 1,' * 3 + "}",
])
def test_never_raises(source: Any) -> None:
    for kind in ("identity", "trust", "resource", "scp", "session"):
        found = lint_policy(source, kind)
        assert all(isinstance(f, Finding) for f in found)
        assert "lint-internal-error" not in [f.code for f in found]
        assert found  # every one of these is broken in some way


def test_missing_file_is_a_finding(tmp_path: Path) -> None:
    [finding] = lint_policy(tmp_path / "absent.json")
    assert finding.code == "grammar-unreadable" and finding.severity == "error"


def test_bad_arguments_raise_value_error() -> None:
    with pytest.raises(ValueError):
        lint_policy("{}", "policy")
    with pytest.raises(ValueError):
        lint_policy("{}", container="bucket")


def test_to_dict_is_json() -> None:
    [finding] = lint_policy(text(doc(allow("s3:GetObjects", OBJECT))))
    data = json.loads(json.dumps(finding.to_dict()))
    assert data["code"] == "action-unknown"
    assert data["path"] == "Statement[0].Action"
    assert (data["line"], data["column"]) == (6, 17)
    assert data["fix"] == "s3:GetObject"
    assert data["doc"].startswith("https://docs.aws.amazon.com/")


# ------------------------------------------------------------------ size quotas


def test_curly_quotes_are_explained() -> None:
    source = '{"Version": "2012-10-17", "Statement": [{\u201cEffect\u201d: "Allow"}]}'
    found = lint_policy(source)
    assert found[0].code == "grammar-invalid-json"
    [char] = [f for f in found if f.code == "quota-bad-character"]
    assert "curly quote" in char.message and char.fix == '"'
    assert (char.line, char.column) == (1, 42)


def test_minified_length_counts_as_iam_does() -> None:
    # IAM and AWS STS quotas: "IAM does not count white space"; spaces inside strings stay.
    source = '{\n  "Sid" : "a b",\n\t"x": [1, 2]\r\n}'
    assert minified_length(source) == len('{"Sid":"a b","x":[1,2]}')
    tricky = '{"a\\" b": "c \\\\ "}'
    assert minified_length(tricky) == len(json.dumps(json.loads(tricky), ensure_ascii=False,
                                                     separators=(",", ":")))


def test_managed_policy_white_space_does_not_count() -> None:
    # ~5,700 characters minified: near the 6,144 quota, however much indentation it has.
    compact = json.loads(padded_managed(5700))
    indented = json.dumps(compact, indent=8)
    assert len(indented) > 6144
    found = codes(indented, "identity")
    assert "quota-exceeded" not in found and "quota-whitespace" not in found
    assert "quota-near-limit" in found


def test_container_option_sets_the_quota() -> None:
    policy = padded_managed(2500)  # over a user's 2,048 inline total, under the others
    assert "quota-exceeded" in codes(policy, "identity", container="user-inline")
    assert "quota-exceeded" not in codes(policy, "identity", container="group-inline")
    assert "quota-exceeded" not in codes(policy, "identity", container="none")
    assert not [c for c in codes(padded_managed(9000), "resource") if c.startswith("quota")]


def test_scp_counts_white_space_unless_saved_in_the_console() -> None:
    # AWS Organizations quotas: the console removes white space; the API keeps it.
    st = [deny(f"s3:Delete{n}*") for n in range(1)]
    policy = doc(*st, allow("*"))
    while len(json.dumps(policy, separators=(",", ":"))) < 4800:
        policy["Statement"].insert(0, {"Sid": f"S{len(policy['Statement'])}",
                                       **deny("s3:DeleteObject", OBJECT)})
    spaced = json.dumps(policy, indent=6)
    assert len(spaced) > 5120
    assert "quota-whitespace" in codes(spaced, "scp")
    assert "quota-exceeded" not in codes(spaced, "scp")


# -- where a finding is, in words; the guessed kind; the parser's action shape ---------------

def test_where_reads_as_words_for_the_whole_document_and_for_a_value() -> None:
    from iamlab.errors import Problem

    whole = Finding("grammar-no-version", "suggestion", "no Version", (), 1, 1)
    assert whole.where == "line 1, column 1"
    assert str(whole).startswith("line 1, column 1: suggestion [grammar-no-version]")
    assert Finding("x", "error", "m").where == "the document"  # no text, no path
    value = Finding("x", "error", "m", ("Statement", 0, "Effect"), 3, 7)
    assert value.where == "line 3, column 7 (Statement[0].Effect)"
    assert Finding("x", "error", "m", ("Statement", 0)).where == "Statement[0]"
    # the same words as the parser's problems
    for path, line, column in (((), 1, 1), ((), None, None), (("Statement", 0), 2, 5)):
        assert Finding("x", "error", "m", path, line, column).where == \
            Problem("x", "m", path, line, column).where
    assert "(document)" not in str(lint_policy("[1]")[0])


def test_lint_document_guesses_the_kind_and_says_which() -> None:
    from iamlab.lint import lint_document

    trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                 "Action": "sts:AssumeRole"})
    kind, found = lint_document(text(trust))
    assert kind is PolicyKind.TRUST and found == lint_policy(text(trust), "trust")
    assert lint_document(text(trust), "identity")[0] is PolicyKind.IDENTITY
    assert lint_policy(text(trust), "auto") == found
    # not JSON (NaN is not JSON, though Python's json module reads it): identity, as before
    assert lint_document('{"Statement": [{"Principal": "*", "Action": "sts:AssumeRole", '
                         '"X": NaN}]}')[0] is PolicyKind.IDENTITY
    with pytest.raises(ValueError):
        lint_document("{}", "bucket")


def test_lint_and_the_parser_share_one_action_shape() -> None:
    from iamlab import parse
    from iamlab.lint import actions, common, resources

    assert common.ACTION_SHAPE is parse.ACTION_SHAPE
    assert actions.ACTION_SHAPE is parse.ACTION_SHAPE is resources.ACTION_SHAPE
    assert parse.ACTION_SHAPE.match("s3:Get*") and not parse.ACTION_SHAPE.match("s3 GetObject")


def test_resource_star_example_is_an_arn_of_the_actions_own_service() -> None:
    """ssm:* on "*" is shown an SSM ARN to name, not an ECS task's (some SSM actions also act
    on other services' resources, like ssm:AddTagsToResource)."""
    found = [f for f in lint_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ssm:*", "Resource": "*"}]}) if f.code == "resource-star"]
    assert found and ":ssm:" in (found[0].fix or "") and ":ecs:" not in found[0].message
