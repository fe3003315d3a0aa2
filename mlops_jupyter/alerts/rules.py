"""Alert rule definitions: validated once, stored as plain JSON-able fields.

    iteration_logged      project= or experiment=, condition="accuracy >= 0.9" (optional)
    prediction_failed     model=
    prediction_threshold  model=, condition="confidence < 0.5" or "output > 0.8"
    drift                 model=, feature= (None: any feature or the prediction), above= (PSI)
    performance           model=, metric="accuracy", below=
    latency               model=, above= (p95 in ms)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from email.headerregistry import Address
from typing import Any
from urllib.parse import urlsplit

from ..entities import TRIGGERS
from ..errors import InvalidInput
from ..monitoring.windows import window_minutes
from ..query import Filter
from ..validation import check_name
from .notebooks import check_notebook_syntax

WINDOWED = ("drift", "performance", "latency")
PREDICTION_TRIGGERS = ("prediction_failed", "prediction_threshold")
DEFAULT_HYSTERESIS = 0.1  # resolve once the value is 10% back inside the limit
_ADDRESS_RE = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def check_recipients(recipients: Iterable[str] | str | None) -> list[str]:
    """Plain ``user@host`` addresses only: no display names, lists, or line breaks."""
    if recipients is None:
        return []
    items = [recipients] if isinstance(recipients, str) else list(recipients)
    out = []
    for item in items:
        text = str(item)
        if any(c in text for c in "\r\n\x00,;") or not _ADDRESS_RE.match(text):
            raise InvalidInput(f"not a plain email address: {text!r}",
                               hint="give one address per item, like ada@example.org",
                               field="recipients")
        Address(addr_spec=text)  # the email package agrees it is one address
        out.append(text)
    return out


def parse_condition(text: str | None, trigger: str) -> dict[str, Any] | None:
    """``"accuracy >= 0.9"`` -> {"field": "metrics.accuracy", "op": ">=", "value": 0.9}."""
    if text is None or text == "":
        return None
    raw = str(text)
    if trigger == "iteration_logged" and not raw.strip().startswith(("metrics.", "params.")):
        raw = "metrics." + raw.strip()
    if trigger == "prediction_threshold":
        m = re.match(r"^\s*(output|confidence|probability)\s*(>=|<=|>|<)\s*(\S+)\s*$", raw)
        if not m:
            raise InvalidInput(f"cannot read condition {text!r}",
                               hint="e.g. 'confidence < 0.5' or 'output > 0.8'",
                               field="condition")
        try:
            value = float(m[3])
        except ValueError as e:
            raise InvalidInput(f"condition {text!r} needs a number", field="condition") from e
        target = "confidence" if m[1] == "probability" else m[1]
        return {"field": target, "op": m[2], "value": value}
    f = Filter.parse(raw)
    return {"field": f.field, "op": f.op, "value": f.value}


def compare(value: Any, op: str, limit: Any) -> bool:
    try:
        if op == "=":
            return value == limit
        if op == "!=":
            return value != limit
        if op == ">":
            return value > limit
        if op == ">=":
            return value >= limit
        if op == "<":
            return value < limit
        if op == "<=":
            return value <= limit
    except TypeError:
        return False
    return False


def check_webhook_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"not an http(s) URL: {url!r}", field="webhook_url")
    if any(c in str(url) for c in "\r\n\x00 "):
        raise InvalidInput("webhook URL contains spaces or control characters",
                           field="webhook_url")
    return str(url)


def rule_fields(*, name: str, trigger: str, project: str | None = None,
                experiment: str | None = None, model: str | None = None,
                condition: str | None = None, recipients: Any = None,
                channel: str | None = None, webhook_url: str | None = None,
                cooldown: Any = "15min", digest: bool = False, feature: str | None = None,
                metric: str | None = None, above: float | None = None,
                below: float | None = None, window: Any = "1h",
                hysteresis: float = DEFAULT_HYSTERESIS, notebook: str | None = None,
                parameters: Mapping[str, Any] | None = None,
                enabled: bool = True) -> dict[str, Any]:
    """Validate a rule definition into the columns of ``alert_rules``."""
    try:
        name = check_name(name, "rule")
    except InvalidInput as e:
        e.field = "name"
        raise
    if trigger not in TRIGGERS:
        raise InvalidInput(f"unknown trigger {trigger!r}", hint="use one of " + ", ".join(TRIGGERS),
                           field="trigger")
    if trigger == "iteration_logged":
        if not (project or experiment):
            raise InvalidInput("an iteration_logged rule needs project= (and optionally "
                               "experiment=)", field="project")
        scope = "experiment" if experiment else "project"
    else:
        if not model:
            raise InvalidInput(f"a {trigger} rule needs model=", field="model")
        scope = "model"
    cond: dict[str, Any] = dict(parse_condition(condition, trigger) or {})
    if trigger == "prediction_threshold" and not cond:
        raise InvalidInput("a prediction_threshold rule needs condition=",
                           hint="e.g. 'confidence < 0.5'", field="condition")
    if trigger in WINDOWED:
        limit, direction = _limit(trigger, above, below)
        cond.update(limit=limit, direction=direction, window_minutes=window_minutes(window),
                    hysteresis=float(hysteresis))
        if trigger == "drift":
            cond["feature"] = feature
        if trigger == "performance":
            if not metric:
                raise InvalidInput("a performance rule needs metric= (e.g. 'accuracy')",
                                   field="metric")
            cond["metric"] = metric
    if channel is None:
        channel = "webhook" if webhook_url and not recipients else "email"
    if channel not in ("email", "webhook"):
        raise InvalidInput(f"unknown channel {channel!r}", hint="use email or webhook",
                           field="channel")
    addresses = check_recipients(recipients)
    if channel == "email" and not addresses:
        raise InvalidInput("an email rule needs recipients=[...]", field="recipients")
    if channel == "webhook" and not webhook_url:
        raise InvalidInput("a webhook rule needs webhook_url=", field="webhook_url")
    return {
        "name": name, "trigger": trigger, "scope_kind": scope, "project": project,
        "experiment": experiment, "model": model, "condition": cond, "channel": channel,
        "recipients": addresses, "webhook_url": check_webhook_url(webhook_url),
        "cooldown_seconds": _cooldown_seconds(cooldown),
        "digest": bool(digest), "notebook": check_notebook_syntax(notebook),
        "notebook_parameters": dict(parameters or {}), "enabled": bool(enabled),
    }


def _cooldown_seconds(value: Any) -> float:
    """A cooldown: a duration ('15min', '1h'), minutes, or 0/None for none."""
    if value in (None, "", 0, "0") or (isinstance(value, str) and value.strip() == "0"):
        return 0.0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return float(window_minutes(value) * 60)


def _limit(trigger: str, above: float | None, below: float | None) -> tuple[float, str]:
    if (above is None) == (below is None):
        default = {"drift": "above", "latency": "above", "performance": "below"}[trigger]
        raise InvalidInput(f"a {trigger} rule needs exactly one of above= or below= "
                           f"(usually {default}=)", field=default)
    return (float(above), "above") if above is not None else (float(below), "below")
