"""``%mlops monitor NAME`` / ``mj.widgets.monitor(NAME)``: the monitoring dashboard.

(The module is not named ``monitor`` so that it never shadows the ``monitor()``
function on :mod:`mlops_jupyter.widgets`.)

One registered model version (production by default) over a time range cut into
windows: prediction volume and errors, error rate, latency p50/p95/p99, a drift
heatmap (windows x features, coloured by PSI or by the test statistic, drifted
cells marked), the reference against one window's distribution of a chosen
feature, and quality metrics per window once labels arrived.

Every number comes from the monitoring client (:meth:`Client.traffic`,
:meth:`Client.drift`, :meth:`Client.performance`), which reads the per-minute
bin counters in SQL, and from one ``bin_counts`` query for the distribution: a
refresh costs the same for a thousand predictions as for a million. Live
refresh is an asyncio task on the kernel's event loop (or, without a running
loop, one daemon thread); turning ``live`` off or closing the widget stops it.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from traitlets import Bool, Enum, Float, Int, List, TraitError, Unicode, observe, validate

from ._html import error_box, fmt

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import plotly.graph_objects as go

    from ..entities import ModelVersion

WINDOWS = ("5min", "15min", "1h", "6h", "1d")
RANGES = ("1h", "6h", "24h", "7d", "30d", "all")
SPECIAL_NAMES = {"__prediction__": "prediction", "__confidence__": "confidence"}
PSI_SCALE_MAX = 0.5  # PSI colours saturate here (0.2 is "significant", mid-scale)
_LAYOUT = {"margin": {"l": 60, "r": 20, "t": 40, "b": 40}, "template": "plotly_white"}
_TIME = "%Y-%m-%d %H:%M"


def _finite(value: Any) -> float | None:
    """A JSON-safe number (NaN and None become None: NaN would break the widget sync)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _label(ts: Any) -> str:
    """A window start (UTC timestamp) as the text used on axes and in the pickers."""
    return ts.strftime(_TIME)


def feature_label(name: str) -> str:
    return SPECIAL_NAMES.get(name, name)


@dataclass
class MonitorData:
    """What one refresh read: the version, its reference and three per-window reports."""

    version: ModelVersion
    traffic: pd.DataFrame
    drift: pd.DataFrame
    performance: pd.DataFrame
    profile: dict[str, Any] | None
    window_minutes: int
    windows: list[int] = field(default_factory=list)  # window starts, epoch minutes

    def reference(self, feature: str) -> dict[str, Any] | None:
        if not self.profile:
            return None
        for f in self.profile.get("features", []):
            if f["name"] == feature:
                return f
        for special in ("prediction", "confidence"):
            ref = self.profile.get(special)
            if ref and ref["name"] == feature:
                return ref
        return None

    def features(self) -> list[str]:
        """Features of the reference (inputs first, then prediction and confidence)."""
        if not self.profile:
            return []
        names = [f["name"] for f in self.profile.get("features", [])]
        names += [self.profile[s]["name"] for s in ("prediction", "confidence")
                  if self.profile.get(s)]
        return names

    def latest_drift(self) -> pd.DataFrame:
        if self.drift.empty:
            return self.drift
        return self.drift[self.drift["window_start"] == self.drift["window_start"].max()]


