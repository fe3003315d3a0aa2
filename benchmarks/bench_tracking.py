"""Tracking library figures on SQLite (and PostgreSQL), beside raw sqlite3.

    python -m benchmarks tracking [--quick] [--no-postgres]

Every figure is a median of repeated runs where cheap, or one run of a large batch.
Absolute rates differ several-fold between machines of one kind (raw sqlite3
executemany: 210k-550k rows/s), so the write figures are also given as a ratio to
raw sqlite3 measured in the same run: ``executemany`` of the same rows into a table
with the store's own DDL, one transaction, WAL, ``synchronous=NORMAL`` (the store
itself syncs every commit, ``synchronous=FULL``; the suite measures both settings).
Peers on this machine kind (BUILD_NOTES): MLflow 3.17 per-call 165 points/s, batch
10,200 points/s, 35 runs/s, empty run 14 ms, import 1.43 s, first metric 4.4 s,
first ``search_runs`` of 500 runs 0.16 s (after its 1.43 s import).

--quick scales every count down to a fifth; --no-postgres skips the throwaway
PostgreSQL cluster. The temporary directory (databases, cluster) is removed at the end.
"""

from __future__ import annotations

import argparse
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


def seed_runs(c, n: int) -> None:
    """``n`` iterations of experiment bench-runs/wide with 10 params and 5 metrics each."""
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


def runs_frame_seconds(uri: str, n: int) -> float:
    """runs() over ``n`` iterations x 15 columns (10 params + 5 metrics)."""
    c = _client(uri)
    seed_runs(c, n)
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




def first_runs_seconds(uri: str, n: int = 500) -> tuple[float, float]:
    """(first ``mj.runs()`` in a fresh process, ``import pandas`` alone), medians of 5.

    Timed from after ``import mlops_jupyter`` (itself lazy) to the DataFrame, so the
    first figure includes importing pandas and SQLAlchemy and opening the store; the
    second is the part any DataFrame-returning call pays first.
    """
    c = _client(uri)
    seed_runs(c, n)
    c.close()
    runs = ("import time, mlops_jupyter as mj; t = time.perf_counter(); "
            "df = mj.runs('bench-runs', 'wide'); print(time.perf_counter() - t); "
            f"assert df.shape[0] == {n}")
    pandas = "import time; t = time.perf_counter(); import pandas; print(time.perf_counter() - t)"
    env = {**os.environ, "MLOPS_JUPYTER_TRACKING_URI": uri}
    out = []
    for code in (runs, pandas):
        out.append(statistics.median(
            float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, cwd=ROOT, env=env).stdout)
            for _ in range(5)))
    return out[0], out[1]


def _store_metrics_ddl(uri: str) -> list[str]:
    """The store's own CREATE statements of the ``metrics`` table and its indexes."""
    _client(uri).close()
    conn = sqlite3.connect(uri.removeprefix("sqlite:///"))
    try:
        return [r[0] for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'metrics' AND sql IS NOT NULL "
            "ORDER BY type DESC")]
    finally:
        conn.close()


