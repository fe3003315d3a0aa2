"""What an alert says: subject, plain text and HTML (user text escaped) per event."""

from __future__ import annotations

import html
import socket
from typing import Any

from ..entities import AlertEvent, AlertRule
from .channels import html_table, text_table


def message_id(event: AlertEvent) -> str:
    return f"<mlops-alert-{event.id}-{int(event.fired_at.timestamp())}@{socket.getfqdn()}>"


def subject(rule: AlertRule, event: AlertEvent) -> str:
    p = event.payload
    if event.kind == "digest":
        return (f"[mlops] digest: {rule.name}: {p.get('count')} alerts held during the "
                "cooldown")
    if rule.trigger == "iteration_logged":
        it = p.get("iteration", {})
        return (f"[mlops] iteration {it.get('name')!s} #{it.get('number')} "
                f"({it.get('status')}) in {it.get('project')}/{it.get('experiment')}")
    state = "resolved" if event.kind == "resolved" else "alert"
    return f"[mlops] {state}: {rule.name} ({rule.trigger} on {rule.model})"


def _rows(event: AlertEvent) -> list[tuple[str, Any]]:
    p = event.payload
    rows: list[tuple[str, Any]] = []
    if "iteration" in p:
        it = p["iteration"]
        rows += [("iteration", f"{it.get('name')} #{it.get('number')} (id {it.get('id')})"),
                 ("project / experiment", f"{it.get('project')} / {it.get('experiment')}"),
                 ("status", it.get("status")), ("model", it.get("model_name") or "-")]
    for key in ("model", "version", "subject", "value", "limit", "window_start", "count",
                "examples"):
        if key in p:
            rows.append((key, p[key]))
    return rows


def bodies(rule: AlertRule, event: AlertEvent) -> tuple[str, str]:
    """(plain text, HTML) of an event."""
    p = event.payload
    lines = [f"Rule: {rule.name} ({rule.trigger}) — {event.kind}", ""]
    head = _rows(event)
    lines.append(text_table(head))
    parts_html = [f"<h3>{html.escape(rule.name)} — {html.escape(event.kind)}</h3>",
                  html_table(head)]
    items = p.get("items")
    if items:
        lines += ["", f"Held during the cooldown ({p.get('count')}, from {p.get('first')} to "
                      f"{p.get('last')}):"] + [f"  - {item}" for item in items]
        parts_html.append("<h4>Held during the cooldown</h4><ul>" + "".join(
            f"<li>{html.escape(str(item))}</li>" for item in items) + "</ul>")
    for title, key in (("Params", "params"), ("Metrics", "metrics")):
        values = p.get(key)
        if values:
            rows = sorted(values.items())
            lines += ["", f"{title}:", text_table(rows)]
            parts_html += [f"<h4>{title}</h4>", html_table(rows)]
    if event.run_outcome:
        rows = sorted(event.run_outcome.items())
        lines += ["", "Retraining run:", text_table(rows)]
        parts_html += ["<h4>Retraining run</h4>", html_table(rows)]
    how = p.get("open")
    if how:
        lines += ["", f"Open it: {how}"]
        parts_html.append(f"<p>Open it: {html.escape(str(how))}</p>")
    return "\n".join(lines) + "\n", "<html><body>" + "".join(parts_html) + "</body></html>"


def webhook_payload(rule: AlertRule, event: AlertEvent) -> dict[str, Any]:
    text, _ = bodies(rule, event)
    return {"text": subject(rule, event) + "\n" + text, "rule": rule.name,
            "trigger": rule.trigger, "kind": event.kind, "event_id": event.id,
            "fired_at": event.fired_at.isoformat(), "payload": event.payload}
