"""The widgets, driven as a learner drives them: typing JSON, filling the form, choosing a
request. Decisions come from the engine; these tests check the widgets show them, keep the
last valid policy while the text is broken, and never let a policy inject HTML."""

from __future__ import annotations

import asyncio
import json

import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from iamlab.graph.dot import dot_string  # noqa: E402
from iamlab.policy import Condition, PolicyKind, Principal  # noqa: E402
from iamlab.widgets import Playground, PolicyEditor, RequestBuilder  # noqa: E402
from iamlab.widgets.base import Debouncer, guarded  # noqa: E402
from iamlab.widgets.completion import complete_action, complete_condition_key  # noqa: E402
from iamlab.widgets.graphview import GraphView, render_svg  # noqa: E402
from iamlab.widgets.starters import STARTERS, starters_for  # noqa: E402

XSS = "<img src=x onerror=alert(1)>"


def trust_text(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]},
        indent=2)


def all_html(widget: object) -> str:
    """Every HTML string shown anywhere inside a widget tree."""
    out = []
    if isinstance(widget, ipywidgets.HTML):
        out.append(widget.value)
    for child in getattr(widget, "children", ()):
        out.append(all_html(child))
    return "\n".join(out)


# -- the editor ---------------------------------------------------------------------------

def test_valid_text_becomes_the_policy_in_force() -> None:
    ed = PolicyEditor(trust_text("ec2.amazonaws.com"), PolicyKind.TRUST)
    assert ed.valid and ed.policy is not None
    assert ed.policy.statements[0].principals[0].value == "ec2.amazonaws.com"
    assert "✔ a valid trust policy with 1 statement" in ed.status.value
    ed.value = trust_text("lambda.amazonaws.com")
    assert ed.policy.statements[0].principals[0].value == "lambda.amazonaws.com"


def test_invalid_json_keeps_the_last_valid_policy_and_says_where() -> None:
    ed = PolicyEditor(trust_text("ec2.amazonaws.com"), PolicyKind.TRUST)
    good = ed.policy
    ed.value = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",}\n]}'
    assert not ed.valid
    assert ed.policy is good  # the last valid policy stays in force
    assert ed.errors[0].line == 4
    assert "line 4, column" in ed.status.value
    assert "the last valid version stays in force" in ed.status.value
    assert "<pre>  4 | " in ed.status.value  # the offending line, with a caret under it


def test_every_problem_is_shown_not_only_the_first() -> None:
    ed = PolicyEditor("", PolicyKind.IDENTITY)
    assert ed.policy is None and not ed.valid
    ed.value = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Resource": "*"}]}, indent=2)
    assert len(ed.errors) == 2
    assert ed.status.value.count('class="iamlab-problem">✘') == 2
    assert "Effect is case-sensitive" in ed.status.value
    assert "line 5, column 17 (Statement[0].Effect)" in ed.status.value
    assert "line 9, column 5 (Statement[1]): the statement has no Action" in ed.status.value


def test_unknown_actions_are_warnings_with_suggestions() -> None:
    ed = PolicyEditor(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}))
    assert ed.valid and ed.policy is not None  # AWS stores it ...
    assert [p.code for p in ed.problems] == ["action-unknown"]  # ... but it matches nothing
    assert "Did you mean s3:GetObject" in ed.status.value
    assert "a valid" not in ed.status.value and "before you rely on it" in ed.status.value


def test_starters_and_reset() -> None:
    ed = PolicyEditor(trust_text("ec2.amazonaws.com"), PolicyKind.TRUST)
    ed.starter.value = "trust-lambda"  # the learner picks a starter from the menu
    assert ed.policy.statements[0].principals[0].value == "lambda.amazonaws.com"
    assert ed.starter.value == ""  # the menu is ready for the next choice
    ed.reset()
    assert ed.policy.statements[0].principals[0].value == "ec2.amazonaws.com"
    assert {s.key for s in starters_for(PolicyKind.TRUST)} >= {
        "trust-ec2", "trust-lambda", "trust-ecs-tasks"}
    assert {s.key for s in starters_for(PolicyKind.IDENTITY)} >= {"read-bucket", "write-logs"}


