"""HTML views of the engine's answers for Jupyter. Everything from a policy is escaped."""

from __future__ import annotations

from html import escape

from iamlab.decision import Decision, StatementResult, Verdict

# Allowed is green, denied is red, everywhere (badges, diagrams, the flow of a decision);
# both are dark enough for white text and for lines on white (WCAG contrast above 4.5:1),
# and the meaning never rests on colour alone: ✔/✘ and the words say it, and in diagrams
# an allowed step is a solid line, a denied one dashed.
ALLOWED_COLOUR = "#15803d"
DENIED_COLOUR = "#b42318"
_BADGE = {
    Verdict.ALLOWED: (ALLOWED_COLOUR, "✔ ALLOWED"),
    Verdict.EXPLICIT_DENY: (DENIED_COLOUR, "✘ DENIED (explicit deny)"),
    Verdict.IMPLICIT_DENY: (DENIED_COLOUR, "✘ DENIED (nothing allows it)"),
}


def badge_html(decision: Decision) -> str:
    colour, text = _BADGE[decision.verdict]
    return (f'<span class="iamlab-badge" data-decision="{decision.decision}" style="background:'
            f'{colour};color:#fff;border-radius:4px;padding:2px 8px;font-weight:600">'
            f"{text}</span>")


def statement_row_html(result: StatementResult, deciding: bool) -> str:
    """One table row for a statement; the deciding ones are highlighted."""
    style = ' style="background:#fff3c4;font-weight:600"' if deciding else ""
    conditions = "<br>".join(
        f"{'✔' if c.passed else '✘'} {escape(c.describe())}" for c in result.conditions)
    status = "applies" if result.matched else escape(result.why_not)
    return (f"<tr{style}><td>{escape(result.policy.label)}</td>"
            f"<td>{escape(result.statement.label)}</td><td>{result.effect.value}</td>"
            f"<td>{status}</td><td>{conditions}</td></tr>")


def request_html(decision: Decision) -> str:
    """The badge and the request it answers: action, resource and principal."""
    r = decision.request
    return (f"<div>{badge_html(decision)} <code>{escape(r.action)}</code> on "
            f"<code>{escape(r.resource.arn)}</code> by <code>{escape(r.principal)}</code></div>")


def statements_table_html(decision: Decision) -> str:
    """Every statement weighed, one row each, the deciding ones highlighted ("" if none)."""
    if not decision.statements:
        return ""
    deciding = {id(x) for x in decision.deciding}
    rows = "".join(statement_row_html(s, id(s) in deciding) for s in decision.statements)
    return ("<table><tr><th>policy</th><th>statement</th><th>effect</th><th>outcome</th>"
            f"<th>conditions</th></tr>{rows}</table>")


def decision_html(decision: Decision) -> str:
    """The badge, the plain-English summary, and (in explain mode) every statement."""
    parts = [
        '<div class="iamlab-decision">',
        request_html(decision),
        f'<p class="iamlab-summary">{escape(decision.summary)}</p>',
    ]
    parts += [f"<p><em>Note:</em> {escape(n)}</p>" for n in decision.notes]
    table = statements_table_html(decision)
    if table:
        parts.append(f"<details><summary>Every statement considered</summary>{table}</details>")
    parts.append("</div>")
    return "".join(parts)
