"""mlops-jupyter: Jupyter-native MLOps.

``import mlops_jupyter as mj`` is cheap: the store, SQLAlchemy and pandas load on
first use. The module-level API::

    mj.init(project="wine", experiment="scaling methods")
    with mj.start_iteration("MinMaxScaler"):
        mj.log_params({"C": 1.0})
        mj.log_metric("accuracy", 0.97)
    mj.runs()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    MlopsError,
    NotFound,
    SchemaOutdated,
    StorageError,
    Untrusted,
)

_FLUENT = (
    "init", "reset", "start_iteration", "end_iteration", "active_iteration", "log_param",
    "log_params", "log_metric", "log_metrics", "log_dataset", "set_tag", "set_tags", "flush",
    "runs", "metric_history", "get_client", "current_project", "current_experiment", "ALL",
    "use", "set_tracking_uri", "get_tracking_uri", "log_model", "register_model", "promote", "rollback", "load_model", "models",
    "model_versions", "model_history", "set_alias", "log_prediction", "log_predictions",
    "log_labels", "set_reference", "drift", "traffic", "performance",
)
_LAZY = {name: "mlops_jupyter.tracking.fluent" for name in _FLUENT}
_LAZY.update({
    "Client": "mlops_jupyter.tracking.client",
    "ActiveIteration": "mlops_jupyter.tracking.client",
    "Filter": "mlops_jupyter.query",
    "Source": "mlops_jupyter.entities",
})

__all__ = [  # noqa: RUF022 - grouped by kind, not sorted
    "__version__", "AlreadyExists", "Conflict", "InvalidInput", "MlopsError", "NotFound",
    "SchemaOutdated", "StorageError", "Untrusted",
    "ALL", "ActiveIteration", "Client", "Filter", "Source", "active_iteration",
    "current_experiment", "current_project", "end_iteration", "flush", "get_client", "init",
    "log_dataset", "log_metric", "log_metrics", "log_param", "log_params", "metric_history",
    "reset", "runs", "set_tag", "set_tags", "start_iteration",
    "load_model", "log_model", "model_history", "model_versions", "models", "promote",
    "register_model", "rollback", "set_alias", "use", "set_tracking_uri", "get_tracking_uri",
    "drift", "log_labels", "log_prediction", "log_predictions", "performance", "set_reference",
    "traffic",
]

if TYPE_CHECKING:  # pragma: no cover
    from .entities import Source
    from .query import Filter
    from .tracking.client import ActiveIteration, Client
    from .tracking.fluent import (
        ALL,
        active_iteration,
        current_experiment,
        current_project,
        end_iteration,
        flush,
        get_client,
        init,
        log_dataset,
        log_metric,
        log_metrics,
        log_param,
        log_params,
        metric_history,
        reset,
        runs,
        set_tag,
        set_tags,
        start_iteration,
    )


def __getattr__(name: str) -> Any:
    if name in ("widgets", "alerts"):  # subpackages, imported on first use
        return importlib.import_module(f"{__name__}.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mlops_jupyter' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mlops_jupyter``: register the magics."""
    from .magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext mlops_jupyter``: remove the magics."""
    from .magics import unload_ipython_extension as unload

    unload(ipython)


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.app import MlopsExtensionApp

    return [{"module": "mlops_jupyter", "app": MlopsExtensionApp}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "mlops-jupyter"}]