@pytest.mark.parametrize("starter", STARTERS, ids=lambda s: s.key)
def test_every_starter_is_a_valid_policy_of_its_kind(starter: object) -> None:
    ed = PolicyEditor(starter.text(), starter.kind)
    assert ed.valid, ed.problems
    assert ed.errors == []  # the linter's warnings (a confused deputy) are lessons


def test_the_form_shows_the_policy_and_edits_flow_back_to_the_json() -> None:
    ed = PolicyEditor(trust_text("ec2.amazonaws.com"), PolicyKind.TRUST)
    form = ed.form
    [st] = form._statements
    assert st.effect.value == "Allow"
    assert st.principals.entries() == (Principal("Service", "ec2.amazonaws.com"),)
    assert st.actions.values == ["sts:AssumeRole"]
    assert st.resources is None  # a trust policy has no Resource
    # the learner picks Lambda in the principal field of the form
    _kind, box, _row = st.principals._rows[0]
    box.value = "lambda.amazonaws.com"
    assert json.loads(ed.value)["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"}
    assert ed.policy.statements[0].principals[0].value == "lambda.amazonaws.com"
    assert form._statements == [st]  # the form was not rebuilt under the learner's cursor
    st.effect.value = "Deny"
    assert ed.policy.statements[0].effect.value == "Deny"


