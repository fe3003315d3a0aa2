"""Alert routes (``mlops:alerts``): rules, backtests, the event log, and delivery.

Rules are validated by the core (:func:`mlops_jupyter.alerts.rules.rule_fields`);
handlers only translate JSON. The extension also runs :class:`AlertLoop`: every
``alerts_interval`` seconds it evaluates the windowed rules (drift, performance,
latency) and delivers the outbox, retries included.
"""

from __future__ import annotations

import inspect
import logging
import threading
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .. import wire
from ..alerts import Rule
from ..alerts.delivery import deliver_due
from ..alerts.firing import evaluate_windowed
from ..alerts.notebooks import resolve_notebook
from ..alerts.rules import rule_fields
from ..entities import EVENT_STATUSES, AlertEvent, AlertRule
from ..errors import InvalidInput
from .base import MlopsHandler, api_error, field, path_id

log = logging.getLogger("mlops_jupyter")

# What a client may send when creating or updating a rule: ``rule_fields``' keywords.
RULE_KEYS = ("name", "trigger", "project", "experiment", "model", "condition", "recipients",
             "channel", "webhook_url", "cooldown", "digest", "feature", "metric", "above",
             "below", "window", "hysteresis", "notebook", "parameters", "enabled")


def rule_json(r: AlertRule) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "trigger": r.trigger, "scope_kind": r.scope_kind,
            "project": r.project, "experiment": r.experiment, "model": r.model,
            "condition": r.condition, "channel": r.channel, "recipients": list(r.recipients),
            "webhook_url": r.webhook_url, "cooldown_seconds": r.cooldown_seconds,
            "digest": r.digest, "notebook": r.notebook, "parameters": r.notebook_parameters,
            "enabled": r.enabled, "created_at": wire.iso(r.created_at),
            "updated_at": wire.iso(r.updated_at)}


def event_json(e: AlertEvent) -> dict[str, Any]:
    return {"id": e.id, "rule_id": e.rule_id, "rule_name": e.rule_name, "kind": e.kind,
            "subject": e.subject, "fired_at": wire.iso(e.fired_at),
            "payload": wire.plain(e.payload), "status": e.status, "attempts": e.attempts,
            "next_attempt_at": wire.iso(e.next_attempt_at), "sent_at": wire.iso(e.sent_at),
            "last_error": e.last_error, "run_outcome": e.run_outcome}


_TEXT = ("name", "trigger", "project", "experiment", "model", "condition", "channel",
         "webhook_url", "feature", "metric", "notebook")
_TYPES: dict[str, Any] = {**dict.fromkeys(_TEXT, str), "recipients": list,
                          "cooldown": (str, int), "window": (str, int),
                          "digest": bool, "enabled": bool, "parameters": dict,
                          "above": (int, float), "below": (int, float),
                          "hysteresis": (int, float)}


