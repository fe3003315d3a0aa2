"""Tracking library figures on SQLite (and PostgreSQL), beside raw sqlite3.

    python -m benchmarks tracking [--quick] [--no-postgres]

Every figure is a median of repeated runs where cheap, or one run of a large batch.
Peers on this machine kind (BUILD_NOTES): MLflow 3.17 per-call 165 points/s, batch
10,200 points/s, 35 runs/s, empty run 14 ms, import 1.43 s, first metric 4.4 s.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import on_postgres

ROOT = Path(__file__).resolve().parents[1]


def _client(uri: str):
    import mlops_jupyter as mj

    return mj.Client(uri)


def per_call_metrics(uri: str, n: int) -> tuple[float, float]:
    """(points/s accepted by log_metric, points/s until all are flushed)."""
    c = _client(uri)
    it = c.start_iteration("bench", "per-call")
    t0 = time.perf_counter()
    for i in range(n):
        it.log_metric("loss", 1.0 / (i + 1), step=i)
    accepted = time.perf_counter() - t0
    c.flush()
    total = time.perf_counter() - t0
    it.end()
    c.close()
    return n / accepted, n / total


def batch_metrics(uri: str, n: int, width: int = 100) -> float:
    """Points/s flushed when logged with log_metrics (``width`` keys per call)."""
    c = _client(uri)
    it = c.start_iteration("bench", "batch")
    keys = [f"m{k}" for k in range(width)]
    t0 = time.perf_counter()
    for step in range(n // width):
        it.log_metrics(dict.fromkeys(keys, step * 0.5), step=step)
    c.flush()
    elapsed = time.perf_counter() - t0
    it.end()
    c.close()
    return n / elapsed


def iterations_with_data(uri: str, n: int) -> float:
    """Iterations/s, each with 10 params and 5 metrics, started and ended."""
    c = _client(uri)
    c.experiment("bench", "runs")
    params = {f"p{k}": k * 1.5 for k in range(10)}
    t0 = time.perf_counter()
    for _ in range(n):
        it = c.start_iteration("bench", "runs")
        it.log_params(params)
        it.log_metrics({f"m{k}": k / 10 for k in range(5)})
        it.end()
    elapsed = time.perf_counter() - t0
    c.close()
    return n / elapsed


def empty_iteration_ms(uri: str, n: int) -> float:
    c = _client(uri)
    c.start_iteration("bench", "empty").end()  # warm caches (environment, git)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        c.start_iteration("bench", "empty").end()
        times.append(time.perf_counter() - t0)
    c.close()
    return statistics.median(times) * 1000


def runs_frame_seconds(uri: str, n: int) -> float:
    """runs() over ``n`` iterations x 15 columns (10 params + 5 metrics)."""
    c = _client(uri)
    exp = c.experiment("bench-runs", "wide")
    store = c.store
    params = {f"p{k}": k for k in range(10)}
    points = []
    for _ in range(n):
        it = store.create_iteration(exp.id, None)
        store.log_params(it.id, params)
        points.extend((it.id, f"m{k}", 0.5, 0, time.time()) for k in range(5))
        if len(points) > 20_000:
            store.log_metrics(points)
            points = []
    store.log_metrics(points)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        df = c.runs("bench-runs", "wide")
        times.append(time.perf_counter() - t0)
    assert len(df) == n and df.shape[1] >= 25
    c.close()
    return statistics.median(times)


def _subprocess_seconds(code: str, repeat: int = 5, env: dict | None = None) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                       env={**os.environ, **(env or {})})
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def import_seconds() -> float:
    code = ("import time; t = time.perf_counter(); import mlops_jupyter; "
            "print(time.perf_counter() - t)")
    outs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, cwd=ROOT).stdout) for _ in range(7)]
    return statistics.median(outs)


def first_metric_seconds(uri: str) -> float:
    """Whole process: start Python, import, open the store, log one metric, flush."""
    code = ("import sys, mlops_jupyter as mj; c = mj.Client(sys.argv[1]); "
            "it = c.start_iteration('bench', 'first'); it.log_metric('x', 1.0); c.flush()")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, uri], check=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def new_database_seconds(tmp: Path) -> tuple[float, float]:
    """(in a fresh process incl. imports, in-process with imports warm) to create a DB."""
    code = ("import sys, time; t = time.perf_counter(); import mlops_jupyter as mj; "
            "mj.Client(sys.argv[1]).close(); print(time.perf_counter() - t)")
    cold = []
    for i in range(5):
        uri = f"sqlite:///{tmp / f'new-cold-{i}.db'}"
        cold.append(float(subprocess.run([sys.executable, "-c", code, uri], cwd=ROOT,
                                         capture_output=True, text=True, check=True).stdout))
    _client(f"sqlite:///{tmp / 'warmup.db'}").close()
    warm = []
    for i in range(5):
        t0 = time.perf_counter()
        _client(f"sqlite:///{tmp / f'new-warm-{i}.db'}").close()
        warm.append(time.perf_counter() - t0)
    return statistics.median(cold), statistics.median(warm)


def raw_sqlite(tmp: Path, n_rows: int, n_commits: int) -> tuple[float, float]:
    """Raw sqlite3 on the same metrics table: (rows/s one commit per row, rows/s executemany)."""
    path = tmp / "raw.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE metrics (id INTEGER PRIMARY KEY, iteration_id INTEGER, "
                 "key VARCHAR(250), value FLOAT, step INTEGER, timestamp FLOAT)")
    conn.execute("CREATE INDEX ix ON metrics (iteration_id, key, step)")
    t0 = time.perf_counter()
    for i in range(n_commits):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO metrics (iteration_id, key, value, step, timestamp) "
                     "VALUES (1, 'loss', ?, ?, ?)", (0.5, i, time.time()))
        conn.execute("COMMIT")
    per_row = n_commits / (time.perf_counter() - t0)
    rows = [(2, f"m{i % 100}", 0.5, i // 100, time.time()) for i in range(n_rows)]
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO metrics (iteration_id, key, value, step, timestamp) "
                     "VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    batch = n_rows / (time.perf_counter() - t0)
    conn.close()
    return per_row, batch


def run_backend(name: str, uri_for, quick: bool) -> list[tuple[str, str, str]]:
    scale = 0.2 if quick else 1.0
    n_points = int(100_000 * scale)
    rows = []
    accepted, flushed = per_call_metrics(uri_for("per-call"), n_points)
    rows.append(("log_metric, one call per point: accepted", f"{accepted:,.0f} points/s",
                 ">= 100,000"))
    rows.append(("log_metric, one call per point: flushed", f"{flushed:,.0f} points/s", ""))
    rows.append(("log_metrics batches, flushed",
                 f"{batch_metrics(uri_for('batch'), int(200_000 * scale)):,.0f} points/s",
                 ">= 200,000"))
    rows.append(("iterations with 10 params + 5 metrics",
                 f"{iterations_with_data(uri_for('runs'), int(500 * scale) or 50):,.0f} /s",
                 ">= 500"))
    rows.append(("empty iteration start + end",
                 f"{empty_iteration_ms(uri_for('empty'), 200):.2f} ms", "<= 2 ms"))
    rows.append(("runs() over 10,000 iterations x 15 columns",
                 f"{runs_frame_seconds(uri_for('runs-frame'), int(10_000 * scale)):.3f} s",
                 "<= 0.5 s"))
    rows.append(("fresh process to first flushed metric",
                 f"{first_metric_seconds(uri_for('first')):.3f} s", "<= 0.8 s"))
    return [(name, *r) for r in rows]


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    tmp = Path(tempfile.mkdtemp(prefix="mlops-bench-"))
    os.environ["MLOPS_JUPYTER_HOME"] = str(tmp / "home")
    rows: list[tuple[str, ...]] = [("backend", "figure", "measured", "target")]
    rows += run_backend("sqlite", lambda tag: f"sqlite:///{tmp / (tag + '.db')}", quick)
    rows.append(("sqlite", "import mlops_jupyter", f"{import_seconds():.3f} s", "<= 0.3 s"))
    cold, warm = new_database_seconds(tmp)
    rows.append(("sqlite", "new empty database ready (fresh process, incl. imports)",
                 f"{cold:.3f} s", "<= 0.3 s"))
    rows.append(("sqlite", "new empty database ready (in process)", f"{warm:.3f} s", ""))
    per_row, batch = raw_sqlite(tmp, int(200_000 * (0.2 if quick else 1)), 2000)
    rows.append(("raw sqlite3", "one commit per row", f"{per_row:,.0f} rows/s", ""))
    rows.append(("raw sqlite3", "executemany, one transaction", f"{batch:,.0f} rows/s", ""))
    if "--no-postgres" not in argv:
        rows += on_postgres(lambda new_database: run_backend(
            "postgresql", lambda tag: new_database(tag.replace("-", "_")), quick)) or []
    print_table(rows)
