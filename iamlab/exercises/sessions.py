"""Notebook 09's exercise: the answer is a *session*, graded by inspecting it.

The learner gets credentials from ``sts.assume_role`` and hands over the session made from
them. Graded as the IAM User Guide describes sessions ("Methods to assume a role":
DurationSeconds; "Session policies": the session gets the intersection of the role's
policies and the session policy): the session must be one of role ``ReportsAnalyst``, last
two hours, read ``reports/2025/*`` and nothing else the role could read, and write nothing.
Passing is silent (as :func:`iamlab.exercises.check`); otherwise :class:`NotYet` names the
first thing that is wrong, with the engine's reason.
"""

from __future__ import annotations

from typing import Any

from iamlab.exercises.checking import NotYet, _friendly_in_ipython

EXERCISE_ID = "two-hour-reports-2025"
ROLE_ARN = "arn:aws:iam::111122223333:role/ReportsAnalyst"
SECONDS = 2 * 3600
TASK = ("Dana (`scenario.dana`) may assume role `ReportsAnalyst`, which reads every report, "
        "its team's folder and may last up to four hours. Get credentials that last **two "
        "hours** and can **only read `reports/2025/*`**, without changing the role: call "
        "`assume_role` with a duration and a session policy, and set `answer` to the session "
        "made from the credentials (`scenario.world.session(made[\"Credentials\"])`).")
HINTS = (
    "Two parameters of `assume_role` do it: `DurationSeconds` (in seconds) and `Policy` "
    "(a session policy, as a dict).",
    "The session policy needs one statement: Allow `s3:GetObject` on "
    "`arn:aws:s3:::reports/2025/*`. The session gets what both the role and it allow.",
)
MUST_ALLOW = (("s3:GetObject", "arn:aws:s3:::reports/2025/q1.csv"),
              ("s3:GetObject", "arn:aws:s3:::reports/2025/q2.csv"))
MUST_DENY = (("s3:GetObject", "arn:aws:s3:::reports/2024/q4.csv"),
             ("s3:GetObject", "arn:aws:s3:::reports/teams/finance/budget.csv"),
             ("s3:ListBucket", "arn:aws:s3:::reports"),
             ("s3:PutObject", "arn:aws:s3:::reports/2025/q3.csv"),
             ("sts:AssumeRole", "arn:aws:iam::111122223333:role/ReportsPublisher"))


def problems(answer: Any) -> list[str]:
    """Everything wrong with the answer, in plain English (empty when it passes)."""
    from iamlab.world.session import Session

    if answer is None:
        return ["you have not made the session yet: set `answer` to "
                "`scenario.world.session(made[\"Credentials\"])`"]
    if not isinstance(answer, Session):
        return [f"`answer` should be a session (scenario.world.session(...)), not a "
                f"{type(answer).__name__}"]
    temp = answer.world.temporary_session(answer.credentials.access_key_id)
    if temp is None or temp.role_arn != ROLE_ARN:
        who = temp.principal_arn if temp is not None else answer.arn
        return [f"the session is {who}; it must be a session of {ROLE_ARN} (from assume_role)"]
    found = []
    lasts = int((temp.expiration - temp.issued).total_seconds())
    if lasts != SECONDS:
        found.append(f"the credentials last {lasts} seconds ({lasts / 3600:g} h); they must "
                     f"last two hours ({SECONDS} seconds)")
    for action, resource in MUST_ALLOW:
        decision = answer.can(action, resource, resource_account="111122223333")
        if not decision.allowed:
            found.append(f"{action} on {resource} must be allowed, and the session is "
                         f"denied: {decision.summary}")
    for action, resource in MUST_DENY:
        decision = answer.can(action, resource, resource_account="111122223333")
        if decision.allowed:
            found.append(f"{action} on {resource} must be denied, and the session is allowed: "
                         f"{decision.summary}")
    return found


def check_session(answer: Any) -> None:
    """Grade the session; None when it passes (silently), NotYet naming what is wrong."""
    found = problems(answer)
    if not found:
        return None
    _friendly_in_ipython()
    lines = [f"Not yet ({EXERCISE_ID}): {len(found)} thing{'s' if len(found) != 1 else ''} "
             "to fix.", *(f"- {p}" for p in found[:3])]
    if len(found) > 3:
        lines.append(f"- ... and {len(found) - 3} more")
    lines.append(f"Hint: {HINTS[0]}")
    raise NotYet("\n".join(lines))


__all__ = ["EXERCISE_ID", "HINTS", "ROLE_ARN", "TASK", "check_session", "problems"]
