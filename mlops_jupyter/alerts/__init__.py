"""Alerts by email or webhook: ``mj.alerts.add_rule(...)``.

    mj.alerts.add_rule("good runs", trigger="iteration_logged", project="wine",
                       condition="accuracy >= 0.9", recipients=["ada@example.org"])
    rule = mj.alerts.add_rule("alcohol drift", trigger="drift", model="wine-classifier",
                              feature="alcohol", above=0.2, recipients=[...], enabled=False)
    rule.backtest(since="7d")      # how often would it have fired?
    rule.enable()

SMTP settings come from ``[smtp]`` in the config file or ``MLOPS_JUPYTER_SMTP_HOST``,
``_PORT``, ``_SECURITY`` (none, starttls, ssl), ``_USER``, ``_PASSWORD``,
``_FROM_ADDRESS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..entities import AlertEvent, AlertRule

if TYPE_CHECKING:
    from ..tracking.client import Client


class Rule:
    """A stored alert rule, with the actions a user takes on it."""

    def __init__(self, client: Client, rule: AlertRule):
        self.client = client
        self.rule = rule

    def __repr__(self) -> str:
        state = "enabled" if self.rule.enabled else "disabled"
        return f"<alert rule {self.rule.name!r}: {self.rule.trigger}, {state}>"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rule, name)

    def backtest(self, since: Any = "30d") -> dict[str, Any]:
        """How often this rule would have fired on the stored data since ``since``."""
        from .firing import backtest

        return backtest(self.client, self.rule, since)

    def update(self, **changes: Any) -> Rule:
        from .rules import rule_fields

        current = _definition(self.rule)
        current.update(changes)
        fields = rule_fields(**current)
        self.rule = self.client.store.update_alert_rule(self.rule.id, fields)
        return self

    def enable(self) -> Rule:
        self.rule = self.client.store.update_alert_rule(self.rule.id, {"enabled": True})
        return self

    def disable(self) -> Rule:
        self.rule = self.client.store.update_alert_rule(self.rule.id, {"enabled": False})
        return self

    def delete(self) -> None:
        self.client.store.delete_alert_rule(self.rule.id)

    def events(self, status: str | None = None, limit: int = 100) -> list[AlertEvent]:
        return self.client.store.alert_events(rule_id=self.rule.id, status=status, limit=limit)


def _definition(rule: AlertRule) -> dict[str, Any]:
    cond = dict(rule.condition)
    out: dict[str, Any] = {
        "name": rule.name, "trigger": rule.trigger, "project": rule.project,
        "experiment": rule.experiment, "model": rule.model, "channel": rule.channel,
        "recipients": list(rule.recipients), "webhook_url": rule.webhook_url,
        "cooldown": max(1, int(rule.cooldown_seconds // 60)) if rule.cooldown_seconds else 0,
        "digest": rule.digest, "notebook": rule.notebook,
        "parameters": rule.notebook_parameters, "enabled": rule.enabled,
    }
    if "field" in cond:
        field = cond["field"].removeprefix("metrics.") if rule.trigger == "iteration_logged" \
            else cond["field"]
        out["condition"] = f"{field} {cond['op']} {cond['value']}"
    if "limit" in cond:
        out[cond["direction"]] = cond["limit"]
        out["window"] = cond["window_minutes"]
        out["hysteresis"] = cond.get("hysteresis", 0.1)
        out["feature"] = cond.get("feature")
        out["metric"] = cond.get("metric")
    return out


def _client(client: Client | None) -> Client:
    if client is not None:
        return client
    from ..tracking.fluent import get_client

    return get_client()


def add_rule(name: str, *, trigger: str, client: Client | None = None, **definition: Any) -> Rule:
    """Store a new alert rule (see the module docstring for the triggers)."""
    from .rules import rule_fields

    c = _client(client)
    return Rule(c, c.store.create_alert_rule(rule_fields(name=name, trigger=trigger,
                                                         **definition)))


def get_rule(name: str, *, client: Client | None = None) -> Rule:
    c = _client(client)
    return Rule(c, c.store.get_alert_rule(name))


def rules(*, client: Client | None = None) -> list[Rule]:
    c = _client(client)
    return [Rule(c, r) for r in c.store.list_alert_rules()]


def events(*, status: str | None = None, limit: int = 100,
           client: Client | None = None) -> list[AlertEvent]:
    """Recent alert events, newest first (``status="failed"`` for delivery failures)."""
    return _client(client).store.alert_events(status=status, limit=limit)


def evaluate(*, client: Client | None = None) -> list[int]:
    """Evaluate the windowed rules (drift, performance, latency) now; deliver what fired."""
    from .firing import evaluate_windowed

    c = _client(client)
    ids = evaluate_windowed(c)
    if ids:
        c.alert_deliverer().kick()
    return ids


def deliver(*, client: Client | None = None, smtp: Any = None) -> dict[str, int]:
    """Deliver every due event now (in this thread); returns counts by outcome."""
    from .delivery import deliver_due

    return dict(deliver_due(_client(client), smtp=smtp))


__all__ = ["Rule", "add_rule", "deliver", "evaluate", "events", "get_rule", "rules"]
