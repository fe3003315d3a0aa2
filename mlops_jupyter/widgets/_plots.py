"""Plotly figures of a comparison (plotly is imported here, on first use only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..comparison import Comparison, Row

MAX_DIMENSIONS = 12
_LAYOUT = {"margin": {"l": 50, "r": 20, "t": 40, "b": 40}, "template": "plotly_white"}


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def bars(rows: Sequence[Row], metrics: Sequence[str]) -> go.FigureWidget:
    """One bar chart per metric (stacked vertically), one bar per iteration."""
    n = max(1, len(metrics))
    fig = make_subplots(rows=n, cols=1, subplot_titles=list(metrics) or ["no metrics"],
                        vertical_spacing=min(0.12, 0.6 / n))
    labels = [r.label for r in rows]
    for i, key in enumerate(metrics, start=1):
        # None, not NaN: NaN is not JSON and would break the widget's sync
        values = [_finite(r.metrics.get(key)) for r in rows]
        fig.add_trace(go.Bar(x=labels, y=values, name=key, showlegend=False), row=i, col=1)
    fig.update_layout(height=220 * n + 40, **_LAYOUT)
    return go.FigureWidget(fig)


def _dimension(comparison: Comparison, rows: Sequence[Row], key: str) -> dict[str, Any] | None:
    values = [r.params.get(key) for r in rows]
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return {"label": key, "values": values}
    labels = sorted({repr(v) if not isinstance(v, str) else v for v in values})
    if len(labels) > 30:
        return None
    codes = {label: i for i, label in enumerate(labels)}
    return {"label": key, "values": [codes[v if isinstance(v, str) else repr(v)] for v in values],
            "tickvals": list(range(len(labels))), "ticktext": labels}


def parallel(comparison: Comparison, rows: Sequence[Row], metric: str | None
             ) -> go.FigureWidget:
    """Parallel coordinates: the params that differ, then ``metric`` (also the colour)."""
    keep = [r for r in rows if metric is None or _finite(r.metrics.get(metric)) is not None]
    dims = []
    for key in comparison.differing_params([r.id for r in keep])[:MAX_DIMENSIONS]:
        dim = _dimension(comparison, keep, key)
        if dim is not None:
            dims.append(dim)
    fig = go.Figure()
    if metric is not None and keep:
        values = [r.metrics[metric] for r in keep]
        dims.append({"label": metric, "values": values})
        fig.add_trace(go.Parcoords(dimensions=dims, line={"color": values,
                                                          "colorscale": "Viridis",
                                                          "showscale": True}))
    fig.update_layout(height=360, title=f"params \u2192 {metric or '(no metric)'}", **_LAYOUT)
    return go.FigureWidget(fig)


def curves(series: dict[str, list[tuple[str, list[int], list[float]]]]) -> go.FigureWidget:
    """Learning curves: per metric a panel, one line per iteration."""
    keys = list(series) or ["no step metrics"]
    fig = make_subplots(rows=len(keys), cols=1, subplot_titles=keys,
                        vertical_spacing=min(0.12, 0.6 / len(keys)))
    for i, key in enumerate(series, start=1):
        for label, steps, values in series[key]:
            fig.add_trace(go.Scatter(x=steps, y=values, mode="lines", name=f"{label} {key}"),
                          row=i, col=1)
    fig.update_layout(height=260 * len(keys) + 40, **_LAYOUT)
    return go.FigureWidget(fig)
