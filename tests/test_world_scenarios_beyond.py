"""The worlds of notebooks 06 and 09: how AWS decides, and sessions.

References (IAM User Guide): "Policy evaluation logic" and "How AWS enforcement code logic
evaluates requests to allow or deny access" ("An explicit deny overrides an explicit
allow"); "Policy evaluation for requests within a single account" (a resource-based policy
naming an IAM user grants on its own); "Cross-account policy evaluation logic" (both
accounts must allow); "Permissions boundaries for IAM entities" (a boundary limits, never
grants); "Methods to assume a role" (DurationSeconds up to the role's MaxSessionDuration,
"role chaining limits your AWS CLI or AWS API role session to a maximum of one hour");
"Pass session tags in AWS STS" (transitive tags pass along a chain); "Monitor and control
actions taken with assumed roles" (source identity persists along a chain); "Revoke IAM
role temporary security credentials" (a Deny on aws:TokenIssueTime); AWS Organizations User
Guide, "RemoveAccountFromOrganization".
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from iamlab.world import AccessDenied, NotFound, ServiceError, ValidationError
from iamlab.world import scenarios as S

REPORT = "arn:aws:s3:::reports/q3.csv"


# -- how AWS decides --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def decides() -> S.HowAwsDecides:
    return S.how_aws_decides()


def test_each_kind_of_policy_decides_one_request(decides: S.HowAwsDecides) -> None:
    """An Allow that nothing denies allows; a Deny in the role's own policy, or an SCP's
    Deny, overrides it; what the boundary does not allow is implicitly denied."""
    eng = decides.engineer
    assert eng.arn == "arn:aws:sts::111122223333:assumed-role/DataEngineer/erin"
    assert eng.can("s3:GetObject", REPORT).allowed
    delete = eng.can("s3:DeleteObject", "arn:aws:s3:::archive/2019/q1.csv")
    assert (delete.decision, delete.blocked_by.value) == ("explicitDeny", "identity")
    cap = eng.can("s3:PutBucketPolicy", "arn:aws:s3:::reports")
    assert (cap.decision, cap.blocked_by.value) == ("implicitDeny", "boundary")
    scp = eng.can("s3:DeleteBucket", "arn:aws:s3:::reports")
    assert (scp.decision, scp.blocked_by.value) == ("explicitDeny", "scp")


def test_a_same_account_bucket_policy_grants_alone_but_not_across_accounts(
        decides: S.HowAwsDecides) -> None:
    assert decides.auditor.s3.get_object(Bucket="reports", Key="q3.csv")["Body"].read()
    with pytest.raises(AccessDenied) as err:
        decides.outsider.s3.get_object(Bucket="reports", Key="q3.csv")
    assert err.value.decision.reason == "cross-identity-gap"


def test_the_scp_does_not_bind_the_management_account() -> None:
    s = S.how_aws_decides()
    org = s.world.organization
    assert org is not None and org.management_account == S.MANAGEMENT
    assert org.levels(S.MANAGEMENT, org.policies["NoBucketDeletion"].kind) is None
    assert org.levels(S.WORKLOADS, org.policies["NoBucketDeletion"].kind) is not None


def test_an_account_can_leave_the_organisation() -> None:
    s = S.how_aws_decides()
    org = s.world.organization
    assert org is not None
    org.remove_account(S.PARTNER)
    assert S.PARTNER not in org
    with pytest.raises(NotFound):
        org.remove_account(S.PARTNER)
    with pytest.raises(ServiceError):
        org.remove_account(S.MANAGEMENT)


# -- sessions ---------------------------------------------------------------------------------
def assume(s: S.Sessions, **kw: object) -> dict:
    return s.dana.sts.assume_role(RoleArn=s.role_arn, RoleSessionName="dana", **kw)


def test_a_session_lasts_an_hour_by_default_and_up_to_max_session_duration() -> None:
    s = S.sessions()
    now = s.world.clock.now()
    assert assume(s)["Credentials"]["Expiration"] == now + timedelta(hours=1)
    assert assume(s, DurationSeconds=4 * 3600)["Credentials"]["Expiration"] == \
        now + timedelta(hours=4)
    with pytest.raises(ValidationError, match="MaxSessionDuration"):
        assume(s, DurationSeconds=4 * 3600 + 1)


def test_a_chained_session_is_capped_at_one_hour_whatever_the_role_allows() -> None:
    s = S.sessions()
    analyst = s.world.session(assume(s, DurationSeconds=4 * 3600)["Credentials"])
    with pytest.raises(ValidationError, match="1 hour session limit"):
        analyst.sts.assume_role(RoleArn=s.publisher_arn, RoleSessionName="publish",
                                DurationSeconds=7200)
    made = analyst.sts.assume_role(RoleArn=s.publisher_arn, RoleSessionName="publish")
    assert made["Credentials"]["Expiration"] == s.world.clock.now() + timedelta(hours=1)


def test_a_session_policy_leaves_the_intersection() -> None:
    s = S.sessions()
    only_2025 = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/2025/*"}]}
    narrow = s.world.session(assume(s, Policy=only_2025)["Credentials"])
    assert narrow.can("s3:GetObject", "arn:aws:s3:::reports/2025/q1.csv").allowed
    assert narrow.can("s3:GetObject", "arn:aws:s3:::reports/2024/q4.csv").blocked_by.value \
        == "session"
    # the session policy allows s3:*, but the role never allowed PutObject: no grant
    assert not narrow.can("s3:PutObject", "arn:aws:s3:::reports/2025/new.csv").allowed


def test_session_tags_and_source_identity_travel_along_the_chain() -> None:
    s = S.sessions()
    made = assume(s, Tags=[{"Key": "team", "Value": "finance"}], TransitiveTagKeys=["team"],
                  SourceIdentity="dana")
    analyst = s.world.session(made["Credentials"])
    assert analyst.can("s3:GetObject", "arn:aws:s3:::reports/teams/finance/budget.csv")
    assert not analyst.can("s3:GetObject", "arn:aws:s3:::reports/teams/sales/pipeline.csv")
    chained = analyst.sts.assume_role(RoleArn=s.publisher_arn, RoleSessionName="publish")
    assert chained["SourceIdentity"] == "dana"
    publisher = s.world.session(chained["Credentials"])
    assert publisher.can("s3:PutObject", "arn:aws:s3:::reports/teams/finance/new.csv")
    assert not publisher.can("s3:PutObject", "arn:aws:s3:::reports/teams/sales/new.csv")


def test_revoking_sessions_denies_only_credentials_issued_before() -> None:
    s = S.sessions()
    old = s.world.session(assume(s)["Credentials"])
    s.world.clock.advance(minutes=5)
    cutoff = s.world.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    s.admin.iam.put_role_policy(RoleName="ReportsAnalyst", PolicyName="AWSRevokeOlderSessions",
                                PolicyDocument={"Version": "2012-10-17", "Statement": [{
                                    "Effect": "Deny", "Action": "*", "Resource": "*",
                                    "Condition": {"DateLessThan": {
                                        "aws:TokenIssueTime": cutoff}}}]})
    with pytest.raises(AccessDenied):
        old.s3.get_object(Bucket="reports", Key="2025/q1.csv")
    new = s.world.session(assume(s)["Credentials"])
    assert new.s3.get_object(Bucket="reports", Key="2025/q1.csv")["Body"].read()


# -- the predicted decision table of notebook 06 ----------------------------------------------
def test_the_twelve_questions_cover_every_answer_and_kind_of_policy() -> None:
    answers = [q.decide() for q in S.how_aws_decides().questions()]
    assert len(answers) == 12
    assert {a.decision for a in answers} == {"allowed", "implicitDeny", "explicitDeny"}
    assert {a.blocked_by.value for a in answers if a.blocked_by} == {
        "identity", "boundary", "scp"}
    assert any(a.reason == "resource-direct" for a in answers)
    assert any(a.reason == "cross-identity-gap" for a in answers)


def test_the_prediction_table_marks_wrong_predictions_with_the_engines_reason() -> None:
    from iamlab.widgets import PredictionTable

    table = PredictionTable(S.how_aws_decides().questions())
    for row in range(12):
        table.predict(row, "allowed")
    table.predict(1, "explicit deny")
    right = table.check()
    answers = table.answers()
    assert right == sum(a.decision == "allowed" for a in answers) + 1
    assert "right: explicit deny" in table.verdicts[1].value
    wrong = table.verdicts[3].value  # PutBucketPolicy: the boundary decides
    assert "you said allowed" in wrong and "permissions boundary" in wrong
    assert f"{right} of 12 right" in table.score.value


def test_a_row_without_prediction_still_shows_the_answer_and_text_is_escaped() -> None:
    from iamlab.widgets.predictions import PredictionTable

    q = S.how_aws_decides().questions()[0]
    fake = S.Question("<b>mallory</b>", q.session, q.action, q.resource)
    table = PredictionTable([fake])
    table.check()
    assert "no prediction" in table.verdicts[0].value
    assert "<b>mallory</b>" not in table.children[1].children[0].value


# -- notebook 09's exercise: a session graded by inspecting it --------------------------------
TWO_THOUSAND_25 = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/2025/*"}]}


def session_for(duration: int | None = None, policy: dict | None = None, **kw: object):
    s = S.sessions()
    args: dict = dict(kw)
    if duration is not None:
        args["DurationSeconds"] = duration
    if policy is not None:
        args["Policy"] = policy
    return s.world.session(assume(s, **args)["Credentials"])


def test_the_reference_session_passes_silently(capsys: pytest.CaptureFixture[str]) -> None:
    from iamlab.exercises.sessions import check_session

    assert check_session(session_for(7200, TWO_THOUSAND_25)) is None
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(("name", "make", "says"), [
    ("not made", lambda: None, "you have not made the session yet"),
    ("the response, not a session", lambda: {"Credentials": {}}, "should be a session"),
    ("default duration", lambda: session_for(None, TWO_THOUSAND_25), "last 3600 seconds"),
    ("no session policy", lambda: session_for(7200), "reports/2024/q4.csv must be denied"),
    ("too broad a session policy", lambda: session_for(7200, {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                "Resource": "arn:aws:s3:::reports/*"}]}),
     "must be denied"),
    ("a policy for the wrong year", lambda: session_for(7200, {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": "arn:aws:s3:::reports/2024/*"}]}),
     "reports/2025/q1.csv must be allowed"),
    ("Dana herself", lambda: S.sessions().dana, "must be a session of"),
])
def test_known_wrong_sessions_fail_with_what_is_wrong(name: str, make, says: str) -> None:
    from iamlab.exercises import NotYet
    from iamlab.exercises.sessions import check_session

    with pytest.raises(NotYet, match="Not yet \\(two-hour-reports-2025\\)") as err:
        check_session(make())
    assert says in str(err.value), name
