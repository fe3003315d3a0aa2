"""The outbox never strands an event: bad names, broken events, failing servers, leases.

Every test delivers through a real SMTP server (aiosmtpd) or none at all, and reads the
outcome back from the real SQLite outbox.
"""

from __future__ import annotations

import threading
import time

import pytest

import mlops_jupyter as mj
from mlops_jupyter.alerts.delivery import RetryPolicy, deliver_due

LINE_SEPARATORS = ["\u2028", "\x85", "\u2029", "\x0b", "\x1c"]


def _rule(client, **extra):
    return mj.alerts.add_rule("all runs", trigger="iteration_logged", project="wine",
                              recipients=["ada@example.org"], cooldown=0, client=client,
                              **extra)


def _iteration(client, name):
    with client.start_iteration("wine", "scaling", name) as it:
        it.log_metric("accuracy", 0.9)
    return it


def _statuses(client):
    return sorted(e.status for e in mj.alerts.events(client=client))


@pytest.mark.parametrize("sep", LINE_SEPARATORS, ids=lambda s: f"U+{ord(s):04X}")
def test_a_line_separator_in_a_name_is_delivered_with_a_one_line_subject(client, smtp, sep):
    _rule(client)
    client.alert_deliverer().paused = True  # deliver by hand, deterministically
    _iteration(client, f"before{sep}Bcc: victim@example.org")
    _iteration(client, "plain")
    assert deliver_due(client) == {"sent": 2}
    msgs = smtp.inbox.wait(2)
    assert sorted(e.rcpt_tos[0] for e in smtp.inbox.envelopes) == ["ada@example.org"] * 2
    subjects = sorted(str(m["Subject"]) for m in msgs)
    assert "before Bcc: victim@example.org" in subjects[0] and "plain" in subjects[1]
    for m in msgs:
        assert m["Bcc"] is None and len(str(m["Subject"]).splitlines()) == 1
    assert _statuses(client) == ["sent", "sent"]


def test_an_event_that_cannot_be_rendered_fails_alone_with_its_reason(client, smtp):
    rule = _rule(client)
    client.alert_deliverer().paused = True
    _iteration(client, "first")
    # An event whose payload the message templates cannot read (written by another
    # version, say), claimed in the same batch as two good ones
    (broken,) = client.store.record_alert_events(
        rule.id, [{"kind": "firing", "subject": "__rule__", "payload": {"iteration": "?"}}], {})
    _iteration(client, "last")
    assert deliver_due(client) == {"sent": 2, "failed": 1}
    assert len(smtp.inbox.wait(2)) == 2
    (failed,) = mj.alerts.events(status="failed", client=client)
    assert failed.id == broken and "cannot render" in failed.last_error
    assert "AttributeError" in failed.last_error
    assert _statuses(client) == ["failed", "sent", "sent"]


def test_a_failing_smtp_server_is_retried_a_bounded_number_of_times(client, smtp):
    smtp.inbox.reply = "451 4.3.0 try again later"
    _rule(client)
    client.alert_deliverer().paused = True
    _iteration(client, "unlucky")
    policy = RetryPolicy(base_seconds=0.0, max_attempts=3)
    # No backoff: the same call keeps retrying until the attempts are used up
    assert deliver_due(client, policy=policy) == {"retry": 2, "failed": 1}
    (event,) = mj.alerts.events(client=client)
    assert event.status == "failed" and event.attempts == 3
    assert "451" in event.last_error and "after 3 attempts" in event.last_error
    assert smtp.inbox.envelopes == []
    assert deliver_due(client, policy=policy) == {}  # failed stays failed


def test_an_unreachable_smtp_server_ends_failed_not_sending(client, smtp_port):
    _rule(client)
    client.alert_deliverer().paused = True
    _iteration(client, "nobody listens")
    assert deliver_due(client, policy=RetryPolicy(base_seconds=0.0, max_attempts=2)) == {
        "retry": 1, "failed": 1}
    (event,) = mj.alerts.events(client=client)
    assert event.status == "failed" and "unreachable" in event.last_error


def test_a_stale_claim_is_claimed_again_then_failed_after_the_attempt_limit(client, smtp):
    _rule(client)
    client.alert_deliverer().paused = True
    _iteration(client, "abandoned")
    store, t = client.store, time.time()
    # A deliverer claims the event and dies: nobody else gets it while the lease runs
    (first,) = store.claim_alert_events(now=t, lease_seconds=10, max_attempts=2)
    assert store.claim_alert_events(now=t + 5, lease_seconds=10, max_attempts=2) == []
    # After the lease it is claimed again (a second attempt, a new token)
    (second,) = store.claim_alert_events(now=t + 11, lease_seconds=10, max_attempts=2)
    assert second.id == first.id and second.attempts == 2
    assert second.claim_token != first.claim_token
    # The first deliverer, back to life, can no longer finish it
    assert not store.finish_alert_event(first.id, status="sent",
                                        claim_token=first.claim_token)
    # The second one dies too: the attempts are used up, so the event is failed
    assert store.claim_alert_events(now=t + 22, lease_seconds=10, max_attempts=2) == []
    (event,) = mj.alerts.events(client=client)
    assert event.status == "failed" and "within its lease" in event.last_error
    assert smtp.inbox.envelopes == []


