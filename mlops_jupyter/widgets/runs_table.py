"""``%mlops runs``: a DataFrame that displays as a sortable, filterable table widget."""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape
from typing import Any

import ipywidgets as w
import pandas as pd
from traitlets import Bool, Int, Unicode, observe

from ._html import error_box

SHOWN_ROWS = 200
_BASE = ("number", "name", "status", "model_name", "duration")


@dataclass(frozen=True)
class RunsQuery:
    """Which iterations to list (defaults: the current project/experiment)."""

    project: str | None = None
    experiment: str | None = None
    filters: tuple[str, ...] = ()
    sort: str | None = None
    status: str | None = None
    limit: int | None = None

    def frame(self) -> pd.DataFrame:
        from ..tracking import fluent

        return fluent.runs(self.project, self.experiment, filters=list(self.filters),
                           sort=self.sort, status=self.status, limit=self.limit)


class RunsFrame(pd.DataFrame):
    """The runs as a plain DataFrame that shows itself as a :class:`RunsTable`.

    Anything derived from it (``df.head()``, ``df[...]``) is a plain DataFrame.
    """

    _metadata = ["mlops_query"]

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    @classmethod
    def fetch(cls, query: RunsQuery) -> RunsFrame:
        frame = cls(query.frame())
        frame.mlops_query = query
        return frame

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(RunsTable(getattr(self, "mlops_query", RunsQuery()), frame=self))


def sortable_fields(columns: list[str]) -> list[str]:
    from ..query import ATTRIBUTE_FIELDS

    return [c for c in columns if c in ATTRIBUTE_FIELDS or c.startswith(("params.", "metrics."))]


def frame_html(frame: pd.DataFrame) -> str:
    columns = [c for c in _BASE if c in frame] + [c for c in frame.columns
                                                   if c.startswith(("params.", "metrics."))]
    from ..entities import format_duration

    shown = frame[columns].head(SHOWN_ROWS)
    # the duration as the cell summary and the panel print it: one rounding rule
    formatters = {"duration": lambda v: "" if pd.isna(v) else format_duration(v)}
    return ('<div style="max-height:400px;overflow:auto;font-size:0.85em">'
            + shown.to_html(index=False, escape=True, na_rep="", float_format="{:.4g}".format,
                            formatters=formatters, border=0) + "</div>")


class RunsTable(w.VBox):
    """Filter (``metrics.accuracy>=0.9``), sort and browse iterations.

    Filtering and sorting run in the database through the structured query API.
    """

    filter_text = Unicode("", help="Filters separated by ';'.").tag(sync=True)
    sort_by = Unicode("", help="Field to sort by ('' = newest first).").tag(sync=True)
    descending = Bool(True).tag(sync=True)
    row_count = Int(0).tag(sync=True)
    error = Unicode("").tag(sync=True)

    def __init__(self, query: RunsQuery, frame: pd.DataFrame | None = None, **kwargs: Any):
        self.query = query
        self.frame = frame
        self._filter = w.Text(placeholder="metrics.accuracy>=0.9; params.scaler=minmax",
                              description="filter", continuous_update=False,
                              layout=w.Layout(width="420px"))
        self._sort = w.Dropdown(options=[("newest first", "")], description="sort")
        self._desc = w.Checkbox(value=True, description="descending", indent=False)
        self._refresh = w.Button(description="refresh", icon="refresh",
                                 layout=w.Layout(width="90px"))
        self._status = w.HTML()
        self._table = w.HTML()
        self._error = w.HTML()
        super().__init__(children=[
            w.HBox([self._filter, self._sort, self._desc, self._refresh]),
            self._error, self._status, self._table], **kwargs)
        w.link((self._filter, "value"), (self, "filter_text"))
        w.link((self._desc, "value"), (self, "descending"))
        self._updating = False
        self._sort.observe(self._sort_picked, "value")
        self._refresh.on_click(lambda _: self.refresh())
        if frame is None:
            self.refresh()
        else:
            self._show(frame)

    def __repr__(self) -> str:
        return f"RunsTable(rows={self.row_count}, filter={self.filter_text!r})"

    def current_query(self) -> RunsQuery:
        filters = tuple(f.strip() for f in self.filter_text.split(";") if f.strip())
        sort = None
        if self.sort_by:
            sort = ("-" if self.descending else "") + self.sort_by
        return replace(self.query, filters=self.query.filters + filters,
                       sort=sort or self.query.sort)

    def _sort_picked(self, change: dict) -> None:
        if not self._updating:
            self.sort_by = change["new"]

    @observe("filter_text", "sort_by", "descending")
    def _query_changed(self, change: dict) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Query again with the current filter and sort; failures become a message."""
        try:
            frame = self.current_query().frame()
        except Exception as e:
            self.error = str(e)
            self._error.value = error_box(self.error)
            return
        self.frame = frame
        self._show(frame)

    def _show(self, frame: pd.DataFrame) -> None:
        self.error = ""
        self._error.value = ""
        self.row_count = len(frame)
        fields = sortable_fields(list(frame.columns))
        options = [("newest first", "")] + [(f, f) for f in fields]
        if [o[1] for o in self._sort.options] != [o[1] for o in options]:
            self._updating = True
            try:
                self._sort.options = options
                self._sort.value = self.sort_by if self.sort_by in ("", *fields) else ""
            finally:
                self._updating = False
        more = f" (first {SHOWN_ROWS} shown)" if len(frame) > SHOWN_ROWS else ""
        self._status.value = f"<small>{len(frame)} iterations{escape(more)}</small>"
        self._table.value = frame_html(frame)
