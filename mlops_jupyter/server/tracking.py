"""Tracking routes (``mlops:tracking``): projects, experiments, iterations, metrics.

A root handler per collection and an item handler per member. Every method is
``@web.authenticated`` then ``@authorized``: GET needs ``read``, the others ``write``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .. import wire
from ..entities import DATASET_ROLES, DatasetRef, Source
from ..errors import InvalidInput, NotFound
from ..query import build_query
from ..validation import check_key, metric_value
from .base import INT32_MAX, INT64_MAX, MlopsHandler, field, path_id


def alert_on_iteration(core: Any, iteration_id: int) -> None:
    """Iteration rules, for iterations a remote client ends through this API."""
    from ..alerts.firing import on_iteration_end

    try:
        if on_iteration_end(core, iteration_id):
            core.alert_deliverer().kick()
    except Exception as e:  # alerting must never fail the request
        import logging

        logging.getLogger("mlops_jupyter").warning("alert rules not evaluated: %s", e)


MAX_PAGE = 500
DEFAULT_PAGE = 50
MAX_POINTS_PER_REQUEST = 100_000
MAX_HISTORY_POINTS = 100_000
DATASET_KINDS = ("file", "directory", "url")


def project_json(s: Any) -> dict[str, Any]:
    p = s.project
    return {"id": p.id, "name": p.name, "description": p.description,
            "created_at": wire.iso(p.created_at), "experiment_count": s.experiment_count,
            "iteration_count": s.iteration_count}


def experiment_json(s: Any) -> dict[str, Any]:
    e = s.experiment
    last = s.last_started_at
    return {"id": e.id, "project_id": e.project_id, "project_name": e.project_name,
            "name": e.name, "description": e.description, "created_at": wire.iso(e.created_at),
            "iteration_count": s.iteration_count,
            "last_started_at": None if last is None else wire.iso(
                datetime.fromtimestamp(last, tz=timezone.utc))}


def _one(items: list[Any], attr: str, ident: int, what: str) -> Any:
    for s in items:
        if getattr(s, attr).id == ident:
            return s
    raise NotFound(f"no {what} with id {ident}", field=what)


class ProjectsHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        projects = await self.call(self.store.list_projects)
        self.reply({"projects": [project_json(s) for s in projects]})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        name = field(body, "name", str, required=True)
        description = field(body, "description", str)
        project = await self.call(self.store.create_project, name, description)
        summaries = await self.call(self.store.list_projects)
        self.reply(project_json(_one(summaries, "project", project.id, "project")), 201)


class ProjectHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self, project_id: str) -> None:
        pid = path_id(project_id, "project")
        summaries = await self.call(self.store.list_projects)
        self.reply(project_json(_one(summaries, "project", pid, "project")))


class ExperimentsHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        project_id = self.query_int("project_id", lo=1)
        exps = await self.call(self.store.list_experiments, project_id)
        self.reply({"experiments": [experiment_json(s) for s in exps]})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        project_id = field(body, "project_id", int, required=True, lo=1, hi=INT32_MAX)
        name = field(body, "name", str, required=True)
        description = field(body, "description", str)
        exp = await self.call(self.store.create_experiment, project_id, name, description)
        self.reply(experiment_json(await self._summary(exp.id, exp.project_id)), 201)

    async def _summary(self, experiment_id: int, project_id: int) -> Any:
        exps = await self.call(self.store.list_experiments, project_id)
        return _one(exps, "experiment", experiment_id, "experiment")


class ExperimentHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self, experiment_id: str) -> None:
        eid = path_id(experiment_id, "experiment")
        exp = await self.call(self.store.get_experiment, eid)
        exps = await self.call(self.store.list_experiments, exp.project_id)
        self.reply(experiment_json(_one(exps, "experiment", eid, "experiment")))


# -- iterations ----------------------------------------------------------------------
class IterationsHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        limit = self.query_int("limit", DEFAULT_PAGE, lo=1, hi=MAX_PAGE)
        cursor = self.get_query_argument("cursor", None)
        offset = wire.decode_cursor(cursor) if cursor else 0
        project: Any = self.query_int("project_id", lo=1)
        experiment: Any = self.query_int("experiment_id", lo=1)
        if project is None:
            project = self.get_query_argument("project", None) or None
        if experiment is None:
            experiment = self.get_query_argument("experiment", None) or None
        ids = self.get_query_arguments("id")
        try:
            id_list = [int(i) for i in ids] if ids else None
        except ValueError as e:
            raise InvalidInput("id must be an integer", field="id") from e
        query = build_query(
            project=project, experiment=experiment,
            status=self.get_query_arguments("status") or None,
            name_contains=self.get_query_argument("q", None),
            filters=self.get_query_arguments("filter"),
            sort=self.get_query_arguments("sort") or None,
            limit=limit, offset=offset,
            include_deleted=self.query_bool("include_deleted"),
            deleted_only=self.query_bool("deleted_only"),
            ids=[i for i in id_list if 0 < i <= INT32_MAX] if id_list is not None else None,
        )
        result = await self.call(self.store.search, query)
        keys = await self.call(self.settings["mlops_keys"], query)
        end = offset + len(result.iterations)
        self.reply({
            "iterations": [wire.iteration_summary(it, result.params.get(it.id),
                                                  result.metrics.get(it.id),
                                                  result.tags.get(it.id))
                           for it in result.iterations],
            "total": result.total,
            "next_cursor": wire.encode_cursor(end) if end < result.total else None,
            "param_keys": keys[0],
            "metric_keys": keys[1],
        })

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        experiment_id = field(body, "experiment_id", int, required=True, lo=1, hi=INT32_MAX)
        name = field(body, "name", str)
        model_name = field(body, "model_name", str, max_length=1000)
        source = _source(field(body, "source", dict) or {})
        environment = field(body, "environment", dict)
        git = field(body, "git", dict)
        tags = _tags(field(body, "tags", dict))
        it = await self.call(self.store.create_iteration, experiment_id, name, source=source,
                             environment=environment, git=git, model_name=model_name, tags=tags)
        self.reply(await detail(self, it.id), 201)


def _tags(tags: dict[str, Any] | None) -> dict[str, Any] | None:
    """Tag values are stored as text (None deletes): scalars only."""
    if tags is not None:
        for k, v in tags.items():
            if isinstance(v, (dict, list)):
                raise InvalidInput(f"tag {k!r} must be text, a number, a boolean or null",
                                   field="tags")
    return tags


def _source(src: dict[str, Any]) -> Source:
    return Source(
        code=field(src, "code", str),
        cell_hash=field(src, "cell_hash", str, max_length=64),
        execution_count=field(src, "execution_count", int, lo=-INT32_MAX, hi=INT32_MAX),
        notebook_path=field(src, "notebook_path", str),
    )


def _read_detail(store: Any, iteration_id: int) -> tuple[Any, ...]:
    # One trip to the worker pool (and, on SQL, one snapshot) for the five reads.
    if hasattr(store, "get_iteration_detail"):
        return store.get_iteration_detail(iteration_id)
    return (store.get_iteration(iteration_id), store.get_params(iteration_id),
            store.get_latest_metrics(iteration_id), store.get_datasets(iteration_id),
            store.get_tags(iteration_id))


async def detail(handler: MlopsHandler, iteration_id: int) -> dict[str, Any]:
    it, params, latest, datasets, tags = await handler.call(_read_detail, handler.store,
                                                            iteration_id)
    return wire.iteration_detail(it, params, latest, datasets, tags)


class IterationHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self, iteration_id: str) -> None:
        self.reply(await detail(self, path_id(iteration_id, "iteration")))

    @web.authenticated
    @authorized
    async def patch(self, iteration_id: str) -> None:
        iid = path_id(iteration_id, "iteration")
        body = self.json_body()
        known = {"name", "tags", "status", "error", "model_name", "source", "environment", "git"}
        unknown = sorted(set(body) - known)
        if unknown:
            raise InvalidInput(f"cannot change {unknown[0]!r}",
                               hint="change " + ", ".join(sorted(known)), field=unknown[0])
        changes: dict[str, Any] = {}
        if "name" in body:
            changes["name"] = field(body, "name", str, nullable=False)
        if "model_name" in body:
            changes["model_name"] = field(body, "model_name", str, max_length=1000)
        if "source" in body:
            changes["source"] = _source(field(body, "source", dict) or {})
        for key in ("environment", "git"):
            if key in body:
                changes[key] = field(body, key, dict) or {}
        tags = _tags(field(body, "tags", dict))
        status = field(body, "status", str)
        error = field(body, "error", str)
        if error is not None and status is None:
            raise InvalidInput("error is only recorded together with an ending status",
                               field="error")
        await self.call(self.store.get_iteration, iid)  # 404 before any change
        if changes:
            await self.call(self.store.update_iteration, iid, **changes)
        if tags:
            await self.call(self.store.set_tags, iid, tags)
        if status is not None:
            await self.call(self.store.end_iteration, iid, status, error)
            await self.call(alert_on_iteration, self.settings["mlops_core"], iid)
        self.reply(await detail(self, iid))

    @web.authenticated
    @authorized
    async def delete(self, iteration_id: str) -> None:
        await self.call(self.store.delete_iteration, path_id(iteration_id, "iteration"))
        self.no_content()


class RestoreHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def post(self, iteration_id: str) -> None:
        iid = path_id(iteration_id, "iteration")
        await self.call(self.store.restore_iteration, iid)
        self.reply(await detail(self, iid))


class ParamsHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def post(self, iteration_id: str) -> None:
        iid = path_id(iteration_id, "iteration")
        params = field(self.json_body(), "params", dict, required=True)
        await self.call(self.store.get_iteration, iid)
        await self.call(self.store.log_params, iid, params)
        self.no_content()


class DatasetsHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def post(self, iteration_id: str) -> None:
        iid = path_id(iteration_id, "iteration")
        body = self.json_body()
        columns = field(body, "columns", list)
        if columns is not None and not all(isinstance(c, str) for c in columns):
            raise InvalidInput("columns must be a list of text", field="columns")
        kind = field(body, "kind", str) or "file"
        if kind not in DATASET_KINDS:
            raise InvalidInput(f"unknown dataset kind {kind!r}",
                               hint="use one of " + ", ".join(DATASET_KINDS), field="kind")
        role = field(body, "role", str) or "train"
        if role not in DATASET_ROLES:
            raise InvalidInput(f"unknown dataset role {role!r}",
                               hint="use one of " + ", ".join(DATASET_ROLES), field="role")
        ref = DatasetRef(
            uri=field(body, "uri", str, required=True),
            name=field(body, "name", str, required=True, max_length=255),
            digest=field(body, "digest", str, max_length=80),
            size=field(body, "size", int, lo=0, hi=INT64_MAX),
            rows=field(body, "rows", int, lo=0, hi=INT64_MAX),
            columns=tuple(columns) if columns is not None else None,
            kind=kind,
        )
        if not ref.uri.strip() or not ref.name.strip():
            raise InvalidInput("uri and name must not be empty",
                               field="uri" if not ref.uri.strip() else "name")
        await self.call(self.store.get_iteration, iid)
        ds = await self.call(self.store.log_dataset, iid, ref, role)
        self.reply(wire.dataset(ds), 201)


def parse_points(raw: Any) -> list[tuple[int, str, float, int, float]]:
    """Validate ``[[iteration_id, key, value, step, timestamp], ...]``."""
    if not isinstance(raw, list):
        raise InvalidInput("points must be an array", field="points")
    if len(raw) > MAX_POINTS_PER_REQUEST:
        raise InvalidInput(f"{len(raw)} points in one request; the limit is "
                           f"{MAX_POINTS_PER_REQUEST}", field="points")
    points = []
    for i, p in enumerate(raw):
        if not isinstance(p, list) or len(p) != 5:
            raise InvalidInput(f"points[{i}] must be [iteration_id, key, value, step, "
                               "timestamp]", field="points")
        iid, key, value, step, ts = p
        if isinstance(iid, bool) or not isinstance(iid, int) or not 0 < iid <= INT32_MAX:
            raise InvalidInput(f"points[{i}]: iteration_id must be a positive integer",
                               field="points")
        if isinstance(step, bool) or not isinstance(step, int) or abs(step) > INT32_MAX:
            raise InvalidInput(f"points[{i}]: step must be a 32-bit integer", field="points")
        number = wire.unnum(value, "points")
        ts_value = wire.unnum(ts, "points")
        if not 0 <= ts_value < 1e11:
            raise InvalidInput(f"points[{i}]: timestamp must be epoch seconds", field="points")
        points.append((iid, check_key(key, "points"), metric_value(key, number), step, ts_value))
    return points


class MetricsHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        points = parse_points(field(self.json_body(), "points", list, required=True))
        accepted = await self.call(self.store.log_metrics, points)
        self.reply({"accepted": accepted})


class HeartbeatsHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        ids = field(self.json_body(), "iteration_ids", list, required=True)
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise InvalidInput("iteration_ids must be integers", field="iteration_ids")
        await self.call(self.store.heartbeat, [i for i in ids if 0 < i <= INT32_MAX])
        self.no_content()


class MetricHistoryHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self, iteration_id: str, key: str) -> None:
        iid = path_id(iteration_id, "iteration")
        key = check_key(key, "key")
        # 0: every point (the remote store's metric_history(max_points=None))
        max_points = self.query_int("max_points", 2000, lo=0, hi=MAX_HISTORY_POINTS) or None
        if max_points is not None and max_points < 3:
            raise InvalidInput("max_points must be 0 (every point) or at least 3",
                               field="max_points")
        epoch = self.get_query_argument("timestamps", "iso") == "epoch"
        await self.call(self.store.get_iteration, iid)
        series = await self.call(self.store.metric_history, iid, key, max_points)
        stamps: list[Any] = (list(series.timestamps) if epoch else
                             [wire.iso(datetime.fromtimestamp(t, timezone.utc))
                              for t in series.timestamps])
        self.reply({
            "key": key,
            "points": [{"step": s, "value": wire.num(v), "timestamp": t}
                       for s, v, t in zip(series.steps, series.values, stamps, strict=True)],
            "total": series.total,
            "downsampled": series.downsampled,
        })
