"""Prediction logging, labels, drift, traffic and performance (SQLite and PostgreSQL)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from mlops_jupyter import InvalidInput, NotFound


@pytest.fixture
def served(db_url, tmp_path, wine):
    """A production classifier with a drift reference, on each SQL backend."""
    import mlops_jupyter as mj

    model, X, y = wine
    train = tmp_path / "wine.csv"
    X.assign(target=y).to_csv(train, index=False)
    client = mj.Client(db_url, artifact_root=str(tmp_path / "artifacts"))
    with client.start_iteration("wine", "monitoring", "fit") as it:
        it.log_dataset(train, role="train")
        mv = it.log_model(model, "wine")
    client.promote("wine", mv.version)
    yield client, model, X, y
    client.close()


def test_reference_comes_from_the_train_dataset_without_the_target(served):
    client = served[0]
    profile = client.reference_profile("wine")
    names = [f["name"] for f in profile["features"]]
    assert "alcohol" in names and "target" not in names
    assert profile["task"] == "classification" and profile["prediction"]
    assert sum(profile["features"][0]["counts"]) == 178  # counts, not rows of data


def test_shifted_feature_drifts_and_the_others_do_not(served):
    client, model, X, _ = served
    now = time.time() // 3600 * 3600
    client.log_predictions(X, model.predict(X), model="wine", at=now,
                           confidences=model.predict_proba(X).max(axis=1))
    shifted = X.assign(alcohol=X["alcohol"] + 2.5)
    client.log_predictions(shifted, model.predict(shifted), model="wine", at=now + 3600,
                           confidences=model.predict_proba(shifted).max(axis=1))
    d = client.drift("wine", window="1h").set_index(["window_start", "feature"])
    first, second = sorted(d.index.get_level_values(0).unique())
    assert not d.loc[first]["drift"].any()
    assert d.loc[(second, "alcohol"), "drift"]
    assert d.loc[(second, "alcohol"), "psi"] > 0.2
    assert not d.loc[(second, "magnesium"), "drift"]
    assert d.loc[(second, "__prediction__"), "drift"]


def test_labels_give_performance_per_window(served):
    client, model, X, y = served
    ids = client.log_predictions(X, model.predict(X), model="wine",
                                 confidences=model.predict_proba(X).max(axis=1))
    wrong = (y + 1) % 3
    assert client.log_labels(ids[:100], y[:100].tolist()) == 100
    assert client.log_labels(ids[100:], wrong[100:].tolist()) == 78
    perf = client.performance("wine", window="1d")
    assert perf["n"].tolist() == [178]
    assert perf["accuracy"][0] == pytest.approx(100 / 178, abs=0.02)
    assert {"precision", "recall", "f1", "roc_auc"} <= set(perf.columns)


def test_unknown_request_ids_store_no_label(served):
    client, model, X, y = served
    ids = client.log_predictions(X[:3], model.predict(X[:3]), model="wine")
    with pytest.raises(NotFound) as err:
        client.log_labels([ids[0], "nope"], [1, 2])
    assert "1 of 2" in str(err.value)
    assert client.performance("wine").empty or client.performance("wine")["n"].sum() == 0


def test_traffic_counts_errors_and_latency(served):
    client, model, X, _ = served
    n = 40
    statuses = ["ok"] * 30 + ["error"] * 10
    client.log_predictions(X[:n], list(model.predict(X[:n])[:30]) + [None] * 10, model="wine",
                           statuses=statuses, errors=[None] * 30 + ["bad input"] * 10,
                           latencies_ms=[3.0] * 30 + [40.0] * 10)
    t = client.traffic("wine", window="1d")
    assert t["predictions"].tolist() == [40] and t["errors"].tolist() == [10]
    assert t["error_rate"][0] == pytest.approx(0.25)
    assert 3.0 <= t["latency_p50_ms"][0] <= 3.75 and 40.0 <= t["latency_p99_ms"][0] <= 50.0


def test_single_predictions_and_bad_input(served):
    client, model, X, _ = served
    row = X.iloc[0].to_dict()
    rid = client.log_prediction("wine", row, int(model.predict(X[:1])[0]), latency_ms=1.2)
    assert isinstance(rid, str) and len(rid) > 8
    rid2 = client.log_prediction("wine", X.iloc[1].tolist(), 0)  # plain list, profile's order
    assert rid2 != rid
    with pytest.raises(InvalidInput):
        client.log_prediction("wine", [1.0, 2.0], 0)  # wrong number of features
    with pytest.raises(InvalidInput):
        client.log_predictions(X[:2], [0], model="wine")
    with pytest.raises(NotFound):
        client.log_prediction("no-such-model", row, 0)
    client.flush_predictions()
    assert len(client.store.recent_predictions(client.get_model_version("wine",
                                                                        stage="production").id)) == 2


def test_inputs_are_stored_once_per_schema_and_read_back_by_name(served):
    from sqlalchemy import func, insert, select

    from mlops_jupyter.store.engine import write_tx
    from mlops_jupyter.store.models import InputSchemaRow, PredictionRow

    client, model, X, _ = served
    mv = client.get_model_version("wine", stage="production")
    exact = X.iloc[:3].assign(alcohol=[0.1 + 0.2, 1e-300, 13.0])
    client.log_predictions(exact, [0, 1, 2], model="wine")
    client.log_predictions(X[["alcohol", "ash"]].iloc[:2], [0, 1], model="wine")
    client.log_predictions(X.iloc[3:5], [0, 1], model="wine")  # the first schema again
    client.flush_predictions()
    with client.store.engine.connect() as conn:
        schemas = conn.execute(select(InputSchemaRow.columns)).scalars().all()
        stored = conn.execute(select(PredictionRow.inputs).order_by(PredictionRow.id)
                              .limit(1)).scalar_one()
    assert sorted(map(len, schemas)) == [2, X.shape[1]]
    assert stored[:1] == [0.1 + 0.2]  # a bare array of values, floats exact
    # the same columns map to the same id from another store instance (another process)
    other = type(client.store)(client.store.uri)
    try:
        assert other.input_schema_id(list(X.columns)) == client.store.input_schema_id(
            list(X.columns))
    finally:
        other.close()
    # a row written before value arrays (an object, no schema) reads back unchanged
    with write_tx(client.store.engine) as conn:
        conn.execute(insert(PredictionRow).values(
            version_id=mv.id, request_id="legacy-1", at=time.time(),
            inputs={"alcohol": 14.2}, output="1", status="ok"))
    recent = client.store.recent_predictions(mv.id, limit=10)
    assert recent[0]["request_id"] == "legacy-1" and recent[0]["inputs"] == {"alcohol": 14.2}
    assert recent[1]["inputs"] == X.iloc[4].to_dict()
    assert recent[3]["inputs"] == {"alcohol": X["alcohol"].iloc[1], "ash": X["ash"].iloc[1]}
    assert recent[-1]["inputs"]["alcohol"] == 0.1 + 0.2
    with client.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(InputSchemaRow)).scalar() == 2


def test_predictions_follow_a_new_production_version(served, monkeypatch):
    from mlops_jupyter.monitoring import client as monitoring_client

    client, model, X, _ = served
    monkeypatch.setattr(monitoring_client, "PRODUCTION_TTL", 0.0)
    with client.start_iteration("wine", "monitoring", "v2") as it:
        v2 = it.log_model(model, "wine", reference=X)
    client.log_predictions(X[:5], model.predict(X[:5]), model="wine")
    client.promote("wine", v2.version)
    client.log_predictions(X[:7], model.predict(X[:7]), model="wine")
    assert client.traffic("wine", version=1, window="1d")["predictions"].sum() == 5
    assert client.traffic("wine", window="1d")["predictions"].sum() == 7


def test_windows_are_validated(served):
    client = served[0]
    for bad in ("soon", 0, "5 fortnights"):
        with pytest.raises(InvalidInput):
            client.drift("wine", window=bad)
    assert isinstance(client.drift("wine", window="15min", since="24h"), pd.DataFrame)
    from mlops_jupyter.monitoring.windows import window_minutes

    # a bare number is minutes, as a REST query string carries it
    assert [window_minutes(w) for w in ("90", 90, "2h", "1 day")] == [90, 90, 120, 1440]


def test_drift_over_windows_of_n_predictions(served):
    client, model, X, _ = served
    # 3 runs of 178 predictions: the last one with alcohol shifted
    for shift in (0.0, 0.0, 2.5):
        frame = X.assign(alcohol=X["alcohol"] + shift)
        client.log_predictions(frame, model.predict(frame), model="wine",
                               confidences=model.predict_proba(frame).max(axis=1))
    d = client.drift("wine", every=178, windows=3)
    alcohol = d[d["feature"] == "alcohol"]
    assert alcohol["drift"].tolist() == [False, False, True]
    assert (alcohol["n_current"] == 178).all()
    assert not d[d["feature"] == "magnesium"]["drift"].any()
    # the same windows, asked for as the last two
    assert len(client.drift("wine", every=178, windows=2).query("feature == 'alcohol'")) == 2
    with pytest.raises(InvalidInput):
        client.drift("wine", every=0)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"a": [1.5, float("nan"), 3.0], "b": ['x"],["y', "],[", None], "c": [1, 2, 3]}),
    pd.DataFrame({"a": [1.0]}),
    pd.DataFrame({"a": [0.1 + 0.2, 1e-300, -np.inf], "b": [1.0, 2.0, 3.0]}),
    pd.DataFrame({"a": [1, 2], "b": [True, False], "c": [0.5, np.nan]}),
    pd.DataFrame({"a": [{"x": 1}], "b": [[{"y": 2}, {"z": 3}]]}),
    pd.DataFrame({"a": pd.array([1, None], dtype="Int64"),
                  "b": pd.to_datetime(["2026-01-02", None]),
                  "c": pd.Categorical(["u", "v"])}),
    pd.DataFrame(index=range(2)),
])
def test_inputs_are_one_json_array_per_row(frame):
    import json
    import math

    from mlops_jupyter.monitoring.ingest import input_json_arrays

    lines = input_json_arrays(frame)
    assert len(lines) == len(frame)
    decoded = [json.loads(line) for line in lines]
    for row, values in zip(frame.itertuples(index=False), decoded, strict=True):
        assert len(values) == len(frame.columns)
        for expected, got in zip(row, values, strict=True):
            if expected is None or expected is pd.NA or expected is pd.NaT or (
                    isinstance(expected, float) and not math.isfinite(expected)):
                assert got is None
            elif isinstance(expected, pd.Timestamp):
                assert got == expected.isoformat()
            else:
                # floats round-trip exactly (no truncation to a few decimals)
                assert got == expected
