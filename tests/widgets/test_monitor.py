"""The monitoring dashboard's model: refresh, feature and window pickers, errors, live refresh."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from traitlets import TraitError

from mlops_jupyter.widgets.monitoring import MonitorWidget, bin_labels

XSS = "<img src=x onerror=alert(1)>"
HOUR = 3600


@pytest.fixture
def served(wine, tmp_path):
    """wine-classifier v1 in production with a reference (its local train CSV), and
    three hourly windows of traffic: two as trained, then alcohol shifted, with labels
    that are right before the shift and wrong after it."""
    import mlops_jupyter as mj

    model, X, y = wine
    train = tmp_path / "wine.csv"
    X.assign(target=y).to_csv(train, index=False)
    mj.init(project="wine", experiment="monitoring")
    with mj.start_iteration("fit") as it:
        it.log_dataset(train, role="train")
        mv = it.log_model(model, "wine-classifier")
    mj.promote("wine-classifier", mv.version)
    start = time.time() // HOUR * HOUR - 2 * HOUR
    for hour, frame in enumerate((X, X, X.assign(alcohol=X["alcohol"] + 2.5))):
        ids = mj.log_predictions(
            frame, model.predict(frame), model="wine-classifier", at=start + hour * HOUR + 60,
            confidences=model.predict_proba(frame).max(axis=1),
            latencies_ms=[2.0 + hour] * len(frame),
            statuses=["ok"] * (len(frame) - hour) + ["error"] * hour)
        mj.log_labels(ids, (y if hour < 2 else (y + 1) % 3).tolist())
    return mj.get_client()


def test_state_after_refresh(served):
    widget = MonitorWidget("wine-classifier")
    assert widget.error == "" and widget.warning == ""
    assert (widget.shown_version, widget.predictions, widget.refreshes) == (1, 3 * 178, 1)
    assert widget.drifted[0] == "alcohol" and "magnesium" not in widget.drifted
    assert widget.feature == "alcohol"  # the input that moved most in the latest window
    assert widget.has_labels
    assert repr(widget).startswith("MonitorWidget('wine-classifier', version=1, window='1h', "
                                   "predictions=534, drifted=['alcohol'")
    # traffic: volume stacked as ok + errors, error rate, three latency percentiles
    traffic = {t.name: t for t in widget.traffic_figure.data}
    assert list(traffic["ok"].y) == [178, 177, 176] and list(traffic["errors"].y) == [0, 1, 2]
    assert traffic["error rate"].y[2] == pytest.approx(2 / 178)
    assert {"latency p50", "latency p95", "latency p99"} <= set(traffic)
    # drift heatmap: windows x features, the drifted cells marked in the last window only
    heat, marks = widget.drift_figure.data
    assert len(heat.x) == 3 and "alcohol" in heat.y and "prediction" in heat.y
    assert set(marks.x) == {heat.x[2]} and "alcohol" in marks.y
    row = list(heat.y).index("alcohol")
    assert heat.z[row][2] > 0.2 > heat.z[row][0]  # PSI
    # performance: accuracy falls in the shifted window
    accuracy = next(t for t in widget.performance_figure.data if t.name == "accuracy")
    assert accuracy.y[0] > 0.9 and accuracy.y[2] < 0.2
    assert "drift</b>: alcohol" in widget._summary.value
    assert "accuracy" in widget._summary.value


def test_feature_and_window_selection_change_the_distribution(served):
    widget = MonitorWidget("wine-classifier", feature="alcohol")
    reference, current = widget.distribution_figure.data
    assert list(reference.x) == bin_labels(widget.data.reference("alcohol"))
    assert sum(current.customdata) == 178 - 2  # the latest window's ok predictions
    assert current.y[-1] > 0.9  # shifted: nearly everything above the top edge
    # When another feature is picked in the dropdown
    widget._feature.value = "magnesium"
    assert widget.feature == "magnesium"
    reference, current = widget.distribution_figure.data
    assert "magnesium" in widget.distribution_figure.layout.title.text
    assert max(current.y) < 0.5  # not shifted
    # When an earlier window is picked
    widget.feature = "alcohol"
    first = widget._dist_window.options[-1][1]
    widget._dist_window.value = first
    assert widget.current_window == first
    _, current = widget.distribution_figure.data
    assert current.name == first and current.y[-1] < 0.5 and sum(current.customdata) == 178
    # A categorical bin set: the prediction
    widget.feature = "__prediction__"
    assert widget._feature.value == "__prediction__"
    assert sorted(widget.distribution_figure.data[0].x) == ["0", "1", "2", "other"]


def test_window_change_refreshes(served):
    widget = MonitorWidget("wine-classifier", feature="magnesium")
    widget._window.value = "1d"
    assert widget.window == "1d" and widget.refreshes == 2
    assert len(widget.traffic_figure.data[0].x) in (1, 2)  # the day boundary may split them
    assert sum(widget.traffic_figure.data[0].y) == 3 * 178 - 3
    assert widget.feature == "magnesium" and widget.current_window == ""
    with pytest.raises(TraitError, match="cannot read window 'soon'"):
        widget.window = "soon"
    widget.window = "30min"  # not one of the dropdown's: added to it
    assert widget._window.value == "30min" and len(widget.traffic_figure.data[0].x) == 3
    widget._since.value = "all"
    assert widget.since == "all" and widget.predictions == 3 * 178
    with pytest.raises(TraitError, match="cannot read"):
        widget.since = "yesterday"


def test_color_by_statistic(served):
    widget = MonitorWidget("wine-classifier")
    widget._color.value = "statistic"
    heat = widget.drift_figure.data[0]
    assert widget.color_by == "statistic" and heat.colorbar.title.text == "statistic"
    assert heat.zmax is None


@pytest.mark.parametrize("setup, expected", [
    ("unknown", "no registered model 'wine-clasifier' (did you mean 'wine-classifier'?)"),
    ("no production", "has no version in stage 'production'"),
])
def test_errors_are_messages(wine, setup, expected):
    import mlops_jupyter as mj

    mj.init(project="wine")
    with mj.start_iteration("fit") as it:
        it.log_model(wine[0], "wine-classifier")
    widget = MonitorWidget("wine-clasifier" if setup == "unknown" else "wine-classifier")
    assert expected in widget.error
    assert "Traceback" not in widget._error.value and widget.data is None
    assert widget.predictions == 0 and widget.refreshes == 0


def test_no_reference_and_no_predictions_are_said(wine):
    import mlops_jupyter as mj

    model, X, _ = wine
    mj.init(project="wine")
    with mj.start_iteration("fit") as it:
        it.log_model(model, "wine-classifier")  # no train dataset: no reference
    mj.promote("wine-classifier", 1)
    widget = MonitorWidget("wine-classifier")
    assert "no reference profile" in widget.warning and widget.error == ""
    assert "mj.set_reference" in widget._summary.value
    mj.log_predictions(X[:5], model.predict(X[:5]), model="wine-classifier")
    widget.refresh()
    assert widget.predictions == 5 and list(widget.drift_figure.data[0].y) == []
    mj.set_reference("wine-classifier", X, model_object=model)
    widget.refresh()
    assert widget.warning == "" and widget.feature == "alcohol"


def test_user_text_is_escaped(wine):
    import mlops_jupyter as mj

    mj.init(project="wine")
    with mj.start_iteration("fit") as it:
        it.log_model(wine[0], XSS)
    mj.promote(XSS, 1)
    widget = MonitorWidget(XSS)
    assert "<img" not in widget._header.value + widget._summary.value
    assert "&lt;img" in widget._header.value
    MonitorWidget(XSS + "x")._fail(ValueError(XSS))
    assert "<img" not in MonitorWidget(XSS + "y")._error.value


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "live refresh did not happen"
        time.sleep(0.01)


def test_live_refresh_in_a_thread_starts_and_stops(served):
    before = set(threading.enumerate())
    widget = MonitorWidget("wine-classifier", live=True, interval=0.05)
    assert widget._thread is not None and widget._thread.daemon
    _wait_for(lambda: widget.refreshes >= 3)
    widget._live.value = False  # the toggle
    assert widget.live is False and widget._thread is None
    count = widget.refreshes
    time.sleep(0.2)
    assert widget.refreshes == count
    assert set(threading.enumerate()) - before == set()
    widget.live = True
    widget.close()  # closing stops it too
    assert widget._thread is None and set(threading.enumerate()) - before == set()


def test_live_refresh_on_a_running_loop_is_a_task(served):
    widget = MonitorWidget("wine-classifier", interval=0.02)
    before = set(threading.enumerate())

    async def scenario():
        widget.live = True
        task = widget._task
        assert task is not None and widget._thread is None
        while widget.refreshes < 3:
            await asyncio.sleep(0.01)
        widget.live = False
        await asyncio.sleep(0)
        return task

    task = asyncio.run(scenario())
    assert task.cancelled() and widget._task is None
    assert set(threading.enumerate()) - before == set()


def test_mj_widgets_monitor(served):
    import mlops_jupyter as mj

    widget = mj.widgets.monitor("wine-classifier", window="15min")
    assert isinstance(widget, mj.widgets.MonitorWidget) and widget.window == "15min"
    assert callable(mj.widgets.monitor)


def test_promote_widget_shows_recent_production_monitoring(served):
    from mlops_jupyter.widgets.promotion import MONITORING_PLACEHOLDER, PromoteWidget

    box = PromoteWidget("wine-classifier")._monitoring.value
    assert MONITORING_PLACEHOLDER not in box
    assert "version 1 in production, last 24h: 534 predictions; error rate 0.6%" in box
    assert "latency p95 " in box and "drift in the latest hour: alcohol, " in box
    assert "prediction" in box and "accuracy 0.6" in box and "on 531 labels" in box
    assert "%mlops monitor wine-classifier" in box
