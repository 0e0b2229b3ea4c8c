"""A grade as HTML, for notebooks: passed or "not yet", each finding with its request.

Everything that came from the learner's policy or the exercise is escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iamlab.exercises.finding import Finding
    from iamlab.exercises.grader import GradeResult

_KIND_TITLES = {
    "parse": "Your answer cannot be read",
    "definition": "ECS refuses the task definition, or it changes what must stay",
    "lint": "AWS would refuse it, or the exercise forbids it",
    "must-allow": "A request the task needs is denied",
    "must-deny": "A request the task forbids is allowed",
    "broader": "More access than the task asks for",
    "narrower": "Less access than the task needs",
    "workload": "Running it broke something",
}


def grade_html(result: GradeResult) -> str:
    ex = result.exercise
    if result.passed:
        head = (f'<div class="iamlab-grade iamlab-grade-passed"><b>✔ Passed</b> '
                f"({escape(ex.id)}): {escape(ex.goal)}")
        if result.checked:
            head += (f" Your answer decides like the reference on all {result.checked} "
                     "requests compared.")
        if result.decided_by:
            kinds = escape(", ".join(result.decided_by))
            head += f" The forbidden requests were denied by: {kinds}."
        parts = [head + "</div>"]
    else:
        n = len(result.findings)
        parts = [f'<div class="iamlab-grade iamlab-grade-failed"><b>✘ Not yet</b> '
                 f"({escape(ex.id)}): {n} thing{'s' if n != 1 else ''} to fix.</div>"]
        parts += [finding_html(f) for f in result.findings]
    parts += [f'<div class="iamlab-warning">⚠ {escape(w)}</div>' for w in result.warnings]
    return "".join(parts)


def finding_html(finding: Finding) -> str:
    title = _KIND_TITLES.get(finding.kind, finding.kind)
    body = [f'<div class="iamlab-finding iamlab-finding-{escape(finding.kind)}">'
            f"<b>{escape(title)}</b> <code>{escape(finding.kind)}</code><br>"
            f"{escape(finding.message)}"]
    if finding.request is not None:
        body.append(f"<pre>{escape(json.dumps(finding.request, indent=1, ensure_ascii=False))}"
                    "</pre>")
    body.append("</div>")
    return "".join(body)
