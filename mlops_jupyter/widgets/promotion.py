"""``%mlops promote NAME`` / ``mj.widgets.promote(NAME)``: review and move model versions.

Shows the versions of one registered model (stage badges, source iteration or
uploaded file, metrics), the selected candidate against the production version
(metrics and params side by side), Promote and Rollback buttons that ask for
confirmation first, an optional comment, and the stage history. The rules (one
production version, what rollback means) are the registry's; the widget only
calls it and reloads. Every user text is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as w
from traitlets import Enum, Int, Unicode, observe

from ..comparison import direction
from ..entities import ModelVersion, StageTransition
from ._html import badge, error_box, fmt, html_table
from .models_table import describe_source, human_size, iteration_labels

STAGES = ("production", "staging")
MONITORING_PLACEHOLDER = "monitoring: no predictions of the production version yet"
MONITORING_RANGE = "24h"  # what "recent" means in the monitoring line
_ONE_WINDOW = 10**8  # minutes (190 years): the whole range as a single window
_BETTER = "background:#c8e6c9"
_WORSE = "background:#ffcdd2"
_DIFFERS = "background:#fff8e1"
_SELECTED = "background:#e3f2fd"


def _e(value: Any) -> str:
    return escape(fmt(value))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def rollback_target(history: list[StageTransition], current: int | None) -> int | None:
    """The version a rollback would put back (the registry decides; this is for the prompt)."""
    for t in reversed(history):
        if t.to_stage == "production" and t.version != current:
            return t.version
    return None


class PromoteWidget(w.VBox):
    """Promote a version of ``model_name`` to staging/production, or roll back."""

    model_name = Unicode().tag(sync=True)
    version_count = Int(0).tag(sync=True)
    production = Int(0, help="Version in production (0: none).").tag(sync=True)
    selected = Int(0, help="The candidate version (0: none).").tag(sync=True)
    stage = Enum(STAGES, default_value="production", help="Target of Promote.").tag(sync=True)
    comment = Unicode("", help="Kept in the stage history with the next action.").tag(sync=True)
    pending = Enum(("", "promote", "rollback"), default_value="",
                   help="Action waiting for confirmation.").tag(sync=True)
    message = Unicode("", help="What the last action did.").tag(sync=True)
    error = Unicode("").tag(sync=True)

    def __init__(self, model_name: str, version: int | None = None, stage: str = "production",
                 comment: str = "", **kwargs: Any):
        self.versions: list[ModelVersion] = []
        self.history: list[StageTransition] = []
        self.labels: dict[int, str] = {}
        self._busy = False
        self._header = w.HTML()
        self._error = w.HTML()
        self._message = w.HTML()
        self._versions = w.HTML()
        self._selector = w.Dropdown(description="candidate", layout=w.Layout(width="260px"))
        self._stage = w.ToggleButtons(options=list(STAGES), description="to",
                                      style={"button_width": "90px"})
        self._comment = w.Text(placeholder="comment (optional)", layout=w.Layout(width="300px"))
        self._promote = w.Button(description="Promote", icon="arrow-up", button_style="primary")
        self._rollback = w.Button(description="Rollback", icon="undo", button_style="warning")
        self._refresh = w.Button(description="refresh", icon="refresh",
                                 layout=w.Layout(width="90px"))
        self._question = w.HTML()
        self._confirm = w.Button(description="Confirm", button_style="danger")
        self._cancel = w.Button(description="Cancel")
        self._confirm_box = w.HBox([self._question, self._confirm, self._cancel],
                                   layout=w.Layout(display="none"))
        self._diff = w.HTML()
        self._history = w.HTML()
        self._monitoring = w.HTML(_monitoring_box(escape(MONITORING_PLACEHOLDER)))
        super().__init__(children=[
            self._header, self._error, self._message, self._versions,
            w.HBox([self._selector, self._stage]),
            w.HBox([self._comment, self._promote, self._rollback, self._refresh]),
            self._confirm_box, self._diff, self._monitoring, self._history,
        ], model_name=model_name, stage=stage, comment=comment, **kwargs)
        w.link((self, "stage"), (self._stage, "value"))
        w.link((self, "comment"), (self._comment, "value"))
        self._selector.observe(self._picked, "value")
        self._promote.on_click(lambda _: self.ask("promote"))
        self._rollback.on_click(lambda _: self.ask("rollback"))
        self._confirm.on_click(lambda _: self.confirm())
        self._cancel.on_click(lambda _: self.cancel())
        self._refresh.on_click(lambda _: self.refresh())
        if version is not None:
            self.selected = int(version)
        self.refresh()

    def __repr__(self) -> str:
        return (f"PromoteWidget({self.model_name!r}, versions={self.version_count}, "
                f"production={self.production or None}, selected={self.selected or None})")

    # -- data -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload versions and history, keep the selection where possible, redraw."""
        from ..tracking import fluent

        try:
            client = fluent.get_client()
            versions = client.model_versions(self.model_name)
            history = client.model_history(self.model_name)
            labels = iteration_labels(client, versions)
        except Exception as e:
            self._fail(e)
            return
        self.versions, self.history, self.labels = versions, history, labels
        production_version = next((mv for mv in versions if mv.stage == "production"), None)
        self._monitoring.value = self.monitoring_html(production_version)
        self.error = ""
        self._error.value = ""
        by_version = {mv.version: mv for mv in versions}
        production = next((mv.version for mv in versions if mv.stage == "production"), 0)
        self._busy = True
        try:
            self.version_count = len(versions)
            self.production = production
            if self.selected not in by_version:
                candidates = [mv.version for mv in versions if mv.stage != "production"]
                self.selected = (candidates or [mv.version for mv in versions] or [0])[-1]
            self._selector.options = [(f"version {mv.version} ({mv.stage})", mv.version)
                                      for mv in reversed(versions)]
            self._selector.value = self.selected or None
        finally:
            self._busy = False
        self.render()

    def version(self, number: int) -> ModelVersion | None:
        return next((mv for mv in self.versions if mv.version == number), None)

    # -- actions ----------------------------------------------------------------------
    def ask(self, action: str) -> None:
        """First step of Promote/Rollback: show the question with Confirm and Cancel."""
        self.message = ""
        if action == "promote" and not self.selected:
            self._fail_text("choose a version to promote first")
            return
        self.pending = action

    def question(self) -> str:
        if self.pending == "promote":
            return f"Promote version {self.selected} to {self.stage}?"
        if self.pending == "rollback":
            target = rollback_target(self.history, self.production or None)
            if target is None:
                return "Roll back production to the previous production version?"
            return (f"Roll back production from version {self.production or '-'} "
                    f"to version {target}?")
        return ""

    def confirm(self) -> None:
        """Second step: do the pending action, then reload (errors become a message)."""
        from ..tracking import fluent

        action, self.pending = self.pending, ""
        if not action:
            return
        comment = self.comment.strip() or None
        try:
            client = fluent.get_client()
            if action == "promote":
                mv = client.promote(self.model_name, self.selected, self.stage,
                                    comment=comment)
                done = f"version {mv.version} is now in {mv.stage}"
            else:
                mv = client.rollback(self.model_name, comment=comment)
                done = f"rolled back: version {mv.version} is in production again"
        except Exception as e:
            self.refresh()
            self._fail(e)
            return
        self.comment = ""
        self.refresh()
        self.message = done

    def cancel(self) -> None:
        self.pending = ""

    @observe("pending")
    def _pending_changed(self, change: dict) -> None:
        self._question.value = f"<b>{escape(self.question())}</b>" if self.pending else ""
        self._confirm_box.layout.display = "flex" if self.pending else "none"
        if self.pending:
            self.error = ""
            self._error.value = ""

    @observe("message")
    def _message_changed(self, change: dict) -> None:
        self._message.value = (
            f'<div style="color:#1b5e20">{escape(self.message)}</div>' if self.message else "")

    def _picked(self, change: dict) -> None:
        if not self._busy and change["new"] is not None:
            self.selected = int(change["new"])

    @observe("selected", "stage")
    def _changed(self, change: dict) -> None:
        if self.pending:
            self._question.value = f"<b>{escape(self.question())}</b>"
        if not self._busy and self.versions:
            self.render()

    # -- drawing ----------------------------------------------------------------------
    def render(self) -> None:
        name = escape(self.model_name)
        prod = f"version {self.production}" if self.production else "none"
        self._header.value = (f"<b>{name}</b>: {self.version_count} versions, "
                              f"production: {escape(prod)}")
        self._versions.value = self.versions_html()
        self._diff.value = self.diff_html()
        self._history.value = self.history_html()

    def versions_html(self) -> str:
        header = ["version", "stage", "aliases", "source", "format", "size", "created",
                  "metrics"]
        rows, styles = [], []
        for mv in reversed(self.versions):
            created = mv.created_at.strftime("%Y-%m-%d %H:%M") if mv.created_at else ""
            metrics = ", ".join(f"{escape(k)}={_e(v)}" for k, v in sorted(mv.metrics.items()))
            rows.append([str(mv.version), badge(mv.stage), escape(", ".join(mv.aliases)),
                         escape(describe_source(mv, self.labels)), escape(mv.format),
                         escape(human_size(mv.size)), escape(created), metrics])
            styles.append(_SELECTED if mv.version == self.selected else "")
        return html_table(header, rows, styles)

    def diff_html(self) -> str:
        """The candidate against the production version: metrics, then params."""
        candidate = self.version(self.selected)
        if candidate is None:
            return ""
        current = self.version(self.production) if self.production else None
        if current is None:
            return (f"<b>version {candidate.version}</b> (candidate); "
                    "no version is in production yet")
        if current.version == candidate.version:
            return f"<b>version {candidate.version}</b> is the production version"
        head = [f"version {candidate.version} (candidate)",
                f"version {current.version} (production)"]
        parts = [self._metrics_table(candidate, current, head),
                 self._params_table(candidate, current, head)]
        return "".join(parts)

    def _metrics_table(self, cand: ModelVersion, cur: ModelVersion, head: list[str]) -> str:
        keys = sorted(set(cand.metrics) | set(cur.metrics))
        if not keys:
            return "<div><i>no metrics on either version (uploaded files have none)</i></div>"
        rows, styles = [], []
        for key in keys:
            a, b = cand.metrics.get(key), cur.metrics.get(key)
            na, nb = _number(a), _number(b)
            delta, style = "", ""
            if na is not None and nb is not None:
                diff = na - nb
                delta = f"{diff:+.4g}"
                if diff:
                    better = (diff > 0) == (direction(key) == "max")
                    style = _BETTER if better else _WORSE
            rows.append([escape(key), _e(a), _e(b), escape(delta)])
            styles.append(style)
        return "<b>metrics</b>" + html_table(["metric", *head, "\u0394"], rows, styles)

    def _params_table(self, cand: ModelVersion, cur: ModelVersion, head: list[str]) -> str:
        keys = sorted(set(cand.params) | set(cur.params))
        if not keys:
            return ""
        differing = [k for k in keys if cand.params.get(k) != cur.params.get(k)]
        same = len(keys) - len(differing)
        if not differing:
            return f"<div><i>params: all {same} the same</i></div>"
        rows = [[escape(k), _e(cand.params.get(k)), _e(cur.params.get(k))] for k in differing]
        note = f" ({same} more the same)" if same else ""
        return (f"<b>params that differ</b>{note}"
                + html_table(["param", *head], rows, [_DIFFERS] * len(rows)))

    def monitoring_html(self, production: ModelVersion | None) -> str:
        """Recent production traffic, drift and performance (the monitoring client's
        reports over the last ``MONITORING_RANGE``), or why there is none."""
        from ..tracking import fluent

        if production is None:
            return _monitoring_box("monitoring: no version in production")
        name, v = self.model_name, production.version
        try:
            client = fluent.get_client()
            traffic = client.traffic(name, version=v, window=_ONE_WINDOW,
                                     since=MONITORING_RANGE)
            if traffic.empty or not traffic["predictions"].sum():
                return _monitoring_box(escape(MONITORING_PLACEHOLDER))
            drift = client.drift(name, version=v, window="1h", since=MONITORING_RANGE)
            performance = client.performance(name, version=v, window=_ONE_WINDOW,
                                             since=MONITORING_RANGE)
        except Exception as e:  # monitoring must never break the promote widget
            return _monitoring_box(escape(f"monitoring unavailable: {e}"))
        row = traffic.iloc[0]
        parts = [f"{int(row['predictions']):,} predictions",
                 f"error rate {row['error_rate']:.1%}"]
        p95 = _number(row["latency_p95_ms"])
        if p95 is not None:
            parts.append(f"latency p95 {fmt(p95)} ms")
        if drift.empty:
            parts.append("drift: no reference profile" if client.reference_profile(
                name, version=v) is None else "drift: not measured")
        else:
            latest = drift[drift["window_start"] == drift["window_start"].max()]
            moved = sorted((str(f) for f in latest.loc[latest["drift"], "feature"]),
                           key=lambda f: (f.startswith("__"), f))  # inputs first
            moved = [f.strip("_") for f in moved]
            parts.append(f"drift in the latest hour: {', '.join(moved)}" if moved
                         else "no drift in the latest hour")
        if not performance.empty:
            perf = performance.iloc[0]
            key = next((k for k in ("accuracy", "rmse", "mae") if k in performance.columns),
                       None)
            if key is not None:
                parts.append(f"{key} {fmt(_number(perf[key]))} on {int(perf['n'])} labels")
        text = escape(f"version {v} in production, last {MONITORING_RANGE}: "
                      + "; ".join(parts))
        return _monitoring_box(text + f" <code>%mlops monitor {escape(name)}</code>",
                               color="#333")

    def history_html(self) -> str:
        if not self.history:
            return "<b>stage history</b><div><i>no stage changes yet</i></div>"
        rows = []
        for t in reversed(self.history):
            rows.append([escape(t.at.strftime("%Y-%m-%d %H:%M:%S")), str(t.version),
                         f"{badge(t.from_stage)} \u2192 {badge(t.to_stage)}", escape(t.actor),
                         escape(t.comment or "")])
        return "<b>stage history</b>" + html_table(
            ["when", "version", "change", "by", "comment"], rows)

    def _fail(self, error: Exception) -> None:
        self._fail_text(str(error) or type(error).__name__)

    def _fail_text(self, text: str) -> None:
        self.error = text
        self._error.value = error_box(text)


def _monitoring_box(html: str, color: str = "#777") -> str:
    return (f'<div class="mlops-monitoring" style="color:{color};border:1px dashed #bbb;'
            f'padding:4px 8px;margin-top:4px">{html}</div>')


def promote(name: str) -> PromoteWidget:
    """The promote widget of registered model ``name``: ``mj.widgets.promote("wine-classifier")``."""
    return PromoteWidget(name)