def test_a_dead_deliverers_event_is_delivered_after_the_lease(client, smtp):
    _rule(client)
    client.alert_deliverer().paused = True
    _iteration(client, "left behind")
    (claimed,) = client.store.claim_alert_events(lease_seconds=120)
    assert deliver_due(client) == {}  # still leased
    assert deliver_due(client, now=time.time() + 121) == {"sent": 1}
    (event,) = mj.alerts.events(client=client)
    assert event.id == claimed.id and event.status == "sent" and event.attempts == 2
    assert len(smtp.inbox.wait(1)) == 1


def test_a_notebook_run_longer_than_the_lease_runs_and_mails_once(client, tmp_path, smtp, monkeypatch):
    import nbformat

    monkeypatch.setenv("MLOPS_JUPYTER_NOTEBOOK_ROOT", str(tmp_path))  # rules run notebooks of the root only

    marker = tmp_path / "runs.txt"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import time\n"
        f"with open({str(marker)!r}, 'a') as f:\n"
        "    f.write('run\\n')\n"
        "time.sleep(4)\n")]
    path = tmp_path / "slow.ipynb"
    nbformat.write(nb, path)
    rule = _rule(client, notebook=str(path))
    client.alert_deliverer().paused = True
    other = mj.Client(client.tracking_uri, artifact_root=str(tmp_path / "other"))
    other.alert_deliverer().paused = True
    policy = RetryPolicy(lease_seconds=1.0)  # far shorter than the run
    other_outcome: dict = {}
    other_tries: list[float] = []
    done = threading.Event()

    def compete() -> None:
        # A second deliverer (another kernel) keeps trying while the notebook runs,
        # well past the lease, from the moment the first one holds the event
        while not done.is_set() and not any(
                e.status == "sending" for e in other.store.alert_events()):
            done.wait(0.05)
        while not done.is_set():
            other_tries.append(time.monotonic())
            other_outcome.update(deliver_due(other, policy=policy))
            done.wait(0.2)

    competitor = threading.Thread(target=compete)
    try:
        _iteration(client, "degraded")
        started = time.monotonic()
        competitor.start()
        outcome = deliver_due(client, policy=policy)
    finally:
        done.set()
        competitor.join()
        other.close()
    assert outcome == {"sent": 1} and other_outcome == {}
    # the competitor did try once the first lease would have run out, many times over
    assert sum(t > started + 2 * policy.lease_seconds for t in other_tries) >= 3
    assert marker.read_text() == "run\n"  # the notebook ran once
    assert len(smtp.inbox.wait(1)) == 1
    time.sleep(0.5)  # a duplicate would have arrived by now
    assert len(smtp.inbox.envelopes) == 1
    (event,) = rule.events()
    assert event.status == "sent" and event.attempts == 1
    assert event.run_outcome["status"] == "ok", event.run_outcome
    assert event.run_outcome["seconds"] > policy.lease_seconds


def test_a_recorded_run_is_not_run_again_by_a_later_claim(client, tmp_path, smtp, monkeypatch):
    import nbformat

    monkeypatch.setenv("MLOPS_JUPYTER_NOTEBOOK_ROOT", str(tmp_path))  # rules run notebooks of the root only

    marker = tmp_path / "runs.txt"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        f"open({str(marker)!r}, 'a').write('run\\n')\n")]
    path = tmp_path / "retrain.ipynb"
    nbformat.write(nb, path)
    smtp.inbox.reply = "451 4.3.0 try again later"  # the first send fails after the run
    rule = _rule(client, notebook=str(path))
    client.alert_deliverer().paused = True
    _iteration(client, "degraded")
    assert deliver_due(client, policy=RetryPolicy(base_seconds=0.0, max_attempts=5),
                       now=time.time()) == {"retry": 1}
    smtp.inbox.reply = "250 OK"
    assert deliver_due(client, policy=RetryPolicy(base_seconds=0.0)) == {"sent": 1}
    assert marker.read_text() == "run\n"
    (event,) = rule.events()
    assert event.status == "sent" and event.run_outcome["status"] == "ok"
    assert "Retraining run" in smtp.inbox.wait(1)[0].get_body(("plain",)).get_content()


def test_a_send_slower_than_the_lease_is_sent_once_by_two_deliverers(client, tmp_path,
                                                                      smtp):
    smtp.inbox.delay = 3.0  # the SMTP server takes three leases to accept the message
    _rule(client)
    client.alert_deliverer().paused = True
    other = mj.Client(client.tracking_uri, artifact_root=str(tmp_path / "other"))
    other.alert_deliverer().paused = True
    policy = RetryPolicy(lease_seconds=1.0)
    _iteration(client, "slow server")
    outcomes: list = []
    deliverers = [threading.Thread(target=lambda c=c: outcomes.append(
        deliver_due(c, policy=policy))) for c in (client, other)]
    try:
        deliverers[0].start()
        while not any(e.status == "sending" for e in mj.alerts.events(client=client)):
            time.sleep(0.05)
        time.sleep(2 * policy.lease_seconds)  # the first lease alone would be over by now
        deliverers[1].start()
        for d in deliverers:
            d.join()
    finally:
        other.close()
    assert sorted(map(dict, outcomes), key=len) == [{}, {"sent": 1}]
    assert len(smtp.inbox.wait(1)) == 1
    (event,) = mj.alerts.events(client=client)
    assert event.status == "sent" and event.attempts == 1
