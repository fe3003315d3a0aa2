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
from .models import ROLLUP_STEPS, MetricRollupRow, MetricRow

_UPSERT_LATEST = text(
    "INSERT INTO latest_metrics (iteration_id, key, value, step, timestamp) "
    "VALUES (:i, :k, :v, :s, :t) "
    "ON CONFLICT (iteration_id, key) DO UPDATE SET value = excluded.value, "
    "step = excluded.step, timestamp = excluded.timestamp "
    "WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step "
    "AND excluded.timestamp >= latest_metrics.timestamp)"
)


# SET expressions all see the row as it was, so each step follows its own value.
_UPSERT_ROLLUP = text(
    "INSERT INTO metric_rollups (iteration_id, key, bucket, n, min_value, min_step, "
    "max_value, max_step) VALUES (:i, :k, :b, :n, :lo, :ls, :hi, :hs) "
    "ON CONFLICT (iteration_id, key, bucket) DO UPDATE SET n = metric_rollups.n + excluded.n, "
    "min_step = CASE WHEN metric_rollups.min_value IS NULL OR excluded.min_value < "
    "metric_rollups.min_value THEN excluded.min_step ELSE metric_rollups.min_step END, "
    "min_value = CASE WHEN metric_rollups.min_value IS NULL OR excluded.min_value < "
    "metric_rollups.min_value THEN excluded.min_value ELSE metric_rollups.min_value END, "
    "max_step = CASE WHEN metric_rollups.max_value IS NULL OR excluded.max_value > "
    "metric_rollups.max_value THEN excluded.max_step ELSE metric_rollups.max_step END, "
    "max_value = CASE WHEN metric_rollups.max_value IS NULL OR excluded.max_value > "
    "metric_rollups.max_value THEN excluded.max_value ELSE metric_rollups.max_value END")
# Series longer than this are downsampled from their rollups when these cover them.
ROLLUP_MIN_POINTS = 50_000


def from_db(value: float | None) -> float:
    return math.nan if value is None else value


