"""The playground's other policies (issue 12): a permissions boundary, an SCP, a session
policy and the resource's own policy, editable in tabs; edits flow through
:class:`RolePlayground`, which decides as AWS does, and the evaluation flow shows which step
decided. Rules: IAM User Guide, "Policy evaluation logic", "Permissions boundaries for IAM
entities", "Session policies", "Policy evaluation for requests within a single account";
AWS Organizations User Guide, "SCP evaluation"."""

from __future__ import annotations

import json
from typing import Any

import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from iamlab.errors import IamlabError  # noqa: E402
from iamlab.playground import Ask, RolePlayground  # noqa: E402
from iamlab.widgets import Playground  # noqa: E402
from iamlab.world import scenarios  # noqa: E402


def doc(effect: str, action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": action, "Resource": resource, **extra}]}


ALL_S3 = doc("Allow", "s3:*")
EC2_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
DELETE = Ask("ec2.amazonaws.com", "s3:DeleteObject", "arn:aws:s3:::reports/q3.csv")
ROLE = "arn:aws:iam::111122223333:role/AppRole"


@pytest.fixture
def model() -> RolePlayground:
    return RolePlayground.of(EC2_TRUST, ALL_S3)


def test_model_boundary_caps_the_role(model: RolePlayground) -> None:
    assert model.decide(DELETE).allowed
    capped = model.with_boundary(doc("Allow", "s3:GetObject"))
    act = capped.decide(DELETE).act
    assert act.decision == "implicitDeny" and act.flow().decided_at == "boundary"
    assert capped.with_boundary(None).decide(DELETE).allowed


def test_model_scp_on_the_account_denies_everyone_in_it(model: RolePlayground) -> None:
    act = model.with_scp(doc("Deny", "s3:DeleteObject")).decide(DELETE).act
    assert act.decision == "explicitDeny"
    only_reads = model.with_scp(doc("Allow", "s3:GetObject")).decide(DELETE).act
    assert only_reads.decision == "implicitDeny" and only_reads.flow().decided_at == "scp"


def test_model_session_policy_is_an_intersection(model: RolePlayground) -> None:
    act = model.with_session_policy(doc("Allow", "s3:GetObject")).decide(DELETE).act
    assert act.decision == "implicitDeny" and act.flow().decided_at == "session"


def test_model_bucket_policy_naming_the_role_grants_within_the_account(
        model: RolePlayground) -> None:
    """Same account: a resource-based policy that names the role behind the session allows
    without any identity-based policy ("Policy evaluation for requests within a single
    account")."""
    bare = model.with_permissions()
    assert not bare.decide(DELETE).act.allowed
    bucket = doc("Allow", "s3:DeleteObject", "arn:aws:s3:::reports/*",
                 Principal={"AWS": ROLE})
    act = bare.with_resource_policy(DELETE.resource, bucket).decide(DELETE).act
    assert act.allowed and act.flow().decided_at == "resource"
    assert bare.policy_holder(DELETE.resource) == "arn:aws:s3:::reports"


def _boundary_text(action: str) -> str:
    return json.dumps(doc("Allow", action), indent=2)


def test_a_boundary_edited_in_its_tab_flips_the_decision_and_the_flow() -> None:
    pg = Playground(EC2_TRUST, ALL_S3, action="s3:DeleteObject", tabs="all", flow=True,
                    boundary=_boundary_text("s3:*"), debounce=0)
    assert set(pg.layers) == {"boundary", "scp", "session", "resource"}
    assert pg.outcome is not None and pg.outcome.act.allowed
    assert pg.flow is not None and pg.flow.flow is not None
    assert pg.flow.flow.decided_at == "identity"
    pg.layers["boundary"].value = _boundary_text("s3:GetObject")
    pg.flush()
    assert pg.outcome.act.decision == "implicitDeny"
    assert pg.flow.flow.decided_at == "boundary"
    assert 'data-decided="boundary"' in pg.flow.summary.value
    assert 'permissions boundary &quot;AppRole-boundary&quot; does not allow it' in \
        pg.flow.summary.value
    node = next(line for line in pg.flow.graph.source.splitlines()
                if 'id="flow-boundary"' in line)
    assert "iamlab-flow-decided" in node and "decided here" in node
    pg.layers["boundary"].value = ""  # no boundary at all
    pg.flush()
    assert pg.outcome.act.allowed and pg.flow.flow.decided_at == "identity"


def test_scp_session_and_resource_tabs_count() -> None:
    pg = Playground(EC2_TRUST, ALL_S3, action="s3:DeleteObject", tabs="all", flow=True,
                    debounce=0)
    scp, session, resource = (pg.layers[k] for k in ("scp", "session", "resource"))
    assert scp.policy is None and scp.valid and "it does not count" in scp.status.value
    scp.value = json.dumps(doc("Deny", "s3:DeleteObject"))
    pg.flush()
    assert pg.outcome.act.decision == "explicitDeny"
    assert pg.flow.flow.decided_at == "deny"
    assert "service control policy" in pg.flow.flow.deciding_policy
    scp.value = ""
    session.value = json.dumps(doc("Allow", "s3:GetObject"))
    assert pg.outcome.act.decision == "implicitDeny"
    session.value = ""
    resource.value = json.dumps(doc("Deny", "s3:DeleteObject", "arn:aws:s3:::reports/*",
                                    Principal={"AWS": ROLE}))
    assert pg.outcome.act.decision == "explicitDeny"
    resource.value = '{"Version": "2012-10-17", "Statement": ['  # broken: stale, not used
    assert pg.view.stale and "the resource policy" in pg.view.stale_note.value
    assert pg.outcome.act.decision == "explicitDeny"


def test_tabs_start_from_the_world_and_bad_names_are_refused() -> None:
    scenario = scenarios.ec2_reads_s3()
    admin = scenario.admin
    arn = admin.iam.create_policy(PolicyName="OnlyList", PolicyDocument=doc(
        "Allow", "s3:ListBucket"))["Policy"]["Arn"]
    admin.iam.put_role_permissions_boundary(RoleName="ReportReader", PermissionsBoundary=arn)
    pg = Playground.from_world(scenario.world, "ReportReader", tabs=("boundary",),
                               resource="arn:aws:s3:::reports/q3.csv", debounce=0)
    assert pg.layers["boundary"].policy is not None
    assert "s3:ListBucket" in pg.layers["boundary"].value
    assert "not editable" not in pg.notice.value  # the boundary has its tab
    assert pg.outcome.act.decision == "implicitDeny"  # the world's boundary caps reading
    assert pg.outcome.act.flow().decided_at == "boundary"
    pg.layers["boundary"].value = json.dumps(doc("Allow", "s3:GetObject"))
    assert pg.outcome.allowed
    with pytest.raises(IamlabError, match="no tab 'boundry'"):
        Playground(tabs=("boundry",))


def test_the_flow_can_show_step_one_too() -> None:
    pg = Playground(EC2_TRUST, ALL_S3, caller="lambda.amazonaws.com", flow=True, debounce=0)
    assert pg.flow is not None and pg.flow.flow is not None
    assert pg.flow.flow.decision == "allowed"  # step 2 by default (the role may act)
    pg.flow_step.value = "assume"
    flow = pg.flow.flow
    assert flow.decision == "implicitDeny" and flow.decided_at == "resource"  # not trusted
    assert "trust policy" in flow.deciding_policy and "step 1" in pg.flow.graph.source


# -- the resource tab follows the request's resource ------------------------------------------
READER = "arn:aws:iam::111122223333:role/Reader"


def _two_buckets() -> Any:
    """A world with a role that may read everything, and two buckets with policies of their
    own: reports' denies the role s3:GetObject, archive's denies nothing."""
    from iamlab.world import World

    world = World()
    admin = world.administrator
    admin.iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=EC2_TRUST)
    admin.iam.put_role_policy(RoleName="Reader", PolicyName="ReadAll",
                              PolicyDocument=doc("Allow", "s3:GetObject"))
    for bucket in ("reports", "archive", "plain"):
        admin.s3.create_bucket(Bucket=bucket)
    admin.s3.put_bucket_policy(Bucket="reports", Policy=doc(
        "Deny", "s3:GetObject", "arn:aws:s3:::reports/*", Principal={"AWS": READER},
        Sid="NoReportsForReader"))
    admin.s3.put_bucket_policy(Bucket="archive", Policy=doc(
        "Allow", "s3:GetObject", "arn:aws:s3:::archive/*", Principal={"AWS": READER},
        Sid="ArchiveForReader"))
    return world


