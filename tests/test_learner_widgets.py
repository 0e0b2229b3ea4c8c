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
