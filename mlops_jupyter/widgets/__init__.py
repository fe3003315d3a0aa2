"""Inline widgets (ipywidgets + plotly): the runs table, the comparison view, the
promote widget of the model registry and the monitoring dashboard.

Imported only when shown, so ``%load_ext`` and ``import mlops_jupyter`` stay fast.
Widgets hold no rules: data comes from the tracking client and
:mod:`mlops_jupyter.comparison`; stage rules are the registry's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .alert_rules import AlertsWidget, alerts
    from .compare import CompareWidget
    from .monitoring import MonitorWidget, monitor
    from .promotion import PromoteWidget, promote
    from .runs_table import RunsTable

__all__ = ["AlertsWidget", "CompareWidget", "MonitorWidget", "PromoteWidget", "RunsTable",
           "alerts", "monitor", "promote"]


def __getattr__(name: str) -> Any:
    if name == "CompareWidget":
        from .compare import CompareWidget

        return CompareWidget
    if name == "RunsTable":
        from .runs_table import RunsTable

        return RunsTable
    if name in ("MonitorWidget", "monitor"):
        from . import monitoring

        return getattr(monitoring, name)
    if name in ("PromoteWidget", "promote"):
        from . import promotion

        return getattr(promotion, name)
    if name in ("AlertsWidget", "alerts"):
        from . import alert_rules

        return getattr(alert_rules, name)
    raise AttributeError(name)
