"""``%mlops compare``: iterations side by side (table, bars, parallel coordinates,
learning curves) with a selector and a refresh button.

The data of all iterations comes from one search (one query per table); metric
histories are read only for the few selected iterations whose curves are drawn.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as w
from traitlets import Int, List, Unicode, observe

from ..comparison import Comparison, build, direction
from ._html import error_box, fmt, table

DEFAULT_SELECTED = 20
MAX_CURVE_POINTS = 1000
_BEST = "background:#c8e6c9;font-weight:600"
_DIFFERS = "background:#fff8e1"
_ARROW = {"min": "\u2193", "max": "\u2191"}  # lower / higher is better


class CompareWidget(w.VBox):
    """Compare the iterations of one experiment."""

    project = Unicode("default").tag(sync=True)
    experiment = Unicode("default").tag(sync=True)
    metrics = List(Unicode(), help="Metrics compared (empty: all).").tag(sync=True)
    metric = Unicode("", help="Metric of the parallel coordinates.").tag(sync=True)
    selected = List(Int(), help="Ids of the iterations shown.").tag(sync=True)
    iteration_count = Int(0).tag(sync=True)
    limit = Int(500).tag(sync=True)
    curves_limit = Int(10).tag(sync=True)
    error = Unicode("").tag(sync=True)

    def __init__(self, project: str = "default", experiment: str = "default",
                 metrics: list[str] | None = None, limit: int = 500, curves_limit: int = 10,
                 **kwargs: Any):
        self.comparison: Comparison | None = None
        self._history: dict[tuple[int, str], tuple[list[int], list[float]]] = {}
        self._busy = False
        self._selector = w.SelectMultiple(description="iterations", rows=8,
                                          layout=w.Layout(width="360px"))
        self._metric_picker = w.Dropdown(description="metric")
        self._refresh = w.Button(description="refresh", icon="refresh",
                                 layout=w.Layout(width="90px"))
        self._header = w.HTML()
        self._error = w.HTML()
        self._table = w.HTML()
        self._bars = w.Box()
        self._parallel = w.Box()
        self._curves = w.Box()
        tabs = w.Tab(children=[self._table, self._bars, self._parallel, self._curves])
        for i, title in enumerate(("table", "bars", "parallel coordinates",
                                   "learning curves")):
            tabs.set_title(i, title)
        super().__init__(children=[
            self._header, w.HBox([self._selector, w.VBox([self._metric_picker,
                                                         self._refresh])]),
            self._error, tabs], project=project, experiment=experiment,
            metrics=list(metrics or []), limit=limit, curves_limit=curves_limit, **kwargs)
        self._selector.observe(self._picked, "value")
        self._metric_picker.observe(self._metric_picked, "value")
        self._refresh.on_click(lambda _: self.refresh())
        self.refresh()

    def __repr__(self) -> str:
        return (f"CompareWidget({self.project!r}/{self.experiment!r}, "
                f"iterations={self.iteration_count}, selected={len(self.selected)})")

    # -- data -------------------------------------------------------------------------
    def load(self) -> Comparison:
        """Fetch the experiment's iterations (newest first, at most ``limit``)."""
        from ..tracking import fluent

        client = fluent.get_client()
        client.flush()
        result = client.search(project=self.project, experiment=self.experiment,
                               sort="-started_at", limit=self.limit)
        return build(result, self.metrics or None)

    def refresh(self) -> None:
        """Reload from the store, keep the selection where possible, redraw."""
        self._history.clear()
        try:
            comparison = self.load()
        except Exception as e:
            self._fail(e)
            return
        self.comparison = comparison
        self.iteration_count = len(comparison.rows)
        keys = comparison.metric_keys
        self._busy = True
        try:
            self._metric_picker.options = keys
            if self.metric not in keys:
                self.metric = keys[0] if keys else ""
            self._metric_picker.value = self.metric or None
            self._selector.options = [(r.label, r.id) for r in comparison.rows]
            kept = [i for i in self.selected if i in comparison.by_id]
            if not kept:
                kept = (comparison.ranked(self.metric, DEFAULT_SELECTED) if self.metric
                        else [r.id for r in comparison.rows[:DEFAULT_SELECTED]])
            self.selected = kept
            self._selector.value = tuple(kept)
        finally:
            self._busy = False
        self.render()

    # -- interaction ------------------------------------------------------------------
    def _picked(self, change: dict) -> None:
        if not self._busy:
            self.selected = list(change["new"])

    def _metric_picked(self, change: dict) -> None:
        if not self._busy and change["new"]:
            self.metric = change["new"]

    @observe("selected", "metric")
    def _changed(self, change: dict) -> None:
        if not self._busy and self.comparison is not None:
            self.render()

    # -- drawing ----------------------------------------------------------------------
    def render(self) -> None:
        """Redraw the table and the charts for the current selection."""
        if self.comparison is None:
            return
        try:
            rows = self.comparison.select(self.selected)
            self._header.value = (
                f"<b>{escape(self.project)} / {escape(self.experiment)}</b>: "
                f"{len(rows)} of {self.iteration_count} iterations selected")
            self._table.value = self.table_html()
            from . import _plots

            keys = self.comparison.metric_keys
            self._bars.children = (_plots.bars(rows, keys),)
            self._parallel.children = (
                _plots.parallel(self.comparison, rows, self.metric or None),)
            self._curves.children = (_plots.curves(self.learning_curves()),)
            self.error = ""
            self._error.value = ""
        except Exception as e:
            self._fail(e)

    def table_html(self) -> str:
        """Params and metrics of the selection: best values and differing params marked."""
        assert self.comparison is not None
        comp = self.comparison
        ids = list(self.selected)
        rows = comp.select(ids)
        differing = set(comp.differing_params(ids))
        best = comp.best(ids)
        params = [k for k in comp.param_keys if k in differing] + [
            k for k in comp.param_keys if k not in differing]
        header = ["iteration", "status", "model"] + [
            f"{k} ({_ARROW[direction(k)]})" for k in comp.metric_keys] + [
            (f"{k} \u2260" if k in differing else k) for k in params]
        styles = ["", "", ""] + [""] * len(comp.metric_keys) + [
            _DIFFERS if k in differing else "" for k in params]
        body = []
        for r in rows:
            cells = [(r.label, ""), (r.status, ""), (r.model_name or "", "")]
            cells += [(fmt(r.metrics.get(k)), _BEST if r.id in best.get(k, ()) else "")
                      for k in comp.metric_keys]
            cells += [(fmt(r.params.get(k)), _DIFFERS if k in differing else "")
                      for k in params]
            body.append(cells)
        return table(header, body, styles)

    def learning_curves(self) -> dict[str, list[tuple[str, list[int], list[float]]]]:
        """Step series (more than one point) of the first ``curves_limit`` selected."""
        assert self.comparison is not None
        from ..tracking import fluent

        client = fluent.get_client()
        out: dict[str, list[tuple[str, list[int], list[float]]]] = {}
        for row in self.comparison.select(self.selected[:self.curves_limit]):
            for key in row.metrics:
                cached = self._history.get((row.id, key))
                if cached is None:
                    series = client.store.metric_history(row.id, key, MAX_CURVE_POINTS)
                    cached = self._history[(row.id, key)] = (series.steps, series.values)
                if len(cached[0]) > 1:
                    out.setdefault(key, []).append((row.label, *cached))
        return out

    def _fail(self, error: Exception) -> None:
        self.error = str(error) or type(error).__name__
        self._error.value = error_box(f"cannot show the comparison: {self.error}")
