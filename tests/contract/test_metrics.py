"""Contract: metric points, steps, history and the latest-value summary."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlops_jupyter import InvalidInput


def test_points_with_steps_make_a_history(client):
    it = client.start_iteration("p", "e")
    for epoch, loss in enumerate([0.9, 0.5, 0.3]):
        it.log_metric("loss", loss, step=epoch)
    it.end()
    hist = client.metric_history(it.id, "loss")
    assert hist["step"].tolist() == [0, 1, 2]
    assert hist["value"].tolist() == [0.9, 0.5, 0.3]
    assert {m.key: m.value for m in client.latest_metrics(it.id)} == {"loss": 0.3}


def test_steps_default_to_the_next_one_per_key(client):
    it = client.start_iteration("p", "e")
    for v in (1.0, 2.0, 3.0):
        it.log_metric("a", v)
    it.log_metrics({"a": 4.0, "b": 1.0})
    it.end()
    assert client.metric_history(it.id, "a")["step"].tolist() == [0, 1, 2, 3]
    assert client.metric_history(it.id, "b")["step"].tolist() == [0]


def test_nan_and_infinities_are_kept(client):
    it = client.start_iteration("p", "e")
    it.log_metrics({"nan": math.nan, "pinf": math.inf, "ninf": -math.inf})
    it.end()
    latest = {m.key: m.value for m in client.latest_metrics(it.id)}
    assert math.isnan(latest["nan"])
    assert latest["pinf"] == math.inf and latest["ninf"] == -math.inf
    row = client.runs("p").iloc[0]
    assert row["metrics.pinf"] == math.inf


def test_numpy_numbers_are_accepted(client):
    it = client.start_iteration("p", "e")
    it.log_metrics({"f32": np.float32(0.25), "i64": np.int64(3), "arr0d": np.array(1.5)})
    it.end()
    latest = {m.key: m.value for m in client.latest_metrics(it.id)}
    assert latest == {"f32": 0.25, "i64": 3.0, "arr0d": 1.5}


@pytest.mark.parametrize("bad", ["0.5", None, True, [1.0], object()])
def test_non_numbers_are_refused_with_a_clear_error(client, bad):
    it = client.start_iteration("p", "e")
    with pytest.raises(InvalidInput) as err:
        it.log_metric("accuracy", bad)
    assert "accuracy" in str(err.value)
    assert "real number" in str(err.value)


@pytest.mark.parametrize("key", ["", "k" * 251])
def test_bad_metric_keys_are_refused(client, key):
    it = client.start_iteration("p", "e")
    with pytest.raises(InvalidInput):
        it.log_metric(key, 1.0)


def test_latest_value_is_the_highest_step(client):
    it = client.start_iteration("p", "e")
    it.log_metric("acc", 0.9, step=5)
    it.log_metric("acc", 0.1, step=2)  # an older step logged later
    it.end()
    assert {m.key: (m.value, m.step) for m in client.latest_metrics(it.id)} == {"acc": (0.9, 5)}


def test_long_history_is_downsampled_keeping_extremes(client):
    it = client.start_iteration("p", "e")
    values = [math.sin(i / 50) for i in range(5000)]
    values[1234] = 10.0  # a spike that must survive
    values[4321] = -10.0
    for step, v in enumerate(values):
        it.log_metric("wave", v, step=step)
    it.end()
    series = client.store.metric_history(it.id, "wave", max_points=200)
    assert series.total == 5000 and series.downsampled
    assert len(series.values) <= 200
    assert max(series.values) == 10.0 and min(series.values) == -10.0
    assert series.steps == sorted(series.steps)
    assert series.steps[0] == 0 and series.steps[-1] == 4999


def test_a_very_long_history_is_downsampled_from_rollups(client):
    it = client.start_iteration("p", "e")
    n = 60_000  # above the rollup threshold
    values = [math.cos(i / 700) for i in range(n)]
    values[31_337], values[42_000] = 99.0, -99.0
    for step, v in enumerate(values):
        it.log_metric("long", v, step=step)
    it.end()
    series = client.store.metric_history(it.id, "long", max_points=500)
    assert series.total == n and series.downsampled and len(series.values) <= 500
    assert 99.0 in series.values and -99.0 in series.values
    assert series.steps[0] == 0 and series.steps[-1] == n - 1
    assert series.steps == sorted(set(series.steps))
