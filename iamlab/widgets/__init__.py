"""Interactive views for JupyterLab (ipywidgets 8): policy editors, a request builder, the
decision and graph views, and the role playground that puts them together.

The widgets hold no IAM logic: they parse with :mod:`iamlab.parse`, decide with
:mod:`iamlab.playground` / :mod:`iamlab.engine`, and show what those return.
"""

from __future__ import annotations

from iamlab.widgets.decision import DecisionView, OutcomeView
from iamlab.widgets.editor import PolicyEditor
from iamlab.widgets.flow import FlowView
from iamlab.widgets.graphview import GraphView
from iamlab.widgets.playground import Playground
from iamlab.widgets.predictions import PredictionTable
from iamlab.widgets.quiz import Quiz
from iamlab.widgets.request import RequestBuilder
from iamlab.widgets.starters import STARTERS, Starter, starter

__all__ = ["STARTERS", "DecisionView", "FlowView", "GraphView", "OutcomeView", "Playground",
           "PolicyEditor", "PredictionTable", "Quiz", "RequestBuilder", "Starter", "starter"]
