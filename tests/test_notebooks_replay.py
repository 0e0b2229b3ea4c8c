"""A learner plays in a notebook's "Try it" playground after running it all, then runs the
check cell under the playground again: it must still pass.

Each notebook's check cell under its ``playground`` says what holds whatever the learner did
there (it asks the simulated world, or starts the playground again from it). This runs the
whole instructor notebook, follows its "Try it" suggestions where TRY_IT lists them (each
must do what the text says), then does what a learner might (trusts Lambda instead and denies
everything, in the permissions policy and in every other tab; then trusts anyone, allows
everything and adds the context keys the notebooks suggest), each time running that check
cell again, at the end of the notebook: the cells after it (which may break
the world on purpose) have run too. A failure there is a red traceback for the learner.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _doc(effect: str, **extra: object) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": "*", "Resource": "*", **extra}]}, indent=2)


# The learner shuts everything (trusts Lambda instead, denies all), then opens everything
# (trusts anyone, allows all) and adds the context keys the notebooks talk about.
SHUT = f"""playground.trust.use_starter("trust-lambda")
playground.permissions.value = {_doc("Deny")!r}
for editor in playground.layers.values():
    editor.value = {_doc("Deny", Principal="*")!r} if editor.kind.value == "resource" \\
        else {_doc("Deny")!r}
playground.flush()"""
OPEN = f"""playground.trust.value = {json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": ["sts:AssumeRole", "sts:TagSession"]}]})!r}
playground.permissions.value = {_doc("Allow")!r}
for editor in playground.layers.values():
    editor.value = {_doc("Allow", Principal="*")!r} if editor.kind.value == "resource" \\
        else {_doc("Allow")!r}
playground.request.context.add("sts:ExternalId", "Example-Corp-7f3a9c")
playground.request.context.add("aws:MultiFactorAuthPresent", "true")
playground.flush()"""

TRY_DECIDES = f"""boundary = json.loads(playground.layers["boundary"].value)
boundary["Statement"][0]["Action"].insert(0, "s3:GetObject")
playground.layers["boundary"].value = json.dumps(boundary, indent=2)
playground.flush()
assert playground.outcome.allowed
playground.layers["scp"].value = {_doc("Deny")!r}.replace('"*",', '"s3:GetObject",', 1)
playground.flush()
assert playground.outcome.act.decision == "explicitDeny"
assert playground.flow.flow.decided_at == "deny"
playground.layers["scp"].reset()
playground.layers["session"].value = json.dumps(allow("s3:PutObject", "*"), indent=2)
playground.flush()
assert playground.flow.flow.decided_at == "session\""""
TRY_IT = {"06-how-aws-decides": (
    # 06: the check left the boundary without s3:GetObject; putting it back turns the request
    # green, an SCP denying s3:GetObject stops it at the first step (an explicit deny), and a
    # session policy allowing only s3:PutObject decides it
    "Put\n  `\"s3:GetObject\",` back in the boundary's `Action` list", TRY_DECIDES)}


def _playground_checks(nb: nbformat.NotebookNode) -> list[str]:
    """The sources of the check cells right under a ``playground = Playground...`` cell."""
    out = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell, after in itertools.pairwise(code):
        if cell.source.startswith("playground = Playground") and \
                after.source.startswith("# Check:"):
            out.append(after.source)
    return out


NOTEBOOKS = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
             if _playground_checks(nbformat.read(p, as_version=4))]


def test_the_course_has_playgrounds_to_play_with() -> None:
    assert len(NOTEBOOKS) >= 6, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_playground_check_still_passes_after_playing(path: Path, tmp_path: Path) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    checks = _playground_checks(nb)
    if path.stem in TRY_IT:  # what the notebook's "Try it" suggests, first
        prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        said, source = TRY_IT[path.stem]
        assert said in prose
        nb.cells.append(nbformat.v4.new_code_cell(source))
    for play in (SHUT, OPEN):
        nb.cells += [nbformat.v4.new_code_cell(play)]
        nb.cells += [nbformat.v4.new_code_cell(source) for source in checks]
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()


TRY_SESSIONS = [  # what 09's "Try it" suggests, each with what the learner must then see
    ('trial = s.world.session(s.dana.sts.assume_role(RoleArn=s.role_arn, RoleSessionName="t1",'
     ' DurationSeconds=21600)["Credentials"])\n'
     'assert trial.credentials.expiration - s.world.clock.now() == timedelta(hours=6)'),
    ('try:\n    s.dana.sts.assume_role(RoleArn=s.role_arn, RoleSessionName="t2",'
     ' DurationSeconds=21601)\nexcept IamlabError as error:\n'
     '    assert "MaxSessionDuration" in str(error)\nelse:\n    raise AssertionError("21601")'),
    ('trial = s.world.session(s.dana.sts.assume_role(RoleArn=s.role_arn, RoleSessionName="t3",'
     ' Tags=[{"Key": "team", "Value": "sales"}],\n'
     '    Policy=allow("s3:GetObject", "arn:aws:s3:::reports/teams/*"))["Credentials"])\n'
     'assert trial.can("s3:GetObject", "arn:aws:s3:::reports/teams/sales/pipeline.csv").allowed\n'
     'assert not trial.can("s3:GetObject", "arn:aws:s3:::reports/2025/q1.csv").allowed'),
]


def test_what_the_sessions_try_it_suggests_works(tmp_path: Path) -> None:
    """09's "Try it" suggests the longest duration, one second more, a policy on the team
    folders and a session tag: each works as the text says after the whole notebook ran
    (its section on revoking sessions changes the trust policy, and must put it back: a
    session tag needs sts:TagSession in it, IAM User Guide, "Passing session tags in AWS
    STS")."""
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "09-sessions.ipynb"
    nb = nbformat.read(path, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "`DurationSeconds=21600`" in prose and "`21601`" in prose
    assert '`Tags=[{"Key": "team", "Value": "sales"}]`' in prose
    nb.cells.append(nbformat.v4.new_code_cell("from datetime import timedelta"))
    nb.cells += [nbformat.v4.new_code_cell(source) for source in TRY_SESSIONS]
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()


