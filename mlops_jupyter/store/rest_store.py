"""The remote backend of :class:`TrackingStore`: the server extension's REST API.

An ``http(s)://`` tracking URI (the server's root, e.g. ``http://host:8888/`` or
``https://hub.example/user/me/``) makes the library log through
``{uri}mlops/api/`` with the token from ``MLOPS_JUPYTER_TOKEN`` or the config
file. One pooled urllib3 connection pool per store; metric points arrive here
already batched by :class:`~mlops_jupyter.tracking.buffer.MetricBuffer`.

Requests that never reached the server (connection refused or reset before
sending) are retried for every method; reads and idempotent writes are also
retried on timeouts. When the server stays unreachable a :class:`StorageError`
says so; answers with an error body become the matching ``MlopsError``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from .. import wire
from ..entities import Dataset, DatasetRef, Experiment, Iteration, Metric, Param, Project, Source
from ..errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    MlopsError,
    NotFound,
    SchemaOutdated,
    StorageError,
    Untrusted,
    did_you_mean,
)
from ..query import Filter, IterationQuery
from ..validation import check_key, param_value, parse_param
from .base import (
    ExperimentSummary,
    MetricPoint,
    MetricSeries,
    ProjectSummary,
    SearchResult,
    TrackingStore,
)
from .rest_registry import RestRegistryMixin

API_PATH = "mlops/api"
PAGE = 500  # the server's largest page
POINTS_PER_REQUEST = 50_000
RETRY_DELAYS = (0.1, 0.3, 1.0, 2.0)
_IDEMPOTENT = {"GET", "PUT", "DELETE", "PATCH", "HEAD"}


class Forbidden(StorageError):
    """The server refused the token (or the user lacks the permission)."""

    code = "forbidden"
    http_status = 403


_ERRORS: dict[str, type[MlopsError]] = {
    cls.code: cls for cls in (InvalidInput, NotFound, AlreadyExists, Conflict, Untrusted,
                              SchemaOutdated, StorageError, Forbidden)
}


def _json_default(value: Any) -> Any:
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "shape", None) == ():
        return item()
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def _epoch(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text).timestamp()


def _filter_text(f: Filter) -> str:
    op = "~" if f.op == "contains" else f.op
    value = f.value
    if isinstance(value, datetime):
        value = value.timestamp()
    if isinstance(value, str):
        text = f'"{value}"'
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = repr(value)
    return f"{f.field}{op}{text}"


class NotThroughTheServer(InvalidInput, AttributeError):
    """A store operation the remote backend does not offer (also an AttributeError, so
    ``hasattr(store, ...)`` stays False)."""


class RestStore(RestRegistryMixin, TrackingStore):
    """Tracking data behind a running mlops-jupyter server extension."""

    def __getattr__(self, name: str) -> Any:
        # Only called for names the class lacks: registering and loading models,
        # monitoring's SQL side and alert rules, which a remote kernel reaches through
        # the REST routes.
        if name.startswith("_"):
            raise AttributeError(name)
        raise NotThroughTheServer(
            f"{name} is not available with a server tracking URI",
            hint="use the REST routes under mlops/api/ (docs/rest-api.md), or a database "
                 "tracking URI")

    def __init__(self, uri: str, *, token: str | None = None, timeout: float = 30.0,
                 pool_size: int = 4, retry_delays: Sequence[float] = RETRY_DELAYS):
        import urllib3

        self.uri = uri
        base = uri.rstrip("/")
        if not base.endswith("/" + API_PATH):
            base = f"{base}/{API_PATH}"
        self.base = base
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"token {token}"
        self._urllib3 = urllib3
        self.retry_delays = tuple(retry_delays)
        self._pool = urllib3.PoolManager(
            num_pools=2, maxsize=pool_size, block=False, retries=False,
            timeout=urllib3.Timeout(connect=5.0, read=timeout))

    def __repr__(self) -> str:
        return f"RestStore({self.base!r})"

    def close(self) -> None:
        self._pool.clear()

    # -- transport --------------------------------------------------------------
    def _request(self, method: str, path: str, body: Any = None,
                 params: Sequence[tuple[str, Any]] | None = None,
                 idempotent: bool | None = None, encoded: bytes | None = None,
                 raw: bool = False) -> Any:
        """``encoded``: a JSON body already written (instead of ``body``); ``raw``: return
        a successful answer's bytes as they are (not JSON)."""
        url = f"{self.base}/{path}"
        if params:
            url += "?" + urlencode([(k, v) for k, v in params if v is not None])
        data = encoded if encoded is not None else (
            None if body is None else json.dumps(body, default=_json_default).encode())
        retry_all = method in _IDEMPOTENT if idempotent is None else idempotent
        errors = self._urllib3.exceptions
        last: Exception | None = None
        for delay in (*self.retry_delays, None):
            try:
                response = self._pool.request(method, url, body=data, headers=self._headers,
                                              redirect=False)
                break
            except (errors.NewConnectionError, errors.ConnectTimeoutError) as e:
                last = e  # never reached the server: safe to retry any method
            except (errors.ProtocolError, errors.ReadTimeoutError) as e:
                last = e
                if not retry_all:
                    raise StorageError(f"the tracking server {self.base} failed mid-request: "
                                       f"{e}", hint="the request may or may not have been "
                                       "applied; check the server") from e
            except errors.HTTPError as e:
                last = e
            if delay is None:
                raise StorageError(f"cannot reach the tracking server {self.base}: {last}",
                                   hint="is the Jupyter server running, and the URL right?") \
                    from last
            time.sleep(delay)
        if raw and 200 <= response.status < 300:
            return response.data
        return self._answer(response)

    def _answer(self, response: Any) -> Any:
        status = response.status
        raw = response.data
        if 200 <= status < 300:
            return json.loads(raw) if raw else None
        try:
            err = json.loads(raw)
        except ValueError:
            err = {}
        if not isinstance(err, dict):
            err = {}
        message = err.get("message") or f"HTTP {status}"
        if status == 403:
            raise Forbidden(f"the tracking server refused the request: {message}",
                            hint="set MLOPS_JUPYTER_TOKEN to the server's token")
        if status == 404 and not err.get("reason"):
            raise StorageError(f"{self.base} does not serve the mlops API (HTTP 404)",
                               hint="is the mlops_jupyter server extension enabled?")
        cls = _ERRORS.get(err.get("reason") or "", StorageError if status >= 500 else MlopsError)
        raise cls(message, field=err.get("field"))

    # -- projects and experiments -------------------------------------------------
    def create_project(self, name: str, description: str | None = None) -> Project:
        return self._project(self._request("POST", "projects",
                                           {"name": name, "description": description}))

    @staticmethod
    def _project(d: Mapping[str, Any]) -> Project:
        return Project(d["id"], d["name"], d["description"], wire.parse_time(d["created_at"]))

    def list_projects(self) -> list[ProjectSummary]:
        return [ProjectSummary(self._project(d), d["experiment_count"], d["iteration_count"])
                for d in self._request("GET", "projects")["projects"]]

    def get_project(self, ref: str | int) -> Project:
        if isinstance(ref, int):
            return self._project(self._request("GET", f"projects/{ref}"))
        projects = [s.project for s in self.list_projects()]
        for p in projects:
            if p.name == ref:
                return p
        raise NotFound(f"no project {ref!r}", hint=did_you_mean(ref, [p.name for p in projects]),
                       field="project")

    @staticmethod
    def _experiment(d: Mapping[str, Any]) -> ExperimentSummary:
        e = Experiment(d["id"], d["project_id"], d["project_name"], d["name"], d["description"],
                       wire.parse_time(d["created_at"]))
        return ExperimentSummary(e, d["iteration_count"], _epoch(d.get("last_started_at")))

    def create_experiment(self, project_id: int, name: str,
                          description: str | None = None) -> Experiment:
        return self._experiment(self._request("POST", "experiments", {
            "project_id": project_id, "name": name, "description": description})).experiment

    def list_experiments(self, project: str | int | None = None) -> list[ExperimentSummary]:
        params = None
        if project is not None:
            params = [("project_id", self.get_project(project).id)]
        return [self._experiment(d)
                for d in self._request("GET", "experiments", params=params)["experiments"]]

    def get_experiment(self, ref: str | int, project: str | int | None = None) -> Experiment:
        if isinstance(ref, int):
            return self._experiment(self._request("GET", f"experiments/{ref}")).experiment
        if project is None:
            raise InvalidInput(f"experiment {ref!r} needs a project", field="project")
        exps = [s.experiment for s in self.list_experiments(project)]
        for e in exps:
            if e.name == ref:
                return e
        raise NotFound(f"no experiment {ref!r} in project {project!r}",
                       hint=did_you_mean(ref, [e.name for e in exps]), field="experiment")

    # -- iterations ---------------------------------------------------------------
    @staticmethod
    def _source(source: Source | None) -> dict[str, Any] | None:
        if source is None:
            return None
        return {"code": source.code, "cell_hash": source.cell_hash,
                "execution_count": source.execution_count,
                "notebook_path": source.notebook_path}

    def create_iteration(self, experiment_id: int, name: str | None = None, *,
                         source: Source | None = None,
                         environment: Mapping[str, Any] | None = None,
                         git: Mapping[str, Any] | None = None, model_name: str | None = None,
                         tags: Mapping[str, Any] | None = None) -> Iteration:
        d = self._request("POST", "iterations", {
            "experiment_id": experiment_id, "name": name, "source": self._source(source),
            "environment": dict(environment) if environment is not None else None,
            "git": dict(git) if git is not None else None, "model_name": model_name,
            "tags": dict(tags) if tags else None})
        return wire.to_iteration(d)

    def update_iteration(self, iteration_id: int, **fields: Any) -> Iteration:
        body = dict(fields)
        if "source" in body:
            body["source"] = self._source(body["source"])
        return wire.to_iteration(self._request("PATCH", f"iterations/{iteration_id}", body))

    def end_iteration(self, iteration_id: int, status: str,
                      error: str | None = None) -> float | None:
        reply = self._request("PATCH", f"iterations/{iteration_id}",
                              {"status": status, "error": error})
        ended = wire.parse_time(reply.get("ended_at")) if isinstance(reply, dict) else None
        return None if ended is None else ended.timestamp()

    def heartbeat(self, iteration_ids: Iterable[int]) -> None:
        ids = list(iteration_ids)
        if ids:
            self._request("POST", "heartbeats", {"iteration_ids": ids}, idempotent=True)

    def _detail(self, iteration_id: int) -> dict[str, Any]:
        return self._request("GET", f"iterations/{iteration_id}")

    def get_iteration(self, iteration_id: int) -> Iteration:
        return wire.to_iteration(self._detail(iteration_id))

    def delete_iteration(self, iteration_id: int) -> None:
        self._request("DELETE", f"iterations/{iteration_id}")

    def restore_iteration(self, iteration_id: int) -> Iteration:
        return wire.to_iteration(self._request("POST", f"iterations/{iteration_id}/restore",
                                               idempotent=True))

    # -- logged data --------------------------------------------------------------
    def log_params(self, iteration_id: int, params: Mapping[str, Any]) -> None:
        if params:
            # Validate here (same errors as a local store) and send plain JSON values.
            plain = {k: parse_param(*param_value(check_key(k, "param"), v))
                     for k, v in params.items()}
            self._request("POST", f"iterations/{iteration_id}/params", {"params": plain},
                          idempotent=True)

    def log_metrics(self, points: Sequence[MetricPoint]) -> int:
        accepted = 0
        num = wire.num
        for start in range(0, len(points), POINTS_PER_REQUEST):
            chunk = [[i, k, num(v), s, t] for i, k, v, s, t in
                     points[start:start + POINTS_PER_REQUEST]]
            accepted += self._request("POST", "metrics", {"points": chunk})["accepted"]
        return accepted

    def set_tags(self, iteration_id: int, tags: Mapping[str, Any]) -> None:
        if tags:
            self._request("PATCH", f"iterations/{iteration_id}", {"tags": dict(tags)})

    def log_dataset(self, iteration_id: int, ref: DatasetRef, role: str) -> Dataset:
        d = self._request("POST", f"iterations/{iteration_id}/datasets", {
            "uri": ref.uri, "name": ref.name, "digest": ref.digest, "size": ref.size,
            "rows": ref.rows, "columns": list(ref.columns) if ref.columns is not None else None,
            "kind": ref.kind, "role": role}, idempotent=True)
        return wire.to_dataset(d)

    def get_params(self, iteration_id: int) -> list[Param]:
        return [wire.to_param(p) for p in self._detail(iteration_id)["params_typed"]]

    def get_latest_metrics(self, iteration_id: int) -> list[Metric]:
        return [wire.to_metric(m) for m in self._detail(iteration_id)["latest_metrics"]]

    def get_tags(self, iteration_id: int) -> dict[str, str | None]:
        return dict(sorted(self._detail(iteration_id)["tags"].items()))

    def get_datasets(self, iteration_id: int) -> list[Dataset]:
        return [wire.to_dataset(d) for d in self._detail(iteration_id)["datasets"]]

    def metric_history(self, iteration_id: int, key: str,
                       max_points: int | None = None) -> MetricSeries:
        d = self._request("GET", f"iterations/{iteration_id}/metrics/{quote(key, safe='')}",
                          params=[("max_points", max_points or 0), ("timestamps", "epoch")])
        points = d["points"]
        return MetricSeries(d["key"], [p["step"] for p in points],
                            [wire.unnum(p["value"]) for p in points],
                            [p["timestamp"] for p in points], d["total"], d["downsampled"])

    # -- search -------------------------------------------------------------------
    def search(self, query: IterationQuery) -> SearchResult:
        if query.ids is not None and not query.ids:
            return SearchResult([], 0)
        params: list[tuple[str, Any]] = []
        for name, ref in (("project", query.project), ("experiment", query.experiment)):
            if ref is not None:
                params.append((f"{name}_id" if isinstance(ref, int) else name, ref))
        params += [("status", s) for s in query.statuses]
        params += [("filter", _filter_text(f)) for f in query.filters]
        params += [("sort", ("-" if s.descending else "") + s.field) for s in query.sort]
        params += [("id", i) for i in query.ids or ()]
        if query.name_contains:
            params.append(("q", query.name_contains))
        if query.include_deleted:
            params.append(("include_deleted", "true"))
        if query.deleted_only:
            params.append(("deleted_only", "true"))
        iterations: list[Iteration] = []
        p: dict[int, dict[str, Any]] = {}
        m: dict[int, dict[str, float]] = {}
        t: dict[int, dict[str, str | None]] = {}
        offset, total = query.offset, 0
        wanted = query.limit
        while True:
            size = PAGE if wanted is None else min(PAGE, wanted - len(iterations))
            if size <= 0:
                break
            page_params = [*params, ("limit", size)]
            if offset:
                page_params.append(("cursor", wire.encode_cursor(offset)))
            page = self._request("GET", "iterations", params=page_params)
            total = page["total"]
            for d in page["iterations"]:
                it = wire.to_iteration(d)
                iterations.append(it)
                if d["params"]:
                    p[it.id] = d["params"]
                if d["metrics"]:
                    m[it.id] = {k: wire.unnum(v) for k, v in d["metrics"].items()}
                if d["tags"]:
                    t[it.id] = d["tags"]
            offset += len(page["iterations"])
            if page["next_cursor"] is None or not page["iterations"]:
                break
        if query.limit is None and not query.offset:
            total = len(iterations)
        return SearchResult(iterations, total, p, m, t)
