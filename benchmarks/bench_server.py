"""Server extension benchmarks (on demand, not in CI).

    .venv/bin/python -m benchmarks.bench_server [--iterations 100000] [--points 1000000]
                                                [--backends sqlite,postgresql]

Data is bulk-inserted with SQL (not through the API); then a real ``jupyter
server`` subprocess serves it on loopback and a keep-alive client measures:

- a page of 50 iterations out of N sorted by a metric (p50/p95 over repeats),
- the history of a 1,000,000-point series downsampled to <= 2,000 points,
- small GETs per second from 4 client threads (bounded in count and time),
- remote logging of 100,000 metric points through ``RestStore`` and the buffer;
- monitoring (SQLite, ``--monitoring``, on by default): REST batch ingest of
  100,000 predictions x 20 features, the predict route of a small scikit-learn
  model under a bounded 4-thread loopback load (req/s, p50/p99), and drift over
  1,000,000 predictions x 20 features bulk-loaded through the core's
  ``rows_and_bins``/``insert_predictions`` (not 1M HTTP calls).

Latencies are measured by the client, so they include HTTP on loopback: an upper
bound of the server-side time. Prints one table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, insert

from benchmarks import on_postgres
from mlops_jupyter.store.models import (
    ExperimentRow,
    IterationRow,
    LatestMetricRow,
    ParamRow,
    ProjectRow,
)
from mlops_jupyter.store.sql_store import SqlStore
from tests.server.live import LiveServer

rows: list[tuple[str, str, str, str]] = []


def report(backend: str, what: str, value: str, target: str) -> None:
    rows.append((backend, what, value, target))
    print(f"  {backend:<11} {what:<58} {value:>14}  {target}", flush=True)


def seed(uri: str, n_iterations: int, n_points: int) -> None:
    """Bulk-insert N iterations (5 params, 3 latest metrics each) and one long series."""
    SqlStore(uri).close()  # creates the schema
    engine = create_engine(uri.replace("postgresql://", "postgresql+psycopg://"))
    rnd = random.Random(7)
    now = time.time()
    with engine.begin() as conn:
        conn.execute(insert(ProjectRow), [{"id": 1, "name": "bench", "created_at": now}])
        conn.execute(insert(ExperimentRow), [{"id": 1, "project_id": 1, "name": "big",
                                              "created_at": now, "last_number": n_iterations}])
        chunk = 20_000
        for start in range(1, n_iterations + 1, chunk):
            ids = range(start, min(start + chunk, n_iterations + 1))
            conn.execute(insert(IterationRow), [{
                "id": i, "experiment_id": 1, "name": f"run {i}", "number": i,
                "status": "finished", "started_at": now - n_iterations + i,
                "ended_at": now - n_iterations + i + 1, "heartbeat_at": now,
                "environment": {}, "git": {}} for i in ids])
            conn.execute(insert(ParamRow), [
                {"iteration_id": i, "key": f"p{k}", "value": str(rnd.random()),
                 "value_type": "float"} for i in ids for k in range(5)])
            conn.execute(insert(LatestMetricRow), [
                {"iteration_id": i, "key": key, "value": rnd.random(), "step": 10,
                 "timestamp": now} for i in ids for key in ("accuracy", "loss", "f1")])
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences on
            for table in ("projects", "experiments", "iterations"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")
    # The long series goes through the store, which folds it into its rollups.
    from mlops_jupyter.store.sql_metrics import insert_points

    for start in range(0, n_points, 100_000):
        insert_points(engine, [(1, "long", rnd.gauss(0, 1), s, now + s * 1e-3)
                               for s in range(start, min(start + 100_000, n_points))])
    if engine.dialect.name == "postgresql":  # what autovacuum would do after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


def run_backend(backend: str, uri: str, workdir: Path, n_iterations: int, n_points: int) -> None:
    import urllib3

    t0 = time.perf_counter()
    seed(uri, n_iterations, n_points)
    report(backend, f"seed {n_iterations:,} iterations + {n_points:,} points (SQL)",
           f"{time.perf_counter() - t0:.1f} s", "")
    server = LiveServer(workdir, uri, keys_cache_seconds=10.0).start()
    try:
        http = urllib3.PoolManager(maxsize=8)
        headers = {"Authorization": f"token {server.token}"}
        api = f"{server.url}mlops/api/"

        def get(path: str, **fields: str) -> dict:
            r = http.request("GET", api + path, fields=fields, headers=headers)
            assert r.status == 200, (r.status, r.data[:300])
            return r.json()

        page = get("iterations", sort="-metrics.accuracy", limit="50", experiment_id="1")
        assert page["total"] == n_iterations and len(page["iterations"]) == 50
        for sort in ("-metrics.accuracy", "metrics.loss", "-started_at"):
            samples = timed(lambda s=sort: get("iterations", sort=s, limit="50",
                                               experiment_id="1"), 40)
            report(backend, f"GET 50 of {n_iterations:,} iterations sort={sort} p50/p95",
                   f"{statistics.median(samples):.1f}/{p95(samples):.1f} ms", "p95 <= 50 ms")
        samples = timed(lambda: get("iterations", sort="-metrics.accuracy", limit="50",
                                    experiment_id="1", filter="metrics.loss<0.5"), 20)
        report(backend, "  same, sort by metric + filter metrics.loss<0.5 p50/p95",
               f"{statistics.median(samples):.1f}/{p95(samples):.1f} ms", "")

        hist = get("iterations/1/metrics/long", max_points="2000")
        assert hist["total"] == n_points and len(hist["points"]) <= 2000
        samples = timed(lambda: get("iterations/1/metrics/long", max_points="2000"), 10)
        report(backend, f"history of {n_points:,} points -> <= 2,000 p50/p95",
               f"{statistics.median(samples):.0f}/{p95(samples):.0f} ms", "<= 200 ms")

        load(backend, http, api, headers)
        remote_logging(backend, server)
    finally:
        server.stop()


def load(backend: str, http, api: str, headers: dict, threads: int = 4,
         per_thread: int = 1500, limit_s: float = 20.0) -> None:
    errors, done = [], [0] * threads
    deadline = time.monotonic() + limit_s

    def worker(k: int) -> None:
        for _ in range(per_thread):
            if time.monotonic() > deadline:
                return
            r = http.request("GET", api + f"iterations/{random.randint(1, 1000)}",
                             headers=headers)
            if r.status != 200:
                errors.append(r.status)
            done[k] += 1

    elapsed = run_threads(worker, threads)
    report(backend, f"GET iterations/{{id}}, {threads} client threads ({sum(done):,} requests)",
           f"{sum(done) / elapsed:,.0f} req/s", f">= 500/s, errors: {len(errors)}")


def remote_logging(backend: str, server: LiveServer, n: int = 100_000) -> None:
    import mlops_jupyter as mj

    client = mj.Client(server.url, token=server.token)
    it = client.start_iteration("bench", "remote", capture_environment=False)
    t0 = time.perf_counter()
    for step in range(n):
        it.log_metric("loss", 1.0 / (step + 1), step=step)
    client.flush()
    elapsed = time.perf_counter() - t0
    it.end()
    assert client.store.metric_history(it.id, "loss", 10).total == n
    client.close()
    report(backend, f"remote logging of {n:,} points (log_metric + flush)",
           f"{n / elapsed:,.0f} pts/s", ">= 20,000/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--monitoring-only", action="store_true",
                        help="run only the monitoring benchmarks")
    parser.add_argument("--no-monitoring", action="store_true")
    args = parser.parse_args()
    print(f"  {'backend':<11} {'measure':<58} {'value':>14}  target")
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        root = Path(tmp)
        if not args.no_monitoring:
            (root / "monitoring").mkdir()
            monitoring_benchmarks(root / "monitoring",
                                  postgres="postgresql" in args.backends.split(","))
            if args.monitoring_only:
                return
        for backend in args.backends.split(","):
            workdir = root / backend
            workdir.mkdir()
            if backend == "sqlite":
                run_backend(backend, f"sqlite:///{workdir / 'bench.db'}", workdir,
                            args.iterations, args.points)
            elif backend == "postgresql":
                on_postgres(lambda new_database, w=workdir: run_backend(
                    "postgresql", new_database("bench"), w, args.iterations, args.points))


def run_threads(worker: Callable[[int], None], threads: int) -> float:
    """Run ``worker(k)`` for k in range(threads) at once; seconds until all are done."""
    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - t0


# -- monitoring: REST ingest, the predict route, drift over 1M predictions ------------------
def wrk_predict(url: str, body: str, headers: dict[str, str], workdir: Path,
                seconds: int = 10) -> None:
    """The predict route under wrk (a C load generator: it leaves the CPU to the server).

    One thread, 4 connections, ``seconds`` long; skipped when wrk is not installed.
    """
    import json as _json
    import re
    import shutil
    import subprocess

    if shutil.which("wrk") is None:
        report("sqlite", "POST models/{name}/predict under wrk", "skipped", "wrk not installed")
        return
    script = workdir / "predict.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = {_json.dumps(body)}"]
    lines += [f"wrk.headers[{_json.dumps(k)}] = {_json.dumps(v)}" for k, v in headers.items()]
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run(["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "-s", str(script),
                          url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    report("sqlite", f"POST models/{{name}}/predict under wrk -t1 -c4 -d{seconds}s",
           f"{float(rate.group(1)):,.0f} req/s" if rate else "?",
           f">= 300/s, non-2xx: {bad.group(1) if bad else 0}")
    report("sqlite", "  same, latency p99",
           f"{float(p99.group(1)) * scale[p99.group(2)]:.1f} ms" if p99 else "?", "<= 50 ms")


def monitoring_benchmarks(workdir: Path, n_rows: int = 1_000_000, n_features: int = 20,
                          requests: int = 3000, threads: int = 4,
                          limit_s: float = 30.0, postgres: bool = False) -> None:
    """SQLite: bulk ingest through the API, predict load, drift on bulk-loaded bins;
    with ``postgres``, drift on a throwaway PostgreSQL cluster too."""
    import json as _json

    import numpy as np
    import pandas as pd
    import urllib3
    from sklearn.linear_model import LogisticRegression

    import mlops_jupyter as mj

    backend = "sqlite"
    uri = f"sqlite:///{workdir / 'monitoring.db'}"
    artifacts = workdir / "home" / "artifacts"
    rnd = np.random.default_rng(7)
    names = [f"f{i}" for i in range(n_features)]
    X = pd.DataFrame(rnd.normal(size=(2000, n_features)), columns=names)
    y = (X["f0"] + X["f1"] > 0).astype(int)
    model = LogisticRegression(max_iter=200).fit(X, y)
    client = mj.Client(uri, artifact_root=str(artifacts))
    with client.start_iteration("bench", "serve", "fit", capture_environment=False) as it:
        mv = it.log_model(model, "bench", reference=X)
    client.promote("bench", mv.version)
    client.close()

    server = LiveServer(workdir, uri)
    server.extra_config = {"trusted_models": ["bench"], "production_check_seconds": 2.0}
    server.start()
    try:
        http = urllib3.PoolManager(maxsize=threads * 2)
        headers = {"Authorization": f"token {server.token}",
                   "Content-Type": "application/json"}
        api = f"{server.url}mlops/api/"

        # REST batch ingest: 10 requests of 10,000 records x 20 features
        batch = 10_000
        values = rnd.normal(size=(batch, n_features)).round(6)
        records = [{"inputs": dict(zip(names, row.tolist(), strict=True)), "output": int(i % 2),
                    "confidence": 0.8, "latency_ms": 3.0} for i, row in enumerate(values)]
        payload = _json.dumps({"model": "bench", "records": records}).encode()
        t0 = time.perf_counter()
        for _ in range(10):
            r = http.request("POST", api + "monitoring/predictions", body=payload,
                             headers=headers)
            assert r.status == 200, r.data[:300]
        elapsed = time.perf_counter() - t0
        report(backend, f"REST batch ingest, 10 x {batch:,} records x {n_features} features",
               f"{10 * batch / elapsed:,.0f} rows/s", ">= 20,000/s")

        # The predict route: single-row requests from a few client threads
        bodies = [_json.dumps({"inputs": dict(zip(names, row.tolist(), strict=True))}).encode()
                  for row in rnd.normal(size=(256, n_features)).round(6)]
        r = http.request("POST", api + "models/bench/predict", body=bodies[0], headers=headers)
        assert r.status == 200, r.data[:300]
        latencies: list[float] = []
        errors: list[int] = []
        deadline = time.monotonic() + limit_s
        per_thread = requests // threads

        def worker(k: int) -> None:
            mine = []
            for i in range(per_thread):
                if time.monotonic() > deadline:
                    break
                t = time.perf_counter()
                resp = http.request("POST", api + "models/bench/predict",
                                    body=bodies[(k * per_thread + i) % len(bodies)],
                                    headers=headers)
                mine.append((time.perf_counter() - t) * 1000)
                if resp.status != 200:
                    errors.append(resp.status)
            latencies.extend(mine)

        elapsed = run_threads(worker, threads)
        p99 = statistics.quantiles(latencies, n=100)[-1]
        report(backend, f"POST models/{{name}}/predict, {threads} client threads "
               f"({len(latencies):,} requests)", f"{len(latencies) / elapsed:,.0f} req/s",
               f">= 300/s, errors: {len(errors)}")
        report(backend, "  same, client-side latency p50/p99",
               f"{statistics.median(latencies):.1f}/{p99:.1f} ms", "p99 <= 50 ms")
        wrk_predict(api + "models/bench/predict", bodies[0].decode(), headers, workdir)
    finally:
        server.stop()

    drift_benchmark(backend, uri, artifacts, n_rows, n_features)
    if postgres:
        on_postgres(lambda new_database: drift_benchmark(
            "postgresql", new_database("drift"), artifacts, n_rows, n_features))


def drift_benchmark(backend: str, uri: str, artifacts: Path, n_rows: int,
                    n_features: int) -> None:
    """Drift over ``n_rows`` logged predictions, bulk-loaded through the core (no HTTP)."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    import mlops_jupyter as mj
    from mlops_jupyter.monitoring.ingest import PredictionBatch, rows_and_bins

    rnd = np.random.default_rng(11)
    names = [f"f{i}" for i in range(n_features)]
    X = pd.DataFrame(rnd.normal(size=(2000, n_features)), columns=names)
    client = mj.Client(uri, artifact_root=str(artifacts))
    with client.start_iteration("bench", "drift", "fit", capture_environment=False) as it:
        mv = it.log_model(LogisticRegression(max_iter=200).fit(X, (X["f0"] > 0).astype(int)),
                          "drift", reference=X)
    client.promote("drift", mv.version)
    store = client.store
    profile = store.get_reference_profile(mv.id)
    schema_id = store.input_schema_id(names)
    t0 = time.perf_counter()
    start = time.time() - 12 * 3600
    chunk = 100_000
    for k in range(0, n_rows, chunk):
        n = min(chunk, n_rows - k)
        frame = pd.DataFrame(rnd.normal(0.1, 1.0, size=(n, n_features)), columns=names)
        at = start + (k + np.arange(n)) * (12 * 3600 / n_rows)
        batch = PredictionBatch(mv.id, frame, [int(v) for v in rnd.integers(0, 2, n)], at,
                                [f"bulk-{k + i}" for i in range(n)],
                                rnd.uniform(0.5, 1, n).tolist(), [3.0] * n, ["ok"] * n,
                                [None] * n)
        rows, counts = rows_and_bins(batch, profile, schema_id)
        store.insert_predictions(rows, counts)
    report(backend, f"bulk-load {n_rows:,} predictions x {n_features} features (core)",
           f"{time.perf_counter() - t0:.1f} s", "")
    samples = timed(lambda: client.drift("drift", window="1h", since=None), 3)
    frame = client.drift("drift", window="1h", since=None)
    assert frame["n_current"].sum() >= n_rows
    report(backend, f"drift over {n_rows:,} predictions x {n_features} features, 1h windows",
           f"{max(samples) / 1000:.2f} s", "<= 3 s" if backend == "sqlite" else "")
    client.close()


if __name__ == "__main__":
    main()
