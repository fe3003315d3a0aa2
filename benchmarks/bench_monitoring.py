"""Prediction logging through the library: ``mj.log_predictions`` into SQLite (and PostgreSQL).

    python -m benchmarks monitoring [--batches 5] [--rows 100000] [--no-postgres]

A production model with a reference profile of 20 numeric features; each batch is a
frame of ``--rows`` predictions x 20 features with outputs, confidences and latencies,
logged with one ``log_predictions`` call and flushed. Reported: rows/s accepted by the
call (the buffer), rows/s flushed per batch (median and slowest), and rows/s sustained
over all batches (every batch's time summed, background log checkpoints included since
they overlap the next batch). The table grows as it would in production: batch k
writes into a table that already holds k - 1 batches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import on_postgres


def log_predictions_rates(uri: str, workdir: Path, batches: int, n_rows: int,
                          n_features: int = 20) -> dict[str, float]:
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    import mlops_jupyter as mj

    rnd = np.random.default_rng(3)
    names = [f"f{i}" for i in range(n_features)]
    train = pd.DataFrame(rnd.normal(size=(2000, n_features)), columns=names)
    model = LogisticRegression(max_iter=300).fit(train, (train["f0"] > 0).astype(int))
    client = mj.Client(uri, artifact_root=str(workdir / "artifacts"))
    with client.start_iteration("bench", "monitoring", "fit", capture_environment=False) as it:
        mv = it.log_model(model, "bench", reference=train)
    client.promote("bench", mv.version)
    frame = pd.DataFrame(rnd.normal(size=(n_rows, n_features)), columns=names)
    outputs = rnd.integers(0, 2, n_rows)
    confidences = rnd.uniform(0.5, 1.0, n_rows)
    latencies = rnd.uniform(1.0, 5.0, n_rows)
    client.log_predictions(frame.head(100), outputs[:100], model="bench")  # warm-up
    client.flush_predictions()
    accepted, flushed, total = [], [], 0.0
    for _ in range(batches):
        t0 = time.perf_counter()
        client.log_predictions(frame, outputs, model="bench", confidences=confidences,
                               latencies_ms=latencies)
        t1 = time.perf_counter()
        client.flush_predictions()
        t2 = time.perf_counter()
        accepted.append(n_rows / (t1 - t0))
        flushed.append(n_rows / (t2 - t0))
        total += t2 - t0
    assert client.traffic("bench", window="1d")["predictions"].sum() == batches * n_rows + 100
    client.close()
    return {"accepted": statistics.median(accepted), "flushed": statistics.median(flushed),
            "slowest": min(flushed), "sustained": batches * n_rows / total}


def rows_for(backend: str, rates: dict[str, float], n_rows: int) -> list[tuple[str, ...]]:
    target = ">= 100,000" if backend == "sqlite" else ""
    return [
        (backend, f"log_predictions {n_rows:,} x 20: accepted (median)",
         f"{rates['accepted']:,.0f} rows/s", ""),
        (backend, "  flushed per batch, median / slowest",
         f"{rates['flushed']:,.0f} / {rates['slowest']:,.0f} rows/s", target),
        (backend, "  sustained over all batches", f"{rates['sustained']:,.0f} rows/s", target),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="benchmarks monitoring")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(sys.argv[1:])
    from benchmarks.bench_tracking import print_table

    tmp = Path(tempfile.mkdtemp(prefix="mlops-bench-monitoring-"))
    os.environ["MLOPS_JUPYTER_HOME"] = str(tmp / "home")
    table: list[tuple[str, ...]] = [("backend", "figure", "measured", "target")]
    rates = log_predictions_rates(f"sqlite:///{tmp / 'monitoring.db'}", tmp, args.batches,
                                  args.rows)
    table += rows_for("sqlite", rates, args.rows)
    if not args.no_postgres:
        rates = on_postgres(lambda new_database: log_predictions_rates(
            new_database("monitoring"), tmp, args.batches, args.rows))
        if rates is not None:
            table += rows_for("postgresql", rates, args.rows)
    print_table(table)


if __name__ == "__main__":
    main()
