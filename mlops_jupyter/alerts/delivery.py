"""Delivering the outbox: claim, (run the retraining notebook,) send, record.

An event is in the outbox before anything is sent. Delivery claims a batch (one
deliverer per event; each claim is an attempt and has a lease and a token), sends
each event, and marks it ``sent``. A transient failure (SMTP server down, 4xx,
anything unexpected while talking to the server) puts it back with an exponential
backoff until ``max_attempts`` attempts are used, then marks it ``failed``; a
permanent one (5xx, refused recipients, forbidden webhook address, a message that
cannot be rendered) marks it ``failed`` at once. The reason is kept in
``last_error`` (widget, panel, ``mj.alerts.events(status="failed")``, REST). One
event's failure never stops the others of its batch.

While a batch is worked on, a heartbeat thread renews its leases, so a retraining
notebook or a slow SMTP server taking longer than the lease does not let another
deliverer claim the event and run or send it again; every update is fenced by the
claim token, and a run's outcome is stored before the message is sent, so a later
claim (the deliverer died) sends the outcome without running the notebook again.
A deliverer that stops renewing (killed, hung) leaves its events to be claimed
again once the lease is over. The Message-ID is stable per event, so the rare
duplicate (killed after sending, before recording) can be dropped by the receiver.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
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
    """Backoff between attempts, the attempt limit, and the claim lease."""

    base_seconds: float = 5.0
    max_seconds: float = 3600.0
    max_attempts: int = 12
    lease_seconds: float = 120.0

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (1 = the first)."""
        return min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_seconds)


class LeaseKeeper:
    """Renews the leases of a batch's claims every third of the lease until released.

    ``held(token)`` turns False once a renewal finds the claim taken over (the lease
    ran out while the database was unreachable, say): its holder then stops working
    on that event.
    """

    def __init__(self, client: Client, tokens: list[str], lease_seconds: float):
        self.client = client
        self.lease_seconds = lease_seconds
        self._tokens = set(tokens)
        self._lost: set[str] = set()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="mlops-jupyter-alert-lease")

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=10)

    def release(self, token: str) -> None:
        with self._lock:
            self._tokens.discard(token)

    def held(self, token: str) -> bool:
        with self._lock:
            return token not in self._lost

    def _run(self) -> None:
        while not self._done.wait(self.lease_seconds / 3):
            with self._lock:
                tokens = sorted(self._tokens)
            if not tokens:
                continue
            try:
                kept = self.client.store.renew_alert_claims(tokens, self.lease_seconds)
            except Exception as e:  # storage down: the next beat tries again
                log.warning("mlops-jupyter could not renew alert leases: %s", e)
                continue
            with self._lock:
                lost = set(tokens) - kept
                self._lost |= lost
                self._tokens -= lost


def deliver_due(client: Client, *, smtp: SmtpSettings | None = None,
                policy: RetryPolicy | None = None, now: float | None = None) -> Counter:
    """Deliver every due event once; returns counts by outcome.

    Outcomes: ``sent``, ``retry`` (back in the outbox), ``failed``, and ``lost`` (the
    claim was taken over by another deliverer; nothing was recorded for it here).
    """
    from .firing import release_digests

    policy = policy or RetryPolicy()
    outcome: Counter = Counter()
    rules: dict[int, Any] = {}
    release_digests(client, now)
    while True:
        batch = client.store.claim_alert_events(now=now, lease_seconds=policy.lease_seconds,
                                                max_attempts=policy.max_attempts)
        if not batch:
            return outcome
        with LeaseKeeper(client, [e.claim_token for e in batch if e.claim_token],
                         policy.lease_seconds) as keeper:
            for event in batch:
                try:
                    result = _deliver_one(client, event, rules, smtp, policy, keeper)
                except Exception as e:  # storage failed mid-way: the lease expires, retried
                    log.warning("mlops-jupyter could not record alert event %s: %s",
                                event.id, e)
                    result = "retry"
                finally:
                    keeper.release(event.claim_token or "")
                outcome[result] += 1
        if now is not None:  # a fixed clock: one pass
            return outcome


def _deliver_one(client: Client, event: AlertEvent, rules: dict[int, Any],
                 smtp: SmtpSettings | None, policy: RetryPolicy, keeper: LeaseKeeper) -> str:
    """Deliver one claimed event and record the outcome; never raises for the event's
    own failures (only when the store itself cannot be written)."""
    token = event.claim_token

    def finish(**values: Any) -> bool:
        return client.store.finish_alert_event(event.id, claim_token=token, **values)

    rule = rules.get(event.rule_id) or client.store.get_alert_rule(event.rule_id)
    rules[event.rule_id] = rule
    run = None
    try:
        if rule.notebook and event.kind == "firing" and event.run_outcome is None:
            from .retrain import run_rule_notebook

            if token and not keeper.held(token):
                return "lost"
            run = run_rule_notebook(client, rule, event)
            if token and not client.store.record_alert_run(event.id, token, run):
                return "lost"  # another deliverer has it now: it has the run recorded
            event = replace(event, run_outcome=run)
        if token and not keeper.held(token):
            return "lost"
        message = _render(rule, event, smtp)
    except Exception as e:  # the event cannot be turned into a message: it never will
        reason = f"cannot render the alert: {type(e).__name__}: {e}"[:1000]
        return "failed" if finish(status="failed", error=reason, run_outcome=run) else "lost"
    try:
        message()
    except PermanentError as e:
        return "failed" if finish(status="failed", error=str(e), run_outcome=run) else "lost"
    except Exception as e:  # TransientError, or anything unforeseen: bounded retries
        reason = str(e) if isinstance(e, TransientError) else f"{type(e).__name__}: {e}"
        final = event.attempts >= policy.max_attempts
        if final:
            reason = f"{reason} (gave up after {event.attempts} attempts)"
        recorded = finish(status="failed" if final else "pending", error=reason[:1000],
                          next_attempt_at=time.time() + policy.delay(event.attempts),
                          run_outcome=run)
        return ("failed" if final else "retry") if recorded else "lost"
    return "sent" if finish(status="sent", run_outcome=run) else "lost"


def _render(rule: Any, event: AlertEvent, smtp: SmtpSettings | None):
    """The message of an event, as a callable that sends it (rendering errors raise
    here, before anything is sent)."""
    if rule.channel == "webhook":
        payload = webhook_payload(rule, event)
        return lambda: post_webhook(rule.webhook_url, payload)
    settings = smtp or SmtpSettings.resolve()
    text, html_body = bodies(rule, event)
    recipients = list(rule.recipients)
    msg = render_email(settings, recipients, subject(rule, event), text, html_body,
                       message_id(event))
    msg.as_bytes()  # serialize once now: a header or body the email library refuses fails here
    return lambda: send_email(settings, msg, recipients)


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

