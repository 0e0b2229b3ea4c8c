"""Renamed: the evaluation engine now lives in :mod:`iamlab.engine`.

(``iamlab.evaluate`` as a module name hid the ``iamlab.evaluate`` function.)
"""

raise ImportError(
    "iamlab.evaluate was renamed iamlab.engine: write "
    "`from iamlab.engine import evaluate, PolicySet, TRUST_ACTIONS` instead"
)
