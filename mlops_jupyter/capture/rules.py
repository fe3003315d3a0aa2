"""The capture rules: from a cell's analysis and its namespace to what is recorded.

* params: names the cell binds only to literals (numbers, text, bools, None, tuples
  or lists of them), plus the hyper-parameters of the estimators the cell
  constructs or fits, as ``<variable>.<param>``;
* metrics: names the cell binds to a computed real number (not a bool); a computed
  list/1-D array of numbers named in ``metrics=`` becomes a step series;
* model name: the class of ``model=``'s estimator, or of the single estimator the
  cell fits (pipeline steps spelled out);
* datasets: ``datasets=`` plus literal paths given to ``pandas.read_*``.

Names starting with ``_`` are private and never captured. ``params=``/``metrics=``
replace the automatic choice by name; ``auto=False`` turns automatic capture off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .analysis import CellAnalysis
from .values import (
    estimator_params,
    is_estimator,
    is_pandas_module,
    is_pandas_reader,
    model_name,
    number_series,
    param_literal,
    real_number,
)


@dataclass
class Capture:
    """What a cell contributes to its iteration; ``notes`` say what was skipped and why."""

    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    series: dict[str, list[float]] = field(default_factory=dict)
    model_name: str | None = None
    datasets: list[tuple[str, str]] = field(default_factory=list)  # (role, uri)
    notes: list[str] = field(default_factory=list)


_MISSING = object()


def guess_role(path: str) -> str:
    """A dataset role from its file name: train / test / validation, else other."""
    name = os.path.basename(path).lower()
    if "train" in name:
        return "train"
    if "test" in name:
        return "test"
    if "valid" in name or name.startswith("val"):
        return "validation"
    return "other"


def capture(analysis: CellAnalysis, namespace: Mapping[str, Any], *, auto: bool = True,
            params: Sequence[str] | None = None, metrics: Sequence[str] | None = None,
            model: str | None = None,
            datasets: Sequence[tuple[str, str]] = ()) -> Capture:
    """Apply the capture rules to a cell that has run in ``namespace``."""
    out = Capture()
    _params(out, analysis, namespace, auto, params)
    _metrics(out, analysis, namespace, auto, metrics)
    _model(out, analysis, namespace, auto, model)
    out.datasets = list(datasets)
    if auto:
        _datasets_read(out, analysis, namespace)
    return out


def _public(name: str) -> bool:
    return not name.startswith("_")


def _params(out: Capture, analysis: CellAnalysis, ns: Mapping[str, Any], auto: bool,
            names: Sequence[str] | None) -> None:
    if names is not None:
        for name in names:
            value = ns.get(name, _MISSING)
            if value is _MISSING:
                out.notes.append(missing_note("param", name))
            else:
                out.params[name] = value if param_literal(value) else _as_param(value)
    elif auto:
        for name in analysis.literals:
            value = ns.get(name, _MISSING)
            if _public(name) and value is not _MISSING and param_literal(value):
                out.params[name] = value
    if auto:
        seen: set[int] = set()
        for name in [*analysis.computed, *analysis.fitted]:
            value = ns.get(name)
            if _public(name) and id(value) not in seen and is_estimator(value):
                seen.add(id(value))
                out.params.update(estimator_params(value, f"{name}."))


def _as_param(value: Any) -> Any:
    number = real_number(value)
    if number is not None:
        return number
    if is_estimator(value):
        return model_name(value)
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _metrics(out: Capture, analysis: CellAnalysis, ns: Mapping[str, Any], auto: bool,
             names: Sequence[str] | None) -> None:
    if names is not None:
        for name in names:
            value = ns.get(name, _MISSING)
            if value is _MISSING:
                out.notes.append(missing_note("metric", name))
                continue
            number = real_number(value)
            if number is not None:
                out.metrics[name] = number
                continue
            series = number_series(value)
            if series is not None:
                out.series[name] = series
            else:
                out.notes.append(f"metric {name!r} is a {type(value).__name__}, not a number "
                                 "or a list of numbers")
    elif auto:
        for name in analysis.computed:
            if not _public(name) or name in out.params:
                continue
            number = real_number(ns.get(name))
            if number is not None:
                out.metrics[name] = number


def missing_note(kind: str, name: str | None) -> str:
    """The note of a variable named by ``--params``/``--metrics``/``--model`` (``kind``)
    that the cell did not define."""
    return f"{kind} {name!r} is not defined"


def _model(out: Capture, analysis: CellAnalysis, ns: Mapping[str, Any], auto: bool,
           model: str | None) -> None:
    if model is not None:
        value = ns.get(model, _MISSING)
        if value is _MISSING:
            out.notes.append(missing_note("model", model))
        else:
            out.model_name = model_name(value)
        return
    if not auto:
        return
    fitted = {id(v): v for v in (ns.get(n) for n in analysis.fitted) if is_estimator(v)}
    if len(fitted) == 1:
        out.model_name = model_name(next(iter(fitted.values())))
    elif len(fitted) > 1:
        out.notes.append("the cell fits several estimators: name one with --model")


def _datasets_read(out: Capture, analysis: CellAnalysis, ns: Mapping[str, Any]) -> None:
    known = {os.path.normpath(uri) for _, uri in out.datasets}
    for func, owner, path in analysis.reads:
        if owner is not None:
            ok = is_pandas_module(ns.get(owner))
        else:
            ok = is_pandas_reader(ns.get(func))
        norm = os.path.normpath(path)
        if ok and norm not in known:
            known.add(norm)
            out.datasets.append((guess_role(path), path))
