"""nbgrader configuration for teaching with iamlab (see docs/teaching.md when it exists).

The answer cell keeps ``answer = None`` above the solution markers, so the released stub is a
comment only: an unanswered exercise reports "not yet" instead of a NotImplementedError.
"""

c = get_config()  # type: ignore[name-defined]  # noqa: F821
c.CourseDirectory.course_id = "iamlab"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
