"""A process killed mid-iteration keeps its flushed points and reads as killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

_VICTIM = """
import sys, time
import mlops_jupyter as mj

client = mj.Client(sys.argv[1], heartbeat_timeout=1.0)
it = client.start_iteration("crash", "sigkill", "victim")
for i in range(50):
    it.log_metric("loss", 1.0 / (i + 1), step=i)
client.flush()
print(it.id, flush=True)
time.sleep(60)
"""


def test_sigkill_keeps_flushed_points_and_reads_killed(db_url, tmp_path):
    import mlops_jupyter as mj

    script = tmp_path / "victim.py"
    script.write_text(_VICTIM)
    proc = subprocess.Popen([sys.executable, str(script), db_url], stdout=subprocess.PIPE,
                            text=True)
    iteration_id = int(proc.stdout.readline())
    # When the process dies without any chance to clean up
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    client = mj.Client(db_url, heartbeat_timeout=1.0)
    # Then its flushed points are kept ...
    assert len(client.metric_history(iteration_id, "loss")) == 50
    # ... and once the heartbeat is older than the timeout, it reads as killed
    time.sleep(1.2)
    assert client.get_iteration(iteration_id).status == "killed"
    assert client.runs("crash", status="killed")["id"].tolist() == [iteration_id]
    assert client.runs("crash", status="running").empty
    client.close()


def test_a_live_iteration_keeps_running_thanks_to_heartbeats(sqlite_url):
    import mlops_jupyter as mj

    client = mj.Client(sqlite_url, heartbeat_timeout=0.8)
    it = client.start_iteration("p", "e")
    deadline = time.monotonic() + 1.6
    while time.monotonic() < deadline:
        it.log_metric("x", 1.0)  # the flusher thread heartbeats in the background
        time.sleep(0.05)
    assert client.get_iteration(it.id).status == "running"
    it.end()
    client.close()
