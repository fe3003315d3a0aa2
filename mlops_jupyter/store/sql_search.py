"""Iteration search: structured filters and sort keys turned into bound SQL.

Searches return *summary* iterations (no cell code, environment, git or traceback:
those are read one iteration at a time) plus params, latest metrics and tags of the
page, fetched with one query each rather than one per iteration.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..errors import InvalidInput
from ..query import Filter, IterationQuery, Sort
from ..validation import parse_param
from .base import SearchResult
from .engine import read_tx
from .models import ExperimentRow, IterationRow, LatestMetricRow, ParamRow, ProjectRow, TagRow
from .sql_metrics import from_db

if TYPE_CHECKING:
    from .sql_store import SqlStore

P, E, I, L = ProjectRow, ExperimentRow, IterationRow, LatestMetricRow  # noqa: E741
_NUMERIC_TYPES = ("int", "float")
_NOT_NULL = ("id", "name", "number", "started_at")
_CHUNK = 5000


def _compare(column: Any, op: str, value: Any) -> Any:
    if op == "=":
        return column.is_(None) if value is None else column == value
    if op == "!=":
        return column.is_not(None) if value is None else or_(column != value, column.is_(None))
    if op == "<":
        return column < value
    if op == "<=":
        return column <= value
    if op == ">":
        return column > value
    if op == ">=":
        return column >= value
    if op == "contains":
        text = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return func.lower(column).like(f"%{text.lower()}%", escape="\\")
    raise InvalidInput(f"unknown operator {op!r}", field="filter")  # pragma: no cover


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _filter_condition(store: SqlStore, f: Filter) -> Any:
    prefix, key = f.prefix, f.key
    if prefix == "metrics":
        lm = aliased(L)
        if f.op == "contains" or not (_is_number(f.value) or f.value is None):
            raise InvalidInput(f"metric filter {f.field} needs a number", field="filter")
        return exists().where(lm.iteration_id == I.id, lm.key == key,
                              _compare(lm.value, f.op, f.value))
    if prefix == "params":
        pr = aliased(ParamRow)
        if _is_number(f.value) and f.op != "contains":
            cond = and_(pr.value_type.in_(_NUMERIC_TYPES),
                        _compare(cast(pr.value, Float), f.op, f.value))
        elif isinstance(f.value, bool):
            cond = and_(pr.value_type == "bool", _compare(pr.value, f.op, str(f.value)))
        else:
            cond = _compare(pr.value, f.op, None if f.value is None else str(f.value))
        return exists().where(pr.iteration_id == I.id, pr.key == key, cond)
    if prefix == "tags":
        tr = aliased(TagRow)
        return exists().where(tr.iteration_id == I.id, tr.key == key,
                              _compare(tr.value, f.op, None if f.value is None
                                       else str(f.value)))
    column = _attribute(store, key)
    value = f.value
    if key in ("started_at", "ended_at") and hasattr(value, "timestamp"):
        value = value.timestamp()
    return _compare(column, f.op, value)


def _attribute(store: SqlStore, key: str) -> Any:
    if key == "status":
        return store.effective_status()
    return getattr(I, key)


def _order(store: SqlStore, stmt: Any, sort: Sort) -> tuple[Any, Any]:
    """Add what ``sort`` needs to ``stmt`` and return (stmt, order expression)."""
    prefix, key = sort.prefix, sort.key
    if prefix == "metrics":
        lm = aliased(L)
        stmt = stmt.outerjoin(lm, and_(lm.iteration_id == I.id, lm.key == key))
        column = lm.value
    elif prefix == "params":
        pr = aliased(ParamRow)
        stmt = stmt.outerjoin(pr, and_(pr.iteration_id == I.id, pr.key == key))
        # Numbers sort as numbers; text after them, alphabetically.
        numeric = cast(case((pr.value_type.in_(_NUMERIC_TYPES), pr.value)), Float)
        column = (numeric, pr.value)
    elif prefix == "tags":
        tr = aliased(TagRow)
        stmt = stmt.outerjoin(tr, and_(tr.iteration_id == I.id, tr.key == key))
        column = tr.value
    else:
        column = _attribute(store, key)
        if key in _NOT_NULL:
            # No NULLS LAST on a column that has no NULLs: PostgreSQL can then walk its
            # index backwards for a descending sort instead of sorting every row.
            order = column.desc() if sort.descending else column.asc()
            return stmt, [order]
    columns = column if isinstance(column, tuple) else (column,)
    exprs = [(c.desc() if sort.descending else c.asc()).nulls_last() for c in columns]
    return stmt, exprs


def _scoped(store: SqlStore, q: IterationQuery, stmt: Any) -> Any:
    conds: list[Any] = []
    project_id = None
    if q.project is not None:
        project_id = store.get_project(q.project).id
        conds.append(E.project_id == project_id)
    if q.experiment is not None:
        if isinstance(q.experiment, int):
            conds.append(I.experiment_id == q.experiment)
        elif project_id is not None:
            conds.append(I.experiment_id == store.get_experiment(q.experiment, project_id).id)
        else:
            conds.append(E.name == q.experiment)
    if q.statuses:
        conds.append(store.effective_status().in_(q.statuses))
    if q.name_contains:
        conds.append(_compare(I.name, "contains", q.name_contains))
    if q.deleted_only:
        conds.append(I.deleted_at.is_not(None))
    elif not q.include_deleted:
        conds.append(I.deleted_at.is_(None))
    if q.ids is not None:
        conds.append(I.id.in_(q.ids))
    conds.extend(_filter_condition(store, f) for f in q.filters)
    return stmt.where(*conds) if conds else stmt


def summary_columns(store: SqlStore) -> list[Any]:
    none = literal(None)
    return [I.id, I.experiment_id, P.name, E.name, I.name, I.number, store.effective_status(),
            I.started_at, I.ended_at, I.heartbeat_at, I.model_name, none, none, none, none,
            none, none, none, I.deleted_at]


def _metric_page(store: SqlStore, q: IterationQuery, conn: Any) -> list[int] | None:
    """Ids of one page sorted by a single metric, driven by the (key, value) index.

    Same order as the generic query (value, NULL/missing last, then id descending),
    but the database walks ``latest_metrics`` in value order and stops after one page
    instead of sorting every iteration in scope.
    """
    if len(q.sort) != 1 or q.sort[0].prefix != "metrics" or q.limit is None:
        return None
    sort, lm = q.sort[0], aliased(L)
    base = _scoped(store, q, select(lm.iteration_id).join(I, I.id == lm.iteration_id)
                   .join(E, I.experiment_id == E.id)).where(lm.key == sort.key,
                                                             lm.value.is_not(None))
    value = lm.value.desc() if sort.descending else lm.value.asc()
    ids = list(conn.execute(base.order_by(value, lm.iteration_id.desc())
                            .limit(q.limit).offset(q.offset)).scalars())
    if len(ids) == q.limit:
        return ids
    with_value = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    other = aliased(L)
    missing = ~exists().where(other.iteration_id == I.id, other.key == sort.key,
                              other.value.is_not(None))
    tail = _scoped(store, q, select(I.id).join(E, I.experiment_id == E.id)).where(missing)
    ids += conn.execute(tail.order_by(I.id.desc()).limit(q.limit - len(ids))
                        .offset(max(0, q.offset - with_value))).scalars()
    return ids


def search(store: SqlStore, q: IterationQuery) -> SearchResult:
    joined = select(*summary_columns(store)).join(E, I.experiment_id == E.id).join(
        P, E.project_id == P.id)
    count_stmt = _scoped(store, q, select(func.count(I.id)).join(E, I.experiment_id == E.id))
    with read_tx(store.engine) as conn:
        page_ids = _metric_page(store, q, conn)
    if page_ids is not None:
        stmt = joined.where(I.id.in_(page_ids)) if page_ids else joined.where(literal(False))
    else:
        stmt = _scoped(store, q, joined)
        order: list[Any] = []
        for sort in q.sort:
            stmt, exprs = _order(store, stmt, sort)
            order.extend(exprs)
        order.append(I.id.desc())
        stmt = stmt.order_by(*order)
        if q.limit is not None:
            stmt = stmt.limit(q.limit)
        if q.offset:
            stmt = stmt.offset(q.offset)
    with read_tx(store.engine) as conn:
        rows = conn.execute(stmt).all()
        if page_ids is not None:
            position = {iid: n for n, iid in enumerate(page_ids)}
            rows.sort(key=lambda r: position[r[0]])
        if q.limit is None and not q.offset:
            total = len(rows)
        else:
            total = conn.execute(count_stmt).scalar_one()
        ids = [r[0] for r in rows]
        params: dict[int, dict[str, Any]] = defaultdict(dict)
        metrics: dict[int, dict[str, float]] = defaultdict(dict)
        tags: dict[int, dict[str, str | None]] = defaultdict(dict)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            for iid, k, v, t in conn.execute(select(
                    ParamRow.iteration_id, ParamRow.key, ParamRow.value, ParamRow.value_type)
                    .where(ParamRow.iteration_id.in_(chunk))):
                params[iid][k] = parse_param(v, t)
            for iid, k, v in conn.execute(select(L.iteration_id, L.key, L.value)
                                          .where(L.iteration_id.in_(chunk))):
                metrics[iid][k] = from_db(v)
            for iid, k, v in conn.execute(select(TagRow.iteration_id, TagRow.key, TagRow.value)
                                          .where(TagRow.iteration_id.in_(chunk))):
                tags[iid][k] = v
    iterations = [store.to_iteration(r) for r in rows]
    return SearchResult(iterations, total, dict(params), dict(metrics), dict(tags))


def scope_keys(store: SqlStore, q: IterationQuery) -> tuple[list[str], list[str]]:
    """Distinct param and metric keys of the iterations in ``q``'s project/experiment."""
    scope = IterationQuery(project=q.project, experiment=q.experiment, include_deleted=True)
    out = []
    for table in (ParamRow, L):
        if q.project is None and q.experiment is None:
            stmt = select(table.key).distinct()
        else:
            ids = _scoped(store, scope, select(I.id).join(E, I.experiment_id == E.id))
            stmt = select(table.key).where(table.iteration_id.in_(ids)).distinct()
        with read_tx(store.engine) as conn:
            out.append(sorted(conn.execute(stmt).scalars().all()))
    return out[0], out[1]
