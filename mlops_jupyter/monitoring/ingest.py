"""Turning logged predictions into rows and bin counts, a batch at a time.

A batch is columnar (a frame of inputs plus arrays of outputs, confidences...),
so putting a hundred thousand predictions into their bins is a few vectorized
``searchsorted`` calls per feature rather than a Python loop per value.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .profile import (
    CONFIDENCE,
    CONFIDENCE_EDGES,
    LATENCY,
    LATENCY_EDGES,
    NULL_BIN,
    PREDICTION,
    STATUS,
    assign_bins,
)


@dataclass
class PredictionBatch:
    """Predictions of one model version, in columns."""

    version_id: int
    inputs: Any  # pandas DataFrame, one row per prediction
    outputs: list[Any]
    at: np.ndarray
    request_ids: list[str]
    confidences: list[float | None] = field(default_factory=list)
    latencies_ms: list[float | None] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    errors: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.request_ids)


def new_request_ids(n: int) -> list[str]:
    """``n`` unique request ids: one random prefix per batch, a counter after it."""
    prefix = uuid.uuid4().hex[:20]
    return [f"{prefix}-{i:08x}" for i in range(n)]


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    elif hasattr(value, "tolist"):
        value = value.tolist()
    return json.dumps(value, default=str, allow_nan=False) if _finite(value) else json.dumps(
        str(value))


def input_json_lines(frame: Any) -> list[str]:
    """One JSON object per row of ``frame``, written by pandas in C.

    pandas' own ``lines=True`` splits the records in Python (slow); records of
    numbers and text can be split on ``},{"`` instead, since a quote inside a JSON
    string is always escaped. Frames holding nested values keep the slow way.
    """
    n = len(frame)
    if len(frame.columns) == 0:  # pandas writes nothing per row for no columns
        return ["{}"] * n
    plain = all(frame[c].dtype.kind in "iufb" or (
        frame[c].dtype.kind == "O" and all(isinstance(v, str) or v is None
                                           for v in frame[c].head(1000)))
        for c in frame.columns)
    if not plain:
        return frame.to_json(orient="records", lines=True, date_format="iso",
                             default_handler=str).splitlines()
    text = frame.to_json(orient="records", date_format="iso", default_handler=str)
    parts = text[2:-2].split('},{"')
    if len(parts) != n:  # a text value fooled the split: take the safe way
        return frame.to_json(orient="records", lines=True, date_format="iso",
                             default_handler=str).splitlines()
    return ["{" + parts[0] + "}"] + ['{"' + p + "}" for p in parts[1:]]


def json_column(values: Sequence[Any]) -> list[str | None]:
    """JSON text of each output; numbers and labels of a NumPy array in one pass."""
    arr = np.asarray(values) if not isinstance(values, np.ndarray) else values
    if arr.ndim == 1 and arr.dtype.kind in "iu":
        return [str(v) for v in arr.tolist()]
    if arr.ndim == 1 and arr.dtype.kind == "b":
        return ["true" if v else "false" for v in arr.tolist()]
    if arr.ndim == 1 and arr.dtype.kind == "f":
        return [repr(v) if math.isfinite(v) else None for v in arr.tolist()]
    return [_json(v) for v in values]


def _finite(value: Any) -> bool:
    return not (isinstance(value, float) and not math.isfinite(value))


def _optional_float(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def rows_and_bins(batch: PredictionBatch, profile: Mapping[str, Any] | None
                  ) -> tuple[list[tuple], Counter]:
    """The prediction rows of a batch and the bin counts they add."""
    n = len(batch)
    frame = batch.inputs
    lines = input_json_lines(frame) if n else []
    minutes = (batch.at // 60).astype(np.int64)
    outputs = json_column(batch.outputs) if n else []
    confidences = [_optional_float(c) for c in (batch.confidences or [None] * n)]
    latencies = [_optional_float(t) for t in (batch.latencies_ms or [None] * n)]
    statuses = batch.statuses or ["ok"] * n
    errors = batch.errors or [None] * n
    rows = [(batch.version_id, batch.request_ids[i], float(batch.at[i]),
             lines[i], outputs[i],
             confidences[i], latencies[i], statuses[i], errors[i]) for i in range(n)]
    counts: Counter = Counter()
    ok = np.array([s == "ok" for s in statuses], dtype=bool)

    def add(name: str, bins: np.ndarray, mask: np.ndarray | None = None) -> None:
        keep = bins != NULL_BIN
        if mask is not None:
            keep &= mask
        if not keep.any():
            return
        # One int64 key per (minute, bin): a 1-D unique is ~10x faster than axis=1.
        kept_bins = bins[keep].astype(np.int64)
        span = int(kept_bins.max()) + 1
        keys, freq = np.unique(minutes[keep] * span + kept_bins, return_counts=True)
        for key, c in zip(keys.tolist(), freq.tolist(), strict=True):
            counts[(batch.version_id, key // span, name, key % span)] += c

    add(STATUS, np.where(ok, 0, 1))
    latency_arr = np.array([np.nan if t is None else t for t in latencies], dtype=float)
    latency_bins = np.searchsorted(LATENCY_EDGES, latency_arr, side="right")
    latency_bins[~np.isfinite(latency_arr)] = NULL_BIN
    add(LATENCY, latency_bins)
    if profile:
        for feature in profile.get("features", []):
            name = feature["name"]
            if name in frame.columns:
                add(name, assign_bins(feature, frame[name].tolist()), ok)
        prediction = profile.get("prediction")
        if prediction:
            outs = batch.outputs
            arr = np.asarray(outs) if not isinstance(outs, np.ndarray) else outs
            if arr.ndim == 1 and arr.dtype.kind in "iufb":  # a plain vector: no Python loop
                outs = arr.astype(str).tolist() if prediction["kind"] == "categorical" else arr
            elif prediction["kind"] == "categorical":
                outs = [None if o is None else str(_scalar(o)) for o in outs]
            else:
                outs = [_scalar(o) for o in outs]
            add(PREDICTION, assign_bins(prediction, outs), ok)
    conf_arr = np.array([np.nan if c is None else c for c in confidences], dtype=float)
    conf_bins = np.searchsorted(CONFIDENCE_EDGES, conf_arr, side="right")
    conf_bins[~np.isfinite(conf_arr)] = NULL_BIN
    add(CONFIDENCE, conf_bins, ok)
    return rows, counts


def _scalar(value: Any) -> Any:
    if hasattr(value, "item") and getattr(value, "shape", None) in ((), (1,)):
        return value.item() if value.shape == () else value[0].item()
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value
