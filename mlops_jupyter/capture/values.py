"""Classifying runtime values: real numbers, number series, estimators.

Duck-typed on purpose: nothing here imports NumPy, pandas or scikit-learn, so a
cell that never touches them pays nothing.
"""

from __future__ import annotations

import numbers
from typing import Any

from .analysis import _is_literal

MAX_SERIES = 100_000  # points: a longer "learning curve" is most likely data


def real_number(value: Any) -> float | None:
    """``value`` as a float when it is a real number (int, float, NumPy scalar), else None.

    Booleans (Python or NumPy) are not numbers here: they are flags, not metrics.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if type(value).__name__.startswith("bool"):  # numpy.bool / bool_
        return None
    if getattr(value, "shape", None) == () and hasattr(value, "item"):  # NumPy scalar/0-d
        try:
            inner = value.item()
        except (TypeError, ValueError):
            return None
        return real_number(inner)
    if isinstance(value, numbers.Real):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return None


def number_series(value: Any) -> list[float] | None:
    """A list/tuple/1-D array (or pandas Series) of real numbers as floats, else None."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        if len(shape) != 1 or not hasattr(value, "tolist"):
            return None
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or len(value) > MAX_SERIES:
        return None
    out = []
    for item in value:
        number = real_number(item)
        if number is None:
            return None
        out.append(number)
    return out


def param_literal(value: Any) -> bool:
    """True when ``value`` can be stored as a param as it is."""
    return _is_literal(value)


def is_estimator(value: Any) -> bool:
    """A scikit-learn-style estimator *instance* (has ``get_params`` and ``fit``)."""
    if isinstance(value, type):
        return False
    return callable(getattr(value, "get_params", None)) and callable(getattr(value, "fit", None))


def _steps(estimator: Any) -> list[tuple[str, Any]] | None:
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and all(isinstance(s, tuple) and len(s) == 2 for s in steps):
        return steps
    return None


def model_name(estimator: Any) -> str:
    """The class name, with pipeline steps and wrapped estimators spelled out.

    ``Pipeline(MinMaxScaler, LogisticRegression)``; ``GridSearchCV(SVC)``.
    """
    cls = type(estimator).__name__
    steps = _steps(estimator)
    if steps is not None:
        inner = ", ".join(model_name(step) if is_estimator(step) else str(step)
                          for _, step in steps)
        return f"{cls}({inner})"
    for attr in ("estimator", "base_estimator"):
        wrapped = getattr(estimator, attr, None)
        if wrapped is not None and is_estimator(wrapped):
            return f"{cls}({model_name(wrapped)})"
    return cls


def _param_value(value: Any) -> Any:
    if _is_literal(value):
        return value
    if is_estimator(value):
        return model_name(value)
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    number = real_number(value)
    if number is not None:
        return value.item() if hasattr(value, "item") else number
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def estimator_params(estimator: Any, prefix: str = "", *,
                     changed_only: bool = False) -> dict[str, Any]:
    """Hyper-parameters from ``get_params(deep=False)``, as storable values.

    A pipeline contributes each step's own parameters as ``<step>__<param>`` (the
    scikit-learn spelling); nested estimators are named by their class.
    ``changed_only``: only those that differ from the defaults of the estimator's
    constructor (the rule of scikit-learn's ``print_changed_only``).
    """
    steps = _steps(estimator)
    out: dict[str, Any] = {}
    if steps is not None:
        for step_name, step in steps:
            if is_estimator(step):
                out.update(estimator_params(step, f"{prefix}{step_name}__",
                                            changed_only=changed_only))
        return out
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # a broken third-party get_params must not break capture
        return out
    defaults = _defaults(estimator) if changed_only else {}
    for key, value in params.items():
        if changed_only and key in defaults and _same(value, defaults[key]):
            continue
        out[f"{prefix}{key}"] = _param_value(value)
    return out


def _defaults(estimator: Any) -> dict[str, Any]:
    """Constructor defaults by parameter name (parameters without one are absent)."""
    import inspect

    init = type(estimator).__init__
    init = getattr(init, "deprecated_original", init)  # scikit-learn's @deprecated
    try:
        parameters = inspect.signature(init).parameters
    except (TypeError, ValueError):
        return {}
    return {name: p.default for name, p in parameters.items()
            if p.default is not inspect.Parameter.empty}


def _same(value: Any, default: Any) -> bool:
    """``value`` is the default: safe for arrays, NaN, estimators, odd ``__eq__``."""
    if value is default:
        return True
    if is_estimator(value) or is_estimator(default):
        # an estimator equals its default only as the same class with the same params
        return (type(value) is type(default) and is_estimator(value)
                and _same_params(value, default))
    if isinstance(value, bool) or isinstance(default, bool):
        return type(value) is type(default) and value == default
    a, b = real_number(value), real_number(default)
    if a is not None and b is not None:
        return a == b or (a != a and b != b)  # 1 == 1.0; nan matches nan
    if _is_literal(value) and _is_literal(default):
        return type(value) is type(default) and value == default
    try:  # last resort, as scikit-learn does: the same text
        return repr(value) == repr(default)
    except Exception:
        return False


def _same_params(a: Any, b: Any) -> bool:
    try:
        pa, pb = a.get_params(deep=False), b.get_params(deep=False)
    except Exception:
        return False
    return pa.keys() == pb.keys() and all(_same(pa[k], pb[k]) for k in pa)


def is_pandas_reader(func: Any) -> bool:
    """True for ``pandas.read_csv`` and friends (looked up in the namespace)."""
    module = getattr(func, "__module__", "") or ""
    return module == "pandas" or module.startswith("pandas.")


def is_pandas_module(value: Any) -> bool:
    return getattr(value, "__name__", None) == "pandas" and hasattr(value, "read_csv")
