"""Inline widgets (ipywidgets + plotly): the runs table, the comparison view and the
promote widget of the model registry.

Imported only when shown, so ``%load_ext`` and ``import mlops_jupyter`` stay fast.
Widgets hold no rules: data comes from the tracking client and
:mod:`mlops_jupyter.comparison`; stage rules are the registry's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .compare import CompareWidget
    from .promote import PromoteWidget, promote
    from .runs_table import RunsTable

__all__ = ["CompareWidget", "PromoteWidget", "RunsTable", "promote"]


def __getattr__(name: str) -> Any:
    if name == "CompareWidget":
        from .compare import CompareWidget

        return CompareWidget
    if name == "RunsTable":
        from .runs_table import RunsTable

        return RunsTable
    if name in ("PromoteWidget", "promote"):
        # the module is callable: importing it makes it ``promote`` here, and
        # ``promote(NAME)`` shows the widget
        from . import promote as module

        return module if name == "promote" else module.PromoteWidget
    raise AttributeError(name)