def definition(body: dict[str, Any], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The keyword arguments of ``rule_fields`` from a JSON body, each type-checked."""
    unknown = sorted(set(body) - set(RULE_KEYS))
    if unknown:
        raise InvalidInput(f"unknown rule field {unknown[0]!r}",
                           hint="fields: " + ", ".join(RULE_KEYS), field=unknown[0])
    out = {}
    for key in RULE_KEYS:
        value = field(body, key, _TYPES[key], required=key in required,
                      max_length=2000 if _TYPES[key] is str else None)
        if value is not None:
            out[key] = value
        elif key in body:
            out[key] = None
    if any(not isinstance(r, str) for r in out.get("recipients") or []):
        raise InvalidInput("recipients must be a list of addresses", field="recipients")
    return out


class AlertsHandler(MlopsHandler):
    auth_resource = "mlops:alerts"

    @property
    def core(self) -> Any:
        return self.settings["mlops_core"]

    async def allowed_notebook(self, fields: dict[str, Any], *,
                               given: bool = True) -> dict[str, Any]:
        """``fields`` of a rule to save, refused unless its notebook may run.

        A rule that runs a notebook lets whoever writes it run code on this server,
        so saving one needs what starting a kernel needs (the Authorizer's
        ``execute`` on ``kernels``), and the notebook must be a file of the
        server's contents, named by its contents path (relative to ``root_dir``):
        no ``..``, no symlink leading out, nothing hidden unless the contents
        manager shows hidden files, never the artifact store. The path is stored
        relative to the root; it is checked again each time the rule fires. An update
        that changes the parameters of a rule's notebook but keeps the notebook
        (``given=False``) needs the same permission, and the stored path (which the
        library may have written as an absolute path inside the root) must still
        resolve. Other changes (enabling, disabling, recipients, the condition) change
        when the approved notebook runs, not what it runs, and need no more than
        ``mlops:alerts``.
        """
        notebook = fields.get("notebook")
        if not notebook:
            return fields
        if not self.authorizer.is_authorized(self, self.current_user, "execute", "kernels"):
            raise api_error(403, "a rule that runs a notebook needs the permission to execute "
                            "kernels on this server", "forbidden")
        if not given:
            resolve_notebook(notebook, self.core.notebook_root, self.core.settings.artifact_root)
            return fields
        path = notebook.strip("/")
        resolve_notebook(path, self.core.notebook_root, self.core.settings.artifact_root)
        cm = self.contents_manager
        hidden = cm.is_hidden(path)
        if inspect.isawaitable(hidden):
            hidden = await hidden
        if hidden and not cm.allow_hidden:
            raise InvalidInput(f"notebook {path!r} is hidden from the Jupyter contents",
                               field="notebook")
        exists = cm.file_exists(path)
        if inspect.isawaitable(exists):
            exists = await exists
        if not exists:
            raise InvalidInput(f"no notebook {path!r} in the Jupyter contents",
                               field="notebook")
        return {**fields, "notebook": path}

    async def rule(self, rule_id: str) -> AlertRule:
        return await self.call(self.store.get_alert_rule, path_id(rule_id, "rule"))


class RulesHandler(AlertsHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        rules = await self.call(self.store.list_alert_rules)
        self.reply({"rules": [rule_json(r) for r in rules]})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = definition(self.json_body(), required=("name", "trigger"))
        fields = await self.allowed_notebook(rule_fields(**body))
        rule = await self.call(self.store.create_alert_rule, fields)
        self.reply(rule_json(rule), 201)


class RuleHandler(AlertsHandler):
    @web.authenticated
    @authorized
    async def get(self, rule_id: str) -> None:
        self.reply(rule_json(await self.rule(rule_id)))

    @web.authenticated
    @authorized
    async def patch(self, rule_id: str) -> None:
        from ..alerts import _definition

        current = await self.rule(rule_id)
        changes = definition(self.json_body())
        merged = {**_definition(current), **changes}
        fields = rule_fields(**merged)
        if "notebook" in changes or "parameters" in changes:  # what the notebook runs
            fields = await self.allowed_notebook(fields, given="notebook" in changes)
        rule = await self.call(self.store.update_alert_rule, current.id, fields)
        self.reply(rule_json(rule))

    @web.authenticated
    @authorized
    async def delete(self, rule_id: str) -> None:
        rule = await self.rule(rule_id)
        await self.call(self.store.delete_alert_rule, rule.id)
        self.no_content()


class BacktestHandler(AlertsHandler):
    """``GET alerts/rules/{id}/backtest?since=30d``: how often would it have fired?"""

    @web.authenticated
    @authorized
    async def get(self, rule_id: str) -> None:
        rule = await self.rule(rule_id)
        since = self.get_query_argument("since", "30d")
        result = await self.call(Rule(self.core, rule).backtest, since)
        self.reply(wire.plain(result))


class DraftBacktestHandler(AlertsHandler):
    """``POST alerts/backtest``: the backtest of a rule that is not saved yet."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        from ..widgets.alert_rules import _probe_rule

        body = self.json_body()
        since = body.pop("since", "30d")
        fields = rule_fields(**definition({"name": "draft", **body}, required=("trigger",)))
        result = await self.call(Rule(self.core, _probe_rule(fields)).backtest, since)
        self.reply(wire.plain(result))


class EventsHandler(AlertsHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        status = self.get_query_argument("status", None)
        if status is not None and status not in EVENT_STATUSES:
            raise InvalidInput(f"unknown status {status!r}",
                               hint="one of " + ", ".join(EVENT_STATUSES), field="status")
        rule_id = self.query_int("rule_id")
        limit = self.query_int("limit", 100, lo=1, hi=1000)
        events = await self.call(self.store.alert_events, rule_id=rule_id, status=status,
                                 limit=limit)
        self.reply({"events": [event_json(e) for e in events]})


class EvaluateHandler(AlertsHandler):
    """``POST alerts/evaluate``: evaluate the windowed rules now, then deliver."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        ids = await self.call(evaluate_windowed, self.core)
        done = await self.call(deliver_due, self.core)
        self.reply({"event_ids": ids, "delivered": dict(done)})


class DeliverHandler(AlertsHandler):
    """``POST alerts/deliver``: deliver every due event now."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        done = await self.call(deliver_due, self.core)
        self.reply({"delivered": dict(done)})


class AlertLoop:
    """Evaluates windowed rules and delivers the outbox every ``interval`` seconds."""

    def __init__(self, core: Any, interval: float):
        self.core = core
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> AlertLoop:
        if self.interval > 0:
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="mlops-jupyter-alert-loop")
            self._thread.start()
        return self

    def tick(self) -> None:
        try:
            evaluate_windowed(self.core)
        except Exception as e:  # a broken rule must not stop delivery
            log.warning("mlops_jupyter: windowed alert rules not evaluated: %s", e)
        try:
            deliver_due(self.core)
        except Exception as e:
            log.warning("mlops_jupyter: alert delivery failed: %s", e)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
