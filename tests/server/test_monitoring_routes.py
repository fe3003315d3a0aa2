"""Monitoring routes and the predict endpoint, through jp_fetch."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def jp_server_config(jp_server_config):
    app = {**jp_server_config["MlopsExtensionApp"], "trusted_models": ["wine"],
           "production_check_seconds": 0.0, "drift_metrics_seconds": 0.0}
    return {**jp_server_config, "MlopsExtensionApp": app}


@pytest.fixture
def client(sqlite_url, artifact_root):
    import mlops_jupyter as mj

    c = mj.Client(sqlite_url, artifact_root=str(artifact_root))
    yield c
    c.close()


@pytest.fixture
def registered(client, wine, tmp_path):
    """Version 1 of "wine" in production, profiled on its training data."""
    model, X, y = wine
    with client.start_iteration("wine", "serve", "fit") as it:
        mv = it.log_model(model, "wine", reference=X)
    client.promote("wine", mv.version)
    return mv


def rows(X, n=3, start=0):
    return [{k: float(v) for k, v in X.iloc[i].items()} for i in range(start, start + n)]


async def test_batch_ingest_labels_and_reports(api, registered, wine):
    model, X, y = wine
    now = time.time()
    records = [{"inputs": r, "output": int(p), "confidence": 0.9, "latency_ms": 2.5,
                "at": now - 60}
               for r, p in zip(rows(X, 40), model.predict(X.iloc[:40]), strict=True)]
    records[0].update(status="error", error="timeout", output=None)
    code, answer = await api("POST", "monitoring/predictions",
                             {"model": "wine", "records": records})
    assert code == 200, answer
    assert answer["version"] == 1 and len(set(answer["request_ids"])) == 40
    ids = answer["request_ids"]
    # Labels for some of them
    code, labeled = await api("POST", "monitoring/labels", {
        "labels": [{"request_id": r, "label": int(t)}
                   for r, t in zip(ids[1:], y.iloc[1:40], strict=True)]})
    assert code == 200 and labeled == {"labeled": 39}
    code, err = await api("POST", "monitoring/labels",
                          {"labels": [{"request_id": "nope", "label": 1}]})
    assert code == 404
    # Reports as rows
    code, traffic = await api("GET", "monitoring/models/wine/traffic", params={"window": "1h"})
    assert code == 200 and traffic["window_minutes"] == 60
    [row] = traffic["rows"]
    assert row["predictions"] == 40 and row["errors"] == 1
    assert row["latency_p95_ms"] > 0 and row["window_start"].endswith("+00:00")
    code, drift = await api("GET", "monitoring/models/wine/drift")
    assert code == 200 and {r["feature"] for r in drift["rows"]} >= {"alcohol", "__prediction__"}
    assert all(isinstance(r["drift"], bool) for r in drift["rows"])
    code, perf = await api("GET", "monitoring/models/wine/performance",
                           params={"window": "1d", "since": "all"})
    assert code == 200 and perf["rows"][0]["n"] == 39 and perf["rows"][0]["accuracy"] > 0.9
    code, recent = await api("GET", "monitoring/models/wine/predictions", params={"limit": "5"})
    assert code == 200 and len(recent["predictions"]) == 5
    last = recent["predictions"][0]
    assert last["request_id"] == ids[-1] and last["label"] == int(y.iloc[39])
    assert last["inputs"]["alcohol"] == X.iloc[39]["alcohol"]
    # Reused request ids are a conflict
    code, err = await api("POST", "monitoring/predictions", {"model": "wine", "records": [
        {"inputs": rows(X, 1)[0], "output": 1, "request_id": ids[3]}]})
    assert code == 409


async def test_monitored_models_summary(api, registered, wine, client):
    model, X, _ = wine
    # An unpromoted model is not listed
    with client.start_iteration("wine", "serve", "other") as it:
        it.log_model(model, "staged-only", reference=X)
    shifted = X.assign(alcohol=X["alcohol"] + 3)
    records = [{"inputs": {k: float(v) for k, v in r.items()}, "output": 0, "latency_ms": 4.0}
               for _, r in shifted.iterrows()]
    records.append({"inputs": rows(X, 1)[0], "output": None, "status": "error",
                    "error": "boom"})
    assert (await api("POST", "monitoring/predictions",
                      {"model": "wine", "records": records}))[0] == 200
    code, data = await api("GET", "monitoring/models")
    assert code == 200
    [m] = data["models"]
    assert m["name"] == "wine" and m["production_version"] == 1
    assert m["predictions_24h"] == 179 and m["errors_24h"] == 1
    assert m["error_rate_24h"] == pytest.approx(1 / 179)
    assert 4.0 <= m["latency_p95_ms_24h"] <= 5.0
    assert "alcohol" in m["drifted_features"] and "magnesium" not in m["drifted_features"]
    assert m["last_prediction_at"] is not None


async def test_monitored_models_without_traffic(api, registered):
    _, data = await api("GET", "monitoring/models")
    [m] = data["models"]
    assert (m["predictions_24h"], m["errors_24h"], m["error_rate_24h"],
            m["latency_p95_ms_24h"], m["drifted_features"], m["last_prediction_at"]) == (
        0, 0, None, None, [], None)


async def test_predict_serves_production_and_logs_every_request(api, registered, wine):
    model, X, _ = wine
    code, one = await api("POST", "models/wine/predict", {"inputs": rows(X, 1)[0]})
    assert code == 200, one
    assert one["model"] == "wine" and one["version"] == 1
    assert one["predictions"] == [int(model.predict(X.iloc[:1])[0])]
    assert 0 < one["confidences"][0] <= 1 and one["request_id"] == one["request_ids"][0]
    code, many = await api("POST", "models/wine/predict", {"instances": rows(X, 5, 10)})
    assert code == 200 and many["predictions"] == model.predict(X.iloc[10:15]).tolist()
    assert "request_id" not in many and len(many["request_ids"]) == 5
    # Bad inputs: 400 naming the problem, and logged as errors
    bad = rows(X, 1)[0]
    missing = {k: v for k, v in bad.items() if k != "alcohol"}
    code, err = await api("POST", "models/wine/predict", {"inputs": missing})
    assert code == 400 and "missing feature 'alcohol'" in err["message"]
    code, err = await api("POST", "models/wine/predict", {"inputs": {**bad, "colour": 1}})
    assert code == 400 and "unknown feature 'colour'" in err["message"]
    code, err = await api("POST", "models/wine/predict", {"inputs": {**bad, "alcohol": "x"}})
    assert code == 400 and "'alcohol' must be a number" in err["message"]
    code, err = await api("POST", "models/wine/predict", {"inputs": {**bad, "alcohol": None}})
    assert code == 400 and "cannot take missing values" in err["message"]
    code, err = await api("POST", "models/wine/predict", {"inputs": {**bad, "ash": "NaN"}})
    assert code == 400 and "'ash'" in err["message"]
    code, err = await api("POST", "models/wine/predict", {"rows": []})
    assert code == 400
    code, err = await api("POST", "models/wine/predict", body_raw=b"{not json")
    assert code == 400 and "not valid JSON" in err["message"]
    code, recent = await api("GET", "monitoring/models/wine/predictions")
    statuses = [p["status"] for p in recent["predictions"]]
    assert statuses.count("ok") == 6 and statuses.count("error") >= 5
    errors = [p["error"] for p in recent["predictions"] if p["status"] == "error"]
    assert any("alcohol" in e for e in errors)
    assert any("not valid JSON" in e for e in errors)  # even a body that is not JSON
    assert all(p["latency_ms"] is not None for p in recent["predictions"])
    # No production version: 404
    assert (await api("POST", "models/nope/predict", {"inputs": bad}))[0] == 404


async def test_requests_refused_before_any_input_is_read_are_logged(api, registered):
    # Only refused requests in one flush: their inputs are all empty ({}), which must
    # still give one logged row each (and not fail the flush, losing them).
    for body in (b"{not json", b"[1, 2]"):
        code, _ = await api("POST", "models/wine/predict", body_raw=body)
        assert code == 400
    code, recent = await api("GET", "monitoring/models/wine/predictions")
    assert code == 200, recent
    assert [p["status"] for p in recent["predictions"]] == ["error", "error"]
    assert [p["inputs"] for p in recent["predictions"]] == [{}, {}]
    code, answer = await api("POST", "monitoring/predictions", {
        "model": "wine", "records": [{"inputs": {}, "status": "error", "error": "timeout"}]})
    assert code == 200 and len(answer["request_ids"]) == 1


async def test_a_concurrent_burst_is_batched_and_nothing_is_lost(api, registered, wine,
                                                                 jp_serverapp):
    import asyncio

    model, X, _ = wine
    n = 120
    sent = [rows(X, 1, i % len(X))[0] for i in range(n)]
    bad = {**sent[0], "alcohol": "x"}  # refused before the model: must not spoil a batch
    answers = await asyncio.gather(
        *[api("POST", "models/wine/predict", {"inputs": r}) for r in sent],
        *[api("POST", "models/wine/predict", {"inputs": bad}) for _ in range(5)])
    ok, refused = answers[:n], answers[n:]
    assert all(code == 200 for code, _ in ok)
    assert all(code == 400 for code, _ in refused)
    # each answer is its own row's prediction, though requests were predicted together
    expected = model.predict(X.iloc[[i % len(X) for i in range(n)]]).tolist()
    assert [body["predictions"][0] for _, body in ok] == expected
    ids = [body["request_id"] for _, body in ok]
    assert len(set(ids)) == n
    served = jp_serverapp.web_app.settings["mlops_models"]._entries["wine"][1]
    assert served.batcher.calls < n  # fewer model calls than requests
    # every request was logged: the 120 answered and the 5 refused
    code, recent = await api("GET", "monitoring/models/wine/predictions",
                             params={"limit": "500"})
    logged = recent["predictions"]
    assert sorted(p["request_id"] for p in logged if p["status"] == "ok") == sorted(ids)
    assert sum(p["status"] == "error" for p in logged) == 5


async def test_a_failing_batch_is_retried_request_by_request():
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from mlops_jupyter.server.base import in_pool
    from mlops_jupyter.server.predict import Batcher, ServedModel

    class Picky:
        """Predicts x * 2; a batch holding a negative x fails as a whole."""

        def predict(self, frame):
            if (frame["x"] < 0).any():
                raise ValueError("negative x")
            return (frame["x"] * 2).to_numpy()

    version = SimpleNamespace(id=1, model_name="picky", version=1)  # names it in errors
    served = ServedModel(version=version, model=Picky(), features=["x"])
    with ThreadPoolExecutor(2) as pool:
        batcher = Batcher(served, in_pool(pool))
        results = await asyncio.gather(
            *[batcher.predict([{"x": float(x)}]) for x in (1, 2, -3, 4)],
            return_exceptions=True)
    assert [r[0] for r in results if not isinstance(r, Exception)] == [[2.0], [4.0], [8.0]]
    assert isinstance(results[2], Exception) and "negative x" in str(results[2])
    # all four were queued before the first call: it failed as a whole, then each ran alone
    assert batcher.calls == 1 + 4


async def test_a_promotion_is_served_without_a_restart(api, registered, wine, client):
    model, X, y = wine
    from sklearn.dummy import DummyClassifier

    dummy = DummyClassifier(strategy="constant", constant=2).fit(X, y)
    assert (await api("POST", "models/wine/predict", {"inputs": rows(X, 1)[0]}))[1][
        "version"] == 1
    with client.start_iteration("wine", "serve", "dummy") as it:
        mv = it.log_model(dummy, "wine", reference=X)
    await api("POST", f"models/wine/versions/{mv.version}/stage", {"stage": "production"})
    code, answer = await api("POST", "models/wine/predict", {"inputs": rows(X, 1)[0]})
    assert code == 200 and answer["version"] == 2 and answer["predictions"] == [2]
    await api("POST", "models/wine/rollback")
    code, answer = await api("POST", "models/wine/predict", {"inputs": rows(X, 1)[0]})
    assert answer["version"] == 1


async def test_resources_and_prometheus(api, registered, wine, jp_fetch):
    model, X, _ = wine
    await api("POST", "models/wine/predict", {"instances": rows(X, 3)})
    await api("POST", "models/wine/predict", {"inputs": {"alcohol": 1}})
    code, res = await api("GET", "monitoring/resources")
    assert code == 200 and res["memory_rss_bytes"] > 0 and "cpu_percent" in res
    response = await jp_fetch("mlops", "metrics")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.body.decode()
    assert 'mlops_predictions_total{model="wine",version="1"} 4.0' in text
    assert 'mlops_prediction_errors_total{model="wine",version="1"} 1.0' in text
    assert 'mlops_prediction_latency_seconds_count{model="wine",version="1"} 4.0' in text
    assert "mlops_process_resident_memory_bytes" in text
    assert 'mlops_drift_score{feature="alcohol",model="wine",test="ks",version="1"}' in text
    assert 'mlops_drift_detected{feature="alcohol"' in text


async def test_metrics_need_a_token_by_default(jp_fetch):
    response = await jp_fetch("mlops", "metrics", raise_error=False,
                              headers={"Authorization": ""})
    assert response.code == 403


@pytest.mark.parametrize("body, field", [
    ({"model": "wine", "records": []}, "records"),
    ({"model": "wine", "records": [{"inputs": [1]}]}, "records"),
    ({"model": "wine", "records": [{"inputs": {}, "confidence": 2}]}, "records"),
    ({"model": "wine", "records": [{"inputs": {}, "status": "meh"}]}, "records"),
    ({"model": "wine", "records": [{"inputs": {}, "at": "yesterday-ish"}]}, "records[0].at"),
    ({"model": "../x", "records": [{"inputs": {}}]}, "name"),
    ({"records": [{"inputs": {}}]}, "model"),
])
async def test_bad_ingest_is_400(api, registered, body, field):
    code, err = await api("POST", "monitoring/predictions", body)
    assert code == 400 and err["field"] == field, err


async def test_unknown_models_and_bad_queries(api, registered):
    assert (await api("GET", "monitoring/models/nope/drift"))[0] == 404
    code, err = await api("GET", "monitoring/models/wine/traffic", params={"window": "soon"})
    assert code == 400 and err["field"] == "window"
    code, err = await api("GET", "monitoring/models/wine/traffic", params={"since": "whenever"})
    assert code == 400 and err["field"] == "since"
    assert (await api("GET", "monitoring/models/wine/predictions",
                      params={"limit": "0"}))[0] == 400


def test_the_grafana_dashboard_reads_only_exposed_metrics():
    import json
    import re
    from pathlib import Path

    from mlops_jupyter.server.metrics import PromMetrics, ResourceSampler

    class NoModels:
        class store:  # noqa: N801 - a stand-in for the core's store
            @staticmethod
            def list_registered_models():
                return []

            @staticmethod
            def last_prediction_at(ids):
                return {}

        @staticmethod
        def flush_predictions():
            return 0

    metrics = PromMetrics(NoModels(), ResourceSampler())
    metrics.observe("m", 1, ["ok", "error"], [2.0, None])
    exposed = set(re.findall(r"^# (?:HELP|TYPE) (\w+)", metrics.exposition().decode(), re.M))
    dashboard = json.loads(Path("docs/grafana-dashboard.json").read_text())
    used = {name for panel in dashboard["panels"] for target in panel["targets"]
            for name in re.findall(r"\b(mlops_\w+)", target["expr"])}
    histogram_parts = {f"mlops_prediction_latency_seconds{s}" for s in ("_bucket", "_count",
                                                                       "_sum")}
    assert used and used <= exposed | histogram_parts, used - exposed


class TestPublicMetrics:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        app = {**jp_server_config["MlopsExtensionApp"], "metrics_public": True}
        return {**jp_server_config, "MlopsExtensionApp": app}

    async def test_metrics_can_be_public(self, jp_fetch):
        response = await jp_fetch("mlops", "metrics", headers={"Authorization": ""})
        assert response.code == 200 and b"mlops_process_cpu_percent" in response.body
        # the API itself still needs a token
        response = await jp_fetch("mlops", "api", "monitoring", "models", raise_error=False,
                                  headers={"Authorization": ""})
        assert response.code == 403


async def test_drift_over_windows_of_n_predictions(api, client, wine):
    model, X, _ = wine
    with client.start_iteration("wine", "count windows") as it:
        mv = it.log_model(model, "wine", reference=X)
    client.promote("wine", mv.version)
    client.log_predictions(X, model.predict(X), model="wine")
    shifted = X.assign(alcohol=X["alcohol"] + 2.5)
    client.log_predictions(shifted, model.predict(shifted), model="wine")
    client.flush_predictions()
    code, body = await api("GET", "monitoring/models/wine/drift",
                           params={"every": "178", "windows": "2"})
    assert code == 200, body
    alcohol = [r for r in body["rows"] if r["feature"] == "alcohol"]
    assert [r["drift"] for r in alcohol] == [False, True]
    code, bad = await api("GET", "monitoring/models/wine/drift", params={"every": "0"})
    assert code == 400 and bad["field"] == "every"


async def test_reference_and_feature_counts(api, registered, wine):
    model, X, _ = wine
    code, ref = await api("GET", "monitoring/models/wine/reference")
    assert code == 200 and ref["version"] == 1
    alcohol = next(f for f in ref["profile"]["features"] if f["name"] == "alcohol")
    assert sum(alcohol["counts"]) == len(X)  # counts of the training data, never rows
    code, _ = await api("POST", "models/wine/predict", {"instances": rows(X, 5)})
    assert code == 200
    code, counts = await api("GET", "monitoring/models/wine/counts",
                             params={"feature": "alcohol", "since": "1h"})
    assert code == 200 and sum(n for _, n in counts["counts"]) == 5
    code, err = await api("GET", "monitoring/models/wine/counts")
    assert code == 400 and err["field"] == "feature"
    code, counts = await api("GET", "monitoring/models/wine/counts",
                             params={"feature": "no-such-feature"})
    assert code == 200 and counts["counts"] == []
