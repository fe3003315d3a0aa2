"""When rules fire: evaluation on flush (iterations, predictions) and per window.

Iteration and prediction triggers run where the data is written, once per flushed
batch (never a query per prediction). Windowed triggers (drift, performance,
latency) run periodically in the server extension and on demand. A windowed rule
keeps a state per subject (feature, metric): it fires when the value crosses the
limit and resolves only once the value is back inside the limit by the hysteresis
margin, so a value oscillating around the threshold makes one "firing" and one
"resolved" per episode. Within a rule's cooldown, new firings are recorded as
``suppressed`` and not sent.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..entities import AlertRule
from ..query import build_query
from .rules import PREDICTION_TRIGGERS, WINDOWED, compare

if TYPE_CHECKING:
    from ..tracking.client import Client

RULE_SUBJECT = "__rule__"


def _cooled(rule: AlertRule, last_event_at: float | None, now: float) -> bool:
    return last_event_at is None or now - last_event_at >= rule.cooldown_seconds


def _quiet(rule: AlertRule) -> str:
    """The status of a firing within the cooldown: kept for the digest, or suppressed."""
    return "held" if rule.digest else "suppressed"


def release_digests(client: Client, now: float | None = None) -> list[int]:
    """For digest rules past their cooldown: one event summing up the held firings."""
    now = time.time() if now is None else now
    ids = []
    for rule in client.store.list_alert_rules(enabled_only=True):
        if not rule.digest:
            continue
        held = client.store.alert_events(rule_id=rule.id, status="held", limit=1000)
        if not held:
            continue
        last = client.store.alert_states(rule.id).get(RULE_SUBJECT, (False, None, None))[2]
        if not _cooled(rule, last, now):
            continue
        held = sorted(held, key=lambda e: e.id)
        items = [_summary(e) for e in held[:50]]
        payload = {"digest": True, "count": len(held), "items": items,
                   "first": held[0].fired_at.isoformat(), "last": held[-1].fired_at.isoformat()}
        ids += client.store.record_alert_events(
            rule.id, [{"kind": "digest", "subject": RULE_SUBJECT, "payload": payload,
                       "fired_at": now}], {RULE_SUBJECT: (False, None, now)})
        client.store.set_alert_events_status([e.id for e in held], "digested")
    return ids


def _summary(event: Any) -> str:
    p = event.payload
    if "iteration" in p:
        it = p["iteration"]
        metrics = ", ".join(f"{k}={v}" for k, v in sorted((p.get("metrics") or {}).items()))
        return f"{it.get('name')} #{it.get('number')} ({it.get('status')}) {metrics}".strip()
    parts = [f"{k}={p[k]}" for k in ("subject", "value", "count") if k in p]
    return f"{event.kind} " + ", ".join(parts)


def _fire(client: Client, rule: AlertRule, payloads: Sequence[dict[str, Any]],
          now: float) -> list[int]:
    """Record one event per payload, honouring the rule's cooldown."""
    states = client.store.alert_states(rule.id)
    last = states.get(RULE_SUBJECT, (False, None, None))[2]
    events = []
    for payload in payloads:
        status = "pending" if _cooled(rule, last, now) else _quiet(rule)
        if status == "pending":
            last = now
        events.append({"kind": "firing", "subject": payload.get("subject", RULE_SUBJECT),
                       "payload": payload, "status": status, "fired_at": now})
    return client.store.record_alert_events(rule.id, events,
                                            {RULE_SUBJECT: (False, None, last)})


def on_iteration_end(client: Client, iteration_id: int) -> list[int]:
    rules = client.store.list_alert_rules("iteration_logged", enabled_only=True)
    if not rules:
        return []
    it = client.store.get_iteration(iteration_id)
    matching = [r for r in rules if r.project == it.project_name
                and (r.experiment is None or r.experiment == it.experiment_name)]
    if not matching:
        return []
    params = {p.key: p.value for p in client.store.get_params(iteration_id)}
    metrics = {m.key: m.value for m in client.store.get_latest_metrics(iteration_id)}
    now = time.time()
    ids = []
    for rule in matching:
        cond = rule.condition
        if cond:
            prefix, _, key = cond["field"].partition(".")
            value = (metrics if prefix == "metrics" else params).get(key)
            if value is None or not compare(value, cond["op"], cond["value"]):
                continue
        payload = {
            "iteration": {"id": it.id, "name": it.name, "number": it.number,
                          "status": it.status, "project": it.project_name,
                          "experiment": it.experiment_name, "model_name": it.model_name,
                          "notebook": it.source.notebook_path},
            "params": params, "metrics": {k: _num(v) for k, v in metrics.items()},
            "open": (f"JupyterLab MLOps panel > {it.project_name} > {it.experiment_name} > "
                     f"#{it.number}, or mj.get_client().get_iteration({it.id})"),
        }
        ids += _fire(client, rule, [payload], now)
    return ids


def _num(value: float) -> Any:
    return value if math.isfinite(value) else repr(value)


def on_predictions(client: Client, rows: Sequence[tuple], model_of: dict[int, str]) -> list[int]:
    """Evaluate prediction rules over one flushed batch of prediction rows."""
    rules = [r for t in PREDICTION_TRIGGERS
             for r in client.store.list_alert_rules(t, enabled_only=True)]
    if not rules:
        return []
    now = time.time()
    ids = []
    for rule in rules:
        hits = []
        for row in rows:
            version_id, request_id, _at, _inputs, output, confidence, _lat, status, error = row[:9]
            if model_of.get(version_id) != rule.model:
                continue
            if rule.trigger == "prediction_failed":
                if status == "error":
                    hits.append({"request_id": request_id, "error": error})
            else:
                cond = rule.condition
                value = confidence if cond["field"] == "confidence" else _as_number(output)
                if value is not None and compare(value, cond["op"], cond["value"]):
                    hits.append({"request_id": request_id, cond["field"]: value})
        if hits:
            ids += _fire(client, rule, [{"model": rule.model, "count": len(hits),
                                         "examples": hits[:5]}], now)
    return ids


