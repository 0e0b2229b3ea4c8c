"""Exam practice: a bank of exam-style items whose answer keys the engine checks.

Items live in ``iamlab/data/exam/*.json`` (:mod:`iamlab.exam.items`); the engine checks
every executable item's key (:mod:`iamlab.exam.check`); a learner's answers are marked and
saved locally (:mod:`iamlab.exam.practice`, :mod:`iamlab.exam.progress`). The widgets are
in :mod:`iamlab.widgets.quiz`; ``iamlab quiz`` is :mod:`iamlab.exam.command`.

>>> from iamlab.exam import bank
>>> item = bank().item("passrole-lambda-create")
>>> sorted(item.correct_ids)
['a']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iamlab.lazy import lazy_exports

_EXPORTS = {
    "Bank": "iamlab.exam.items", "Check": "iamlab.exam.items", "ExamError": "iamlab.exam.items",
    "Item": "iamlab.exam.items", "Option": "iamlab.exam.items", "bank": "iamlab.exam.items",
    "load_bank": "iamlab.exam.items", "load_file": "iamlab.exam.items",
    "KeyCheck": "iamlab.exam.check", "decide": "iamlab.exam.check",
    "disagreements": "iamlab.exam.check", "verify": "iamlab.exam.check",
}

__all__ = ["Bank", "Check", "ExamError", "Item", "KeyCheck", "Option", "bank", "decide",
           "disagreements", "load_bank", "load_file", "verify"]

if TYPE_CHECKING:
    from iamlab.exam.check import KeyCheck, decide, disagreements, verify
    from iamlab.exam.items import Bank, Check, ExamError, Item, Option, bank, load_bank, load_file

__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
