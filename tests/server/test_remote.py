"""Remote tracking: the library logs through a live server with an http:// URI."""

from __future__ import annotations

import json

import pytest

import mlops_jupyter as mj
from mlops_jupyter.errors import NotFound, StorageError
from mlops_jupyter.store.rest_store import Forbidden, RestStore
from tests.server.live import LiveServer, free_port


def test_a_client_logs_batched_metrics_through_the_api(remote_tracking_uri):
    # Given a client whose tracking URI is the server
    client = mj.Client(remote_tracking_uri)
    assert isinstance(client.store, RestStore)
    # When an iteration logs params and many points
    with client.start_iteration("wine", "remote", "r1") as it:
        it.log_params({"C": 0.5, "scaler": "minmax"})
        for step in range(5000):
            it.log_metric("loss", 1 / (step + 1), step=step)
    # Then everything is stored, the history downsampled on request
    series = client.store.metric_history(it.id, "loss", 500)
    assert series.total == 5000 and series.downsampled and len(series.steps) <= 500
    assert client.store.metric_history(it.id, "loss").total == 5000
    frame = client.runs("wine")
    assert frame["params.C"].tolist() == [0.5] and frame["status"].tolist() == ["finished"]
    # and the iteration knows the duration the server stored (what %%track shows)
    assert it.duration is not None and frame["duration"].tolist() == [it.duration]
    client.close()


def test_errors_come_back_as_domain_errors(remote_tracking_uri):
    store = RestStore(remote_tracking_uri, token=mj.config.resolve().token)
    with pytest.raises(NotFound) as e:
        store.get_iteration(12345)
    assert e.value.field == "iteration"
    store.close()


def test_a_wrong_token_is_forbidden(live_server):
    store = RestStore(live_server.url, token="wrong")
    with pytest.raises(Forbidden, match="MLOPS_JUPYTER_TOKEN"):
        store.list_projects()


def test_an_unreachable_server_is_a_storage_error():
    store = RestStore(f"http://127.0.0.1:{free_port()}/", token="t", retry_delays=(0.01, 0.01))
    with pytest.raises(StorageError, match="cannot reach"):
        store.list_projects()


def test_behind_a_base_url(tmp_path, monkeypatch):
    # Given a server under a JupyterHub-style prefix
    server = LiveServer(tmp_path, f"sqlite:///{tmp_path / 'hub.db'}",
                        base_url="/user/ada/").start()
    try:
        # When a client tracks through it
        monkeypatch.setenv("MLOPS_JUPYTER_TOKEN", server.token)
        client = mj.Client(server.url)
        with client.start_iteration("hub", "exp") as it:
            it.log_metric("acc", 0.9)
        # Then the data and the OpenAPI servers both live under the prefix
        assert client.store.get_latest_metrics(it.id)[0].value == 0.9
        assert server.get("openapi.json")["servers"] == [{"url": "/user/ada/mlops/api"}]
        client.close()
    finally:
        server.stop()


@pytest.mark.postgres
@pytest.mark.slow
def test_two_servers_share_one_postgresql_database(tmp_path, pg_url, monkeypatch):
    # Given two servers on one PostgreSQL database
    a = LiveServer(tmp_path / "a", pg_url)
    b = LiveServer(tmp_path / "b", pg_url)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a.start()
    try:
        b.start()
        try:
            # When a kernel logs through server A
            store_a = RestStore(a.url, token=a.token)
            project = store_a.create_project("shared")
            exp = store_a.create_experiment(project.id, "e")
            it = store_a.create_iteration(exp.id, "from a")
            store_a.log_metrics([(it.id, "acc", 0.75, 0, 1.7e9)])
            # Then server B serves it, and B's writes are visible through A
            store_b = RestStore(b.url, token=b.token)
            assert store_b.get_latest_metrics(it.id)[0].value == 0.75
            store_b.set_tags(it.id, {"seen_by": "b"})
            assert store_a.get_tags(it.id) == {"seen_by": "b"}
            # And concurrent creation of the same project resolves to one row
            assert store_b.get_or_create_project("shared").id == project.id
        finally:
            b.stop()
    finally:
        a.stop()


@pytest.mark.slow
@pytest.mark.parametrize("option", [
    '--MlopsExtensionApp.trusted_models=["wine"]',
    "--MlopsExtensionApp.trusted_models=wine",
])
def test_trust_given_on_the_command_line_lets_the_predict_route_load_a_pickle(tmp_path, option,
                                                                           wine):
    import urllib.error
    import urllib.request

    model, X, _ = wine
    uri = f"sqlite:///{tmp_path / 'serve.db'}"
    client = mj.Client(uri, artifact_root=str(tmp_path / "home" / "artifacts"))
    with client.start_iteration("wine", "serve", "fit", capture_environment=False) as it:
        mv = it.log_model(model, "wine", reference=X)
    with client.start_iteration("wine", "serve", "other", capture_environment=False) as it:
        it.log_model(model, "untrusted", reference=X)
    client.promote("wine", mv.version)
    client.promote("untrusted", 1)
    client.close()

    def predict(server, name):
        body = json.dumps({"inputs": X.iloc[0].to_dict()}).encode()
        request = urllib.request.Request(
            f"{server.url}mlops/api/models/{name}/predict", data=body, method="POST",
            headers={"Authorization": f"token {server.token}",
                     "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    server = LiveServer(tmp_path, uri)
    server.extra_args = [option]  # no config file entry and no environment variable
    server.start()
    try:
        status, reply = predict(server, "wine")
        assert status == 200, reply
        assert reply["request_id"]
        status, reply = predict(server, "untrusted")
        assert status == 403 and "trust" in json.dumps(reply).lower()
    finally:
        server.stop()