# -- figures ------------------------------------------------------------------------------
def traffic_figure(traffic: pd.DataFrame) -> go.FigureWidget:
    """Volume (ok and errors stacked), error rate and latency percentiles per window."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("predictions per window", "error rate",
                                        "latency (ms)"))
    x = [_label(t) for t in traffic["window_start"]]
    errors = [int(e) for e in traffic["errors"]]
    ok = [int(p) - e for p, e in zip(traffic["predictions"], errors, strict=True)]
    fig.add_trace(go.Bar(x=x, y=ok, name="ok", marker_color="#64b5f6"), row=1, col=1)
    fig.add_trace(go.Bar(x=x, y=errors, name="errors", marker_color="#e57373"), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=[_finite(r) for r in traffic["error_rate"]],
                             mode="lines+markers", name="error rate",
                             line={"color": "#c62828"}), row=2, col=1)
    for q, color in (("p50", "#90a4ae"), ("p95", "#fb8c00"), ("p99", "#6a1b9a")):
        fig.add_trace(go.Scatter(x=x, y=[_finite(v) for v in traffic[f"latency_{q}_ms"]],
                                 mode="lines+markers", name=f"latency {q}",
                                 line={"color": color}), row=3, col=1)
    fig.update_layout(barmode="stack", height=520, **_LAYOUT)
    fig.update_yaxes(tickformat=".1%", rangemode="tozero", row=2, col=1)
    fig.update_yaxes(rangemode="tozero", row=3, col=1)
    return go.FigureWidget(fig)


def drift_figure(drift: pd.DataFrame, features: list[str], color_by: str = "psi"
                 ) -> go.FigureWidget:
    """Heatmap of windows x features coloured by PSI (or the test's statistic); an ``x``
    marks every cell whose test says drift."""
    import plotly.graph_objects as go

    windows = sorted(drift["window_start"].unique()) if not drift.empty else []
    names = [f for f in features if f in set(drift["feature"])] if not drift.empty else []
    x = [_label(t) for t in windows]
    y = [feature_label(f) for f in names]
    col = {t: i for i, t in enumerate(windows)}
    row = {f: i for i, f in enumerate(names)}
    z: list[list[float | None]] = [[None] * len(windows) for _ in names]
    text: list[list[str]] = [[""] * len(windows) for _ in names]
    marks_x, marks_y = [], []
    for r in drift.itertuples(index=False):
        if r.feature not in row:
            continue
        i, j = row[r.feature], col[r.window_start]
        z[i][j] = _finite(r.psi if color_by == "psi" else r.statistic)
        p = "" if _finite(r.p_value) is None else f", p={r.p_value:.3g}"
        text[i][j] = (f"{r.test} {r.statistic:.3g}{p}<br>PSI {r.psi:.3g}<br>"
                      f"n={r.n_current} (reference {r.n_reference})"
                      + ("<br><b>drift</b>" if r.drift else ""))
        if r.drift:
            marks_x.append(x[j])
            marks_y.append(y[i])
    scale = {"zmin": 0.0, "zmax": PSI_SCALE_MAX} if color_by == "psi" else {}
    fig = go.Figure(go.Heatmap(
        x=x, y=y, z=z, text=text, hovertemplate="%{y} @ %{x}<br>%{text}<extra></extra>",
        colorscale="YlOrRd", colorbar={"title": "PSI" if color_by == "psi" else "statistic"},
        xgap=1, ygap=1, name="drift", **scale))
    fig.add_trace(go.Scatter(x=marks_x, y=marks_y, mode="markers", name="drifted",
                             marker={"symbol": "x-thin", "size": 12,
                                     "line": {"width": 2, "color": "#000"}},
                             hoverinfo="skip", showlegend=bool(marks_x)))
    fig.update_layout(height=max(260, 24 * len(y) + 120),
                      title=f"drift per window ({'PSI' if color_by == 'psi' else 'statistic'};"
                            " x = drifted)",
                      yaxis={"autorange": "reversed", "type": "category"},
                      xaxis={"type": "category"}, **_LAYOUT)
    return go.FigureWidget(fig)


def bin_labels(reference: dict[str, Any]) -> list[str]:
    """Readable bins of a profiled feature: ranges of numbers, or the categories."""
    if reference["kind"] != "numeric":
        return [*reference["categories"], "other"]
    edges = reference["edges"]
    if not edges:
        return ["all"]
    return ([f"< {edges[0]:.4g}"]
            + [f"{a:.4g} \u2013 {b:.4g}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
            + [f"\u2265 {edges[-1]:.4g}"])


def _shares(counts: list[int]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def distribution_figure(feature: str, reference: dict[str, Any] | None,
                        current: dict[int, int], window: str) -> go.FigureWidget:
    """Reference against one window: share of values per reference bin (counts on hover)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    if reference is not None:
        labels = bin_labels(reference)
        ref = [int(c) for c in reference["counts"]]
        cur = [int(current.get(i, 0)) for i in range(len(ref))]
        fig.add_trace(go.Bar(x=labels, y=_shares(ref), name="reference", customdata=ref,
                             marker_color="#90a4ae",
                             hovertemplate="%{x}: %{y:.1%} (%{customdata})<extra>reference"
                                           "</extra>"))
        fig.add_trace(go.Bar(x=labels, y=_shares(cur), name=window or "current",
                             customdata=cur, marker_color="#ef6c00",
                             hovertemplate="%{x}: %{y:.1%} (%{customdata})<extra>window"
                                           "</extra>"))
    fig.update_layout(barmode="group", height=320, yaxis={"tickformat": ".0%"},
                      xaxis={"type": "category"},
                      title=f"{feature_label(feature)}: reference vs {window or 'window'}",
                      **_LAYOUT)
    return go.FigureWidget(fig)


def performance_figure(performance: pd.DataFrame) -> go.FigureWidget:
    """Quality metrics per window of the labeled predictions (labels counted on hover)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    if not performance.empty:
        x = [_label(t) for t in performance["window_start"]]
        n = [int(v) for v in performance["n"]]
        for key in (c for c in performance.columns if c not in ("window_start", "n")):
            values = [_finite(v) for v in performance[key]]
            if any(v is not None for v in values):
                fig.add_trace(go.Scatter(x=x, y=values, mode="lines+markers", name=key,
                                         customdata=n,
                                         hovertemplate="%{y:.3f} on %{customdata} labels"))
    fig.update_layout(height=300, title="performance per window (labeled predictions)",
                      **_LAYOUT)
    return go.FigureWidget(fig)


# -- the widget ---------------------------------------------------------------------------
class MonitorWidget(w.VBox):
    """The monitoring dashboard of one registered model version."""

    model_name = Unicode().tag(sync=True)
    version = Int(0, help="Version to monitor (0: the current production version)."
                  ).tag(sync=True)
    shown_version = Int(0, help="The version the data is about.").tag(sync=True)
    window = Unicode("1h", help="Window length: '15min', '1h', '1d'...").tag(sync=True)
    since = Unicode("24h", help="How far back: '24h', '7d'... or 'all'.").tag(sync=True)
    feature = Unicode("", help="Feature of the distribution chart.").tag(sync=True)
    current_window = Unicode("", help="Window of the distribution chart ('': the latest)."
                             ).tag(sync=True)
    color_by = Enum(("psi", "statistic"), default_value="psi").tag(sync=True)
    live = Bool(False, help="Refresh every `interval` seconds.").tag(sync=True)
    interval = Float(30.0, help="Seconds between live refreshes.").tag(sync=True)
    predictions = Int(0, help="Predictions in the range.").tag(sync=True)
    drifted = List(Unicode(), help="Features drifted in the latest window.").tag(sync=True)
    has_labels = Bool(False).tag(sync=True)
    refreshes = Int(0, help="Completed refreshes.").tag(sync=True)
    error = Unicode("", help="Why nothing can be shown.").tag(sync=True)
    warning = Unicode("", help="What is missing (no reference, no predictions...).").tag(
        sync=True)

    def __init__(self, model_name: str, version: int | None = None, window: str = "1h",
                 since: str | None = "24h", feature: str = "", live: bool = False,
                 interval: float = 30.0, **kwargs: Any):
        self.data: MonitorData | None = None
        self._lock = threading.RLock()
        self._busy = False
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._header = w.HTML()
        self._error = w.HTML()
        self._summary = w.HTML()
        self._window = w.Dropdown(description="window", options=WINDOWS,
                                  layout=w.Layout(width="170px"))
        self._since = w.Dropdown(description="since", options=RANGES,
                                 layout=w.Layout(width="170px"))
        self._refresh = w.Button(description="refresh", icon="refresh",
                                 layout=w.Layout(width="90px"))
        self._live = w.ToggleButton(description="live", icon="play",
                                    tooltip="refresh every interval seconds",
                                    layout=w.Layout(width="80px"))
        self._interval = w.BoundedFloatText(min=1, max=3600, description="every (s)",
                                            layout=w.Layout(width="150px"))
        self._color = w.ToggleButtons(options=[("PSI", "psi"), ("statistic", "statistic")],
                                      style={"button_width": "80px"})
        self._feature = w.Dropdown(description="feature", layout=w.Layout(width="280px"))
        self._dist_window = w.Dropdown(description="window", layout=w.Layout(width="260px"))
        self._traffic_box, self._drift_box = w.Box(), w.Box()
        self._dist_box, self._perf_box = w.Box(), w.Box()
        self._perf_note = w.HTML()
        self.traffic_figure: go.FigureWidget | None = None
        self.drift_figure: go.FigureWidget | None = None
        self.distribution_figure: go.FigureWidget | None = None
        self.performance_figure: go.FigureWidget | None = None
        super().__init__(children=[
            self._header, self._error, self._summary,
            w.HBox([self._window, self._since, self._refresh, self._live, self._interval]),
            self._traffic_box,
            w.HBox([w.HTML("<b>drift</b>, colour by"), self._color]), self._drift_box,
            w.HBox([self._feature, self._dist_window]), self._dist_box,
            self._perf_note, self._perf_box,
        ], model_name=model_name, version=int(version or 0), window=window,
            since=since or "all", feature=feature, interval=interval, **kwargs)
        for trait, control in (("live", self._live), ("interval", self._interval),
                               ("color_by", self._color)):
            w.link((self, trait), (control, "value"))
        for trait, control in (("window", self._window), ("since", self._since)):
            _show_option(control, getattr(self, trait))
            control.observe(lambda change, t=trait: setattr(self, t, change["new"]), "value")
        self._feature.observe(self._picked_feature, "value")
        self._dist_window.observe(self._picked_window, "value")
        self._refresh.on_click(lambda _: self.refresh())
        self.refresh()
        self.live = live

    def __repr__(self) -> str:
        return (f"MonitorWidget({self.model_name!r}, version={self.shown_version or None}, "
                f"window={self.window!r}, predictions={self.predictions}, "
                f"drifted={list(self.drifted)}, live={self.live})")

    @validate("window")
    def _valid_window(self, proposal: dict) -> str:
        from ..monitoring.windows import window_minutes

        try:
            window_minutes(proposal["value"])
        except Exception as e:
            raise TraitError(str(e)) from None
        return proposal["value"]

    @validate("since")
    def _valid_since(self, proposal: dict) -> str:
        from ..monitoring.windows import to_epoch

        value = proposal["value"] or "all"
        if value != "all":
            try:
                to_epoch(value)
            except Exception as e:
                raise TraitError(str(e)) from None
        return value

    @validate("interval")
    def _valid_interval(self, proposal: dict) -> float:
        if not proposal["value"] > 0:
            raise TraitError("interval must be a positive number of seconds")
        return float(proposal["value"])

    # -- data -------------------------------------------------------------------------
    def load(self) -> MonitorData:
        """Read the version, its reference and the three reports (the SQL bin counters)."""
        from ..monitoring.windows import window_minutes
        from ..tracking import fluent

        client = fluent.get_client()
        if self.version:
            mv = client.get_model_version(self.model_name, version=self.version)
        else:
            mv = client.get_model_version(self.model_name, stage="production")
        scope = {"version": mv.version, "window": self.window,
                 "since": None if self.since in ("", "all") else self.since}
        traffic = client.traffic(self.model_name, **scope)
        profile = client.reference_profile(self.model_name, version=mv.version)
        drift = client.drift(self.model_name, **scope)
        performance = client.performance(self.model_name, **scope)
        minutes = window_minutes(self.window)
        windows = sorted({int(t.timestamp() // 60) for t in traffic["window_start"]})
        return MonitorData(mv, traffic, drift, performance, profile, minutes, windows)

    def refresh(self) -> None:
        """Reload everything for the current model, version, window and range; redraw."""
        with self._lock:
            try:
                data = self.load()
            except Exception as e:
                self._fail(e)
                return
            self.data = data
            latest = data.latest_drift()
            self._busy = True
            try:
                self.shown_version = data.version.version
                self.predictions = int(data.traffic["predictions"].sum())
                features = data.features()
                moved = set(latest.loc[latest["drift"], "feature"])
                self.drifted = [f for f in features if f in moved]
                self.has_labels = not data.performance.empty
                if self.feature not in features:
                    self.feature = self._default_feature(latest, features)
                self._feature.options = [(feature_label(f), f) for f in features]
                self._feature.value = self.feature or None
                labels = [_label(_timestamp(m)) for m in data.windows]
                if self.current_window not in labels:
                    self.current_window = ""
                self._dist_window.options = [("latest", "")] + [(x, x) for x in
                                                                reversed(labels)]
                self._dist_window.value = self.current_window
            finally:
                self._busy = False
            self.error = ""
            self._error.value = ""
            self.warning = self._what_is_missing(data)
            self.render()
            self.refreshes += 1

    @staticmethod
    def _default_feature(latest: pd.DataFrame, features: list[str]) -> str:
        """The input feature that moved most in the latest window, else the first one."""
        inputs = latest[~latest["feature"].isin(list(SPECIAL_NAMES))] if not latest.empty \
            else latest
        if not inputs.empty:
            return str(inputs.sort_values("psi", ascending=False)["feature"].iloc[0])
        return features[0] if features else ""

    def _what_is_missing(self, data: MonitorData) -> str:
        v = data.version.version
        if not data.profile:
            return (f"version {v} has no reference profile, so there is no drift: set one "
                    f"with mj.set_reference({self.model_name!r}, training_frame, "
                    f"version={v}), or log the model with a local train dataset")
        if data.traffic.empty:
            return (f"no predictions of version {v} in this range: log them with "
                    "mj.log_predictions(...) or send them to the predict route")
        return ""

    def distribution(self) -> tuple[dict[str, Any] | None, dict[int, int], str]:
        """(reference feature, current bin counts, window label) of the chosen feature."""
        data = self.data
        if data is None or not self.feature or not data.windows:
            return None, {}, ""
        reference = data.reference(self.feature)
        labels = {_label(_timestamp(m)): m for m in data.windows}
        label = self.current_window or _label(_timestamp(data.windows[-1]))
        start = labels[label]
        from ..tracking import fluent

        current = fluent.get_client().feature_counts(
            self.model_name, self.feature, version=data.version.version, since=start * 60,
            until=(start + data.window_minutes) * 60)
        return reference, current, label

    # -- interaction ------------------------------------------------------------------
    def _picked_feature(self, change: dict) -> None:
        if not self._busy and change["new"]:
            self.feature = change["new"]

    def _picked_window(self, change: dict) -> None:
        if not self._busy and change["new"] is not None:
            self.current_window = change["new"]

    @observe("window", "since", "version")
    def _scope_changed(self, change: dict) -> None:
        if change["name"] == "window":
            _show_option(self._window, change["new"])
            self.current_window = ""
        elif change["name"] == "since":
            _show_option(self._since, change["new"])
        if self.data is not None or self.error:
            self.refresh()

    @observe("feature", "current_window")
    def _distribution_changed(self, change: dict) -> None:
        if not self._busy and self.data is not None:
            self._busy = True
            try:
                self._feature.value = self.feature or None
                self._dist_window.value = self.current_window
            except Exception:  # a value the pickers do not offer: shown as empty
                pass
            finally:
                self._busy = False
            self._draw_distribution()

    @observe("color_by")
    def _color_changed(self, change: dict) -> None:
        if self.data is not None:
            self._draw_drift()

    def _clicked_cell(self, trace: Any, points: Any, selector: Any) -> None:
        """A click on a heatmap cell shows that feature and window below."""
        if self.data is None or not points.point_inds:
            return
        names = {feature_label(f): f for f in self.data.features()}
        feature = names.get(points.ys[0])
        if feature:
            self.current_window = points.xs[0]
            self.feature = feature

    # -- live refresh -----------------------------------------------------------------
    @observe("live")
    def _live_changed(self, change: dict) -> None:
        self._stop_live()
        if change["new"]:
            self._start_live()

    def _start_live(self) -> None:
        try:
            loop = asyncio.get_running_loop()  # the kernel's loop, in a notebook
        except RuntimeError:
            loop = None
        if loop is not None:
            self._task = loop.create_task(self._tick())
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick_thread, args=(self._stop,),
                                        name=f"mlops-monitor {self.model_name}", daemon=True)
        self._thread.start()

    def _stop_live(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.refresh()  # on the loop's thread: no other code touches the widget meanwhile

    def _tick_thread(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            self.refresh()  # serialized with the user's refreshes by the lock

    def close(self) -> None:
        """Stop live refresh and close the figures with the widget."""
        self.live = False
        self._stop_live()
        for fig in (self.traffic_figure, self.drift_figure, self.distribution_figure,
                    self.performance_figure):
            if fig is not None:
                fig.close()
        super().close()

    # -- drawing ----------------------------------------------------------------------
    def render(self) -> None:
        data = self.data
        if data is None:
            return
        try:
            self._header.value = self.header_html()
            self._summary.value = self.summary_html()
            self.traffic_figure = _swap(self._traffic_box, self.traffic_figure,
                                        traffic_figure(data.traffic))
            self._draw_drift()
            self._draw_distribution()
            if data.performance.empty:
                self._perf_note.value = (
                    "<i>no labels yet: performance appears once ground truth is attached "
                    "with mj.log_labels(request_ids, labels)</i>")
            else:
                self._perf_note.value = ""
            self.performance_figure = _swap(self._perf_box, self.performance_figure,
                                            performance_figure(data.performance))
            self._perf_box.layout.display = "none" if data.performance.empty else ""
        except Exception as e:
            self._fail(e)

    def _draw_drift(self) -> None:
        assert self.data is not None
        fig = drift_figure(self.data.drift, self.data.features(), self.color_by)
        fig.data[0].on_click(self._clicked_cell)
        self.drift_figure = _swap(self._drift_box, self.drift_figure, fig)

    def _draw_distribution(self) -> None:
        try:
            reference, current, label = self.distribution()
        except Exception as e:
            self._fail(e)
            return
        self.distribution_figure = _swap(
            self._dist_box, self.distribution_figure,
            distribution_figure(self.feature, reference, current, label))

    def header_html(self) -> str:
        assert self.data is not None
        mv = self.data.version
        since = "all time" if self.since in ("", "all") else f"the last {self.since}"
        return (f"<b>{escape(self.model_name)}</b> version {mv.version} "
                f"({escape(mv.stage)}): {self.predictions:,} predictions in "
                f"{escape(self.window)} windows over {escape(since)} "
                f"<span style='color:#777'>(UTC; refreshed "
                f"{time.strftime('%H:%M:%S')})</span>")

    def summary_html(self) -> str:
        """The latest window in one line: volume, errors, latency, drift, quality."""
        assert self.data is not None
        parts = []
        traffic = self.data.traffic
        if not traffic.empty:
            last = traffic.iloc[-1]
            p95 = _finite(last["latency_p95_ms"])
            rate = _finite(last["error_rate"])
            parts.append(
                f"latest window {escape(_label(last['window_start']))}: "
                f"{int(last['predictions']):,} predictions, error rate "
                f"{'-' if rate is None else f'{rate:.1%}'}, latency p95 "
                f"{'-' if p95 is None else escape(fmt(p95)) + ' ms'}")
        if self.data.profile and not self.data.drift.empty:
            drifted = ", ".join(escape(feature_label(f)) for f in self.drifted)
            parts.append(f'<span style="color:#b71c1c"><b>drift</b>: {drifted}</span>'
                         if drifted else "no drift in the latest window")
        perf = self.data.performance
        if not perf.empty:
            last = perf.iloc[-1]
            key = next((k for k in ("accuracy", "f1", "rmse", "mae") if k in perf.columns),
                       None)
            if key is not None:
                parts.append(f"{escape(key)} {escape(fmt(_finite(last[key])))} on "
                             f"{int(last['n'])} labels ({escape(_label(last['window_start']))})")
        html = ""
        if self.warning:
            html += ('<div style="color:#8d6e00;background:#fff8e1;padding:4px 8px">'
                     f"{escape(self.warning)}</div>")
        if parts:
            html += "<div>" + "; ".join(parts) + "</div>"
        return html

    def _fail(self, error: Exception) -> None:
        self.error = str(error) or type(error).__name__
        self._error.value = error_box(f"cannot monitor {self.model_name!r}: {self.error}")


def _show_option(dropdown: w.Dropdown, value: str) -> None:
    """Select ``value`` in ``dropdown``, adding it to the options when it is new."""
    if value not in dropdown.options:
        dropdown.options = [*dropdown.options, value]
    dropdown.value = value


def _timestamp(minute: int) -> Any:
    import pandas as pd

    return pd.Timestamp(minute * 60, unit="s", tz="UTC")


def _swap(box: w.Box, old: Any, new: Any) -> Any:
    """Show ``new`` in ``box`` and close ``old`` (a live dashboard must not pile up comms)."""
    box.children = (new,)
    if old is not None:
        old.close()
    return new


def monitor(name: str, **kwargs: Any) -> MonitorWidget:
    """The monitoring dashboard of ``name``: ``mj.widgets.monitor("wine-classifier")``."""
    return MonitorWidget(name, **kwargs)