def test_model_names_the_resource_whose_policy_can_be_edited(model: RolePlayground) -> None:
    """An S3 object's own policy is its bucket's (IAM User Guide, "Identity-based policies
    and resource-based policies"); "*" is no single resource; a role's resource-based policy
    is its trust policy, not a tab's."""
    assert model.editable_holder("arn:aws:s3:::reports/2025/q3.csv") == "arn:aws:s3:::reports"
    assert model.editable_holder("arn:aws:s3:::reports") == "arn:aws:s3:::reports"
    queue = "arn:aws:sqs:us-east-1:111122223333:orders"
    assert model.editable_holder(queue) == queue
    assert model.editable_holder("*") is None and model.editable_holder("reports") is None
    assert model.editable_holder(ROLE) is None


def test_the_resource_tab_follows_the_request_to_another_bucket() -> None:
    world = _two_buckets()
    pg = Playground.from_world(world, "Reader", tabs=("resource",), flow=True,
                               resource="arn:aws:s3:::reports/q3.csv", debounce=0)
    tab = pg.layers["resource"]
    assert pg.holder == "arn:aws:s3:::reports" and "NoReportsForReader" in tab.value
    assert "arn:aws:s3:::reports" in tab.title.value and pg.more.titles[0].endswith("reports")
    assert pg.outcome.act.decision == "explicitDeny"
    pg.request.set(resource="arn:aws:s3:::archive/old.csv")
    assert pg.holder == "arn:aws:s3:::archive"
    assert "ArchiveForReader" in tab.value and "NoReportsForReader" not in tab.value
    assert "arn:aws:s3:::archive:" in tab.title.value
    assert pg.more.titles[0] == "Resource policy: archive"
    assert pg.outcome.act.allowed and tab.valid
    # the learner edits archive's policy: it decides the archive request
    tab.value = json.dumps(doc("Deny", "s3:GetObject", "arn:aws:s3:::archive/*",
                               Principal={"AWS": READER}, Sid="EditedForArchive"))
    assert pg.outcome.act.decision == "explicitDeny"
    assert "EditedForArchive" in pg.outcome.act.flow().deciding_policy
    # back to reports: its own policy as the world has it, not the archive edit
    pg.request.set(resource="arn:aws:s3:::reports/q4.csv")
    assert "NoReportsForReader" in tab.value and "EditedForArchive" not in tab.value
    assert "NoReportsForReader" in pg.outcome.act.flow().deciding_policy
    # and to archive again: the edit was kept; reset gives archive's own policy
    pg.request.set(resource="arn:aws:s3:::archive/old.csv")
    assert "EditedForArchive" in tab.value and pg.outcome.act.decision == "explicitDeny"
    tab.reset()
    assert "ArchiveForReader" in tab.value and pg.outcome.act.allowed
    # the world itself never changed
    assert "ArchiveForReader" in json.dumps(world.administrator.s3.get_bucket_policy(
        Bucket="archive")["Policy"])


