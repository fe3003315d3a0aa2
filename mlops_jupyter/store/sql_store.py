"""The SQL backend of :class:`TrackingStore` (SQLite and PostgreSQL).

One connection and transaction per operation; Core statements over the ORM tables
(the hot paths must not pay for the unit of work); rows converted to entities
before they leave this package.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Row, and_, bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..entities import (
    DATASET_ROLES,
    ITERATION_STATUSES,
    Dataset,
    DatasetRef,
    Experiment,
    Iteration,
    Metric,
    Param,
    Project,
    Source,
    utc_from_timestamp,
)
from ..errors import AlreadyExists, Conflict, InvalidInput, NotFound, did_you_mean
from ..query import IterationQuery
from ..validation import check_key, check_name, param_value, parse_param
from . import sql_metrics, sql_search
from .base import (
    ExperimentSummary,
    MetricPoint,
    MetricSeries,
    ProjectSummary,
    SearchResult,
    TrackingStore,
)
from .engine import create_store_engine, read_tx, redact, write_tx
from .models import (
    DatasetRow,
    ExperimentRow,
    IterationDatasetRow,
    IterationRow,
    LatestMetricRow,
    ParamRow,
    ProjectRow,
    TagRow,
)
from .schema import SchemaInfo, ensure_schema
from .sql_alerts import SqlAlerts
from .sql_monitoring import SqlMonitoring
from .sql_registry import SqlRegistry

P, E, I = ProjectRow, ExperimentRow, IterationRow  # noqa: E741 - short aliases for queries

# Hot-path statements are built once: constructing a statement costs more Python time
# than SQLite needs to run it.
_BUMP_NUMBER = (update(E).where(E.id == bindparam("b_eid"))
                .values(last_number=E.last_number + 1).returning(E.last_number))
_INSERT_ITERATION = insert(I).returning(I.id)
_END_ITERATION = (update(I).where(I.id == bindparam("b_iid")).values(
    status=bindparam("b_status"), ended_at=bindparam("b_now"), heartbeat_at=bindparam("b_now"),
    error=bindparam("b_error")))
_EXISTING_PARAMS = select(ParamRow.key, ParamRow.value).where(
    ParamRow.iteration_id == bindparam("b_iid"),
    ParamRow.key.in_(bindparam("b_keys", expanding=True)))
_INSERT_PARAMS = insert(ParamRow)
_INSERT_TAGS = insert(TagRow)
_EXPERIMENT_NAMES = select(P.name, E.name).join(P, E.project_id == P.id).where(
    E.id == bindparam("b_eid"))
_IID = bindparam("b_iid")
_EFFECTIVE_STATUS = case(
    (and_(I.status == "running",
          func.coalesce(I.heartbeat_at, I.started_at) < bindparam("b_cutoff")), "killed"),
    else_=I.status)
_GET_ITERATION = (select(I.id, I.experiment_id, P.name, E.name, I.name, I.number,
                         _EFFECTIVE_STATUS, I.started_at, I.ended_at, I.heartbeat_at,
                         I.model_name, I.source_code, I.cell_hash, I.execution_count,
                         I.notebook_path, I.environment, I.git, I.error, I.deleted_at)
                  .join(E, I.experiment_id == E.id).join(P, E.project_id == P.id)
                  .where(I.id == _IID))
_GET_PARAMS = (select(ParamRow.key, ParamRow.value, ParamRow.value_type)
               .where(ParamRow.iteration_id == _IID).order_by(ParamRow.key))
_GET_LATEST = (select(LatestMetricRow.key, LatestMetricRow.value, LatestMetricRow.step,
                      LatestMetricRow.timestamp)
               .where(LatestMetricRow.iteration_id == _IID).order_by(LatestMetricRow.key))
_GET_TAGS = select(TagRow.key, TagRow.value).where(TagRow.iteration_id == _IID).order_by(
    TagRow.key)
_GET_DATASETS = (select(DatasetRow.id, DatasetRow.name, DatasetRow.uri, DatasetRow.digest,
                        DatasetRow.size, DatasetRow.rows, DatasetRow.columns, DatasetRow.kind,
                        IterationDatasetRow.role)
                 .join(IterationDatasetRow, IterationDatasetRow.dataset_id == DatasetRow.id)
                 .where(IterationDatasetRow.iteration_id == _IID)
                 .order_by(IterationDatasetRow.role, DatasetRow.name))


class SqlStore(SqlRegistry, SqlMonitoring, SqlAlerts, TrackingStore):
    """Tracking and registry data in a SQL database reached through SQLAlchemy."""

    def __init__(self, uri: str, *, heartbeat_timeout: float = 120.0,
                 auto_upgrade: bool = False):
        self.uri = uri
        self.engine = create_store_engine(uri)
        self.heartbeat_timeout = heartbeat_timeout
        self.schema: SchemaInfo = ensure_schema(self.engine, uri, auto_upgrade=auto_upgrade)
        self._experiment_names: dict[int, tuple[str, str]] = {}

    def __repr__(self) -> str:
        return f"SqlStore({redact(self.uri)!r})"

    def close(self) -> None:
        self.engine.dispose()

    # -- projects ---------------------------------------------------------------
    def create_project(self, name: str, description: str | None = None) -> Project:
        name = check_name(name, "project")
        try:
            with write_tx(self.engine) as conn:
                pid = conn.execute(
                    insert(P).values(name=name, description=description, created_at=time.time())
                    .returning(P.id)
                ).scalar_one()
        except IntegrityError as e:
            raise AlreadyExists(f"project {name!r} already exists",
                                hint="pick another name or open it", field="name") from e
        return self.get_project(pid)

    def get_project(self, ref: str | int) -> Project:
        cond = P.id == ref if isinstance(ref, int) else P.name == ref
        with read_tx(self.engine) as conn:
            row = conn.execute(select(P.id, P.name, P.description, P.created_at).where(cond)).first()
            if row is None:
                names = conn.execute(select(P.name)).scalars().all()
        if row is None:
            raise NotFound(f"no project {ref!r}", hint=did_you_mean(str(ref), names),
                           field="project")
        return Project(row.id, row.name, row.description, utc_from_timestamp(row.created_at))

    def list_projects(self) -> list[ProjectSummary]:
        exp_count = select(func.count(E.id)).where(E.project_id == P.id).scalar_subquery()
        it_count = (select(func.count(I.id)).join(E, I.experiment_id == E.id)
                    .where(E.project_id == P.id, I.deleted_at.is_(None)).scalar_subquery())
        stmt = select(P.id, P.name, P.description, P.created_at, exp_count, it_count).order_by(
            P.name)
        with read_tx(self.engine) as conn:
            rows = conn.execute(stmt).all()
        return [ProjectSummary(Project(r[0], r[1], r[2], utc_from_timestamp(r[3])), r[4], r[5])
                for r in rows]

    # -- experiments ------------------------------------------------------------
    def create_experiment(self, project_id: int, name: str,
                          description: str | None = None) -> Experiment:
        name = check_name(name, "experiment")
        project = self.get_project(project_id)
        try:
            with write_tx(self.engine) as conn:
                eid = conn.execute(
                    insert(E).values(project_id=project.id, name=name, description=description,
                                     created_at=time.time(), last_number=0).returning(E.id)
                ).scalar_one()
        except IntegrityError as e:
            raise AlreadyExists(f"experiment {name!r} already exists in project "
                                f"{project.name!r}", field="name") from e
        return self.get_experiment(eid)

    def get_experiment(self, ref: str | int, project: str | int | None = None) -> Experiment:
        stmt = select(E.id, E.project_id, P.name, E.name, E.description, E.created_at).join(
            P, E.project_id == P.id)
        if isinstance(ref, int):
            stmt = stmt.where(E.id == ref)
        else:
            if project is None:
                raise InvalidInput(f"experiment {ref!r} needs a project", field="project")
            stmt = stmt.where(E.name == ref, E.project_id == self.get_project(project).id)
        with read_tx(self.engine) as conn:
            row = conn.execute(stmt).first()
            names: list[str] = []
            if row is None and not isinstance(ref, int):
                names = conn.execute(select(E.name).join(P, E.project_id == P.id).where(
                    P.id == self.get_project(project).id)).scalars().all()
        if row is None:
            raise NotFound(f"no experiment {ref!r}" + (f" in project {project!r}" if project
                                                       is not None else ""),
                           hint=did_you_mean(str(ref), names), field="experiment")
        return Experiment(row[0], row[1], row[2], row[3], row[4], utc_from_timestamp(row[5]))

    def list_experiments(self, project: str | int | None = None) -> list[ExperimentSummary]:
        counts = (select(I.experiment_id, func.count(I.id).label("n"),
                         func.max(I.started_at).label("last"))
                  .where(I.deleted_at.is_(None)).group_by(I.experiment_id).subquery())
        stmt = (select(E.id, E.project_id, P.name, E.name, E.description, E.created_at,
                       counts.c.n, counts.c.last)
                .join(P, E.project_id == P.id)
                .outerjoin(counts, counts.c.experiment_id == E.id)
                .order_by(P.name, E.name))
        if project is not None:
            stmt = stmt.where(E.project_id == self.get_project(project).id)
        with read_tx(self.engine) as conn:
            rows = conn.execute(stmt).all()
        return [ExperimentSummary(Experiment(r[0], r[1], r[2], r[3], r[4],
                                             utc_from_timestamp(r[5])), r[6] or 0, r[7])
                for r in rows]

    # -- iterations -------------------------------------------------------------
    def create_iteration(self, experiment_id: int, name: str | None = None, *,
                         source: Source | None = None,
                         environment: Mapping[str, Any] | None = None,
                         git: Mapping[str, Any] | None = None, model_name: str | None = None,
                         tags: Mapping[str, Any] | None = None) -> Iteration:
        if name is not None:
            name = check_name(name, "iteration")
        source = source or Source()
        now = time.time()
        env, git_info = dict(environment or {}), dict(git or {})
        with write_tx(self.engine) as conn:
            number = conn.execute(_BUMP_NUMBER, {"b_eid": experiment_id}).scalar()
            if number is None:
                raise NotFound(f"no experiment with id {experiment_id}", field="experiment")
            names = self._experiment_names.get(experiment_id)
            if names is None:
                names = tuple(conn.execute(_EXPERIMENT_NAMES, {"b_eid": experiment_id}).one())
                self._experiment_names[experiment_id] = names
            name = name or f"iteration {number}"
            iid = conn.execute(_INSERT_ITERATION, {
                "experiment_id": experiment_id, "name": name, "number": number,
                "status": "running", "started_at": now, "heartbeat_at": now,
                "model_name": model_name, "source_code": source.code,
                "cell_hash": source.cell_hash, "execution_count": source.execution_count,
                "notebook_path": source.notebook_path, "environment": env, "git": git_info,
            }).scalar_one()
            if tags:
                conn.execute(_INSERT_TAGS, [
                    {"iteration_id": iid, "key": check_key(k, "tag"),
                     "value": None if v is None else str(v)} for k, v in tags.items()])
        started = utc_from_timestamp(now)
        return Iteration(id=iid, experiment_id=experiment_id, project_name=names[0],
                         experiment_name=names[1], name=name, number=number, status="running",
                         started_at=started, ended_at=None, heartbeat_at=started,
                         model_name=model_name, source=source, environment=env, git=git_info)

    def update_iteration(self, iteration_id: int, **fields: Any) -> Iteration:
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "name":
                values["name"] = check_name(value, "iteration")
            elif key == "model_name":
                values["model_name"] = None if value is None else str(value)[:1000]
            elif key == "source":
                src: Source = value
                values.update(source_code=src.code, cell_hash=src.cell_hash,
                              execution_count=src.execution_count,
                              notebook_path=src.notebook_path)
            elif key in ("environment", "git"):
                values[key] = dict(value or {})
            else:
                raise InvalidInput(f"iteration field {key!r} cannot be changed", field=key)
        if values:
            with write_tx(self.engine) as conn:
                n = conn.execute(update(I).where(I.id == iteration_id).values(**values)).rowcount
            if n == 0:
                raise self._no_iteration(iteration_id)
        return self.get_iteration(iteration_id)

    def end_iteration(self, iteration_id: int, status: str,
                      error: str | None = None) -> float | None:
        if status not in ITERATION_STATUSES or status == "running":
            raise InvalidInput(f"cannot end an iteration as {status!r}",
                               hint="use finished, failed or killed", field="status")
        now = time.time()
        with write_tx(self.engine) as conn:
            n = conn.execute(_END_ITERATION, {"b_iid": iteration_id, "b_status": status,
                                              "b_now": now, "b_error": error}).rowcount
        if n == 0:
            raise self._no_iteration(iteration_id)
        return now

    def heartbeat(self, iteration_ids: Iterable[int]) -> None:
        ids = list(iteration_ids)
        if ids:
            with write_tx(self.engine) as conn:
                conn.execute(update(I).where(I.id.in_(ids), I.status == "running")
                             .values(heartbeat_at=time.time()))

    def effective_status(self):
        """SQL expression: ``running`` with a stale heartbeat reads as ``killed``."""
        cutoff = time.time() - self.heartbeat_timeout
        return case(
            (and_(I.status == "running", func.coalesce(I.heartbeat_at, I.started_at) < cutoff),
             "killed"), else_=I.status)

    @staticmethod
    def to_iteration(r: Row | Sequence[Any]) -> Iteration:
        return Iteration(
            id=r[0], experiment_id=r[1], project_name=r[2], experiment_name=r[3], name=r[4],
            number=r[5], status=r[6], started_at=utc_from_timestamp(r[7]),
            ended_at=utc_from_timestamp(r[8]), heartbeat_at=utc_from_timestamp(r[9]),
            model_name=r[10], source=Source(r[11], r[12], r[13], r[14]),
            environment=r[15] or {}, git=r[16] or {}, error=r[17],
            deleted_at=utc_from_timestamp(r[18]))

    def get_iteration(self, iteration_id: int) -> Iteration:
        params = {"b_iid": iteration_id, "b_cutoff": time.time() - self.heartbeat_timeout}
        with read_tx(self.engine) as conn:
            row = conn.execute(_GET_ITERATION, params).first()
        if row is None:
            raise self._no_iteration(iteration_id)
        return self.to_iteration(row)

    def delete_iteration(self, iteration_id: int) -> None:
        with write_tx(self.engine) as conn:
            n = conn.execute(update(I).where(I.id == iteration_id)
                             .values(deleted_at=func.coalesce(I.deleted_at, time.time()))).rowcount
        if n == 0:
            raise self._no_iteration(iteration_id)

    def restore_iteration(self, iteration_id: int) -> Iteration:
        with write_tx(self.engine) as conn:
            n = conn.execute(update(I).where(I.id == iteration_id)
                             .values(deleted_at=None)).rowcount
        if n == 0:
            raise self._no_iteration(iteration_id)
        return self.get_iteration(iteration_id)

    @staticmethod
    def _no_iteration(iteration_id: int) -> NotFound:
        return NotFound(f"no iteration with id {iteration_id}", field="iteration")

    # -- params, tags, datasets -------------------------------------------------
    def log_params(self, iteration_id: int, params: Mapping[str, Any]) -> None:
        if not params:
            return
        rows = {}
        for key, value in params.items():
            text, kind = param_value(check_key(key, "param"), value)
            rows[key] = (text, kind)
        with write_tx(self.engine) as conn:
            existing = dict(conn.execute(
                _EXISTING_PARAMS, {"b_iid": iteration_id, "b_keys": list(rows)}).all())
            for key, old in existing.items():
                if old != rows[key][0]:
                    raise Conflict(f"param {key!r} was already logged as {old!r}; params are "
                                   f"immutable within an iteration (new value {rows[key][0]!r})",
                                   hint="log it as a metric or tag, or start a new iteration",
                                   field=key)
            new = [{"iteration_id": iteration_id, "key": k, "value": t, "value_type": kind}
                   for k, (t, kind) in rows.items() if k not in existing]
            if new:
                try:
                    conn.execute(_INSERT_PARAMS, new)
                except IntegrityError as e:
                    raise self._no_iteration(iteration_id) from e

    def set_tags(self, iteration_id: int, tags: Mapping[str, Any]) -> None:
        if not tags:
            return
        items = {check_key(k, "tag"): v for k, v in tags.items()}
        with write_tx(self.engine) as conn:
            conn.execute(TagRow.__table__.delete().where(
                TagRow.iteration_id == iteration_id, TagRow.key.in_(list(items))))
            new = [{"iteration_id": iteration_id, "key": k, "value": str(v)}
                   for k, v in items.items() if v is not None]
            if new:
                try:
                    conn.execute(insert(TagRow), new)
                except IntegrityError as e:
                    raise self._no_iteration(iteration_id) from e

    def log_dataset(self, iteration_id: int, ref: DatasetRef, role: str) -> Dataset:
        if role not in DATASET_ROLES:
            raise InvalidInput(f"unknown dataset role {role!r}",
                               hint="use one of " + ", ".join(DATASET_ROLES), field="role")
        D = DatasetRow
        with write_tx(self.engine) as conn:
            digest_cond = D.digest.is_(None) if ref.digest is None else D.digest == ref.digest
            did = conn.execute(select(D.id).where(D.uri == ref.uri, digest_cond)).scalar()
            if did is None:
                did = conn.execute(insert(D).values(
                    name=ref.name, uri=ref.uri, digest=ref.digest, size=ref.size, rows=ref.rows,
                    columns=list(ref.columns) if ref.columns is not None else None,
                    kind=ref.kind, created_at=time.time()).returning(D.id)).scalar_one()
            linked = conn.execute(select(IterationDatasetRow.role).where(
                IterationDatasetRow.iteration_id == iteration_id,
                IterationDatasetRow.dataset_id == did, IterationDatasetRow.role == role)).first()
            if linked is None:
                try:
                    conn.execute(insert(IterationDatasetRow).values(
                        iteration_id=iteration_id, dataset_id=did, role=role))
                except IntegrityError as e:
                    raise self._no_iteration(iteration_id) from e
        return Dataset(did, ref.name, ref.uri, ref.digest, ref.size, ref.rows, ref.columns,
                       ref.kind, role)

    def get_iteration_detail(self, iteration_id: int) -> tuple[Iteration, list[Param],
                                                               list[Metric], list[Dataset],
                                                               dict[str, str | None]]:
        """The iteration with its params, latest metrics, datasets and tags: one snapshot."""
        bind = {"b_iid": iteration_id, "b_cutoff": time.time() - self.heartbeat_timeout}
        with read_tx(self.engine) as conn:
            row = conn.execute(_GET_ITERATION, bind).first()
            if row is None:
                raise self._no_iteration(iteration_id)
            params = conn.execute(_GET_PARAMS, bind).all()
            latest = conn.execute(_GET_LATEST, bind).all()
            datasets = conn.execute(_GET_DATASETS, bind).all()
            tags = dict(conn.execute(_GET_TAGS, bind).all())
        return (self.to_iteration(row), [Param(k, parse_param(v, t), t) for k, v, t in params],
                [Metric(k, sql_metrics.from_db(v), st, utc_from_timestamp(ts))
                 for k, v, st, ts in latest],
                [Dataset(r[0], r[1], r[2], r[3], r[4], r[5],
                         tuple(r[6]) if r[6] is not None else None, r[7], r[8])
                 for r in datasets], tags)

    def get_params(self, iteration_id: int) -> list[Param]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(_GET_PARAMS, {"b_iid": iteration_id}).all()
        return [Param(k, parse_param(v, t), t) for k, v, t in rows]

    def get_latest_metrics(self, iteration_id: int) -> list[Metric]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(_GET_LATEST, {"b_iid": iteration_id}).all()
        return [Metric(k, sql_metrics.from_db(v), s, utc_from_timestamp(t))
                for k, v, s, t in rows]

    def get_tags(self, iteration_id: int) -> dict[str, str | None]:
        with read_tx(self.engine) as conn:
            return dict(conn.execute(_GET_TAGS, {"b_iid": iteration_id}).all())

    def get_datasets(self, iteration_id: int) -> list[Dataset]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(_GET_DATASETS, {"b_iid": iteration_id}).all()
        return [Dataset(r[0], r[1], r[2], r[3], r[4], r[5],
                        tuple(r[6]) if r[6] is not None else None, r[7], r[8]) for r in rows]

    # -- metrics and search -----------------------------------------------------
    def log_metrics(self, points: Sequence[MetricPoint]) -> int:
        return sql_metrics.insert_points(self.engine, points)

    def metric_history(self, iteration_id: int, key: str,
                       max_points: int | None = None) -> MetricSeries:
        return sql_metrics.history(self.engine, iteration_id, key, max_points)

    def search(self, query: IterationQuery) -> SearchResult:
        return sql_search.search(self, query)
