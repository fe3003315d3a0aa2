"""Capture rules for ``%%track``: pure logic, no IPython or widget imports.

:func:`analyze` reads a cell's syntax tree once; :func:`capture` applies the rules
to the namespace the cell ran in. See :mod:`mlops_jupyter.capture.rules`.
"""

from __future__ import annotations

from .analysis import CellAnalysis, analyze
from .rules import Capture, capture, guess_role, missing_note
from .values import estimator_params, is_estimator, model_name, number_series, real_number

__all__ = [
    "Capture", "CellAnalysis", "analyze", "capture", "estimator_params", "guess_role",
    "is_estimator", "missing_note", "model_name", "number_series", "real_number",
]
