"""``check(id, answer)``: the one call a graded test cell makes (nbgrader, or by hand).

Passing is silent: nothing printed or logged, ``None`` returned, because nbgrader gives no
credit for a cell that writes to stderr and reads a number shown as the cell's value as
partial credit. Not passing raises :class:`NotYet`, an ``AssertionError`` whose message
names a request the answer gets wrong, what it decided and should, the statement concerned
and a hint. In IPython the learner sees that message alone, not a traceback.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from iamlab.exercises.grader import GradeResult
from iamlab.exercises.spec import get

MAX_SHOWN = 3


class NotYet(AssertionError):
    """An answer that does not pass yet; the message is the whole explanation."""


def check(exercise_id: str, answer: Any) -> None:
    """Grade ``answer`` for the exercise; return None when it passes, raise NotYet if not."""
    exercise = get(exercise_id)
    result = exercise.grade(answer)
    if result.passed:
        return None
    _friendly_in_ipython()
    raise NotYet(not_yet_message(result))


def not_yet_message(result: GradeResult) -> str:
    """What a learner reads when an answer does not pass yet."""
    ex = result.exercise
    if ex.starter and result.findings[0].message.startswith("You have not written"):
        what = "policy" if ex.answers_policy else "task definition"
        return (f"Not yet ({ex.id}): you have not written the {what} yet. Set `answer` to "
                f"{ex.edits} (a dict, as in the starter {what}) and run this cell again. If "
                "you did, the answer cell above stopped with an error before setting it: "
                "run it and read its message.")
    lines = [f"Not yet ({ex.id}): {len(result.findings)} thing"
             f"{'s' if len(result.findings) != 1 else ''} to fix."]
    for f in result.findings[:MAX_SHOWN]:
        lines.append(f"- {f.message}")
        if f.request is not None:
            lines.append(f"  request: {json.dumps(f.request, ensure_ascii=False)}")
    if len(result.findings) > MAX_SHOWN:
        lines.append(f"- ... and {len(result.findings) - MAX_SHOWN} more "
                     f"(exercises.get({ex.id!r}).grade(answer) lists them all)")
    lines.append(f"Hint: {ex.hints[0]}")
    return "\n".join(lines)


def _friendly_in_ipython() -> None:
    """In IPython, show a NotYet as its message on stderr instead of a traceback (the cell
    still counts as failed, so nbgrader scores it 0; in the instructor edition Run All stops
    there, while the student edition tags check cells ``raises-exception`` so it goes on)."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return
    shell = ipython_module.get_ipython()
    if shell is None or NotYet in getattr(shell, "custom_exceptions", ()):
        return

    def show(shell: Any, etype: type, value: BaseException, tb: Any,
             tb_offset: int | None = None) -> None:
        print(str(value), file=sys.stderr)

    shell.set_custom_exc((NotYet,), show)
