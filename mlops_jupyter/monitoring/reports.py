"""Monitoring reports as DataFrames: drift, traffic and performance per window."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..entities import ModelVersion
from .profile import (
    CONFIDENCE,
    LATENCY,
    LATENCY_EDGES,
    PREDICTION,
    STATUS,
    percentile_from_bins,
)
from .stats import compare_categorical, compare_numeric

if TYPE_CHECKING:
    import pandas as pd

    from ..store.sql_store import SqlStore

TRAFFIC_COLUMNS = ["window_start", "predictions", "errors", "error_rate", "latency_p50_ms",
                   "latency_p95_ms", "latency_p99_ms"]
EMPTY_PERFORMANCE_COLUMNS = ["window_start", "n"]
DRIFT_COLUMNS = ["window_start", "feature", "kind", "test", "statistic", "p_value", "psi",
                 "drift", "n_reference", "n_current"]


def _minute(epoch: float | None, up: bool = False) -> int | None:
    if epoch is None:
        return None
    return int(math.ceil(epoch / 60)) if up else int(epoch // 60)


def _start(minute: int) -> Any:
    import pandas as pd

    return pd.Timestamp(minute * 60, unit="s", tz="UTC")


def _grouped(store: SqlStore, mv: ModelVersion, minutes: int, start: float | None,
             end: float | None, features: list[str] | None
             ) -> dict[tuple[int, str], dict[int, int]]:
    grouped: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for w, feature, b, c in store.bin_counts(mv.id, window_minutes=minutes,
                                             since_minute=_minute(start),
                                             until_minute=_minute(end, up=True),
                                             features=features):
        grouped[(w, feature)][b] = c
    return grouped


def drift_frame(store: SqlStore, mv: ModelVersion, profile: Mapping[str, Any] | None,
                minutes: int, start: float | None, end: float | None) -> pd.DataFrame:
    import pandas as pd

    if not profile:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    references = {f["name"]: f for f in profile.get("features", [])}
    for special in ("prediction", "confidence"):
        if profile.get(special):
            references[profile[special]["name"]] = profile[special]
    grouped = _grouped(store, mv, minutes, start, end, list(references))
    rows = []
    for (w, name), bins in sorted(grouped.items()):
        ref = references[name]
        ref_counts = np.asarray(ref["counts"], dtype=float)
        cur = np.zeros(len(ref_counts))
        for b, c in bins.items():
            if 0 <= b < len(cur):
                cur[b] += c
        if cur.sum() == 0 or ref_counts.sum() == 0:
            continue
        if ref["kind"] == "numeric":
            result = compare_numeric(name, ref["points"], ref_counts, cur, ref.get("std", 0.0))
        else:
            result = compare_categorical(name, ref_counts, cur)
        rows.append([_start(w), name, result.kind, result.test, result.statistic,
                     result.p_value, result.psi, result.drift, result.n_reference,
                     result.n_current])
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS)


MAX_COUNT_ROWS = 500_000  # count-based windows read rows: keep it bounded


def drift_frame_by_count(store: SqlStore, mv: ModelVersion, profile: Mapping[str, Any] | None,
                         every: int, windows: int) -> pd.DataFrame:
    """Drift over the last ``windows`` windows of ``every`` predictions each.

    Count-based windows do not line up with the per-minute counters, so their rows
    are read and binned here: bounded to the last ``MAX_COUNT_ROWS`` predictions.
    """
    import pandas as pd

    from .profile import assign_bins

    if not profile:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    rows = store.last_predictions(mv.id, min(every * windows, MAX_COUNT_ROWS))
    references = {f["name"]: f for f in profile.get("features", [])}
    for special in ("prediction", "confidence"):
        if profile.get(special):
            references[profile[special]["name"]] = profile[special]
    out = []
    first = len(rows) % every  # a partial oldest window is left out
    for start in range(first, len(rows), every):
        chunk = rows[start:start + every]
        inputs = pd.DataFrame([r[1] or {} for r in chunk])
        columns: dict[str, list] = {c: inputs[c].tolist() for c in inputs.columns}
        outputs = [json.loads(r[2]) if r[2] else None for r in chunk]
        if profile.get("prediction"):
            cat = profile["prediction"]["kind"] == "categorical"
            columns[PREDICTION] = [None if o is None else (str(o) if cat else o)
                                   for o in outputs]
        columns[CONFIDENCE] = [r[3] for r in chunk]
        when = _start(int(chunk[0][0] // 60))
        for name, ref in references.items():
            if name not in columns:
                continue
            bins = assign_bins(ref, columns[name])
            ref_counts = np.asarray(ref["counts"], dtype=float)
            cur = np.bincount(bins[bins >= 0], minlength=len(ref_counts))[:len(ref_counts)]
            if cur.sum() == 0 or ref_counts.sum() == 0:
                continue
            if ref["kind"] == "numeric":
                result = compare_numeric(name, ref["points"], ref_counts, cur,
                                         ref.get("std", 0.0))
            else:
                result = compare_categorical(name, ref_counts, cur)
            out.append([when, name, result.kind, result.test, result.statistic,
                        result.p_value, result.psi, result.drift, result.n_reference,
                        result.n_current])
    return pd.DataFrame(out, columns=DRIFT_COLUMNS)


def traffic_frame(store: SqlStore, mv: ModelVersion, minutes: int, start: float | None,
                  end: float | None) -> pd.DataFrame:
    import pandas as pd

    grouped = _grouped(store, mv, minutes, start, end, [STATUS, LATENCY])
    windows = sorted({w for w, _ in grouped})
    rows = []
    for w in windows:
        status = grouped.get((w, STATUS), {})
        total = sum(status.values())
        errors = status.get(1, 0)
        latency = grouped.get((w, LATENCY), {})
        counts = [latency.get(i, 0) for i in range(len(LATENCY_EDGES) + 1)]
        rows.append({
            "window_start": _start(w), "predictions": total, "errors": errors,
            "error_rate": errors / total if total else float("nan"),
            "latency_p50_ms": percentile_from_bins(LATENCY_EDGES, counts, 0.50),
            "latency_p95_ms": percentile_from_bins(LATENCY_EDGES, counts, 0.95),
            "latency_p99_ms": percentile_from_bins(LATENCY_EDGES, counts, 0.99),
        })
    return pd.DataFrame(rows, columns=TRAFFIC_COLUMNS)


def performance_frame(store: SqlStore, mv: ModelVersion, profile: Mapping[str, Any] | None,
                      minutes: int, start: float | None, end: float | None) -> pd.DataFrame:
    import pandas as pd

    rows = store.labeled_predictions(mv.id, start, end)
    if not rows:
        return pd.DataFrame(columns=EMPTY_PERFORMANCE_COLUMNS)
    task = (profile or {}).get("task")
    groups: dict[int, list[tuple]] = defaultdict(list)
    for at, output, label, confidence in rows:
        groups[int(at // 60 // minutes * minutes)].append(
            (json.loads(output) if output else None, json.loads(label), confidence))
    if task is None:
        sample = rows[0][2]
        task = "regression" if isinstance(json.loads(sample), float) else "classification"
    out = []
    for w in sorted(groups):
        preds, labels, conf = zip(*groups[w], strict=True)
        metrics = (_classification(preds, labels, conf) if task == "classification"
                   else _regression(preds, labels))
        out.append({"window_start": _start(w), "n": len(labels), **metrics})
    return pd.DataFrame(out)


def _classification(preds: tuple, labels: tuple, conf: tuple) -> dict[str, float | None]:
    from sklearn import metrics

    y_true = [str(_unwrap(v)) for v in labels]
    y_pred = [str(_unwrap(v)) for v in preds]
    average = "binary" if len(set(y_true) | set(y_pred)) <= 2 else "macro"
    pos = max(set(y_true) | set(y_pred)) if average == "binary" else None
    kwargs: dict[str, Any] = {"average": average, "zero_division": 0}
    if pos is not None:
        kwargs["pos_label"] = pos
    result: dict[str, float | None] = {
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "precision": metrics.precision_score(y_true, y_pred, **kwargs),
        "recall": metrics.recall_score(y_true, y_pred, **kwargs),
        "f1": metrics.f1_score(y_true, y_pred, **kwargs),
        "roc_auc": None,
    }
    if pos is not None and all(c is not None for c in conf) and len(set(y_true)) == 2:
        # The confidence is the winning class's probability: turn it into P(positive).
        scores = [c if p == pos else 1 - c for p, c in zip(y_pred, conf, strict=True)]
        result["roc_auc"] = metrics.roc_auc_score([t == pos for t in y_true], scores)
    return result


def _regression(preds: tuple, labels: tuple) -> dict[str, float]:
    from sklearn import metrics

    y_true = np.asarray([float(_unwrap(v)) for v in labels])
    y_pred = np.asarray([float(_unwrap(v)) for v in preds])
    return {"mae": metrics.mean_absolute_error(y_true, y_pred),
            "rmse": float(np.sqrt(metrics.mean_squared_error(y_true, y_pred))),
            "r2": metrics.r2_score(y_true, y_pred) if len(y_true) > 1 else float("nan")}


def _unwrap(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


__all__ = ["CONFIDENCE", "PREDICTION", "drift_frame", "performance_frame", "traffic_frame"]
