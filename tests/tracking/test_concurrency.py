"""Concurrent writers lose nothing: 4 processes x 2 threads x 1,000 points."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

_WRITER = """
import sys, threading
import mlops_jupyter as mj

uri, proc = sys.argv[1], int(sys.argv[2])
client = mj.Client(uri)
it = client.start_iteration("load", "concurrency", f"process {proc}")
errors = []

def write(thread):
    try:
        for i in range(1000):
            it.log_metric(f"t{thread}", float(i), step=i)
    except Exception as e:  # reported through the exit code
        errors.append(e)

threads = [threading.Thread(target=write, args=(t,)) for t in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
it.end()
client.close()
sys.exit(1 if errors else 0)
"""


def _run_writers(uri: str, tmp_path: Path) -> list[tuple[int, str]]:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), uri, str(n)],
                              stderr=subprocess.PIPE, text=True) for n in range(4)]
    out = [(p.wait(timeout=180), p.stderr.read()) for p in procs]
    for p in procs:
        p.stderr.close()
    return out


def test_four_processes_two_threads_each(db_url, tmp_path):
    # Given an existing database (so the writers race on data, not on creation)
    import mlops_jupyter as mj

    mj.Client(db_url).close()
    # When 4 processes x 2 threads each log 1,000 points at once
    results = _run_writers(db_url, tmp_path)
    # Then none failed, no "database is locked" surfaced, and every point is stored
    assert [code for code, _ in results] == [0, 0, 0, 0], results
    assert not any("locked" in err for _, err in results)
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM metrics")).scalar() == 8000
        assert conn.execute(text(
            "SELECT count(*) FROM iterations WHERE status = 'finished'")).scalar() == 4
        numbers = conn.execute(text("SELECT number FROM iterations ORDER BY number")).scalars()
        assert list(numbers) == [1, 2, 3, 4]
    engine.dispose()
