"""The module-level API (``mj.init``, ``mj.start_iteration``, ``mj.log_metric`` ...).

It keeps one default :class:`Client` and the current project, experiment and
active iteration of the process. ``%%track`` uses the same state, so ``mj.log_*``
calls inside a tracked cell land in the cell's iteration.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..entities import Dataset, Experiment, Source
from ..errors import InvalidInput
from .client import ActiveIteration, Client

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_PROJECT = "default"
DEFAULT_EXPERIMENT = "default"
ALL = "*"  # pass as project/experiment to runs() to search everything


class _State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.client: Client | None = None
        self.tracking_uri: str | None = None
        self.project: str | None = None
        self.experiment: str | None = None
        self.active: list[ActiveIteration] = []


_state = _State()


def get_client() -> Client:
    """The process's default client (created on first use from the configuration)."""
    with _state.lock:
        if _state.client is None:
            _state.client = Client(_state.tracking_uri)
        return _state.client


def init(project: str | None = None, experiment: str | None = None, *,
         tracking_uri: str | None = None) -> Experiment:
    """Choose where the next iterations go (creating the project/experiment if needed).

    ``tracking_uri`` overrides ``MLOPS_JUPYTER_TRACKING_URI`` and the config file.
    """
    with _state.lock:
        if tracking_uri is not None and tracking_uri != _state.tracking_uri:
            if _state.client is not None:
                _state.client.close()
                _state.client = None
            _state.tracking_uri = tracking_uri
        client = get_client()
        if project is not None:
            _state.project = project
        if experiment is not None:
            _state.experiment = experiment
        return client.experiment(_state.project or DEFAULT_PROJECT,
                                 _state.experiment or DEFAULT_EXPERIMENT)


def use(project: str | None = None, experiment: str | None = None) -> None:
    """Choose the current project and/or experiment without touching the store.

    They are created when the first iteration starts in them.
    """
    with _state.lock:
        if project is not None:
            _state.project = project
        if experiment is not None:
            _state.experiment = experiment


def set_tracking_uri(uri: str | None) -> None:
    """Use ``uri`` from the next call on (None: back to env/config/default).

    The current store is flushed and closed; the new one opens on first use.
    """
    with _state.lock:
        client, _state.client = _state.client, None
        _state.tracking_uri = uri or None
    if client is not None:
        client.close()


def get_tracking_uri() -> str | None:
    """The tracking URI set in this process, if any (None: env/config/default decides)."""
    return _state.tracking_uri


def reset() -> None:
    """Forget the default client and current state (flushing first)."""
    with _state.lock:
        for active in list(_state.active):
            active.end("killed", "reset")
        if _state.client is not None:
            _state.client.close()
        _state.__init__()


def current_project() -> str:
    return _state.project or DEFAULT_PROJECT


def current_experiment() -> str:
    return _state.experiment or DEFAULT_EXPERIMENT


class _FluentIteration(ActiveIteration):
    """An active iteration that is also the process's current one until it ends."""

    def end(self, status: str = "finished", error: str | None = None) -> None:
        try:
            super().end(status, error)
        finally:
            with _state.lock:
                if self in _state.active:
                    _state.active.remove(self)


def start_iteration(name: str | None = None, *, project: str | None = None,
                    experiment: str | None = None, tags: Mapping[str, Any] | None = None,
                    source: Source | None = None) -> ActiveIteration:
    """Start an iteration of the current (or given) experiment and make it active.

    Use it as a context manager: the iteration ends as finished, or as failed with
    the traceback stored when the block raises (the exception propagates).
    """
    client = get_client()
    base = client.start_iteration(project or current_project(),
                                  experiment or current_experiment(), name, source=source,
                                  tags=tags)
    active = _FluentIteration.__new__(_FluentIteration)
    active.__dict__.update(base.__dict__)
    with client._lock:
        client._running[active.id] = active
    with _state.lock:
        _state.active.append(active)
    return active


def active_iteration() -> ActiveIteration | None:
    with _state.lock:
        return _state.active[-1] if _state.active else None


def _require_active() -> ActiveIteration:
    active = active_iteration()
    if active is None:
        raise InvalidInput("no active iteration",
                           hint="wrap the code in `with mj.start_iteration('name'):` "
                                "or use %%track on the cell")
    return active


def end_iteration(status: str = "finished") -> None:
    _require_active().end(status)


def log_param(key: str, value: Any) -> None:
    _require_active().log_param(key, value)


def log_params(params: Mapping[str, Any]) -> None:
    _require_active().log_params(params)


def log_metric(key: str, value: Any, step: int | None = None) -> None:
    it = _require_active()
    it.client.log_metric(it.id, key, value, step)


def log_metrics(metrics: Mapping[str, Any], step: int | None = None) -> None:
    _require_active().log_metrics(metrics, step)


def log_dataset(uri: Any, role: str = "train", name: str | None = None) -> Dataset:
    return _require_active().log_dataset(uri, role, name)


