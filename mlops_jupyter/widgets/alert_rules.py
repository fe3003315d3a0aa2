"""``%mlops alerts`` / ``mj.widgets.alerts()``: set up alert rules and watch deliveries.

Lists the rules (enable/disable the selected one), a form for a new rule with a
Backtest button ("how often would it have fired?") before saving, and the recent
events with their delivery status: failed deliveries are highlighted with their
reason. Rules and delivery are the core's (:mod:`mlops_jupyter.alerts`); every
user text is escaped.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from traitlets import Int, Unicode

from ..entities import TRIGGERS, AlertEvent, AlertRule
from ._html import error_box, fmt, html_table

_FAILED = "background:#ffcdd2"
_SUPPRESSED = "color:#777"


def _scope(rule: AlertRule) -> str:
    if rule.scope_kind == "model":
        return f"model {rule.model}"
    return f"{rule.project}/{rule.experiment}" if rule.experiment else f"project {rule.project}"


def _condition(rule: AlertRule) -> str:
    c = rule.condition or {}
    if "limit" in c:
        what = c.get("feature") or c.get("metric") or ("p95 ms" if rule.trigger == "latency"
                                                       else "any feature")
        return f"{what} {c['direction']} {c['limit']} per {c['window_minutes']} min"
    if "field" in c:
        return f"{c['field']} {c['op']} {c['value']}"
    return ""


class AlertsWidget(w.VBox):
    """Alert rules, a new-rule form with backtest, and the delivery log."""

    selected = Unicode("", help="Name of the selected rule.").tag(sync=True)
    rule_count = Int(0).tag(sync=True)
    failed_count = Int(0, help="Events whose delivery failed for good.").tag(sync=True)
    message = Unicode("").tag(sync=True)
    error = Unicode("").tag(sync=True)

    def __init__(self, client: Any = None, **kwargs: Any):
        from ..tracking.fluent import get_client

        self.client = client or get_client()
        self.rules: list[AlertRule] = []
        self.events: list[AlertEvent] = []
        self._rules = w.HTML()
        self._events = w.HTML()
        self._error = w.HTML()
        self._message = w.HTML()
        self._selector = w.Dropdown(description="rule", layout=w.Layout(width="320px"))
        self._toggle = w.Button(description="Enable / disable")
        self._deliver = w.Button(description="Deliver now", icon="paper-plane")
        self._refresh = w.Button(description="Refresh", icon="refresh")
        self.form = {
            "name": w.Text(description="name"),
            "trigger": w.Dropdown(options=list(TRIGGERS), description="trigger"),
            "project": w.Text(description="project"),
            "experiment": w.Text(description="experiment"),
            "model": w.Text(description="model"),
            "condition": w.Text(description="condition",
                                placeholder="accuracy >= 0.9 / confidence < 0.5"),
            "feature": w.Text(description="feature"),
            "metric": w.Text(description="metric"),
            "limit": w.Text(description="limit", placeholder="0.2"),
            "direction": w.ToggleButtons(options=["above", "below"], description="when"),
            "window": w.Text(value="1h", description="window"),
            "recipients": w.Text(description="to", placeholder="ada@example.org, ..."),
            "cooldown": w.Text(value="15min", description="cooldown"),
        }
        self._backtest = w.Button(description="Backtest (30 days)")
        self._save = w.Button(description="Save rule", button_style="primary")
        self._backtest_result = w.HTML()
        self._selector.observe(lambda ch: setattr(self, "selected", ch["new"] or ""), "value")
        self._toggle.on_click(lambda _b: self.toggle_selected())
        self._deliver.on_click(lambda _b: self.deliver())
        self._refresh.on_click(lambda _b: self.refresh())
        self._backtest.on_click(lambda _b: self.backtest())
        self._save.on_click(lambda _b: self.save())
        form = w.VBox([w.HTML("<b>new rule</b>"), *self.form.values(),
                       w.HBox([self._backtest, self._save]), self._backtest_result])
        super().__init__([self._error, self._message, self._rules,
                          w.HBox([self._selector, self._toggle, self._deliver, self._refresh]),
                          self._events, form], **kwargs)
        self.refresh()

    def __repr__(self) -> str:
        return f"<AlertsWidget {self.rule_count} rules, {self.failed_count} failed deliveries>"

    # -- data ---------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self.rules = self.client.store.list_alert_rules()
            self.events = self.client.store.alert_events(limit=50)
        except Exception as e:
            return self._fail(e)
        self.rule_count = len(self.rules)
        self.failed_count = sum(e.status == "failed" for e in self.events)
        names = [r.name for r in self.rules]
        self._selector.options = names
        if self.selected in names:
            self._selector.value = self.selected
        self._render()

    def _render(self) -> None:
        self._error.value = error_box(self.error)
        self._message.value = (f"<div>{fmt(self.message)}</div>" if self.message else "")
        from html import escape

        rows = [[escape(r.name), escape(r.trigger), escape(_scope(r)), escape(_condition(r)),
                 escape(", ".join(r.recipients) or (r.webhook_url or "")),
                 escape(f"{r.cooldown_seconds / 60:g} min"),
                 "enabled" if r.enabled else "disabled"] for r in self.rules]
        self._rules.value = ("<b>rules</b>" + html_table(
            ["name", "trigger", "scope", "condition", "to", "cooldown", "state"], rows)
            if rows else "<i>no alert rules yet: fill in the form below</i>")
        styles = [_FAILED if e.status == "failed" else _SUPPRESSED
                  if e.status == "suppressed" else "" for e in self.events]
        rows = [[escape(e.fired_at.strftime("%Y-%m-%d %H:%M:%S")), escape(e.rule_name),
                 escape(e.kind), escape(e.subject), escape(e.status), str(e.attempts),
                 escape(e.last_error or "")] for e in self.events]
        self._events.value = ("<b>recent events</b>" + html_table(
            ["fired", "rule", "kind", "subject", "delivery", "attempts", "last error"], rows,
            styles) if rows else "")

    # -- actions -------------------------------------------------------------------
    def definition(self) -> dict[str, Any]:
        """The form as keyword arguments of ``mj.alerts.add_rule``."""
        f = {k: v.value for k, v in self.form.items()}
        out: dict[str, Any] = {"trigger": f["trigger"], "cooldown": f["cooldown"] or 0,
                               "recipients": [r.strip() for r in f["recipients"].split(",")
                                              if r.strip()]}
        for key in ("project", "experiment", "model", "condition", "feature", "metric"):
            if f[key].strip():
                out[key] = f[key].strip()
        if f["trigger"] in ("drift", "performance", "latency"):
            try:
                out[f["direction"]] = float(f["limit"])
            except ValueError:
                out[f["direction"]] = None
            out["window"] = f["window"]
        return out

    def backtest(self) -> dict[str, Any] | None:
        from ..alerts import Rule
        from ..alerts.rules import rule_fields

        try:
            fields = rule_fields(name=self.form["name"].value or "backtest", **self.definition())
            probe = _probe_rule(fields)
            result = Rule(self.client, probe).backtest(since="30d")
        except Exception as e:
            self._fail(e)
            return None
        self.error = ""
        self._backtest_result.value = (
            f"would have fired <b>{result['would_fire']}</b> times in the last 30 days")
        self._render()
        return result

    def save(self) -> AlertRule | None:
        from .. import alerts

        try:
            rule = alerts.add_rule(self.form["name"].value, client=self.client,
                                   **self.definition())
        except Exception as e:
            self._fail(e)
            return None
        self.error, self.message, self.selected = "", f"saved rule {rule.name}", rule.name
        self.refresh()
        return rule.rule

    def toggle_selected(self) -> None:
        rule = next((r for r in self.rules if r.name == self.selected), None)
        if rule is None:
            return self._fail(ValueError("select a rule first"))
        try:
            self.client.store.update_alert_rule(rule.id, {"enabled": not rule.enabled})
        except Exception as e:
            return self._fail(e)
        self.error = ""
        self.message = f"{rule.name} is now {'disabled' if rule.enabled else 'enabled'}"
        self.refresh()

    def deliver(self) -> dict[str, int] | None:
        from .. import alerts

        try:
            done = alerts.deliver(client=self.client)
        except Exception as e:
            self._fail(e)
            return None
        self.error = ""
        self.message = "delivered: " + (", ".join(f"{k} {v}" for k, v in done.items())
                                        or "nothing was due")
        self.refresh()
        return done

    def _fail(self, error: Exception) -> None:
        self.error = str(error) or type(error).__name__
        self._render()


def _probe_rule(fields: dict[str, Any]) -> AlertRule:
    """An unsaved rule with ``fields``, for backtests."""
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    return AlertRule(0, fields["name"], fields["trigger"], fields["scope_kind"],
                     fields["project"], fields["experiment"], fields["model"],
                     fields["condition"], fields["channel"], tuple(fields["recipients"]),
                     fields["webhook_url"], fields["cooldown_seconds"], fields["digest"],
                     fields["notebook"], fields["notebook_parameters"], False, now, now)


def alerts(client: Any = None) -> AlertsWidget:
    """The alert rules widget: ``mj.widgets.alerts()``."""
    return AlertsWidget(client)
