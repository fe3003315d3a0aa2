"""Widgets without a browser: comms are replaced by a recorder (as ipywidgets' own tests do)."""

from __future__ import annotations

import pytest


class DummyComm:
    comm_id = "a-b-c-d"
    kernel = "Truthy"

    def __init__(self, *args, **kwargs):
        self.messages = []

    def open(self, *args, **kwargs):
        pass

    def on_msg(self, *args, **kwargs):
        pass

    def send(self, *args, **kwargs):
        self.messages.append((args, kwargs))

    def close(self, *args, **kwargs):
        pass


@pytest.fixture(autouse=True)
def dummy_comm(monkeypatch):
    import comm

    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: DummyComm())
    monkeypatch.setattr(comm, "get_comm_manager", lambda **kwargs: {})


@pytest.fixture
def experiment():
    """An experiment with three scalers, one failed run, and a learning curve."""
    import mlops_jupyter as mj

    mj.init(project="wine", experiment="scaling methods")
    for name, acc, loss in (("MinMaxScaler", 0.95, 0.20), ("StandardScaler", 0.98, 0.10),
                            ("RobustScaler", 0.93, 0.25)):
        with mj.start_iteration(name) as it:
            it.log_params({"scaler": name.lower(), "C": 1.0, "max_iter": 100})
            it.log_metrics({"accuracy": acc, "loss": loss})
    with mj.start_iteration("sgd") as it:
        it.log_params({"scaler": "standard", "C": 0.5, "max_iter": 100})
        for step in range(5):
            it.log_metric("accuracy", 0.5 + step / 10, step=step)
    mj.flush()
    return mj.get_client()
