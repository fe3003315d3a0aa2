"""The capture rules: from a cell's analysis and its namespace to what is recorded.

* params: names the cell binds only to literals (numbers, text, bools, None, tuples
  or lists of them), plus the hyper-parameters of the estimators the cell
  constructs or fits that differ from the estimator's defaults, as
  ``<variable>.<param>``;
* metrics: names the cell binds to a computed real number (not a bool); a computed
  list/1-D array of numbers named in ``metrics=`` becomes a step series;
* model name: the class of ``model=``'s estimator, or of the single estimator the
  cell fits (pipeline steps spelled out);
* datasets: ``datasets=`` plus literal paths given to ``pandas.read_*``.

Only what this execution did counts when ``executed=`` is given (the magic always
gives it). Names starting with ``_`` are private and never captured.
``params=``/``metrics=`` add names to the automatic choice, ``only=True`` restricts
params and metrics to them; ``auto=False`` turns automatic capture off.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
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
            model: str | None = None, datasets: Sequence[tuple[str, str]] = (),
            executed: Collection[Any] | None = None, only: bool = False,
            all_params: bool = False) -> Capture:
    """Apply the capture rules to a cell that has run in ``namespace``.

    ``executed``: the keys the execution recorded (:mod:`.bindings`); when given,
    only names this execution bound, fitted or read count, automatic or named in
    ``params``/``metrics`` (a named one it did not bind gets a note and is not
    recorded). ``params``/``metrics`` add to the automatic choice; ``only=True``
    restricts params and metrics to them. ``all_params=True`` records every
    estimator hyper-parameter, not only those that differ from the defaults.
    """
    if executed is not None:
        analysis = analysis.executed(executed)
    out = Capture()
    named_params, named_metrics = list(params or ()), list(metrics or ())
    for name in named_params:
        value = _named(out, "param", name, namespace, executed)
        if value is not _MISSING:
            out.params[name] = value if param_literal(value) else _as_param(value)
    for name in named_metrics:
        value = _named(out, "metric", name, namespace, executed)
        if value is not _MISSING:
            _named_metric(out, name, value)
    if auto and not only:
        named = {*named_params, *named_metrics}
        _auto_params(out, analysis, namespace, named, all_params)
        _auto_metrics(out, analysis, namespace, named)
    _model(out, analysis, namespace, auto, model)
    out.datasets = list(datasets)
    if auto:
        _datasets_read(out, analysis, namespace)
    return out


def _public(name: str) -> bool:
    return not name.startswith("_")


def _named(out: Capture, kind: str, name: str, ns: Mapping[str, Any],
           executed: Collection[Any] | None) -> Any:
    """The value of a name given by ``--params``/``--metrics``, or ``_MISSING`` (noted)."""
    if executed is not None and name not in executed:
        out.notes.append(not_bound_note(kind, name))
        return _MISSING
    value = ns.get(name, _MISSING)
    if value is _MISSING:
        out.notes.append(missing_note(kind, name))
    return value


def _auto_params(out: Capture, analysis: CellAnalysis, ns: Mapping[str, Any],
                 named: set[str], all_params: bool) -> None:
    for name in analysis.literals:
        value = ns.get(name, _MISSING)
        if (_public(name) and name not in named and value is not _MISSING
                and param_literal(value)):
            out.params[name] = value
    seen: set[int] = set()
    for name in [*analysis.computed, *analysis.fitted]:
        value = ns.get(name)
        if _public(name) and id(value) not in seen and is_estimator(value):
            seen.add(id(value))
            out.params.update(estimator_params(value, f"{name}.", changed_only=not all_params))


def _as_param(value: Any) -> Any:
    number = real_number(value)
    if number is not None:
        return number
    if is_estimator(value):
        return model_name(value)
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _named_metric(out: Capture, name: str, value: Any) -> None:
    number = real_number(value)
    if number is not None:
        out.metrics[name] = number
        return
    series = number_series(value)
    if series is not None:
        out.series[name] = series
    else:
        out.notes.append(f"metric {name!r} is a {type(value).__name__}, not a number "
                         "or a list of numbers")


def _auto_metrics(out: Capture, analysis: CellAnalysis, ns: Mapping[str, Any],
                  named: set[str]) -> None:
    for name in analysis.computed:
        if not _public(name) or name in out.params or name in named:
            continue
        number = real_number(ns.get(name))
        if number is not None:
            out.metrics[name] = number


def missing_note(kind: str, name: str | None) -> str:
    """The note of a variable named by ``--params``/``--metrics``/``--model`` (``kind``)
    that the cell did not define."""
    return f"{kind} {name!r} is not defined"


def not_bound_note(kind: str, name: str) -> str:
    """The note of a name given by ``--params``/``--metrics`` that this execution of the
    cell did not bind (it may hold an earlier cell's value: that is not recorded)."""
    return f"{kind} {name!r} was not set by this run of the cell: not recorded"


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
