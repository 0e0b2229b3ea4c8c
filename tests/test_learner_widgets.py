"""The playground as a learner meets it (issue 14): context keys, lint while typing, honest
state while a policy is broken, colours that say allowed and denied in more than colour."""

from __future__ import annotations

import json

import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from iamlab.widgets import Playground  # noqa: E402

MFA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
    "Action": "sts:AssumeRole",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}, indent=2)
ALICE = "arn:aws:iam::111122223333:user/alice"


def test_a_context_key_added_with_the_button_changes_the_decision() -> None:
    """The trust policy lets alice in only with MFA ("AWS global condition context keys",
    aws:MultiFactorAuthPresent); adding the key with "+ context key" flips step 1."""
    pg = Playground(trust=MFA_TRUST, caller=ALICE, debounce=0)
    context = pg.request.context
    assert context.children == (context._add,)  # the button is there with no rows
    assert pg.outcome is not None and pg.outcome.assume.decision == "implicitDeny"
    context._add.click()
    key, value, _row = context._rows[0]
    key.value = "aws:MultiFactorAuthPresent"
    value.value = "true"
    assert pg.ask.context == {"aws:MultiFactorAuthPresent": "true"}
    assert pg.outcome.assume.allowed
    context._rows[0][-1].children[-1].click()  # ✕ removes the row
    assert pg.outcome.assume.decision == "implicitDeny"


# -- lint while typing: never "valid" for what AWS would refuse ---------------------------

def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def test_a_misspelt_service_principal_is_refused_with_its_fix() -> None:
    """IAM rejects an unknown service principal ("Invalid principal"; IAM User Guide, "AWS
    JSON policy elements: Principal", AWS service principals): the editor says so, offers
    the fix, and keeps the last policy AWS would accept in force."""
    pg = Playground(debounce=0)
    good = pg.trust.policy
    pg.trust.value = pg.trust.value.replace("ec2.amazonaws.com", "ec2.amazonaw.com")
    status = pg.trust.status.value
    assert not pg.trust.valid and pg.trust.policy is good
    assert "a valid" not in status and "AWS would reject this trust policy" in status
    assert "principal-unknown-service" in [p.code for p in pg.trust.problems]
    assert "Did you mean ec2.amazonaws.com?" in status  # the fix
    assert pg.outcome is not None and pg.outcome.assume.allowed  # still the EC2 policy