def _as_number(output: str | None) -> float | None:
    import json

    if output is None:
        return None
    try:
        value = json.loads(output)
    except ValueError:
        return None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def window_values(client: Client, rule: AlertRule, since: Any = None) -> list[tuple[Any, str,
                                                                                     float]]:
    """(window start, subject, value) of every window of a windowed rule, oldest first."""
    cond = rule.condition
    window = int(cond["window_minutes"])
    since = since if since is not None else time.time() - 2 * window * 60
    out: list[tuple[Any, str, float]] = []
    if rule.trigger == "drift":
        frame = client.drift(rule.model, window=window, since=since)
        if cond.get("feature"):
            frame = frame[frame["feature"] == cond["feature"]]
        for row in frame.itertuples():
            out.append((row.window_start, row.feature, float(row.psi)))
    elif rule.trigger == "performance":
        frame = client.performance(rule.model, window=window, since=since)
        metric = cond["metric"]
        if metric in frame.columns:
            for start, value in zip(frame["window_start"], frame[metric], strict=True):
                if value is not None and not (isinstance(value, float) and math.isnan(value)):
                    out.append((start, metric, float(value)))
    elif rule.trigger == "latency":
        frame = client.traffic(rule.model, window=window, since=since)
        for start, value in zip(frame["window_start"], frame["latency_p95_ms"], strict=True):
            if value is not None:
                out.append((start, "latency_p95_ms", float(value)))
    return sorted(out, key=lambda x: (x[0], x[1]))


def step_state(rule: AlertRule, firing: bool, value: float) -> str | None:
    """'firing', 'resolved' or None for one new value of a subject (with hysteresis)."""
    cond = rule.condition
    limit, margin = cond["limit"], abs(cond["limit"]) * cond.get("hysteresis", 0.1)
    if cond["direction"] == "above":
        crossed, back = value > limit, value < limit - margin
    else:
        crossed, back = value < limit, value > limit + margin
    if not firing and crossed:
        return "firing"
    if firing and back:
        return "resolved"
    return None


def evaluate_windowed(client: Client, rules: Sequence[AlertRule] | None = None) -> list[int]:
    """Evaluate drift/performance/latency rules on their latest windows."""
    if rules is None:
        rules = [r for t in WINDOWED for r in client.store.list_alert_rules(t, enabled_only=True)]
    ids = []
    now = time.time()
    for rule in rules:
        states = client.store.alert_states(rule.id)
        latest: dict[str, tuple[Any, float]] = {}
        for start, subject, value in window_values(client, rule):
            latest[subject] = (start, value)
        events, new_states = [], {}
        last_rule_event = states.get(RULE_SUBJECT, (False, None, None))[2]
        for subject, (start, value) in latest.items():
            firing, _, last_at = states.get(subject, (False, None, None))
            change = step_state(rule, firing, value)
            if change is None:
                new_states[subject] = (firing, value, last_at)
                continue
            status = "pending"
            if change == "firing" and not _cooled(rule, last_rule_event, now):
                status = _quiet(rule)
            if status == "pending" and change == "firing":
                last_rule_event = now
            events.append({"kind": change, "subject": subject, "status": status,
                           "payload": {"model": rule.model, "subject": subject,
                                       "value": value, "limit": rule.condition["limit"],
                                       "window_start": str(start)}})
            new_states[subject] = (change == "firing", value, now)
        new_states[RULE_SUBJECT] = (False, None, last_rule_event)
        if events or new_states:
            ids += client.store.record_alert_events(rule.id, events, new_states)
    return ids


def backtest(client: Client, rule: AlertRule, since: Any) -> dict[str, Any]:
    """How often ``rule`` would have fired on stored data since ``since``."""
    from ..monitoring.windows import to_epoch

    start = to_epoch(since) or 0.0
    firings: list[float] = []
    if rule.trigger == "iteration_logged":
        filters = []
        if rule.condition:
            c = rule.condition
            filters.append((c["field"], c["op"], c["value"]))
        filters.append(("started_at", ">=", start))
        found = client.store.search(build_query(project=rule.project,
                                                experiment=rule.experiment, filters=filters,
                                                sort="started_at"))
        times = [i.ended_at.timestamp() for i in found.iterations if i.ended_at is not None]
        firings = _apply_cooldown(rule, sorted(times))
    elif rule.trigger in PREDICTION_TRIGGERS:
        frame = client.traffic(rule.model, window="1min", since=start)
        if rule.trigger == "prediction_failed":
            times = [t.timestamp() for t, e in zip(frame["window_start"], frame["errors"],
                                                   strict=True) if e]
            firings = _apply_cooldown(rule, times)
    else:
        firing = False
        times = []
        for when, _subject, value in window_values(client, rule, since=start):
            change = step_state(rule, firing, value)
            if change == "firing":
                times.append(when.timestamp())
            if change is not None:
                firing = change == "firing"
        firings = _apply_cooldown(rule, times)
    return {"rule": rule.name, "since": start, "would_fire": len(firings),
            "first": min(firings) if firings else None,
            "last": max(firings) if firings else None}


def _apply_cooldown(rule: AlertRule, times: Sequence[float]) -> list[float]:
    kept: list[float] = []
    for t in times:
        if not kept or t - kept[-1] >= rule.cooldown_seconds:
            kept.append(t)
    return kept
