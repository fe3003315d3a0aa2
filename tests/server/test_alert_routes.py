"""Alert routes (mlops:alerts) through jp_fetch, with a real SMTP server."""

from __future__ import annotations

import pytest

from tests.alerts.conftest import SmtpServer, smtp_port  # noqa: F401 - fixtures


@pytest.fixture
def jp_server_config(jp_server_config):
    app = {**jp_server_config["MlopsExtensionApp"], "alerts_interval": 0.0}
    return {**jp_server_config, "MlopsExtensionApp": app}


@pytest.fixture
def client(sqlite_url):
    import mlops_jupyter as mj

    c = mj.Client(sqlite_url)
    c.alert_deliverer().paused = True  # the server delivers in these tests
    yield c
    c.close()


RULE = {"name": "good runs", "trigger": "iteration_logged", "project": "wine",
        "condition": "accuracy >= 0.9", "recipients": ["ada@example.org"], "cooldown": 0}


async def test_rule_lifecycle(api):
    # Create
    code, rule = await api("POST", "alerts/rules", RULE)
    assert code == 201 and rule["trigger"] == "iteration_logged" and rule["enabled"]
    assert rule["condition"] == {"field": "metrics.accuracy", "op": ">=", "value": 0.9}
    # Read and list
    code, same = await api("GET", f"alerts/rules/{rule['id']}")
    assert code == 200 and same["name"] == "good runs"
    code, listed = await api("GET", "alerts/rules")
    assert [r["name"] for r in listed["rules"]] == ["good runs"]
    # Update: disable, change the recipients
    code, changed = await api("PATCH", f"alerts/rules/{rule['id']}",
                              {"enabled": False, "recipients": ["ops@example.org"]})
    assert code == 200 and not changed["enabled"] and changed["recipients"] == ["ops@example.org"]
    assert changed["condition"] == rule["condition"]
    # Delete
    code, _ = await api("DELETE", f"alerts/rules/{rule['id']}")
    assert code == 204
    code, gone = await api("GET", f"alerts/rules/{rule['id']}")
    assert code == 404 and gone["reason"] == "not_found"


@pytest.mark.parametrize("change, field", [
    ({"trigger": "whenever"}, "trigger"),
    ({"recipients": ["a@b.c\r\nBcc: x@y.z"]}, "recipients"),
    ({"recipients": "ada@example.org"}, "recipients"),
    ({"surprise": 1}, "surprise"),
    ({"project": None}, "project"),
])
async def test_bad_rules_are_400_naming_the_field(api, change, field):
    code, body = await api("POST", "alerts/rules", {**RULE, **change})
    assert code == 400 and body["field"] == field, body


async def test_backtest_of_a_saved_and_a_draft_rule(api, client):
    for i, acc in enumerate([0.95, 0.4, 0.93]):
        with client.start_iteration("wine", "scaling", f"run {i}") as it:
            it.log_metric("accuracy", acc)
    code, rule = await api("POST", "alerts/rules", {**RULE, "enabled": False})
    code, result = await api("GET", f"alerts/rules/{rule['id']}/backtest",
                             params={"since": "1d"})
    assert code == 200 and result["would_fire"] == 2
    code, draft = await api("POST", "alerts/backtest",
                            {**{k: v for k, v in RULE.items() if k != "name"},
                             "condition": "accuracy >= 0.94", "since": "1d"})
    assert code == 200 and draft["would_fire"] == 1


async def test_events_and_delivery_through_the_server(api, client, smtp_port):  # noqa: F811
    code, rule = await api("POST", "alerts/rules", RULE)
    with client.start_iteration("wine", "scaling", "great <run>") as it:
        it.log_metric("accuracy", 0.99)
    code, listed = await api("GET", "alerts/events", params={"status": "pending"})
    assert [e["rule_name"] for e in listed["events"]] == ["good runs"]
    server = SmtpServer(smtp_port)
    server.start()
    try:
        code, done = await api("POST", "alerts/deliver")
        assert code == 200 and done["delivered"] == {"sent": 1}
        (msg,) = server.inbox.wait(1)
        assert "great <run>" in msg["Subject"]
    finally:
        server.stop()
    code, sent = await api("GET", "alerts/events", params={"status": "sent"})
    assert len(sent["events"]) == 1 and sent["events"][0]["attempts"] == 1
    code, bad = await api("GET", "alerts/events", params={"status": "lost"})
    assert code == 400 and bad["field"] == "status"


async def test_evaluate_on_demand(api):
    code, body = await api("POST", "alerts/evaluate")
    assert code == 200 and body == {"event_ids": [], "delivered": {}}


async def test_an_iteration_ended_through_the_api_is_evaluated_by_the_server(api, client):
    # Given a rule, and an iteration a remote client logs through the API
    await api("POST", "alerts/rules", {**RULE, "condition": None})
    exp = client.experiment("wine", "remote")
    code, it = await api("POST", "iterations", {"experiment_id": exp.id, "name": "remote run"})
    assert code == 201
    # When the client ends it through the API
    code, _ = await api("PATCH", f"iterations/{it['id']}", {"status": "finished"})
    assert code == 200
    # Then the server evaluated the rule
    code, listed = await api("GET", "alerts/events")
    assert [e["payload"]["iteration"]["name"] for e in listed["events"]] == ["remote run"]


async def test_a_bad_event_is_listed_failed_with_its_reason_and_blocks_no_other(
        api, client, smtp_port):  # noqa: F811
    code, rule = await api("POST", "alerts/rules", {**RULE, "condition": None})
    with client.start_iteration("wine", "scaling", "line\u2028separator\x85run") as it:
        it.log_metric("accuracy", 0.99)
    # An event the message templates cannot read, between two good ones
    (broken,) = client.store.record_alert_events(
        rule["id"], [{"kind": "firing", "subject": "__rule__", "payload": {"iteration": 7}}],
        {})
    with client.start_iteration("wine", "scaling", "plain run") as it:
        it.log_metric("accuracy", 0.99)
    server = SmtpServer(smtp_port)
    server.start()
    try:
        code, done = await api("POST", "alerts/deliver")
        assert code == 200 and done["delivered"] == {"sent": 2, "failed": 1}
        subjects = sorted(str(m["Subject"]) for m in server.inbox.wait(2))
        assert "line separator run" in subjects[0] and "plain run" in subjects[1]
    finally:
        server.stop()
    code, failed = await api("GET", "alerts/events", params={"status": "failed"})
    assert code == 200 and [e["id"] for e in failed["events"]] == [broken]
    assert "cannot render" in failed["events"][0]["last_error"]
    code, sending = await api("GET", "alerts/events", params={"status": "sending"})
    assert code == 200 and sending["events"] == []
