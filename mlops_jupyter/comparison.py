"""Comparing iterations: which params differ, which value of each metric is best.

Pure logic over a :class:`~mlops_jupyter.store.base.SearchResult` (one query per
table, whatever the number of iterations); the ``%mlops compare`` widget and any
other surface only format it.

A metric is *minimized* when its name says it measures a loss, an error or a
cost (``loss``, ``error``/``err``, ``mse``, ``mae``, ``rmse``, ``mape``,
``time``, ``latency``, ``duration``), and *maximized* otherwise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

_MINIMIZE = re.compile(r"(loss|err|mse|mae|mape|rmse|time|latency|duration|cost|perplexity)",
                       re.IGNORECASE)


def direction(metric: str) -> str:
    """``"min"`` for loss-like metric names, ``"max"`` otherwise."""
    return "min" if _MINIMIZE.search(metric) else "max"


@dataclass(frozen=True)
class Row:
    id: int
    number: int
    name: str
    status: str
    model_name: str | None
    params: dict[str, Any]
    metrics: dict[str, float]

    @property
    def label(self) -> str:
        return f"#{self.number} {self.name}"


@dataclass
class Comparison:
    """Iterations (newest first) with the param and metric keys they use."""

    rows: list[Row]
    param_keys: list[str]
    metric_keys: list[str]
    total: int = 0
    by_id: dict[int, Row] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.rows}

    def select(self, ids: Iterable[int]) -> list[Row]:
        return [self.by_id[i] for i in ids if i in self.by_id]

    def differing_params(self, ids: Iterable[int]) -> list[str]:
        """Param keys whose value is not the same in every given iteration."""
        rows = self.select(ids)
        out = []
        for key in self.param_keys:
            values = {repr(r.params.get(key)) for r in rows}
            if len(values) > 1:
                out.append(key)
        return out

    def best(self, ids: Iterable[int], metrics: Sequence[str] | None = None
             ) -> dict[str, list[int]]:
        """Per metric, the iterations holding its best finite value (ties share it)."""
        rows = self.select(ids)
        out: dict[str, list[int]] = {}
        for key in metrics or self.metric_keys:
            values = [(r.metrics[key], r.id) for r in rows
                      if key in r.metrics and math.isfinite(r.metrics[key])]
            if not values:
                continue
            pick = min if direction(key) == "min" else max
            target = pick(v for v, _ in values)
            out[key] = [i for v, i in values if v == target]
        return out

    def ranked(self, metric: str, limit: int | None = None) -> list[int]:
        """Iteration ids, best value of ``metric`` first (missing values last)."""
        sign = 1.0 if direction(metric) == "min" else -1.0

        def key(r: Row) -> tuple[int, float]:
            v = r.metrics.get(metric)
            if v is None or not math.isfinite(v):
                return (1, 0.0)
            return (0, sign * v)

        ids = [r.id for r in sorted(self.rows, key=key)]
        return ids if limit is None else ids[:limit]


def build(result: Any, metrics: Sequence[str] | None = None) -> Comparison:
    """A :class:`Comparison` of a search result (``metrics``: keep only these keys)."""
    rows = []
    param_keys: dict[str, None] = {}
    metric_keys: dict[str, None] = {}
    for it in result.iterations:
        params = result.params.get(it.id, {})
        values = result.metrics.get(it.id, {})
        if metrics:
            values = {k: v for k, v in values.items() if k in metrics}
        param_keys.update(dict.fromkeys(params))
        metric_keys.update(dict.fromkeys(values))
        rows.append(Row(it.id, it.number, it.name, it.status, it.model_name, params, values))
    keys = list(metrics) if metrics else sorted(metric_keys)
    return Comparison(rows, sorted(param_keys), keys, getattr(result, "total", len(rows)))
