"""Prediction and windowed triggers, hysteresis, backtests, webhooks, retraining runs."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

import mlops_jupyter as mj
from mlops_jupyter.alerts.channels import PermanentError, check_public_host
from mlops_jupyter.alerts.delivery import deliver_due
from mlops_jupyter.alerts.firing import step_state


@pytest.fixture
def served(client):
    """A registered production model (a tiny classifier) with no reference needed."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    with client.start_iteration("iris", "alerts") as it:
        mv = it.log_model(model, "iris", reference=X)
    client.promote("iris", mv.version)
    client.alert_deliverer().paused = True
    return client, model, X


def test_prediction_failures_fire_once_per_flushed_batch(served, smtp):
    client, model, X = served
    mj.alerts.add_rule("failures", trigger="prediction_failed", model="iris",
                       recipients=["ops@example.org"], cooldown=0, client=client)
    statuses = ["ok"] * 10 + ["error"] * 3
    client.log_predictions(X[:13], [0] * 13, model="iris", statuses=statuses,
                           errors=[None] * 10 + ["boom <b>"] * 3)
    client.flush_predictions()
    (event,) = mj.alerts.events(client=client)
    assert event.payload["count"] == 3 and event.payload["examples"][0]["error"] == "boom <b>"
    assert deliver_due(client)["sent"] == 1
    (msg,) = smtp.inbox.wait(1)
    assert "failures" in msg["Subject"]
    assert "boom &lt;b&gt;" in msg.get_body(("html",)).get_content()


def test_prediction_threshold_on_confidence(served):
    client, model, X = served
    mj.alerts.add_rule("unsure", trigger="prediction_threshold", model="iris",
                       condition="confidence < 0.5", recipients=["ops@example.org"],
                       cooldown=0, client=client)
    client.log_predictions(X[:4], [0, 1, 2, 0], model="iris", confidences=[0.9, 0.4, 0.3, 0.99])
    client.flush_predictions()
    (event,) = mj.alerts.events(client=client)
    assert event.payload["count"] == 2


def test_flapping_value_fires_once_and_resolves_once_per_episode(served):
    client = served[0]
    rule = mj.alerts.add_rule("slow", trigger="latency", model="iris", above=50,
                              window="1min", recipients=["ops@example.org"], cooldown=0,
                              client=client).rule
    # Unit: values oscillating around 50 with a 10% hysteresis margin
    firing, changes = False, []
    for value in [40, 51, 49, 52, 48, 50.5, 44, 46, 49, 51, 60, 30]:
        change = step_state(rule, firing, value)
        if change:
            changes.append(change)
            firing = change == "firing"
    assert changes == ["firing", "resolved", "firing", "resolved"]


def test_windowed_latency_rule_fires_then_resolves(served, monkeypatch):
    import mlops_jupyter.alerts.firing as ev

    client = served[0]
    mj.alerts.add_rule("slow", trigger="latency", model="iris", above=50, window="1min",
                       recipients=["ops@example.org"], cooldown=0, client=client)
    values = iter([80.0, 79.0, 48.0, 20.0])
    monkeypatch.setattr(ev, "window_values",
                        lambda c, r, since=None: [(0, "latency_p95_ms", next(values))])
    kinds = []
    for _ in range(4):
        ids = mj.alerts.evaluate(client=client)
        kinds += [e.kind for e in client.store.alert_events(ids=ids)] if ids else []
    assert kinds == ["firing", "resolved"]


def test_real_latency_window_from_logged_predictions(served):
    client, _, X = served
    rule = mj.alerts.add_rule("slow", trigger="latency", model="iris", above=50,
                              window="1min", recipients=["ops@example.org"], cooldown=0,
                              client=client)
    client.log_predictions(X[:20], [0] * 20, model="iris", latencies_ms=[120.0] * 20)
    ids = mj.alerts.evaluate(client=client)
    (event,) = client.store.alert_events(ids=ids)
    assert event.kind == "firing" and event.payload["value"] >= 120
    assert mj.alerts.evaluate(client=client) == []  # still firing: nothing new
    assert rule.backtest(since="1h")["would_fire"] == 1


def test_backtest_counts_on_fixed_data(client):
    for i, acc in enumerate([0.95, 0.5, 0.91, 0.97, 0.2]):
        with client.start_iteration("wine", "scaling", f"run {i}") as it:
            it.log_metric("accuracy", acc)
    rule = mj.alerts.add_rule("good", trigger="iteration_logged", project="wine",
                              condition="accuracy >= 0.9", recipients=["a@example.org"],
                              cooldown=0, enabled=False, client=client)
    assert rule.backtest(since="1d")["would_fire"] == 3
    assert rule.update(cooldown="1h").backtest(since="1d")["would_fire"] == 1
    assert mj.alerts.events(client=client) == []  # disabled: nothing fired for real


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://localhost/hook",
                                 "http://10.0.0.5/x", "http://192.168.1.1/x",
                                 "http://169.254.169.254/latest/meta-data", "http://[::1]/x",
                                 "http://0.0.0.0/x"])
