"""Inline widgets (ipywidgets + plotly): the runs table and the comparison view.

Imported only when shown, so ``%load_ext`` and ``import mlops_jupyter`` stay fast.
Widgets hold no rules: data comes from the tracking client and
:mod:`mlops_jupyter.comparison`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .compare import CompareWidget
    from .runs_table import RunsTable

__all__ = ["CompareWidget", "RunsTable"]


def __getattr__(name: str) -> Any:
    if name == "CompareWidget":
        from .compare import CompareWidget

        return CompareWidget
    if name == "RunsTable":
        from .runs_table import RunsTable

        return RunsTable
    raise AttributeError(name)