def set_tag(key: str, value: Any) -> None:
    _require_active().set_tag(key, value)


def set_tags(tags: Mapping[str, Any]) -> None:
    _require_active().set_tags(tags)


def flush() -> int:
    """Write every accepted metric point now."""
    with _state.lock:
        client = _state.client
    return client.flush() if client is not None else 0


def runs(project: str | int | None = None, experiment: str | int | None = None, *,
         status: str | Iterable[str] | None = None, filters: Any = (),
         sort: str | Iterable[str] | None = None, limit: int | None = None,
         name_contains: str | None = None, include_deleted: bool = False) -> pd.DataFrame:
    """Iterations as a DataFrame, by default those of the current experiment.

    Pass ``experiment="*"`` for every experiment of the project, and ``project="*"``
    for everything.
    """
    client = get_client()
    client.flush()
    if project is None:
        project = _state.project if _state.project is not None else ALL
        if experiment is None and _state.experiment is not None and project != ALL:
            experiment = _state.experiment
    project = None if project == ALL else project
    experiment = None if experiment == ALL else experiment
    return client.runs(project, experiment, status=status, filters=filters, sort=sort,
                       limit=limit, name_contains=name_contains,
                       include_deleted=include_deleted)


def metric_history(key: str, iteration: int | None = None,
                   max_points: int | None = None) -> pd.DataFrame:
    """Points of metric ``key`` of ``iteration`` (default: the active or last one)."""
    if iteration is None:
        active = active_iteration()
        if active is None:
            raise InvalidInput("which iteration?", hint="pass iteration=<id>")
        iteration = active.id
    return get_client().metric_history(iteration, key, max_points)


# -- model registry -------------------------------------------------------------------
def log_model(model: Any, name: str, *, format: str = "joblib",
              description: str | None = None, reference: Any = None):
    """Register ``model`` as the next version of ``name``, linked to the active iteration."""
    active = active_iteration()
    if active is None:
        raise InvalidInput("log_model needs an active iteration (its lineage)",
                           hint="call it inside `with mj.start_iteration(...)` or %%track, "
                                "or use mj.register_model(path, name) for a file")
    return active.log_model(model, name, format=format, description=description,
                            reference=reference)


def register_model(path: Any, name: str, *, description: str | None = None):
    """Register a model file (.pkl, .joblib, .skops): stored and hashed, never unpickled."""
    return get_client().register_model(path, name, description=description)


def promote(name: str, version: int, stage: str = "production", *,
            comment: str | None = None):
    """Move a version to a stage; promoting to production archives the previous one."""
    return get_client().promote(name, version, stage, comment=comment)


def rollback(name: str, *, comment: str | None = None):
    """Put the previous production version of ``name`` back into production."""
    return get_client().rollback(name, comment=comment)


def load_model(name: str, stage: str | None = None, *, version: int | None = None,
               alias: str | None = None, trusted: bool = False) -> Any:
    """Load a registered model (production by default) after verifying its SHA-256."""
    return get_client().load_model(name, stage=stage, version=version, alias=alias,
                                   trusted=trusted)


def models():
    """Registered models."""
    return get_client().models()


def model_versions(name: str):
    return get_client().model_versions(name)


def model_history(name: str):
    """The stage transitions of ``name``'s versions, oldest first."""
    return get_client().model_history(name)


def set_alias(name: str, alias: str, version: int):
    return get_client().set_alias(name, alias, version)


# -- monitoring -----------------------------------------------------------------------
def log_prediction(model: str, inputs: Any, output: Any, **kwargs: Any) -> str:
    """Log one prediction of ``model``'s production version; returns its request id."""
    return get_client().log_prediction(model, inputs, output, **kwargs)


def log_predictions(frame: Any, outputs: Any, *, model: str, **kwargs: Any) -> list[str]:
    """Log a batch of predictions (buffered like metrics); returns their request ids."""
    return get_client().log_predictions(frame, outputs, model=model, **kwargs)


def log_labels(request_ids: Any, labels: Any) -> int:
    """Attach the ground truth that arrived later to logged predictions."""
    return get_client().log_labels(request_ids, labels)


def set_reference(model: str, frame: Any, *, version: int | None = None,
                  model_object: Any = None) -> dict:
    """Use ``frame`` (profiled, not stored) as the drift reference of a model version."""
    return get_client().set_reference(model, frame, version=version, model_object=model_object)


def drift(model: str, **kwargs: Any):
    """Drift per window and feature against the reference (DataFrame)."""
    return get_client().drift(model, **kwargs)


def traffic(model: str, **kwargs: Any):
    """Prediction volume, error rate and latency percentiles per window (DataFrame)."""
    return get_client().traffic(model, **kwargs)


def performance(model: str, **kwargs: Any):
    """Quality metrics per window once labels arrived (DataFrame)."""
    return get_client().performance(model, **kwargs)