@pytest.mark.parametrize("statement, code", [
    ({"Effect": "Allow", "Action": "s4:GetObject", "Resource": "arn:aws:s3:::reports/*"},
     "action-unknown-service"),
    ({"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "arn:aws:s3:::reports/*"},
     "action-unknown"),
], ids=["unknown-service", "unknown-action"])
def test_unknown_services_and_actions_are_errors_not_valid(statement: dict[str, object],
                                                           code: str) -> None:
    pg = Playground(debounce=0)
    pg.permissions.value = _doc(statement)
    status = pg.permissions.status.value
    assert code in [p.code for p in pg.permissions.errors]
    assert "a valid" not in status and "AWS accepts this permissions policy, but" in status
    assert "s3:GetObject" in status.split("mean", 1)[1]  # the fix


def test_a_sid_iam_does_not_accept_is_refused() -> None:
    """IAM User Guide, "IAM JSON policy elements: Sid": "The Sid element supports ASCII
    uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)"."""
    pg = Playground(debounce=0)
    pg.permissions.value = _doc({"Sid": "Read reports!", "Effect": "Allow",
                                 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"})
    assert not pg.permissions.valid
    assert "AWS would reject this permissions policy" in pg.permissions.status.value
    assert "write &quot;Readreports&quot;" in pg.permissions.status.value


def test_a_policy_over_its_size_quota_is_refused() -> None:
    """IAM and AWS STS quotas: a managed policy holds at most 6,144 characters; past the
    128 KiB iamlab reads at all (README, "Input limits"), it is not linted, and says so."""
    pg = Playground(debounce=0)
    for count, code in ((1_000, "quota-exceeded"), (10_000, "grammar-too-large")):
        resources = [f"arn:aws:s3:::reports-{i:05d}/*" for i in range(count)]
        pg.permissions.value = _doc({"Effect": "Allow", "Action": "s3:GetObject",
                                     "Resource": resources})
        assert len(pg.permissions.value) > 30 * count
        assert not pg.permissions.valid and "a valid" not in pg.permissions.status.value
        assert code in [p.code for p in pg.permissions.errors]


def test_a_huge_paste_is_refused_at_once_and_only_for_its_size() -> None:
    """Past the 128 KiB iamlab reads (README, "Input limits") the editor is told so by the
    linter and parses nothing: one problem, not the parser's on broken JSON as well."""
    pg = Playground(debounce=0)
    pg.permissions.value = '{"Version": "2012-10-17", "Statement": [' + " " * 300_000
    assert [p.code for p in pg.permissions.problems] == ["grammar-too-large"]
    assert not pg.permissions.valid and pg.view.stale
    assert pg.permissions.policy is not None  # the last valid version stays in force


# -- honest state while a policy is broken ------------------------------------------------

def test_a_broken_policy_greys_the_decision_and_says_whose_it_is() -> None:
    pg = Playground(debounce=0)
    trust_text = pg.trust.value
    assert not pg.view.stale and "iamlab-stale" not in pg.view._dom_classes
    pg.trust.value = ""
    pg.permissions.value = '{"Version": "2012-10-17", "Statement": ['
    assert pg.view.stale and "iamlab-stale" in pg.view._dom_classes
    assert "iamlab-stale" in pg.graph._dom_classes
    note = pg.view.stale_note.value
    assert "the trust policy and the permissions policy has problems" not in note
    assert "the trust policy and the permissions policy" in note
    assert "belongs to the last valid version" in note
    pg.permissions.reset()
    assert "the permissions policy" not in pg.view.stale_note.value and pg.view.stale
    pg.trust.value = trust_text
    assert not pg.view.stale and pg.view.stale_note.value == ""
    assert "iamlab-stale" not in pg.graph._dom_classes


# -- colours: allowed green, denied red, and never colour alone --------------------------

def _contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of ``#rrggbb`` against white."""
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (lum + 0.05)


def test_allowed_is_green_and_denied_red_with_enough_contrast() -> None:
    from iamlab.graph.dot import CONDITIONAL, HIGHLIGHT
    from iamlab.render import ALLOWED_COLOUR, DENIED_COLOUR

    assert HIGHLIGHT == ALLOWED_COLOUR  # the path drawn in a graph is a path that works
    for colour in (ALLOWED_COLOUR, DENIED_COLOUR, CONDITIONAL):
        assert _contrast_with_white(colour) >= 4.5, colour  # WCAG AA, text and lines
    green, red = (int(c[3:5], 16) - int(c[1:3], 16) for c in (ALLOWED_COLOUR, DENIED_COLOUR))
    assert green > 0 > red


def test_the_diagram_says_allowed_and_denied_in_words_and_line_style() -> None:
    from iamlab.render import ALLOWED_COLOUR, DENIED_COLOUR

    pg = Playground(debounce=0)
    act = next(line for line in pg.graph.source.splitlines() if "iamlab-request-act" in line)
    assert "✔ s3:GetObject: allowed" in act and "style=solid" in act and ALLOWED_COLOUR in act
    assert "✔ allowed (green, solid)" in pg.graph.source  # the legend
    assert "✘ denied (red, dashed)" in pg.graph.source
    pg.trust.value = pg.trust.value.replace("ec2.amazonaws.com", "lambda.amazonaws.com")
    pg.flush()
    step1 = next(line for line in pg.graph.source.splitlines()
                 if "iamlab-request-assume" in line)
    assert "✘ not trusted" in step1 and "style=dashed" in step1 and DENIED_COLOUR in step1
    badge = pg.view.assume.value
    assert "✘ DENIED (nothing allows it)" in badge and DENIED_COLOUR in badge
    assert "✔ ALLOWED" in pg.view.act.value and ALLOWED_COLOUR in pg.view.act.value


def test_the_trust_editor_is_tall_enough_for_its_starting_policy() -> None:
    pg = Playground(debounce=0)
    for editor in (pg.trust, pg.permissions):
        assert editor.text.rows > editor.value.count("\n") + 1, editor.kind
