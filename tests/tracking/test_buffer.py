"""The metric buffer: nothing accepted is lost when storage fails for a while."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import OperationalError


class FlakyStore:
    """Wraps a real store; fails ``log_metrics`` while ``down`` is set."""

    def __init__(self, store):
        self.store = store
        self.down = True
        self.calls = 0

    def log_metrics(self, points):
        self.calls += 1
        if self.down:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return self.store.log_metrics(points)

    def heartbeat(self, ids):
        return None


def test_points_survive_a_storage_outage(sqlite_url):
    import mlops_jupyter as mj
    from mlops_jupyter.tracking.buffer import MetricBuffer

    client = mj.Client(sqlite_url)
    it = client.start_iteration("p", "e")
    flaky = FlakyStore(client.store)
    buffer = MetricBuffer(flaky, interval=0.02)
    for i in range(100):
        buffer.add((it.id, "loss", float(i), i, time.time()))
    # While storage is down, background flushes fail and the points stay pending
    time.sleep(0.3)
    assert flaky.calls >= 1 and buffer.pending == 100
    with pytest.raises(OperationalError):
        buffer.flush()  # an explicit flush reports the failure
    # When storage comes back, every point is written exactly once
    flaky.down = False
    buffer.flush()
    buffer.close()
    assert buffer.pending == 0
    hist = client.metric_history(it.id, "loss")
    assert hist["step"].tolist() == list(range(100))
    client.close()


def test_flush_happens_in_the_background(sqlite_url):
    import mlops_jupyter as mj

    client = mj.Client(sqlite_url, flush_interval=0.05)
    it = client.start_iteration("p", "e")
    it.log_metric("x", 1.0)
    reader = mj.Client(sqlite_url)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not reader.latest_metrics(it.id):
        time.sleep(0.02)
    assert [m.value for m in reader.latest_metrics(it.id)] == [1.0]
    reader.close()
    client.close()


def test_points_are_flushed_at_interpreter_exit(sqlite_url, tmp_path):
    import subprocess
    import sys

    import mlops_jupyter as mj

    script = tmp_path / "short.py"
    script.write_text(
        "import sys, mlops_jupyter as mj\n"
        "mj.init('p', 'e', tracking_uri=sys.argv[1])\n"
        "it = mj.start_iteration('no with block')\n"
        "for i in range(10_000): mj.log_metric('x', float(i))\n")
    subprocess.run([sys.executable, str(script), sqlite_url], check=True, timeout=60)
    client = mj.Client(sqlite_url)
    df = client.runs("p")
    assert df["status"].tolist() == ["finished"]
    assert len(client.metric_history(int(df["id"][0]), "x")) == 10_000
    client.close()
