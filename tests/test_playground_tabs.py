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
