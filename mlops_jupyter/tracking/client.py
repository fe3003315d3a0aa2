"""The explicit tracking API: a :class:`Client` bound to one tracking URI."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import threading
import time
import traceback
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .. import config
from ..alerts.mixin import AlertsClientMixin
from ..entities import (
    Dataset,
    Experiment,
    Iteration,
    Metric,
    Param,
    Project,
    Source,
    duration_between,
    utc_from_timestamp,
)
from ..errors import InvalidInput
from ..fingerprint import fingerprint
from ..monitoring.client import MonitoringClientMixin
from ..query import build_query
from ..registry.client import RegistryClientMixin
from ..store import TrackingStore, open_store
from ..store.base import ExperimentSummary, ProjectSummary, SearchResult
from ..validation import MAX_STEP, check_key, metric_step, metric_value
from .buffer import MetricBuffer
from .frames import history_frame, runs_frame

if TYPE_CHECKING:
    from datetime import datetime

    import pandas as pd

_clients: weakref.WeakSet[Client] = weakref.WeakSet()


class Client(RegistryClientMixin, MonitoringClientMixin, AlertsClientMixin):
    """Track projects, experiments and iterations in one store.

    >>> c = Client("sqlite:///mlops.db")            # doctest: +SKIP
    >>> it = c.start_iteration("wine", "scaling", "MinMaxScaler")
    >>> it.log_metric("accuracy", 0.97); it.end()
    """

    def __init__(self, tracking_uri: str | None = None, *, artifact_root: str | None = None,
                 heartbeat_timeout: float | None = None, token: str | None = None,
                 flush_interval: float = 0.1):
        self.settings = config.resolve(tracking_uri, artifact_root, heartbeat_timeout, token)
        self.store: TrackingStore = open_store(
            self.settings.tracking_uri,
            heartbeat_timeout=self.settings.heartbeat_timeout,
            auto_upgrade=self.settings.is_default_database,
            token=self.settings.token,
        )
        self._running: dict[int, ActiveIteration] = {}
        self._experiments: dict[tuple[str, str], Experiment] = {}
        self._steps: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()
        self.buffer = MetricBuffer(
            self.store, interval=flush_interval,
            heartbeat_interval=min(30.0, self.settings.heartbeat_timeout / 4),
            active_ids=lambda: list(self._running))
        _clients.add(self)

    def __repr__(self) -> str:
        return f"Client({self.store!r})"

    @property
    def tracking_uri(self) -> str:
        return self.settings.tracking_uri

    # -- projects and experiments -------------------------------------------------
    def create_project(self, name: str, description: str | None = None) -> Project:
        return self.store.create_project(name, description)

    def get_project(self, name: str | int) -> Project:
        return self.store.get_project(name)

    def projects(self) -> list[ProjectSummary]:
        return self.store.list_projects()

    def create_experiment(self, project: str | int, name: str,
                          description: str | None = None) -> Experiment:
        return self.store.create_experiment(self.store.get_or_create_project(project).id
                                            if isinstance(project, str) else project,
                                            name, description)

    def get_experiment(self, project: str | int, name: str | int) -> Experiment:
        return self.store.get_experiment(name, project)

    def experiments(self, project: str | int | None = None) -> list[ExperimentSummary]:
        return self.store.list_experiments(project)

    def experiment(self, project: str, name: str) -> Experiment:
        """Get or create ``project``/``name`` (cached: experiments are never renamed)."""
        cached = self._experiments.get((project, name))
        if cached is None:
            p = self.store.get_or_create_project(project)
            cached = self._experiments[(project, name)] = self.store.get_or_create_experiment(
                p.id, name)
        return cached

    # -- iterations -----------------------------------------------------------------
    def start_iteration(self, project: str, experiment: str, name: str | None = None, *,
                        source: Source | None = None, tags: Mapping[str, Any] | None = None,
                        capture_environment: bool = True) -> ActiveIteration:
        """Create a running iteration; end it with ``.end()`` or use it as a context manager."""
        from ..environment import environment, git_state

        exp = self.experiment(project, experiment)
        env = environment() if capture_environment else None
        git = git_state() if capture_environment else None
        it = self.store.create_iteration(exp.id, name, source=source, environment=env, git=git,
                                         tags=tags)
        active = ActiveIteration(self, it)
        with self._lock:
            self._running[it.id] = active
        return active

    def end_iteration(self, iteration_id: int, status: str = "finished",
                      error: str | None = None) -> float | None:
        """Flush the iteration's metrics, then record its end; returns the stored end
        time (epoch seconds) when the store tells it."""
        self.flush()
        with self._lock:
            self._running.pop(iteration_id, None)
            for key in [k for k in self._steps if k[0] == iteration_id]:
                del self._steps[key]
        ended = self.store.end_iteration(iteration_id, status, error)
        self._alert_on_iteration(iteration_id)
        return ended

    def _alert_on_iteration(self, iteration_id: int) -> None:
        from ..alerts.firing import on_iteration_end

        if not hasattr(self.store, "list_alert_rules"):
            return  # a remote store: the server evaluates when the iteration ends
        try:
            if on_iteration_end(self, iteration_id):
                self.alert_deliverer().kick()
        except Exception as e:  # alerting must never fail the user's iteration
            import logging

            logging.getLogger("mlops_jupyter").warning("alert rules not evaluated: %s", e)

    def get_iteration(self, iteration_id: int) -> Iteration:
        return self.store.get_iteration(iteration_id)

    def rename_iteration(self, iteration_id: int, name: str) -> Iteration:
        return self.store.update_iteration(iteration_id, name=name)

    def delete_iteration(self, iteration_id: int) -> None:
        self.store.delete_iteration(iteration_id)

    def restore_iteration(self, iteration_id: int) -> Iteration:
        return self.store.restore_iteration(iteration_id)

    # -- logging --------------------------------------------------------------------
    def log_param(self, iteration_id: int, key: str, value: Any) -> None:
        self.store.log_params(iteration_id, {key: value})

    def log_params(self, iteration_id: int, params: Mapping[str, Any]) -> None:
        if not isinstance(params, Mapping):
            raise InvalidInput("log_params takes a mapping of names to values",
                               hint="e.g. log_params({'C': 1.0})", field="params")
        self.store.log_params(iteration_id, params)

    def log_metric(self, iteration_id: int, key: str, value: Any, step: int | None = None,
                   timestamp: float | None = None) -> None:
        """Accept one point; it is written by the next flush (~0.1 s)."""
        # The hot path: a float value, a short str key and an int step in range skip the
        # validators, which give the same answer for them.
        v = value if value.__class__ is float else metric_value(key, value)
        if key.__class__ is not str or not key or len(key) > 250:
            check_key(key, "metric")
        skey = (iteration_id, key)
        if step is None:
            step = self._steps.get(skey, 0)
        elif step.__class__ is not int or not -MAX_STEP <= step <= MAX_STEP:
            step = metric_step(key, step)
        self._steps[skey] = step + 1
        self.buffer.add((iteration_id, key, v, step, timestamp or time.time()))

    def log_metrics(self, iteration_id: int, metrics: Mapping[str, Any],
                    step: int | None = None, timestamp: float | None = None) -> None:
        """Accept several metrics at one step (each key's next step when ``step`` is None)."""
        if not isinstance(metrics, Mapping):
            raise InvalidInput("log_metrics takes a mapping of names to numbers",
                               hint="e.g. log_metrics({'loss': 0.3, 'acc': 0.9})",
                               field="metrics")
        ts = timestamp or time.time()
        fixed = None if step is None else metric_step("step", step)
        points = []
        for key, value in metrics.items():
            check_key(key, "metric")
            v = metric_value(key, value)
            skey = (iteration_id, key)
            s = self._steps.get(skey, 0) if fixed is None else fixed
            self._steps[skey] = s + 1
            points.append((iteration_id, key, v, s, ts))
        self.buffer.extend(points)

    def set_tags(self, iteration_id: int, tags: Mapping[str, Any]) -> None:
        self.store.set_tags(iteration_id, tags)

    def set_tag(self, iteration_id: int, key: str, value: Any) -> None:
        self.store.set_tags(iteration_id, {key: value})

    def log_dataset(self, iteration_id: int, uri: Any, role: str = "train",
                    name: str | None = None) -> Dataset:
        """Record a dataset reference (fingerprint only, never the data)."""
        return self.store.log_dataset(iteration_id, fingerprint(uri, name), role)

    def set_model_name(self, iteration_id: int, model_name: str) -> None:
        self.store.update_iteration(iteration_id, model_name=model_name)

    def flush(self) -> int:
        """Write every accepted metric point now; returns how many were written."""
        return self.buffer.flush()

    # -- reading --------------------------------------------------------------------
    def params(self, iteration_id: int) -> list[Param]:
        return self.store.get_params(iteration_id)

    def latest_metrics(self, iteration_id: int) -> list[Metric]:
        return self.store.get_latest_metrics(iteration_id)

    def tags(self, iteration_id: int) -> dict[str, str | None]:
        return self.store.get_tags(iteration_id)

    def datasets(self, iteration_id: int) -> list[Dataset]:
        return self.store.get_datasets(iteration_id)

    def search(self, **kwargs: Any) -> SearchResult:
        """Search iterations; keywords as for :func:`mlops_jupyter.query.build_query`."""
        return self.store.search(build_query(**kwargs))

    def runs(self, project: str | int | None = None, experiment: str | int | None = None, *,
             status: str | Iterable[str] | None = None, filters: Any = (),
             sort: str | Iterable[str] | None = None, limit: int | None = None,
             name_contains: str | None = None, include_deleted: bool = False) -> pd.DataFrame:
        """One row per iteration with ``params.*``, ``metrics.*`` and ``tags.*`` columns.

        ``filters`` are structured: ``[("metrics.accuracy", ">=", 0.9)]`` or text such as
        ``"params.scaler = minmax"`` (parsed, never pasted into SQL).
        """
        result = self.search(project=project, experiment=experiment, status=status,
                             filters=filters, sort=sort, limit=limit,
                             name_contains=name_contains, include_deleted=include_deleted)
        return runs_frame(result)

    def metric_history(self, iteration_id: int, key: str,
                       max_points: int | None = None) -> pd.DataFrame:
        """The points of one metric series (step, value, timestamp) as a DataFrame."""
        self.flush()
        return history_frame(self.store.metric_history(iteration_id, key, max_points))

    def close(self) -> None:
        """Flush and release the store (also done at interpreter exit)."""
        try:
            self.buffer.close()
            if self._predictions is not None:
                self._predictions.close()
        finally:
            self.store.close()


class ActiveIteration:
    """A running iteration: log to it, then end it (or leave a ``with`` block)."""

    def __init__(self, client: Client, iteration: Iteration):
        self.client = client
        self.id = iteration.id
        self.number = iteration.number
        self.name = iteration.name
        self.project = iteration.project_name
        self.experiment = iteration.experiment_name
        self.started_at = iteration.started_at
        self.ended_at: datetime | None = None
        self.status = "running"

    def __repr__(self) -> str:
        return (f"<Iteration #{self.number} {self.name!r} of {self.project}/{self.experiment}"
                f" ({self.status})>")

    def log_param(self, key: str, value: Any) -> None:
        self.client.log_param(self.id, key, value)

    def log_params(self, params: Mapping[str, Any]) -> None:
        self.client.log_params(self.id, params)

    def log_metric(self, key: str, value: Any, step: int | None = None) -> None:
        self.client.log_metric(self.id, key, value, step)

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        self.client.log_metrics(self.id, metrics, step)

    def log_dataset(self, uri: Any, role: str = "train", name: str | None = None) -> Dataset:
        return self.client.log_dataset(self.id, uri, role, name)

    def set_tag(self, key: str, value: Any) -> None:
        self.client.set_tag(self.id, key, value)

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        self.client.set_tags(self.id, tags)

    def set_model_name(self, model_name: str) -> None:
        self.client.set_model_name(self.id, model_name)

    def log_model(self, model: Any, name: str, *, format: str = "joblib",
                  description: str | None = None, reference: Any = None):
        """Register ``model`` as a new version of ``name`` linked to this iteration."""
        return self.client.log_model(self.id, model, name, format=format,
                                     description=description, reference=reference)

    def info(self) -> Iteration:
        """The stored iteration, read now."""
        return self.client.get_iteration(self.id)

    @property
    def duration(self) -> float | None:
        """The stored duration once ended (the number every surface shows), else None."""
        return duration_between(self.started_at, self.ended_at)

    def end(self, status: str = "finished", error: str | None = None) -> None:
        if self.status != "running":
            return
        ended = self.client.end_iteration(self.id, status, error)
        self.ended_at = utc_from_timestamp(ended)
        self.status = status

    def __enter__(self) -> ActiveIteration:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.end("finished")
        elif issubclass(exc_type, KeyboardInterrupt):
            self.end("killed", "KeyboardInterrupt")
        else:
            self.end("failed", "".join(traceback.format_exception(exc_type, exc, tb)))
        return False  # never swallow the user's exception


def cell_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


@atexit.register
def _flush_all_at_exit() -> None:
    for client in list(_clients):
        for active in list(client._running.values()):
            with contextlib.suppress(Exception):  # nothing sensible to do at exit
                active.end("finished")
        try:
            client.buffer.close()
            if client._predictions is not None:
                client._predictions.close()
        except Exception as e:
            import sys

            print(f"mlops-jupyter: {client.buffer.pending} metric points not written at exit: "
                  f"{e}", file=sys.stderr)
