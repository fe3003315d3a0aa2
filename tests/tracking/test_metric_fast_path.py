"""log_metric's fast path (float value, int step) gives what the validators give."""

from __future__ import annotations

import numpy as np
import pytest

import mlops_jupyter as mj


@pytest.fixture
def iteration(sqlite_url):
    client = mj.Client(sqlite_url)
    it = client.start_iteration("p", "e")
    yield client, it
    client.close()


@pytest.mark.parametrize("step", [True, 1.5, "3", 2**31, -(2**31)])
def test_steps_that_are_not_32_bit_integers_are_refused(iteration, step):
    _, it = iteration
    with pytest.raises(mj.InvalidInput) as e:
        it.log_metric("loss", 0.5, step=step)
    assert "step" in str(e.value)


def test_values_and_steps_of_other_types_are_converted(iteration):
    client, it = iteration
    it.log_metric("loss", 1, step=np.int64(2))
    it.log_metric("loss", float("nan"))  # the step after the last one logged
    it.log_metric("loss", np.float32(0.25), step=2**31 - 1)
    client.flush()
    series = client.store.metric_history(it.id, "loss")
    assert series.steps == [2, 3, 2**31 - 1]
    assert all(type(s) is int for s in series.steps)
    values = dict(zip(series.steps, series.values, strict=True))
    assert values[2] == 1.0 and values[2**31 - 1] == 0.25 and np.isnan(values[3])
    with pytest.raises(mj.InvalidInput):
        it.log_metric("loss", True)
