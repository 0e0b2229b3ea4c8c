"""Exercises that check the learner's own policy, with a concrete request as feedback.

>>> from iamlab import exercises
>>> ex = exercises.get("ec2-read-reports")
>>> ex.grade(ex.reference).passed
True
>>> result = ex.grade({"Version": "2012-10-17", "Statement": [
...     {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}]})
>>> [f.kind for f in result.findings][:2]
['must-deny', 'must-deny']

In a notebook: ``ex.editor()`` (Check and Hint buttons), or ``exercises.check(id, answer)``
in a test cell (nbgrader). On the command line: ``iamlab exercises``, ``iamlab grade``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iamlab.lazy import lazy_exports

_EXPORTS = {
    "Exercise": "iamlab.exercises.spec", "ExerciseSpecError": "iamlab.exercises.spec",
    "UnknownExercise": "iamlab.exercises.spec", "Probe": "iamlab.exercises.spec",
    "get": "iamlab.exercises.spec", "ids": "iamlab.exercises.spec",
    "all_exercises": "iamlab.exercises.spec",
    "Finding": "iamlab.exercises.finding", "GradeResult": "iamlab.exercises.grader",
    "grade": "iamlab.exercises.grader",
    "check": "iamlab.exercises.checking", "NotYet": "iamlab.exercises.checking",
}

if TYPE_CHECKING:
    from iamlab.exercises.checking import NotYet, check
    from iamlab.exercises.finding import Finding
    from iamlab.exercises.grader import GradeResult, grade
    from iamlab.exercises.spec import (
        Exercise,
        ExerciseSpecError,
        Probe,
        UnknownExercise,
        all_exercises,
        get,
        ids,
    )

__all__ = ["Exercise", "ExerciseSpecError", "Finding", "GradeResult", "NotYet", "Probe",
           "UnknownExercise", "all_exercises", "check", "get", "grade", "ids"]

__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
