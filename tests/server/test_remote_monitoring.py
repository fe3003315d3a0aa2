"""Monitoring through a server tracking URI: the library calls go over the REST routes."""

from __future__ import annotations

import time

import pytest

import mlops_jupyter as mj
from mlops_jupyter import InvalidInput, NotFound

pytestmark = pytest.mark.slow


@pytest.fixture
def served(remote_tracking_uri, live_server, tmp_path, wine):
    """Version 1 of "wine" in production on the server's database, and two clients:
    one through the server (remote), one on the database itself (local)."""
    model, X, y = wine
    local = mj.Client(live_server.db_url, artifact_root=str(tmp_path / "artifacts"))
    with local.start_iteration("wine", "serve", "fit", capture_environment=False) as it:
        mv = it.log_model(model, "wine", reference=X)
    local.promote("wine", mv.version)
    remote = mj.Client(remote_tracking_uri)
    yield remote, local, model, X, y
    remote.close()
    local.close()


def test_predictions_labels_and_reports_go_through_the_server(served):
    remote, local, model, X, y = served
    hour = time.time() // 3600 * 3600 - 3600
    ids = remote.log_predictions(X, model.predict(X), model="wine", at=hour,
                                 confidences=model.predict_proba(X).max(axis=1),
                                 latencies_ms=[2.0] * len(X))
    shifted = X.assign(alcohol=X["alcohol"] + 2.5)
    ids += remote.log_predictions(shifted, model.predict(shifted), model="wine",
                                  at=hour + 3600,
                                  confidences=model.predict_proba(shifted).max(axis=1))
    one = remote.log_prediction("wine", X.iloc[0].to_dict(), int(model.predict(X[:1])[0]),
                                latency_ms=1.5, at=hour + 3600)
    assert len(set(ids + [one])) == 2 * len(X) + 1
    remote.flush_predictions()

    # stored where the server keeps them, inputs by name, ids as returned
    mv = local.get_model_version("wine", stage="production")
    recent = local.store.recent_predictions(mv.id, limit=1)[0]
    assert recent["request_id"] == one and recent["inputs"] == X.iloc[0].to_dict()

    # the same reports as on the database itself
    for kind in ("drift", "traffic"):
        got = getattr(remote, kind)("wine", window="1h")
        want = getattr(local, kind)("wine", window="1h")
        assert list(got.columns) == list(want.columns)
        assert got.drop(columns="window_start").round(9).equals(
            want.drop(columns="window_start").round(9).astype(got.dtypes.drop("window_start")))
        assert (got["window_start"] == want["window_start"]).all()
    drift = remote.drift("wine", window="1h").set_index(["window_start", "feature"])
    assert drift.xs("alcohol", level="feature")["drift"].tolist() == [False, True]
    by_count = remote.drift("wine", every=len(X), windows=2)
    assert len(by_count.query("feature == 'alcohol'")) == 2

    # labels arrive later, performance follows
    assert remote.log_labels(ids, list(y) + list(y)) == 2 * len(X)
    perf = remote.performance("wine", window="1h")
    assert perf["n"].tolist() == [len(X), len(X)]
    assert perf["accuracy"].tolist() == local.performance("wine", window="1h")[
        "accuracy"].tolist()
    with pytest.raises(NotFound):
        remote.log_labels(["no-such-request"], [1])


def test_bad_remote_input_is_refused_at_the_call(served):
    remote, _, model, X, _ = served
    with pytest.raises(InvalidInput, match="feature"):
        remote.log_prediction("wine", X.iloc[0].tolist(), 0)  # no names to send
    with pytest.raises(InvalidInput, match="confidences"):
        remote.log_predictions(X[:2], [0, 1], model="wine", confidences=[0.5, 1.5])
    with pytest.raises(NotFound):
        remote.log_predictions(X[:2], [0, 1], model="no-such-model")


def test_values_json_lacks_are_written_at_the_call(served):
    import pandas as pd

    remote, local, _, X, _ = served
    frame = X.iloc[:2].assign(seen=pd.to_datetime(["2026-01-02", None]))
    frame.loc[1, "ash"] = float("nan")
    [first, second] = remote.log_predictions(frame, [0, 1], model="wine")
    remote.flush_predictions()
    mv = local.get_model_version("wine", stage="production")
    stored = {p["request_id"]: p["inputs"] for p in local.store.recent_predictions(mv.id)}
    assert stored[first]["seen"] == "2026-01-02T00:00:00"
    assert stored[second]["seen"] is None and stored[second]["ash"] is None


def test_the_dashboard_reads_through_the_server(served, remote_tracking_uri):
    from mlops_jupyter.tracking import fluent
    from mlops_jupyter.widgets.monitoring import MonitorWidget, bin_labels

    remote, local, model, X, _ = served
    hour = time.time() // 3600 * 3600
    shifted = X.assign(alcohol=X["alcohol"] + 2.5)
    remote.log_predictions(shifted, model.predict(shifted), model="wine", at=hour + 60,
                           confidences=model.predict_proba(shifted).max(axis=1))
    remote.flush_predictions()
    fluent.set_tracking_uri(remote_tracking_uri)
    try:
        widget = MonitorWidget("wine", feature="alcohol")
        assert widget.data.version.version == 1 and widget.data.profile is not None
        assert widget.data.traffic["predictions"].sum() == len(X)
        reference, current = widget.distribution_figure.data
        assert list(reference.x) == bin_labels(widget.data.reference("alcohol"))
        assert sum(current.customdata) == len(X)
        assert current.y[-1] > 0.9  # shifted: nearly everything above the top edge
        # the same counts as read from the database itself
        start = int(hour // 60)
        assert remote.feature_counts("wine", "alcohol", since=start * 60,
                                     until=(start + 60) * 60) == local.feature_counts(
            "wine", "alcohol", since=start * 60, until=(start + 60) * 60)
    finally:
        fluent.reset()
