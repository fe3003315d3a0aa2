"""The alert rules widget, driven through its model (no browser)."""

from __future__ import annotations

import pytest

import mlops_jupyter as mj
from mlops_jupyter.widgets.alert_rules import AlertsWidget


@pytest.fixture
def client(sqlite_url):
    c = mj.Client(sqlite_url)
    yield c
    c.close()


def _fill(widget, **values):
    for key, value in values.items():
        widget.form[key].value = value


def test_backtest_then_save_then_toggle(client):
    for i, acc in enumerate([0.95, 0.5, 0.97]):
        with client.start_iteration("wine", "scaling", f"run {i}") as it:
            it.log_metric("accuracy", acc)
    widget = AlertsWidget(client)
    assert widget.rule_count == 0 and "no alert rules yet" in widget._rules.value
    _fill(widget, name="good <runs>", trigger="iteration_logged", project="wine",
          condition="accuracy >= 0.9", recipients="ada@example.org", cooldown="0")
    assert widget.backtest()["would_fire"] == 2
    assert "<b>2</b>" in widget._backtest_result.value
    rule = widget.save()
    assert rule.name == "good <runs>" and widget.rule_count == 1
    assert "good &lt;runs&gt;" in widget._rules.value and "<runs>" not in widget._rules.value
    widget.toggle_selected()
    assert client.store.get_alert_rule("good <runs>").enabled is False
    assert "disabled" in widget.message


def test_bad_input_is_a_readable_message(client):
    widget = AlertsWidget(client)
    _fill(widget, name="x", trigger="drift", model="", recipients="not an address")
    assert widget.save() is None
    assert "model=" in widget.error and "Traceback" not in widget._error.value
    _fill(widget, model="m", limit="", recipients="ada@example.org")
    assert widget.save() is None and "above= or below=" in widget.error


def test_failed_deliveries_are_highlighted(client, monkeypatch):
    monkeypatch.setenv("MLOPS_JUPYTER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MLOPS_JUPYTER_SMTP_PORT", "9")  # nothing listens: transient
    rule = mj.alerts.add_rule("r", trigger="iteration_logged", project="p",
                              recipients=["a@example.org"], cooldown=0, client=client)
    client.alert_deliverer().paused = True
    client.start_iteration("p", "e").end()
    client.store.finish_alert_event(rule.events()[0].id, status="failed",
                                    error="SMTP 550: <no such user>")
    widget = AlertsWidget(client)
    assert widget.failed_count == 1
    assert "#ffcdd2" in widget._events.value and "&lt;no such user&gt;" in widget._events.value
    assert repr(widget) == "<AlertsWidget 1 rules, 1 failed deliveries>"


def test_magic_shows_the_widget(client):
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "mlops_jupyter")
    mj.set_tracking_uri(client.tracking_uri)
    widget = ip.run_line_magic("mlops", "alerts")
    assert isinstance(widget, AlertsWidget)