def raw_executemany(path: Path, ddl: list[str], rows: list[tuple]) -> float:
    """Rows/s of one raw sqlite3 ``executemany`` of ``rows`` into a new table made by ``ddl``."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for statement in ddl:
            conn.execute(statement)
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO metrics (iteration_id, key, value, step, timestamp) "
                         "VALUES (?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        return len(rows) / (time.perf_counter() - t0)
    finally:
        conn.close()


def per_call_vs_raw(tmp: Path, n: int, repeat: int = 3) -> dict[str, float]:
    """``n`` log_metric calls then flush(), against raw executemany of the same rows.

    The two alternate ``repeat`` times, each on a fresh database, so both see the
    same machine load; medians of the rates and of the per-pair ratios.
    """
    ddl = _store_metrics_ddl(f"sqlite:///{tmp / 'ddl.db'}")
    now = time.time()
    rows = [(1, "loss", 1.0 / (i + 1), i, now) for i in range(n)]
    accepted, flushed, raw, ratio = [], [], [], []
    for r in range(repeat):
        a, f = per_call_metrics(f"sqlite:///{tmp / f'per-call-{r}.db'}", n)
        b = raw_executemany(tmp / f"raw-same-rows-{r}.db", ddl, rows)
        accepted.append(a)
        flushed.append(f)
        raw.append(b)
        ratio.append(f / b)
    return {"accepted": statistics.median(accepted), "flushed": statistics.median(flushed),
            "raw": statistics.median(raw), "ratio": statistics.median(ratio)}


def sync_cost(tmp: Path, n_points: int, n_iterations: int, repeat: int = 3
              ) -> dict[str, dict[str, float]]:
    """What syncing every commit costs: the store with ``synchronous=FULL`` (its setting)
    and with ``NORMAL``, alternating ``repeat`` times in this process so both see the
    same machine load. Per setting: the median empty iteration start + end (ms), and
    ``n_points`` log_metric calls + flush() as a ratio to raw executemany of the same
    rows (raw sqlite3 with ``NORMAL``, as everywhere in this suite)."""
    from mlops_jupyter.store import engine

    ddl = _store_metrics_ddl(f"sqlite:///{tmp / 'ddl.db'}")
    now = time.time()
    rows = [(1, "loss", 1.0 / (i + 1), i, now) for i in range(n_points)]
    seen: dict[str, dict[str, list[float]]] = {}
    saved = engine.SQLITE_SYNCHRONOUS
    try:
        for r in range(repeat):
            for level in ("FULL", "NORMAL"):
                engine.SQLITE_SYNCHRONOUS = level  # read by every new connection
                got = seen.setdefault(level, {"empty_ms": [], "ratio": []})
                got["empty_ms"].append(empty_iteration_ms(
                    f"sqlite:///{tmp / f'sync-empty-{level}-{r}.db'}", n_iterations))
                _, flushed = per_call_metrics(f"sqlite:///{tmp / f'sync-{level}-{r}.db'}",
                                              n_points)
                raw = raw_executemany(tmp / f"sync-raw-{level}-{r}.db", ddl, rows)
                got["ratio"].append(flushed / raw)
    finally:
        engine.SQLITE_SYNCHRONOUS = saved
    return {level: {k: statistics.median(v) for k, v in got.items()}
            for level, got in seen.items()}


def raw_sqlite(tmp: Path, n_rows: int, n_commits: int) -> tuple[float, float]:
    """Raw sqlite3 on the store's metrics table: (rows/s one commit per row, executemany).

    ``executemany`` writes ``n_rows`` rows over 100 keys, like ``log_metrics`` batches.
    """
    ddl = _store_metrics_ddl(f"sqlite:///{tmp / 'ddl.db'}")
    path = tmp / "raw.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    for statement in ddl:
        conn.execute(statement)
    t0 = time.perf_counter()
    for i in range(n_commits):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO metrics (iteration_id, key, value, step, timestamp) "
                     "VALUES (1, 'loss', ?, ?, ?)", (0.5, i, time.time()))
        conn.execute("COMMIT")
    per_row = n_commits / (time.perf_counter() - t0)
    conn.close()
    rows = [(2, f"m{i % 100}", 0.5, i // 100, time.time()) for i in range(n_rows)]
    return per_row, raw_executemany(tmp / "raw-batch.db", ddl, rows)


def _ratio(rate: float, raw: float) -> str:
    return f"{rate / raw:.2f}x"


def run_backend(name: str, uri_for, quick: bool, raw: float) -> list[tuple[str, ...]]:
    """The library's figures on one backend; ``raw`` is raw sqlite3 executemany rows/s."""
    scale = 0.2 if quick else 1.0
    n_points = int(100_000 * scale)
    rows = []
    accepted, flushed = per_call_metrics(uri_for("per-call"), n_points)
    rows.append(("log_metric, one call per point: accepted", f"{accepted:,.0f} points/s",
                 _ratio(accepted, raw), ">= 100,000"))
    rows.append(("log_metric, one call per point: flushed", f"{flushed:,.0f} points/s",
                 _ratio(flushed, raw), ""))
    batch = batch_metrics(uri_for("batch"), int(200_000 * scale))
    rows.append(("log_metrics batches, flushed", f"{batch:,.0f} points/s", _ratio(batch, raw),
                 ">= 200,000"))
    rows.append(("iterations with 10 params + 5 metrics",
                 f"{iterations_with_data(uri_for('runs'), int(500 * scale) or 50):,.0f} /s",
                 "", ">= 500"))
    rows.append(("empty iteration start + end",
                 f"{empty_iteration_ms(uri_for('empty'), 200):.2f} ms", "", "<= 2 ms"))
    rows.append(("runs() over 10,000 iterations x 15 columns",
                 f"{runs_frame_seconds(uri_for('runs-frame'), int(10_000 * scale)):.3f} s",
                 "", "<= 0.5 s"))
    rows.append(("fresh process to first flushed metric",
                 f"{first_metric_seconds(uri_for('first')):.3f} s", "", "<= 0.8 s"))
    return [(name, *r) for r in rows]


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks tracking",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="every count divided by 5")
    parser.add_argument("--no-postgres", action="store_true",
                        help="skip the throwaway PostgreSQL cluster")
    return parser


