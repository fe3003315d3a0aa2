"""SQL side of alerts: rules, per-subject state, and the event outbox.

Events are claimed for delivery with a conditional ``UPDATE`` (status and lease),
so two deliverers (two kernels, two servers) never send the same event; a lease
that runs out (the deliverer died mid-send) makes the event claimable again, up to
the attempt limit. Each claim has a random token that every later update of the
claim must present (fencing), and a deliverer renews its leases while it works.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..entities import AlertEvent, AlertRule, utc_from_timestamp
from ..errors import AlreadyExists, NotFound, did_you_mean
from .engine import read_tx, write_tx
from .models import AlertEventRow, AlertRuleRow, AlertStateRow

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

AR, AE, AS = AlertRuleRow, AlertEventRow, AlertStateRow
_RULE_COLUMNS = (AR.id, AR.name, AR.trigger, AR.scope_kind, AR.project, AR.experiment,
                 AR.model, AR.condition, AR.channel, AR.recipients, AR.webhook_url,
                 AR.cooldown_seconds, AR.digest, AR.notebook, AR.notebook_parameters,
                 AR.enabled, AR.created_at, AR.updated_at)
_EVENT_COLUMNS = (AE.id, AE.rule_id, AR.name, AE.kind, AE.subject, AE.fired_at, AE.payload,
                  AE.status, AE.attempts, AE.next_attempt_at, AE.sent_at, AE.last_error,
                  AE.run_outcome)


def _rule(r: Any) -> AlertRule:
    return AlertRule(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] or {}, r[8],
                     tuple(r[9] or ()), r[10], r[11], bool(r[12]), r[13], r[14] or {},
                     bool(r[15]), utc_from_timestamp(r[16]), utc_from_timestamp(r[17]))


def _event(r: Any) -> AlertEvent:
    return AlertEvent(r[0], r[1], r[2], r[3], r[4], utc_from_timestamp(r[5]), r[6] or {}, r[7],
                      r[8], utc_from_timestamp(r[9]), utc_from_timestamp(r[10]), r[11], r[12])


class SqlAlerts:
    """Alert methods over ``self.engine``."""

    engine: Engine

    # -- rules --------------------------------------------------------------------------
    def create_alert_rule(self, fields: Mapping[str, Any]) -> AlertRule:
        now = time.time()
        try:
            with write_tx(self.engine) as conn:
                rid = conn.execute(insert(AR).values(**fields, created_at=now, updated_at=now)
                                   .returning(AR.id)).scalar_one()
        except IntegrityError as e:
            raise AlreadyExists(f"an alert rule named {fields.get('name')!r} exists",
                                hint="pick another name or update it", field="name") from e
        return self.get_alert_rule(rid)

    def get_alert_rule(self, ref: int | str) -> AlertRule:
        cond = AR.id == ref if isinstance(ref, int) else AR.name == ref
        with read_tx(self.engine) as conn:
            row = conn.execute(select(*_RULE_COLUMNS).where(cond)).first()
            if row is None:
                names = conn.execute(select(AR.name)).scalars().all()
        if row is None:
            raise NotFound(f"no alert rule {ref!r}", hint=did_you_mean(str(ref), names),
                           field="rule")
        return _rule(row)

    def list_alert_rules(self, trigger: str | None = None, *,
                         enabled_only: bool = False) -> list[AlertRule]:
        stmt = select(*_RULE_COLUMNS).order_by(AR.name)
        if trigger is not None:
            stmt = stmt.where(AR.trigger == trigger)
        if enabled_only:
            stmt = stmt.where(AR.enabled.is_(True))
        with read_tx(self.engine) as conn:
            return [_rule(r) for r in conn.execute(stmt)]

    def update_alert_rule(self, rule_id: int, fields: Mapping[str, Any]) -> AlertRule:
        with write_tx(self.engine) as conn:
            n = conn.execute(update(AR).where(AR.id == rule_id)
                             .values(**fields, updated_at=time.time())).rowcount
        if not n:
            raise NotFound(f"no alert rule with id {rule_id}", field="rule")
        return self.get_alert_rule(rule_id)

    def delete_alert_rule(self, rule_id: int) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(delete(AR).where(AR.id == rule_id))

    # -- state and firing ----------------------------------------------------------------
    def alert_states(self, rule_id: int) -> dict[str, tuple[bool, float | None, float | None]]:
        """subject -> (firing, last value, last event time)."""
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(AS.subject, AS.firing, AS.last_value, AS.last_event_at)
                                .where(AS.rule_id == rule_id)).all()
        return {s: (bool(f), v, t) for s, f, v, t in rows}

    def record_alert_events(self, rule_id: int, events: Sequence[Mapping[str, Any]],
                            states: Mapping[str, tuple[bool, float | None, float | None]]
                            ) -> list[int]:
        """Write events to the outbox and the rule's new states, in one transaction."""
        now = time.time()
        ids = []
        with write_tx(self.engine) as conn:
            for event in events:
                ids.append(conn.execute(insert(AE).values(
                    rule_id=rule_id, kind=event["kind"], subject=event["subject"],
                    fired_at=event.get("fired_at", now), payload=dict(event["payload"]),
                    status=event.get("status", "pending"), attempts=0,
                    next_attempt_at=now).returning(AE.id)).scalar_one())
            for subject, (firing, value, last_event_at) in states.items():
                _upsert_state(conn, rule_id, subject, firing, value, last_event_at, now)
        return ids

    # -- outbox -------------------------------------------------------------------------
    def claim_alert_events(self, limit: int = 20, lease_seconds: float = 120.0,
                           now: float | None = None,
                           max_attempts: int | None = None) -> list[AlertEvent]:
        """Take due events for delivery; each one is claimed by exactly one caller.

        A claim counts as an attempt (so a deliverer that dies mid-send still uses one
        up) and carries a fresh ``claim_token``: renewing, recording a run and finishing
        only apply while that token is the event's. An event still ``sending`` after its
        lease is claimed again, unless it has used ``max_attempts``: then it is
        ``failed``, never ``sending`` forever.
        """
        now = time.time() if now is None else now
        stale = (AE.status == "sending") & (AE.lease_until < now)
        due = or_((AE.status == "pending") & (AE.next_attempt_at <= now), stale)
        with read_tx(self.engine) as conn:
            candidates = conn.execute(select(AE.id, AE.status, AE.attempts).where(due)
                                      .order_by(AE.id).limit(limit)).all()
        claimed = []
        for event_id, status, attempts in candidates:
            if status == "sending" and max_attempts is not None and attempts >= max_attempts:
                with write_tx(self.engine) as conn:  # its last attempt never finished
                    conn.execute(update(AE).where(AE.id == event_id, stale).values(
                        status="failed", lease_until=None, claim_token=None,
                        last_error=f"delivery did not finish within its lease after "
                                   f"{attempts} attempts (the deliverer stopped or hung)"))
                continue
            token = uuid.uuid4().hex
            with write_tx(self.engine) as conn:
                n = conn.execute(update(AE).where(AE.id == event_id, due).values(
                    status="sending", lease_until=now + lease_seconds, claim_token=token,
                    attempts=AE.attempts + 1)).rowcount
            if n:
                claimed.append((event_id, token))
        if not claimed:
            return []
        tokens = dict(claimed)
        events = self.alert_events(ids=list(tokens))
        return sorted((replace(e, claim_token=tokens[e.id]) for e in events),
                      key=lambda e: e.id)

    def renew_alert_claims(self, tokens: Sequence[str], lease_seconds: float) -> set[str]:
        """Extend the lease of the claims still held; returns the tokens still held."""
        if not tokens:
            return set()
        held = (AE.claim_token.in_(list(tokens))) & (AE.status == "sending")
        with write_tx(self.engine) as conn:
            conn.execute(update(AE).where(held).values(
                lease_until=time.time() + lease_seconds))
            return set(conn.execute(select(AE.claim_token).where(held)).scalars())

    def record_alert_run(self, event_id: int, claim_token: str,
                         run_outcome: Mapping[str, Any]) -> bool:
        """Keep a retraining run's outcome as soon as it is known (before sending), so a
        later claim of the event never runs the notebook again; False if the claim is
        no longer held."""
        with write_tx(self.engine) as conn:
            return bool(conn.execute(update(AE).where(
                AE.id == event_id, AE.claim_token == claim_token,
                AE.status == "sending").values(run_outcome=dict(run_outcome))).rowcount)

    def finish_alert_event(self, event_id: int, *, status: str, error: str | None = None,
                           next_attempt_at: float | None = None,
                           run_outcome: Mapping[str, Any] | None = None,
                           claim_token: str | None = None) -> bool:
        """Record a delivery attempt's outcome; with ``claim_token``, only while that claim
        is held (returns False when another deliverer took the event over)."""
        values: dict[str, Any] = {"status": status, "lease_until": None, "claim_token": None,
                                  "last_error": error}
        if status == "sent":
            values["sent_at"] = time.time()
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if run_outcome is not None:
            values["run_outcome"] = dict(run_outcome)
        cond = [AE.id == event_id]
        if claim_token is not None:
            cond += [AE.claim_token == claim_token, AE.status == "sending"]
        with write_tx(self.engine) as conn:
            return bool(conn.execute(update(AE).where(*cond).values(**values)).rowcount)

    def set_alert_events_status(self, event_ids: Sequence[int], status: str) -> None:
        if event_ids:
            with write_tx(self.engine) as conn:
                conn.execute(update(AE).where(AE.id.in_(list(event_ids))).values(status=status))

    def alert_events(self, *, rule_id: int | None = None, status: str | None = None,
                     ids: Sequence[int] | None = None, limit: int = 200) -> list[AlertEvent]:
        stmt = select(*_EVENT_COLUMNS).join(AR, AE.rule_id == AR.id).order_by(AE.id.desc())
        if rule_id is not None:
            stmt = stmt.where(AE.rule_id == rule_id)
        if status is not None:
            stmt = stmt.where(AE.status == status)
        if ids is not None:
            stmt = stmt.where(AE.id.in_(list(ids)))
        with read_tx(self.engine) as conn:
            return [_event(r) for r in conn.execute(stmt.limit(limit))]


def _upsert_state(conn: Connection, rule_id: int, subject: str, firing: bool,
                  value: float | None, last_event_at: float | None, now: float) -> None:
    n = conn.execute(update(AS).where(AS.rule_id == rule_id, AS.subject == subject).values(
        firing=firing, last_value=value, last_event_at=last_event_at)).rowcount
    if not n:
        conn.execute(insert(AS).values(rule_id=rule_id, subject=subject, firing=firing,
                                       since=now, last_value=value,
                                       last_event_at=last_event_at))