def test_webhooks_to_private_addresses_are_refused(url):
    with pytest.raises(PermanentError, match="webhook_allowlist"):
        check_public_host(url, allow=set())


def test_allowlisted_webhook_receives_json(served, monkeypatch):
    client, _, X = served
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        mj.alerts.add_rule("hook", trigger="prediction_failed", model="iris", webhook_url=url,
                           cooldown=0, client=client)
        client.log_predictions(X[:1], [None], model="iris", statuses=["error"], errors=["x"])
        client.flush_predictions()
        assert deliver_due(client)["failed"] == 1  # loopback: refused by default
        failed = mj.alerts.events(status="failed", client=client)[0]
        assert "webhook_allowlist" in failed.last_error
        monkeypatch.setenv("MLOPS_JUPYTER_WEBHOOK_ALLOWLIST", "127.0.0.1")
        client.log_predictions(X[:1], [None], model="iris", statuses=["error"], errors=["y"])
        client.flush_predictions()
        assert deliver_due(client)["sent"] == 1
        assert _Hook.received[-1]["rule"] == "hook" and _Hook.received[-1]["payload"]["count"] == 1
    finally:
        server.shutdown()


def test_a_rule_runs_a_retraining_notebook_that_records_an_iteration(client, tmp_path, smtp,
                                                                     monkeypatch):
    import nbformat

    monkeypatch.setenv("MLOPS_JUPYTER_NOTEBOOK_ROOT", str(tmp_path))

    db = client.tracking_uri
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("threshold = 0.5")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "%load_ext mlops_jupyter\n"
        f"%mlops config tracking_uri {db}\n"),
        nbformat.v4.new_code_cell(
        "%%track retrained --project wine --experiment retraining\n"
        "threshold_used = threshold\n"
        "accuracy = 0.93\n")]
    path = tmp_path / "retrain.ipynb"
    nbformat.write(nb, path)
    rule = mj.alerts.add_rule("retrain", trigger="iteration_logged", project="wine",
                              experiment="scaling", condition="accuracy < 0.6",
                              recipients=["ops@example.org"], notebook=str(path),
                              parameters={"threshold": 0.8}, cooldown=0, client=client)
    client.alert_deliverer().paused = True
    with client.start_iteration("wine", "scaling", "degraded") as it:
        it.log_metric("accuracy", 0.4)
    assert deliver_due(client)["sent"] == 1
    (event,) = rule.events()
    assert event.run_outcome["status"] == "ok", event.run_outcome
    runs = client.runs("wine", "retraining")
    assert runs["name"].tolist() == ["retrained"]
    # the injected parameter reached the run: %%track records the computed value
    assert runs["metrics.threshold_used"].tolist() == [0.8]
    assert "Retraining run" in smtp.inbox.wait(1)[0].get_body(("plain",)).get_content()


def test_a_notebook_outside_the_notebook_root_is_refused_when_the_rule_fires(
        client, tmp_path, smtp, monkeypatch):
    import nbformat

    # Given a notebook process whose notebook root is root/, and a rule that names a
    # notebook outside it
    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.setenv("MLOPS_JUPYTER_NOTEBOOK_ROOT", str(root))
    marker = tmp_path / "RAN"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w').write('ran')")]
    nbformat.write(nb, tmp_path / "elsewhere.ipynb")
    rule = mj.alerts.add_rule("retrain", trigger="iteration_logged", project="wine",
                              recipients=["ops@example.org"], cooldown=0,
                              notebook=str(tmp_path / "elsewhere.ipynb"), client=client)
    with pytest.raises(mj.InvalidInput, match=r"'\.\.'"):
        mj.alerts.add_rule("climb", trigger="iteration_logged", project="wine",
                           recipients=["ops@example.org"], notebook="../elsewhere.ipynb",
                           client=client)
    client.alert_deliverer().paused = True
    with client.start_iteration("wine", "scaling", "degraded"):
        pass
    # When it fires, the notebook is not run; the alert is still sent, with the refusal
    assert deliver_due(client)["sent"] == 1
    (event,) = rule.events()
    assert event.run_outcome["status"] == "refused" and not marker.exists()
    assert "outside the notebook root" in event.run_outcome["error"]
    assert "refused" in smtp.inbox.wait(1)[0].get_body(("plain",)).get_content()