def test_the_resource_tab_says_when_the_resource_has_no_policy_or_is_not_one() -> None:
    world = _two_buckets()
    pg = Playground.from_world(world, "Reader", tabs=("resource",),
                               resource="arn:aws:s3:::reports/q3.csv", debounce=0)
    tab = pg.layers["resource"]
    pg.request.set(resource="arn:aws:s3:::plain/a.csv")  # a bucket with no policy
    assert tab.value == "" and tab.policy is None and not tab.text.disabled
    assert pg.more.titles[0] == "Resource policy: plain" and pg.outcome.act.allowed
    pg.request.set(action="s3:ListAllMyBuckets", resource="*")
    assert pg.holder is None and tab.text.disabled and tab.value == ""
    assert "has no policy of its own to edit here" in tab.title.value
    assert pg.more.titles[0] == "Resource policy: none"
    assert pg.outcome.act.decision == "implicitDeny"  # the role does not allow listing
    pg.request.set(action="s3:GetObject", resource="arn:aws:s3:::reports/q3.csv")
    assert "NoReportsForReader" in tab.value and not tab.text.disabled


def test_a_broken_edit_stays_with_its_bucket_and_its_last_valid_version_decides() -> None:
    """While a policy is broken its last valid version is in force (as in every editor);
    that version is the one of the resource the tab holds, never another bucket's."""
    world = _two_buckets()
    pg = Playground.from_world(world, "Reader", tabs=("resource",),
                               resource="arn:aws:s3:::archive/old.csv", debounce=0)
    tab = pg.layers["resource"]
    tab.value = '{"Version": "2012-10-17", "Statement": ['
    assert pg.view.stale and pg.outcome.act.allowed  # archive's last valid policy
    pg.request.set(resource="arn:aws:s3:::reports/q3.csv")
    assert tab.valid and not pg.view.stale and pg.outcome.act.decision == "explicitDeny"
    pg.request.set(resource="arn:aws:s3:::archive/new.csv")
    assert tab.value.endswith("[") and not tab.valid and pg.view.stale
    assert pg.outcome.act.allowed  # archive's, not reports' deny


def test_a_standalone_playground_tab_follows_too() -> None:
    """Without a world: the resource policy given is the first bucket's; another bucket
    starts with none, and a policy typed for it counts for it alone."""
    reports_deny = doc("Deny", "s3:DeleteObject", "arn:aws:s3:::reports/*",
                       Principal={"AWS": ROLE})
    pg = Playground(EC2_TRUST, ALL_S3, action="s3:DeleteObject", tabs=("resource",),
                    resource_policy=reports_deny, debounce=0)
    tab = pg.layers["resource"]
    assert pg.outcome.act.decision == "explicitDeny"
    pg.request.set(resource="arn:aws:s3:::other-bucket/q3.csv")
    assert tab.value == "" and pg.outcome.act.allowed
    tab.value = json.dumps(doc("Deny", "s3:DeleteObject", "arn:aws:s3:::other-bucket/*",
                               Principal={"AWS": ROLE}))
    assert pg.outcome.act.decision == "explicitDeny"
    pg.request.set(resource="arn:aws:s3:::reports/q3.csv")
    assert "reports/*" in tab.value and pg.outcome.act.decision == "explicitDeny"
    tab.value = ""
    assert pg.outcome.act.allowed
    tab.reset()  # back to the policy the playground was given for reports
    assert "reports/*" in tab.value and pg.outcome.act.decision == "explicitDeny"