def insert_points(engine: Engine, points: Sequence[MetricPoint]) -> int:
    """Insert points and fold them into ``latest_metrics``, in one transaction."""
    if not points:
        return 0
    rows = []
    latest: dict[tuple[int, str], MetricPoint] = {}
    rollups: dict[tuple[int, str, int], list] = {}
    for p in points:
        iid, key, value, step, ts = p
        v = None if value != value else value
        rows.append((iid, key, v, step, ts))
        best = latest.get((iid, key))
        if best is None or (step, ts) >= (best[3], best[4]):
            latest[(iid, key)] = p
        r = rollups.get((iid, key, step // ROLLUP_STEPS))
        if r is None:
            rollups[(iid, key, step // ROLLUP_STEPS)] = [1, v, step, v, step]
        else:
            r[0] += 1
            if v is not None:
                if r[1] is None or v < r[1]:
                    r[1], r[2] = v, step
                if r[3] is None or v > r[3]:
                    r[3], r[4] = v, step
    marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    sql = ("INSERT INTO metrics (iteration_id, key, value, step, timestamp) VALUES "
           f"({marker}, {marker}, {marker}, {marker}, {marker})")
    summary = [{"i": iid, "k": key, "v": None if v != v else v, "s": s, "t": t}
               for (iid, key, v, s, t) in latest.values()]
    folded = [{"i": i, "k": k, "b": b, "n": r[0], "lo": r[1], "ls": r[2], "hi": r[3],
               "hs": r[4]} for (i, k, b), r in rollups.items()]
    with write_tx(engine) as conn:
        conn.exec_driver_sql(sql, rows)
        conn.execute(_UPSERT_LATEST, summary)
        conn.execute(_UPSERT_ROLLUP, folded)
    return len(rows)


def history(engine: Engine, iteration_id: int, key: str,
            max_points: int | None = None) -> MetricSeries:
    """All points of a series ordered by step, downsampled to ``max_points`` when longer.

    Downsampling happens in SQL: the step range is cut into ``(max_points - 2) // 2``
    equal buckets and each bucket keeps the points holding its minimum and maximum
    value, plus the first and last points, so spikes and the best value survive
    while only a few thousand rows leave the database.
    """
    M, R = MetricRow, MetricRollupRow
    where = (M.iteration_id == iteration_id, M.key == key)
    with read_tx(engine) as conn:
        # The rollups count every point (a few rows per thousand points): cheaper than
        # COUNT(*) over the series, and the step range is two index seeks.
        total = conn.execute(select(func.sum(R.n)).where(
            R.iteration_id == iteration_id, R.key == key)).scalar() or 0
        rolled = total > 0
        if not rolled:  # points written around the store (a bulk load): count them
            total = conn.execute(select(func.count()).select_from(M).where(*where)).scalar_one()
        if max_points is None or total <= max_points:
            rows = conn.execute(select(M.step, M.value, M.timestamp).where(*where)
                                .order_by(M.step, M.timestamp, M.id)).all()
            return MetricSeries(key, [r[0] for r in rows], [from_db(r[1]) for r in rows],
                                [r[2] for r in rows], len(rows), False)
        lo = conn.execute(select(func.min(M.step)).where(*where)).scalar()
        hi = conn.execute(select(func.max(M.step)).where(*where)).scalar()
        if rolled and total > ROLLUP_MIN_POINTS:
            rows = _rollup_extremes(conn, iteration_id, key, lo, hi, max_points)
        else:
            rows = _bucket_extremes(conn, iteration_id, key, lo, hi, max_points)
    return MetricSeries(key, [r[0] for r in rows], [from_db(r[1]) for r in rows],
                        [r[2] for r in rows], total, True)


def _rollup_extremes(conn, iteration_id: int, key: str, lo: int, hi: int,
                     max_points: int) -> list[tuple[int, float | None, float]]:
    """Downsample from ``metric_rollups``: groups of blocks, each group's extremes."""
    R = MetricRollupRow
    where = (R.iteration_id == iteration_id, R.key == key)
    blocks = conn.execute(select(R.min_value, R.min_step, R.max_value, R.max_step)
                          .where(*where).order_by(R.bucket)).all()
    groups = max(1, (max_points - 2) // 2)
    per_group = -(-len(blocks) // groups)  # ceil
    steps = {lo, hi}
    for start in range(0, len(blocks), per_group):
        chunk = [b for b in blocks[start:start + per_group] if b[0] is not None]
        if chunk:
            steps.add(min(chunk, key=lambda b: b[0])[1])
            steps.add(max(chunk, key=lambda b: b[2])[3])
    return _points_at(conn, iteration_id, key, sorted(steps), max_points)


def _bucket_extremes(conn, iteration_id: int, key: str, lo: int, hi: int,
                     max_points: int) -> list[tuple[int, float | None, float]]:
    buckets = max(1, (max_points - 2) // 2)
    span = hi - lo + 1
    params = {"i": iteration_id, "k": key, "lo": lo, "nb": buckets, "span": span}
    # Per bucket, the steps of its lowest and highest value: each correlated subquery
    # walks one step range of the (iteration_id, key, step) index, so the whole series
    # is read once for each extreme and never sorted or sent to Python.
    one = ("(SELECT m.step FROM metrics m WHERE m.iteration_id = :i AND m.key = :k "
           "AND m.step >= :lo + (bk.n * :span) / :nb AND m.step < :lo + ((bk.n + 1) * :span) "
           "/ :nb AND m.value IS NOT NULL ORDER BY m.value {} LIMIT 1)")
    pairs = conn.execute(text(
        "WITH RECURSIVE bk(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM bk WHERE n + 1 < :nb) "
        f"SELECT {one.format('ASC')}, {one.format('DESC')} FROM bk"), params).all()
    steps = [s for pair in pairs for s in pair if s is not None]
    return _points_at(conn, iteration_id, key, sorted({lo, hi, *steps}), max_points)


def _points_at(conn, iteration_id: int, key: str, wanted: list[int],
               max_points: int) -> list[tuple[int, float | None, float]]:
    """The points at ``wanted`` steps (one per step), in step order."""
    M = MetricRow
    out: dict[int, tuple[int, float | None, float]] = {}
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start:start + 5000]
        for step, value, ts in conn.execute(
                select(M.step, M.value, M.timestamp)
                .where(M.iteration_id == iteration_id, M.key == key, M.step.in_(chunk))
                .order_by(M.step, M.timestamp, M.id)):
            out.setdefault(step, (step, value, ts))  # one point per step
    return [out[s] for s in sorted(out)][:max_points]


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
