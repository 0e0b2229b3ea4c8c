"""iamlab: learn AWS IAM roles by doing.

The data flows one way: JSON text → :class:`Policy` (``parse_policy``) → a :class:`Request`
evaluated against a :class:`PolicySet` (``evaluate``) → a :class:`Decision` with its
explanation → views. Names are imported on first use so that ``import iamlab`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iamlab.lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Policy": "iamlab.policy", "PolicyKind": "iamlab.policy", "Statement": "iamlab.policy",
    "Principal": "iamlab.policy", "Condition": "iamlab.policy", "Effect": "iamlab.policy",
    "parse_policy": "iamlab.parse", "check_policy": "iamlab.parse",
    "PolicyError": "iamlab.errors", "Problem": "iamlab.errors", "IamlabError": "iamlab.errors",
    "Request": "iamlab.request", "Context": "iamlab.request", "Resource": "iamlab.request",
    "PolicySet": "iamlab.engine", "evaluate": "iamlab.engine",
    "Decision": "iamlab.decision", "Verdict": "iamlab.decision",
    "aws_context": "iamlab.context",
}

__all__ = [
    "Condition", "Context", "Decision", "Effect", "IamlabError", "Policy", "PolicyError",
    "PolicyKind", "PolicySet", "Principal", "Problem", "Request", "Resource", "Statement",
    "Verdict", "__version__", "aws_context", "check_policy", "evaluate", "parse_policy",
]

if TYPE_CHECKING:
    from iamlab.context import aws_context
    from iamlab.decision import Decision, Verdict
    from iamlab.engine import PolicySet, evaluate
    from iamlab.errors import IamlabError, PolicyError, Problem
    from iamlab.parse import check_policy, parse_policy
    from iamlab.policy import Condition, Effect, Policy, PolicyKind, Principal, Statement
    from iamlab.request import Context, Request, Resource


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