def test_json_edits_flow_into_the_form() -> None:
    ed = PolicyEditor(trust_text("ec2.amazonaws.com"), PolicyKind.TRUST, debounce=0)
    doc = json.loads(trust_text("ecs-tasks.amazonaws.com"))
    doc["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    ed.value = json.dumps(doc)
    ed.flush()
    [st] = ed.form._statements
    assert st.principals.entries() == (Principal("Service", "ecs-tasks.amazonaws.com"),)
    assert st.conditions.entries() == (
        Condition("StringEquals", "aws:SourceAccount", ("111122223333",)),)
    ed.value = "{ broken"
    ed.flush()
    assert "the form shows the last valid version" in ed.form.note.value
    assert ed.form._statements[0].effect.disabled  # locked until the JSON is fixed
    ed.value = json.dumps(doc)
    ed.flush()
    assert not ed.form._statements[0].effect.disabled and ed.form.note.value == ""


def test_form_can_add_statements_actions_and_conditions() -> None:
    ed = PolicyEditor(STARTERS[6].text(), PolicyKind.IDENTITY)  # read one bucket
    form = ed.form
    form._statements[0].actions._add.click()
    box, _ = form._statements[0].actions._rows[-1]
    box.value = "s3:ListBucket"
    assert ed.policy.statements[0].actions == ("s3:GetObject", "s3:ListBucket")
    form._statements[0].conditions._add.click()
    op, key, vals, _ = form._statements[0].conditions._rows[-1]
    key.value = "aws:SourceIp"
    vals.value = "203.0.113.0/24, 198.51.100.7"
    op.value = "IpAddress"
    cond = ed.policy.statements[0].conditions[0]
    assert (cond.operator, cond.key, cond.values) == (
        "IpAddress", "aws:SourceIp", ("203.0.113.0/24", "198.51.100.7"))
    form._add.click()  # a new, empty statement: AWS would reject it, and the editor says so
    assert not ed.valid and "has no Action" in ed.status.value
    header = form._statements[-1].children[0]
    header.children[-1].click()  # "remove statement"
    assert ed.valid and len(ed.policy.statements) == 1


def test_action_fields_complete_from_the_catalog() -> None:
    assert complete_action("s3:GetObjectT")[:2] == ["s3:*", "s3:GetObjectTagging"]
    assert "s3:GetObject" in complete_action("S3:getobj")
    wild = complete_action("s3:Get*")
    assert wild[0] == "s3:Get*" and len(wild) == 40
    assert all(a.startswith("s3:Get") for a in wild)
    assert "sts:AssumeRole" in complete_action("")
    assert complete_condition_key("source", trust=True)[0] == "aws:SourceAccount"
    ed = PolicyEditor(STARTERS[6].text())
    box, _ = ed.form._statements[0].actions._rows[0]
    box.value = "dynamodb:GetI"
    assert "dynamodb:GetItem" in box.options


# -- the playground -----------------------------------------------------------------------

@pytest.fixture
def playground() -> Playground:
    return Playground(debounce=0)


def test_playground_starts_with_ec2_reading_the_bucket(playground: Playground) -> None:
    out = playground.outcome
    assert out is not None and out.allowed
    assert 'data-step="assume" data-decision="allowed"' in playground.view.assume.value
    assert 'data-step="act" data-decision="allowed"' in playground.view.act.value
    assert "may wear the badge" in playground.view.story.value
    assert playground.graph.source.startswith("digraph")
    assert "<svg" in playground.graph.value


def test_trusting_lambda_instead_of_ec2_denies_step_one_and_redraws(
        playground: Playground) -> None:
    before = playground.graph.source
    playground.trust.value = playground.trust.value.replace("ec2.amazonaws.com",
                                                            "lambda.amazonaws.com")
    out = playground.outcome
    assert out.assume.decision == "implicitDeny" and out.act.allowed and not out.allowed
    assert 'data-decision="implicitDeny"' in playground.view.assume.value
    assert "may not wear the badge" in playground.view.story.value
    playground.flush()
    assert playground.graph.source != before
    assert "✘ not trusted: may not assume" in playground.graph.source
    assert "lambda.amazonaws.com" in playground.graph.source  # now the trusted service
    assert "not trusted" in playground.graph.value  # drawn in the SVG


def test_wrong_bucket_denies_step_two_and_says_which_statement_missed(
        playground: Playground) -> None:
    playground.permissions.value = playground.permissions.value.replace("reports",
                                                                        "other-bucket")
    act = playground.view.act.value
    assert 'data-decision="implicitDeny"' in act
    assert "its Resource does not cover this resource" in act
    assert "the badge does not allow s3:GetObject" in playground.view.story.value


def test_request_builder_changes_flow_into_the_decision(playground: Playground) -> None:
    playground.request.caller.value = "lambda.amazonaws.com"
    assert playground.outcome.assume.decision == "implicitDeny"
    playground.request.set(caller="ec2.amazonaws.com", action="s3:PutObject")
    assert playground.outcome.assume.allowed and not playground.outcome.act.allowed
    playground.request.action.value = "s3:GetObjekt"
    assert "s3:GetObjekt is not an AWS action" in playground.view.problems.value
    playground.request.set(caller="arn:aws:iam::999999999999:user/eve")
    assert playground.outcome.assume.decision == "implicitDeny"


def test_request_builder_context_keys() -> None:
    rb = RequestBuilder([("EC2", "ec2.amazonaws.com")], resource="arn:aws:s3:::reports/a")
    assert rb.context._add in rb.context.children  # "+ context key" shows with no rows
    rb.context.add("aws:SourceIp", "203.0.113.9")
    assert rb.ask.context == {"aws:SourceIp": "203.0.113.9"}
    assert rb.ask.caller == "ec2.amazonaws.com" and rb.ask.action == "s3:GetObject"


def test_broken_trust_policy_keeps_deciding_with_the_last_valid_one(
        playground: Playground) -> None:
    playground.trust.value = '{"Version": "2012-10-17", "Statement": ['
    assert playground.outcome.assume.allowed  # still the EC2 trust policy
    assert "line 1, column" in playground.trust.status.value
    broken = Playground(trust="{ nope", debounce=0)
    assert broken.outcome is None
    assert "The trust policy has problems" in broken.message.value


def test_html_from_a_policy_shows_as_text_everywhere(playground: Playground) -> None:
    doc = json.loads(playground.trust.value)
    doc["Statement"][0]["Sid"] = XSS  # IAM refuses this Sid: shown in the problem, escaped
    playground.trust.value = json.dumps(doc, indent=2)
    assert not playground.trust.valid and "&lt;img" in playground.trust.status.value
    doc["Statement"][0]["Sid"] = "Trusted"
    doc["Statement"][0]["Condition"] = {"StringNotEquals": {"aws:SourceAccount": XSS}}
    playground.trust.value = json.dumps(doc, indent=2)
    playground.permissions.value = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadIt", "Effect": "Allow", "Action": "s3:GetObject", "Resource": XSS}]})
    playground.request.resource.value = XSS
    playground.flush()
    shown = all_html(playground)
    assert XSS not in shown and "<img" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown
    condition = playground.outcome.assume.deciding[0].statement.conditions[0]
    assert condition.values == (XSS,)
    assert "<img" not in playground.graph.value  # Graphviz escapes labels in SVG


def test_a_failing_callback_becomes_a_message_not_a_traceback() -> None:
    shown: list[str] = []

    @guarded("the test widget", shown.append)
    def broken() -> None:
        raise ValueError("<b>boom</b>")

    assert broken() is None
    assert shown == ['<div class="iamlab-oops">Could not update the test widget: '
                     "&lt;b&gt;boom&lt;/b&gt;</div>"]


def test_debouncer_coalesces_bursts_inside_the_kernel_loop() -> None:
    calls: list[int] = []
    bounce = Debouncer(lambda: calls.append(1), 0.05)

    async def burst() -> None:
        for _ in range(5):
            bounce()
        assert calls == [] and bounce.pending
        await asyncio.sleep(0.15)

    asyncio.run(burst())
    assert calls == [1]
    bounce()  # no running loop: at once
    assert calls == [1, 1]


def test_graph_view_without_graphviz_draws_in_the_browser(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("iamlab.graph.render.shutil.which", lambda _name: None)
    view = GraphView('digraph { a -> b [label="<b>"] }')
    assert view.renderer == "browser" and view.browser is not None
    assert view.browser.dot_source == 'digraph { a -> b [label="<b>"] }'
    assert "<svg" not in view.value and "<b>" not in view.value
    assert "apt-get" not in view.value and "digraph" not in view.value


def test_dot_string_cannot_break_out_of_a_label() -> None:
    assert dot_string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    svg = render_svg(f"digraph {{ a [label={dot_string(XSS)}] }}")
    assert "<img" not in svg and "&lt;img" in svg


def test_playground_from_a_world_role_and_from_a_missing_one() -> None:
    from iamlab.world import scenarios

    s = scenarios.ec2_reads_s3()
    pg = Playground.from_world(s.world, "ReportReader", debounce=0)
    assert pg.outcome.allowed
    assert pg.outcome.session_arn.endswith(s.instance.instance_id)
    role = s.world.inventory().role("ReportReader")
    assert pg.trust.policy.statements == role.trust_policy.statements
    assert "arn:aws:s3:::reports/q3.csv" in pg.request.resource.value
    missing = Playground.from_world(s.world, "NoSuchRole", debounce=0)
    assert "there is no role named &#x27;NoSuchRole&#x27; here" in missing.notice.value
    assert missing.outcome is not None  # still a working playground, on ready-made policies


def test_playground_from_a_world_role_with_a_path_keeps_the_path() -> None:
    from iamlab.world import World

    world = World()
    trust = json.loads(trust_text("ec2.amazonaws.com"))
    world.admin.iam.create_role(RoleName="Worker", Path="/service-role/",
                                AssumeRolePolicyDocument=trust)
    pg = Playground.from_world(world, "Worker", debounce=0)
    arn = "arn:aws:iam::111122223333:role/service-role/Worker"
    assert pg.model is not None and pg.model.role_arn == arn
    assert pg.outcome is not None and pg.outcome.assume.request.resource.arn == arn
    pg.trust.value = trust_text("lambda.amazonaws.com")  # an edit keeps the role's path
    pg.flush()
    assert pg.outcome.assume.decision == "implicitDeny"
    assert pg.model.role_arn == arn and arn in pg.graph.source
