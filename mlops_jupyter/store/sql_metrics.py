"""Metric points: batched inserts, the latest-value summary, and history reads.

Inserts go through the DBAPI's ``executemany`` directly (the ORM's per-row work
would cost several times the database's own time). NaN is stored as NULL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import Engine, func, select, text

from .base import MetricPoint, MetricSeries
from .engine import read_tx, write_tx
from .models import MetricRow

_UPSERT_LATEST = text(
    "INSERT INTO latest_metrics (iteration_id, key, value, step, timestamp) "
    "VALUES (:i, :k, :v, :s, :t) "
    "ON CONFLICT (iteration_id, key) DO UPDATE SET value = excluded.value, "
    "step = excluded.step, timestamp = excluded.timestamp "
    "WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step "
    "AND excluded.timestamp >= latest_metrics.timestamp)"
)


def from_db(value: float | None) -> float:
    return math.nan if value is None else value


def insert_points(engine: Engine, points: Sequence[MetricPoint]) -> int:
    """Insert points and fold them into ``latest_metrics``, in one transaction."""
    if not points:
        return 0
    rows = []
    latest: dict[tuple[int, str], MetricPoint] = {}
    for p in points:
        iid, key, value, step, ts = p
        rows.append((iid, key, None if value != value else value, step, ts))
        best = latest.get((iid, key))
        if best is None or (step, ts) >= (best[3], best[4]):
            latest[(iid, key)] = p
    marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    sql = ("INSERT INTO metrics (iteration_id, key, value, step, timestamp) VALUES "
           f"({marker}, {marker}, {marker}, {marker}, {marker})")
    summary = [{"i": iid, "k": key, "v": None if v != v else v, "s": s, "t": t}
               for (iid, key, v, s, t) in latest.values()]
    with write_tx(engine) as conn:
        conn.exec_driver_sql(sql, rows)
        conn.execute(_UPSERT_LATEST, summary)
    return len(rows)


def history(engine: Engine, iteration_id: int, key: str,
            max_points: int | None = None) -> MetricSeries:
    """All points of a series ordered by step, downsampled to ``max_points`` when longer.

    Downsampling splits the series into ``(max_points - 2) // 2`` buckets and keeps
    each bucket's minimum and maximum, so spikes and the best value survive.
    """
    M = MetricRow
    where = (M.iteration_id == iteration_id, M.key == key)
    with read_tx(engine) as conn:
        total = conn.execute(select(func.count()).select_from(M).where(*where)).scalar_one()
        rows = conn.execute(select(M.step, M.value, M.timestamp).where(*where)
                            .order_by(M.step, M.timestamp, M.id)).all()
    steps = [r[0] for r in rows]
    values = [from_db(r[1]) for r in rows]
    stamps = [r[2] for r in rows]
    if max_points is None or total <= max_points:
        return MetricSeries(key, steps, values, stamps, total, False)
    keep = downsample_indices(values, max_points)
    return MetricSeries(key, [steps[i] for i in keep], [values[i] for i in keep],
                        [stamps[i] for i in keep], total, True)


def downsample_indices(values: Sequence[float], max_points: int) -> list[int]:
    """Indices of the first, last, and each bucket's min and max: at most ``max_points``."""
    import numpy as np

    n = len(values)
    if n <= max_points:
        return list(range(n))
    buckets = max(1, (max_points - 2) // 2)  # two per bucket, plus first and last
    arr = np.asarray(values, dtype=float)
    # NaN would win argmin/argmax; rank it as neither extreme.
    low = np.where(np.isnan(arr), np.inf, arr)
    high = np.where(np.isnan(arr), -np.inf, arr)
    edges = np.linspace(0, n, buckets + 1).astype(int)
    keep: set[int] = {0, n - 1}
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if b > a:
            keep.add(a + int(np.argmin(low[a:b])))
            keep.add(a + int(np.argmax(high[a:b])))
    return sorted(keep)