def main(argv: list[str]) -> None:
    args = _parser().parse_args(argv)
    scale = 0.2 if args.quick else 1.0
    home = os.environ.get("MLOPS_JUPYTER_HOME")
    with tempfile.TemporaryDirectory(prefix="mlops-bench-") as name:
        tmp = Path(name)
        os.environ["MLOPS_JUPYTER_HOME"] = str(tmp / "home")
        try:
            print_table(measure(tmp, scale, args.quick, postgres=not args.no_postgres))
        finally:
            if home is None:
                os.environ.pop("MLOPS_JUPYTER_HOME", None)
            else:
                os.environ["MLOPS_JUPYTER_HOME"] = home


def measure(tmp: Path, scale: float, quick: bool, postgres: bool) -> list[tuple[str, ...]]:
    per_row, raw = raw_sqlite(tmp, int(200_000 * scale), 2000)
    rows: list[tuple[str, ...]] = [("backend", "figure", "measured", "vs raw sqlite3",
                                    "target")]
    rows.append(("raw sqlite3", "one commit per row", f"{per_row:,.0f} rows/s", "", ""))
    rows.append(("raw sqlite3", "executemany, one transaction", f"{raw:,.0f} rows/s", "1.00x",
                 ""))
    rows += run_backend("sqlite", lambda tag: f"sqlite:///{tmp / (tag + '.db')}", quick, raw)
    same = per_call_vs_raw(tmp, int(100_000 * scale))
    rows.append(("sqlite", f"{int(100_000 * scale):,} log_metric + flush() vs raw executemany "
                 "of the same rows", f"{same['flushed']:,.0f} vs {same['raw']:,.0f} rows/s",
                 f"{same['ratio']:.2f}x", ">= 0.30x"))
    sync = sync_cost(tmp, int(100_000 * scale), 200)
    for level, note in (("FULL", "(the store's setting)"), ("NORMAL", "(for comparison)")):
        rows.append(("sqlite", f"synchronous={level} {note}: empty iteration start + end",
                     f"{sync[level]['empty_ms']:.2f} ms", "", ""))
        rows.append(("sqlite", f"synchronous={level} {note}: {int(100_000 * scale):,} "
                     "log_metric + flush()", "", f"{sync[level]['ratio']:.2f}x",
                     ">= 0.30x" if level == "FULL" else ""))
    rows.append(("sqlite", "import mlops_jupyter", f"{import_seconds():.3f} s", "", "<= 0.3 s"))
    cold, warm = new_database_seconds(tmp)
    rows.append(("sqlite", "new empty database ready (fresh process, incl. imports)",
                 f"{cold:.3f} s", "", "<= 0.3 s"))
    rows.append(("sqlite", "new empty database ready (in process)", f"{warm:.3f} s", "", ""))
    first, pandas = first_runs_seconds(f"sqlite:///{tmp / 'first-runs.db'}")
    rows.append(("sqlite", "first mj.runs() in a fresh process, 500 iterations",
                 f"{first:.3f} s", "", "<= 0.3 s"))
    rows.append(("sqlite", "  of which any first DataFrame: import pandas", f"{pandas:.3f} s",
                 "", ""))
    if postgres:
        rows += on_postgres(lambda new_database: run_backend(
            "postgresql", lambda tag: new_database(tag.replace("-", "_")), quick, raw)) or []
    return rows
