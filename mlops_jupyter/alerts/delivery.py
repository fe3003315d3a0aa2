"""Delivering the outbox: claim, (run the retraining notebook,) send, record.

An event is in the outbox before anything is sent. Delivery claims it (one
deliverer at a time), sends it, and marks it ``sent``; a transient failure (SMTP
server down, 4xx) puts it back with an exponential backoff; a permanent one (5xx,
refused recipients, forbidden webhook address) marks it ``failed`` with the reason
shown in the widget and the panel. The Message-ID is stable per event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..entities import AlertEvent
from .channels import (
    PermanentError,
    SmtpSettings,
    TransientError,
    post_webhook,
    render_email,
    send_email,
)
from .messages import bodies, message_id, subject, webhook_payload

if TYPE_CHECKING:
    from ..tracking.client import Client

log = logging.getLogger("mlops_jupyter")


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 5.0
    max_seconds: float = 3600.0
    max_attempts: int = 12

    def delay(self, attempts: int) -> float:
        return min(self.base_seconds * 2 ** attempts, self.max_seconds)


def deliver_due(client: Client, *, smtp: SmtpSettings | None = None,
                policy: RetryPolicy | None = None, now: float | None = None) -> Counter:
    """Deliver every due event once; returns counts by outcome."""
    from .firing import release_digests

    policy = policy or RetryPolicy()
    outcome: Counter = Counter()
    rules: dict[int, Any] = {}
    release_digests(client, now)
    while True:
        batch = client.store.claim_alert_events(now=now)
        if not batch:
            return outcome
        for event in batch:
            rule = rules.get(event.rule_id) or client.store.get_alert_rule(event.rule_id)
            rules[event.rule_id] = rule
            run = None
            if rule.notebook and event.kind == "firing" and event.run_outcome is None:
                from .retrain import run_rule_notebook

                run = run_rule_notebook(client, rule, event)
                event = _with_outcome(event, run)
            try:
                _send(rule, event, smtp)
            except TransientError as e:
                attempts = event.attempts + 1
                final = attempts >= policy.max_attempts
                client.store.finish_alert_event(
                    event.id, status="failed" if final else "pending", error=str(e),
                    next_attempt_at=time.time() + policy.delay(event.attempts), run_outcome=run)
                outcome["failed" if final else "retry"] += 1
                continue
            except PermanentError as e:
                client.store.finish_alert_event(event.id, status="failed", error=str(e),
                                                run_outcome=run)
                outcome["failed"] += 1
                continue
            client.store.finish_alert_event(event.id, status="sent", run_outcome=run)
            outcome["sent"] += 1
        if now is not None:  # a fixed clock: one pass
            return outcome


def _with_outcome(event: AlertEvent, run: dict[str, Any]) -> AlertEvent:
    from dataclasses import replace

    return replace(event, run_outcome=run)


def _send(rule: Any, event: AlertEvent, smtp: SmtpSettings | None) -> None:
    if rule.channel == "webhook":
        post_webhook(rule.webhook_url, webhook_payload(rule, event))
        return
    settings = smtp or SmtpSettings.resolve()
    text, html_body = bodies(rule, event)
    recipients = list(rule.recipients)
    msg = render_email(settings, recipients, subject(rule, event), text, html_body,
                       message_id(event))
    send_email(settings, msg, recipients)


class Deliverer:
    """A background thread that keeps delivering while events are pending."""

    def __init__(self, client: Client, smtp: SmtpSettings | None = None,
                 policy: RetryPolicy | None = None, idle_exit: float = 60.0):
        self.client = client
        self.smtp = smtp
        self.policy = policy or RetryPolicy()
        self.idle_exit = idle_exit
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = False
        self.paused = False  # events stay in the outbox until deliver() or a resume

    def kick(self) -> None:
        """Deliver soon (starting the thread when needed), unless paused."""
        if self.paused:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop = False
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="mlops-jupyter-alerts")
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        idle_since = time.monotonic()
        while not self._stop:
            try:
                done = deliver_due(self.client, smtp=self.smtp, policy=self.policy)
            except Exception as e:  # storage down: try again later
                log.warning("mlops-jupyter alert delivery failed: %s", e)
                done = Counter()
            if done:
                idle_since = time.monotonic()
            pending = self.client.store.alert_events(status="pending", limit=1)
            if not pending and time.monotonic() - idle_since > self.idle_exit:
                return
            wait = 1.0
            if pending and pending[0].next_attempt_at is not None:
                wait = max(0.05, min(30.0, pending[0].next_attempt_at.timestamp() - time.time()))
            self._wake.wait(wait)
            self._wake.clear()

