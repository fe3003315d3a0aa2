"""Reference profiles and binning: the compact form of "what the model was trained on".

A profile keeps, per feature, bin edges and counts (quantile bins for numbers, the
most frequent categories plus "other" for the rest) and a few moments: enough to
test drift, never the raw data. Production values are put into the same bins as
they are logged, so windows are compared bin against bin.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

PROFILE_VERSION = 1
NUMERIC_BINS = 10
MAX_CATEGORIES = 20
PREDICTION = "__prediction__"
CONFIDENCE = "__confidence__"
LATENCY = "__latency__"
STATUS = "__status__"
NULL_BIN = -1
CONFIDENCE_EDGES = [round(0.1 * i, 1) for i in range(1, 10)]
# Latency bins grow by 25% from 0.1 ms to ~70 s: percentiles within 12% of the truth.
LATENCY_EDGES = [0.1 * 1.25**i for i in range(61)]


def _numeric_feature(name: str, values: np.ndarray) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    nulls = int(len(values) - len(finite))
    if len(finite) == 0:
        return {"name": name, "kind": "numeric", "edges": [], "points": [0.0],
                "counts": [0], "mean": 0.0, "std": 0.0, "nulls": nulls}
    qs = np.quantile(finite, np.linspace(0, 1, NUMERIC_BINS + 1)[1:-1])
    edges = sorted(set(float(q) for q in qs))
    bins = np.searchsorted(edges, finite, side="right")
    counts = np.bincount(bins, minlength=len(edges) + 1)
    points = []
    for i in range(len(edges) + 1):
        inside = finite[bins == i]
        points.append(float(np.median(inside)) if len(inside) else
                      float(edges[min(i, len(edges) - 1)]))
    return {"name": name, "kind": "numeric", "edges": edges, "points": points,
            "counts": [int(c) for c in counts], "mean": float(finite.mean()),
            "std": float(finite.std()), "nulls": nulls}


def _categorical_feature(name: str, values: Sequence[Any]) -> dict[str, Any]:
    from collections import Counter

    texts = [None if _is_null(v) else str(v) for v in values]
    counted = Counter(t for t in texts if t is not None)
    top = [c for c, _ in counted.most_common(MAX_CATEGORIES)]
    other = sum(counted.values()) - sum(counted[c] for c in top)
    return {"name": name, "kind": "categorical", "categories": top,
            "counts": [counted[c] for c in top] + [other],
            "nulls": sum(1 for t in texts if t is None)}


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_numeric(series: Any) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def feature_profile(name: str, series: Any) -> dict[str, Any]:
    """The profile of one column (a pandas Series)."""
    if _is_numeric(series):
        return _numeric_feature(name, series.to_numpy(dtype=float, na_value=np.nan))
    return _categorical_feature(name, series.tolist())


def build_profile(frame: Any, *, model: Any = None) -> dict[str, Any]:
    """Profile a reference DataFrame (and the model's predictions on it, when given)."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(frame)
    frame = frame.rename(columns=str)
    profile: dict[str, Any] = {
        "version": PROFILE_VERSION,
        "n": len(frame),
        "features": [feature_profile(c, frame[c]) for c in frame.columns],
        "task": None, "prediction": None, "confidence": None,
    }
    if model is not None and len(frame):
        proba = getattr(model, "predict_proba", None)
        is_classifier = getattr(model, "_estimator_type", None) == "classifier" or (
            hasattr(model, "classes_") and proba is not None)
        profile["task"] = "classification" if is_classifier else "regression"
        try:
            predictions = pd.Series(np.asarray(model.predict(frame)).ravel())
        except Exception:  # a model that cannot predict its own reference: no profile
            predictions = None
        if predictions is not None:
            if is_classifier:
                predictions = predictions.astype(str)
            profile["prediction"] = feature_profile(PREDICTION, predictions)
        if proba is not None:
            try:
                confidence = np.asarray(proba(frame)).max(axis=1)
                profile["confidence"] = fixed_profile(CONFIDENCE, confidence, CONFIDENCE_EDGES)
            except Exception:
                pass
    return profile


def fixed_profile(name: str, values: np.ndarray, edges: Sequence[float]) -> dict[str, Any]:
    """A numeric profile on fixed edges (confidence, latency)."""
    finite = values[np.isfinite(values)]
    counts = np.bincount(np.searchsorted(edges, finite, side="right"),
                         minlength=len(edges) + 1)
    return {"name": name, "kind": "numeric", "edges": list(edges),
            "points": bin_points(edges), "counts": [int(c) for c in counts],
            "mean": float(finite.mean()) if len(finite) else 0.0,
            "std": float(finite.std()) if len(finite) else 0.0,
            "nulls": int(len(values) - len(finite))}


def bin_points(edges: Sequence[float]) -> list[float]:
    """A representative value per bin of fixed edges (midpoints; ends mirrored)."""
    e = list(edges)
    if not e:
        return [0.0]
    inner = [(a + b) / 2 for a, b in zip(e[:-1], e[1:], strict=True)]
    first = e[0] - (inner[0] - e[0] if inner else 0.5)
    last = e[-1] + (e[-1] - inner[-1] if inner else 0.5)
    return [first, *inner, last]


def assign_bins(feature: Mapping[str, Any], values: Sequence[Any]) -> np.ndarray:
    """Bin indices of ``values`` in ``feature``'s bins (``NULL_BIN`` for missing values)."""
    if feature["kind"] == "numeric":
        arr = _as_float(values)
        bins = np.searchsorted(feature["edges"], arr, side="right")
        bins[~np.isfinite(arr)] = NULL_BIN
        return bins
    other = len(feature["categories"])
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":  # text, no nulls
        import pandas as pd

        found = pd.Index(feature["categories"], dtype=object).get_indexer(values.astype(object))
        return np.where(found < 0, other, found).astype(np.int64)
    index = {c: i for i, c in enumerate(feature["categories"])}
    return np.fromiter((NULL_BIN if _is_null(v) else index.get(str(v), other) for v in values),
                       dtype=np.int64, count=len(values))


def _as_float(values: Sequence[Any]) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        out = np.empty(len(values))
        for i, v in enumerate(values):
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                out[i] = np.nan
        return out


def percentile_from_bins(edges: Sequence[float], counts: Sequence[int], q: float) -> float | None:
    """The ``q`` quantile (0..1) of a histogram: the upper edge of the bin that holds it."""
    total = sum(counts)
    if total == 0:
        return None
    target = q * total
    running = 0
    for i, c in enumerate(counts):
        running += c
        if running >= target and c:
            return float(edges[i]) if i < len(edges) else float(edges[-1])
    return float(edges[-1])


def reference_from_datasets(datasets: Sequence[Mapping[str, Any]], model: Any
                            ) -> tuple[Any, str]:
    """The model's training frame, read from its iteration's local ``train`` dataset.

    Only columns the model was fitted on (``feature_names_in_``) are kept, so the
    target column never becomes a "feature". Returns (None, reason) when unknown.
    """
    import os

    import pandas as pd

    names = getattr(model, "feature_names_in_", None)
    if names is None:
        return None, "the model does not record its feature names"
    for d in datasets:
        uri = d.get("uri") or ""
        if d.get("role") != "train" or not os.path.isfile(uri):
            continue
        lower = uri.lower()
        if lower.endswith((".csv", ".tsv")):
            frame = pd.read_csv(uri, sep="\t" if lower.endswith(".tsv") else ",")
        elif lower.endswith(".parquet"):
            frame = pd.read_parquet(uri)
        else:
            continue
        missing = [c for c in names if c not in frame.columns]
        if missing:
            continue
        return frame[list(names)], f"train dataset {uri}"
    return None, "no local train dataset with the model's features"
