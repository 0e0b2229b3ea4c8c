"""AWS's evaluation flow for one decided request: which steps it went through, in order,
what each said, and which step and policy decided.

``evaluation_flow(decision)`` (or ``decision.flow()``) reads a :class:`~iamlab.decision.
Decision` made with ``explain=True`` and returns a :class:`Flow`; views draw it
(``iamlab.widgets.FlowView``). Nothing here decides: the engine has already.
"""

from __future__ import annotations

from iamlab.flow.model import STEPS, Flow, FlowStep, evaluation_flow

__all__ = ["STEPS", "Flow", "FlowStep", "evaluation_flow"]
