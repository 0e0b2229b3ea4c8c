"""Grammar findings: everything AWS would reject, as :mod:`iamlab.parse` reports it.

The parser already writes its messages for learners and knows where each problem is; this
module turns its :class:`~iamlab.errors.Problem` list into findings (code ``grammar-`` +
the parser's code) with the element's documentation page, a fix where one is obvious and,
for the commonest mistakes, a sentence on why AWS insists.
"""

from __future__ import annotations

import re
from typing import Any

from iamlab.errors import Problem
from iamlab.lint import docs
from iamlab.lint.finding import Finding
from iamlab.lint.model import LintContext
from iamlab.parse import check_document
from iamlab.policy import VERSION_2012
from iamlab.variables import variable_spans

_WHY = {
    "invalid-json": "A policy is a JSON document: AWS cannot read any of it until the JSON is "
                    "valid.",
    "bad-effect": "Effect decides whether a matching statement allows or denies; AWS accepts "
                  "exactly Allow or Deny.",
    "missing-effect": "Without Effect AWS cannot tell whether the statement allows or denies.",
    "missing-action": "A statement applies only to the actions it names; without Action (or "
                      "NotAction) it applies to nothing, and AWS rejects it.",
    "missing-resource": "Identity-based and similar policies must say which resources a "
                        'statement covers: use "*" for all of them.',
    "missing-principal": "A resource-based or trust policy is attached to the resource, so each "
                         "statement has to say whom it is about.",
    "prohibited-principal": "This kind of policy is attached to an identity (or an account), "
                            "which is already the principal it applies to.",
    "prohibited-resource": "The resource of a trust policy is always the role itself.",
    "unknown-operator": "A condition operator AWS does not know makes the whole policy "
                        "invalid.",
    "duplicate-key": "JSON allows repeated keys but only the last one counts, so the first "
                     "value is silently lost; IAM refuses such a document.",
}
_FIX = {
    "bad-version": f'"Version": "{VERSION_2012}"',
    "missing-effect": 'add "Effect": "Allow" (or "Deny")',
    "prohibited-resource": "remove the element",
    "prohibited-principal": "remove the element",
}
_QUOTED_HINT = re.compile(r'\(did you mean "([^"]+)"\?\)|write "([^"]+)"')


def problem_finding(problem: Problem) -> Finding:
    """A parser problem as a finding (code ``grammar-<problem code>``)."""
    message = problem.message
    why = _WHY.get(problem.code)
    if why:
        message = f"{message}. {why}" if not message.endswith(".") else f"{message} {why}"
    fix = _FIX.get(problem.code)
    if fix is None:
        hint = _QUOTED_HINT.search(problem.message)
        if hint:
            fix = hint.group(1) or hint.group(2)
    url = docs.GRAMMAR if problem.code in ("invalid-json", "not-object", "unreadable",
                                           "bad-encoding") else docs.element_page(problem.path)
    # IAM refuses a Sid it does not accept; the parser only warns, so that it can evaluate
    severity = "error" if problem.code == "bad-sid" else problem.severity
    return Finding(f"grammar-{problem.code}", severity, message, problem.path,
                   problem.line, problem.column, fix, url)


def check(ctx: LintContext, name: str = "") -> None:
    """Run the parser's checks over the document and record what it finds."""
    _, problems = check_document(ctx.doc, ctx.kind, ctx.locations, name=name, text=ctx.text)
    ctx.findings.extend(problem_finding(p) for p in problems)
    _check_version(ctx)


def _check_version(ctx: LintContext) -> None:
    """No Version means the 2008 language, in which policy variables are plain text."""
    doc = ctx.doc
    if not isinstance(doc, dict) or "Version" in doc or "Statement" not in doc:
        return
    uses_variables = bool(variable_spans(_all_text(doc.get("Statement"))))
    message = (f'the policy has no Version, so AWS reads it as the old "2008-10-17" language. '
               f'Always start with "Version": "{VERSION_2012}"')
    if uses_variables:
        message += (": in the old language policy variables such as ${aws:username} are not "
                    "replaced, so this policy compares against the literal text")
    ctx.add("grammar-no-version", (), message + ".", fix=f'"Version": "{VERSION_2012}"',
            severity="warning" if uses_variables else "suggestion")


def _all_text(value: Any) -> str:
    """All strings in a JSON value, joined (to look for policy variables)."""
    out: list[str] = []
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return "\n".join(out)
