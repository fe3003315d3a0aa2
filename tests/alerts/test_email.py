"""iteration_logged emails through a real SMTP server; outages, failures, injection."""

from __future__ import annotations

import pytest

import mlops_jupyter as mj
from mlops_jupyter import InvalidInput
from mlops_jupyter.alerts.delivery import RetryPolicy, deliver_due
from tests.alerts.conftest import SmtpServer


def _wait_until_sent(client, timeout=10.0):
    """The message can reach the server a moment before the event is marked sent."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
            e.status in ("pending", "sending") for e in mj.alerts.events(client=client)):
        time.sleep(0.05)


def _good_runs(client, **extra):
    return mj.alerts.add_rule("good runs", trigger="iteration_logged", project="wine",
                              condition="accuracy >= 0.9", recipients=["ada@example.org"],
                              cooldown=0, client=client, **extra)


def _iteration(client, name, accuracy, **params):
    with client.start_iteration("wine", "scaling", name) as it:
        it.log_params(params)
        it.log_metric("accuracy", accuracy)
    return it


def test_iteration_logged_email_has_params_metrics_and_how_to_open(client, smtp):
    _good_runs(client)
    it = _iteration(client, "MinMax <script>x</script>", 0.95, C=1.0, scaler="minmax")
    _iteration(client, "too weak", 0.5)  # the condition keeps this one quiet
    (msg,) = smtp.inbox.wait(1)
    assert msg["To"] == "ada@example.org" and msg["From"] == "mlops@example.org"
    assert "MinMax" in msg["Subject"] and "wine/scaling" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "scaler" in text and "minmax" in text and "accuracy" in text and "0.95" in text
    assert f"get_iteration({it.id})" in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    _wait_until_sent(client)
    assert [e.status for e in mj.alerts.events(client=client)] == ["sent"]


def test_smtp_down_then_back_delivers_exactly_once(client, smtp_port):
    import time

    _good_runs(client)
    deliverer = client.alert_deliverer()
    deliverer.policy = RetryPolicy(base_seconds=0.2, max_seconds=0.5)
    deliverer.paused = True
    _iteration(client, "while down", 0.99)
    # Nothing listens: the attempt fails and the event stays in the outbox
    assert deliver_due(client, policy=deliverer.policy)["retry"] == 1
    (event,) = mj.alerts.events(client=client)
    assert event.status == "pending" and "unreachable" in event.last_error
    server = SmtpServer(smtp_port)
    server.start()
    try:
        deliverer.paused = False
        deliverer.kick()  # the background deliverer retries after the backoff
        msgs = server.inbox.wait(1, timeout=15)
        time.sleep(1.0)  # a duplicate would have arrived by now
        assert len(server.inbox.envelopes) == 1 and "while down" in msgs[0]["Subject"]
        (event,) = mj.alerts.events(client=client)
        assert event.status == "sent" and event.attempts == 2
    finally:
        deliverer.stop()
        server.stop()


def test_permanent_smtp_failure_is_failed_and_surfaced(client, smtp):
    smtp.inbox.reply = "550 mailbox unavailable"
    rule = _good_runs(client)
    client.alert_deliverer().paused = True  # deliver by hand, deterministically
    _iteration(client, "refused", 0.99)
    deliver_due(client)
    (event,) = rule.events()
    assert event.status == "failed" and "550" in event.last_error
    assert [e.id for e in mj.alerts.events(status="failed", client=client)] == [event.id]


def test_cooldown_suppresses_a_storm(client, smtp):
    _good_runs(client).update(cooldown="1h")
    for i in range(5):
        _iteration(client, f"run {i}", 0.99)
    smtp.inbox.wait(1)
    _wait_until_sent(client)
    statuses = sorted(e.status for e in mj.alerts.events(client=client))
    assert statuses == ["sent"] + ["suppressed"] * 4
    assert len(smtp.inbox.envelopes) == 1


@pytest.mark.parametrize("name", [
    "evil\r\nBcc: victim@example.org",
    "=?utf-8?q?x=0D=0ABcc:_victim@example.org?=",
    "line\nbreak\rand\ttab",
])
def test_header_injection_adds_no_header_or_recipient(client, smtp, name):
    _good_runs(client)
    _iteration(client, name, 0.99)
    (msg,) = smtp.inbox.wait(1)
    (envelope,) = smtp.inbox.envelopes
    assert envelope.rcpt_tos == ["ada@example.org"]
    assert msg["Bcc"] is None and "victim" not in str(msg["To"])
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    assert sorted(k.lower() for k in msg) == sorted(
        ["from", "to", "subject", "date", "message-id", "mime-version", "content-type"])


@pytest.mark.parametrize("bad", ["ada@example.org\r\nBcc: x@y.z", "a@b.c, d@e.f",
                                 "Ada <ada@example.org>", "no-at-sign", ""])
def test_recipients_are_validated(client, bad):
    with pytest.raises(InvalidInput):
        mj.alerts.add_rule("r", trigger="iteration_logged", project="wine", recipients=[bad],
                           client=client)


def test_rules_are_validated_with_clear_errors(client):
    with pytest.raises(InvalidInput, match="unknown trigger"):
        mj.alerts.add_rule("r", trigger="sometimes", project="p", recipients=["a@b.c"],
                           client=client)
    with pytest.raises(InvalidInput, match="model="):
        mj.alerts.add_rule("r", trigger="drift", above=0.2, recipients=["a@b.c"],
                           client=client)
    with pytest.raises(InvalidInput, match="above= or below="):
        mj.alerts.add_rule("r", trigger="latency", model="m", recipients=["a@b.c"],
                           client=client)


def test_a_digest_sums_up_what_the_cooldown_held_back(client, smtp):
    from mlops_jupyter.alerts.firing import RULE_SUBJECT

    rule = _good_runs(client, digest=True).update(cooldown="1h")
    client.alert_deliverer().paused = True
    for i in range(4):
        _iteration(client, f"run <{i}>", 0.99)
    assert deliver_due(client)["sent"] == 1  # the first one, right away
    assert sorted(e.status for e in rule.events()) == ["held", "held", "held", "sent"]
    # Nothing more while the cooldown lasts
    assert deliver_due(client) == {}
    # When the cooldown is over (moved back an hour here), one digest covers the three
    import time

    client.store.record_alert_events(rule.id, [], {RULE_SUBJECT: (False, None,
                                                                  time.time() - 3601)})
    assert deliver_due(client)["sent"] == 1
    digest = smtp.inbox.wait(2)[-1]
    assert "digest" in digest["Subject"] and "3 alerts" in digest["Subject"]
    text = digest.get_body(("plain",)).get_content()
    assert "run <1>" in text and "run <3>" in text
    assert "run &lt;2&gt;" in digest.get_body(("html",)).get_content()
    statuses = sorted(e.status for e in rule.events())
    assert statuses == ["digested", "digested", "digested", "sent", "sent"]
