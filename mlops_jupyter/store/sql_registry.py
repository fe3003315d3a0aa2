"""The SQL implementation of :class:`RegistryStore` (mixed into ``SqlStore``).

Stage changes of one model are serialized: on SQLite by the write lock that
``BEGIN IMMEDIATE`` takes, on PostgreSQL by ``SELECT ... FOR UPDATE`` of the
registered model's row. A promotion to production archives the previous production
version in the same transaction, and a partial unique index makes a second
production version impossible even for a buggy writer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..entities import STAGES, ModelVersion, RegisteredModel, StageTransition, utc_from_timestamp
from ..errors import AlreadyExists, Conflict, InvalidInput, NotFound, did_you_mean
from ..validation import check_name
from .engine import read_tx, write_tx
from .models import ModelAliasRow, ModelVersionRow, RegisteredModelRow, StageTransitionRow
from .registry_base import RegistryStore, check_one_selector

if TYPE_CHECKING:
    from sqlalchemy import Engine

R, V, A, T = RegisteredModelRow, ModelVersionRow, ModelAliasRow, StageTransitionRow
# Names travel in URLs and file listings: keep them to printable text without path
# separators, percent signs or leading dots, so no name can look like a path.
_UNSAFE_NAME = re.compile(r"[/\\%\x00-\x1f\x7f]")


def check_model_name(name: Any, what: str = "model") -> str:
    name = check_name(name, what)
    if _UNSAFE_NAME.search(name) or name.startswith(".") or name != name.strip():
        raise InvalidInput(f"{what} name {name!r} may not contain '/', '\\', '%', control "
                           "characters or start with '.'", field="name")
    return name


def check_alias(alias: Any) -> str:
    alias = check_model_name(alias, "alias")
    if alias in STAGES or alias.isdigit():
        raise InvalidInput(f"alias {alias!r} would be mistaken for a stage or a version",
                           field="alias")
    return alias


def check_stage(stage: Any) -> str:
    if stage not in STAGES:
        raise InvalidInput(f"unknown stage {stage!r}", hint="use one of " + ", ".join(STAGES),
                           field="stage")
    return stage


_VERSION_COLUMNS = (V.id, R.name, V.version, V.stage, V.source, V.iteration_id, V.sha256,
                    V.size, V.format, V.flavor, V.model_class, V.filename, V.description,
                    V.metrics, V.params, V.datasets, V.created_at, V.created_by)


def _to_version(r: Any, aliases: Sequence[str] = ()) -> ModelVersion:
    return ModelVersion(
        id=r[0], model_name=r[1], version=r[2], stage=r[3], source=r[4], iteration_id=r[5],
        sha256=r[6], size=r[7], format=r[8], flavor=r[9], model_class=r[10], filename=r[11],
        description=r[12], metrics=r[13] or {}, params=r[14] or {},
        datasets=tuple(r[15] or ()), created_at=utc_from_timestamp(r[16]), created_by=r[17],
        aliases=tuple(sorted(aliases)))


class SqlRegistry(RegistryStore):
    """Registry methods over ``self.engine``."""

    engine: Engine

    # -- registered models ----------------------------------------------------------
    def create_registered_model(self, name: str,
                                description: str | None = None) -> RegisteredModel:
        name = check_model_name(name)
        now = time.time()
        try:
            with write_tx(self.engine) as conn:
                conn.execute(insert(R).values(name=name, description=description,
                                              created_at=now, updated_at=now, last_version=0))
        except IntegrityError as e:
            raise AlreadyExists(f"model {name!r} is already registered", field="name") from e
        return self.get_registered_model(name)

    def _model_id(self, conn: Connection, name: str, *, lock: bool = False) -> int:
        stmt = select(R.id).where(R.name == name)
        if lock and conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        mid = conn.execute(stmt).scalar()
        if mid is None:
            names = conn.execute(select(R.name)).scalars().all()
            raise NotFound(f"no registered model {name!r}", hint=did_you_mean(name, names),
                           field="name")
        return mid

    def get_registered_model(self, name: str) -> RegisteredModel:
        models = self._models(select(R.id).where(R.name == name))
        if not models:
            with read_tx(self.engine) as conn:
                self._model_id(conn, name)  # raises NotFound with a hint
        return models[0]

    def list_registered_models(self) -> list[RegisteredModel]:
        return self._models(select(R.id))

    def _models(self, ids: Any) -> list[RegisteredModel]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(R.id, R.name, R.description, R.created_at, R.updated_at,
                                       R.last_version).where(R.id.in_(ids))
                                .order_by(R.name)).all()
            prod = dict(conn.execute(select(V.model_id, V.version).where(
                V.stage == "production", V.model_id.in_(ids))).all())
            aliases: dict[int, dict[str, int]] = {}
            for mid, alias, version in conn.execute(
                    select(A.model_id, A.alias, V.version).join(V, A.version_id == V.id)
                    .where(A.model_id.in_(ids))):
                aliases.setdefault(mid, {})[alias] = version
        return [RegisteredModel(r[0], r[1], r[2], utc_from_timestamp(r[3]),
                                utc_from_timestamp(r[4]), r[5], prod.get(r[0]),
                                aliases.get(r[0], {})) for r in rows]

    # -- versions ---------------------------------------------------------------------
    def create_model_version(self, name: str, *, sha256: str, size: int, format: str,
                             source: str, iteration_id: int | None = None,
                             flavor: str | None = None, model_class: str | None = None,
                             filename: str | None = None, description: str | None = None,
                             metrics: Mapping[str, float] | None = None,
                             params: Mapping[str, Any] | None = None,
                             datasets: Sequence[Mapping[str, Any]] = (),
                             actor: str | None = None) -> ModelVersion:
        name = check_model_name(name)
        if source not in ("iteration", "upload"):
            raise InvalidInput(f"unknown model source {source!r}", field="source")
        now = time.time()
        for _attempt in range(2):
            try:
                with write_tx(self.engine) as conn:
                    mid = conn.execute(select(R.id).where(R.name == name)).scalar()
                    if mid is None:
                        mid = conn.execute(insert(R).values(
                            name=name, created_at=now, updated_at=now, last_version=0)
                            .returning(R.id)).scalar_one()
                    version = conn.execute(update(R).where(R.id == mid).values(
                        last_version=R.last_version + 1, updated_at=now)
                        .returning(R.last_version)).scalar_one()
                    conn.execute(insert(V).values(
                        model_id=mid, version=version, stage="none", source=source,
                        iteration_id=iteration_id, sha256=sha256, size=size, format=format,
                        flavor=flavor, model_class=model_class, filename=filename,
                        description=description, metrics=_json_floats(metrics or {}),
                        params=dict(params or {}), datasets=[dict(d) for d in datasets],
                        created_at=now, created_by=actor))
                break
            except IntegrityError:
                # Two processes created the registered model at once: the loser retries.
                if _attempt:
                    raise
        return self.get_model_version(name, version)

    def _versions(self, conn: Connection, where: Any) -> list[ModelVersion]:
        rows = conn.execute(select(*_VERSION_COLUMNS).join(R, V.model_id == R.id).where(where)
                            .order_by(V.version)).all()
        ids = [r[0] for r in rows]
        aliases: dict[int, list[str]] = {}
        if ids:
            for vid, alias in conn.execute(select(A.version_id, A.alias)
                                           .where(A.version_id.in_(ids))):
                aliases.setdefault(vid, []).append(alias)
        return [_to_version(r, aliases.get(r[0], ())) for r in rows]

    def get_model_version(self, name: str, version: int) -> ModelVersion:
        with read_tx(self.engine) as conn:
            mid = self._model_id(conn, name)
            found = self._versions(conn, (V.model_id == mid) & (V.version == version))
        if not found:
            raise NotFound(f"model {name!r} has no version {version}", field="version")
        return found[0]

    def list_model_versions(self, name: str) -> list[ModelVersion]:
        with read_tx(self.engine) as conn:
            return self._versions(conn, V.model_id == self._model_id(conn, name))

    def resolve_model_version(self, name: str, *, stage: str | None = None,
                              version: int | None = None,
                              alias: str | None = None) -> ModelVersion:
        check_one_selector(stage, version, alias)
        if version is not None:
            return self.get_model_version(name, int(version))
        if stage is not None:
            check_stage(stage)
        with read_tx(self.engine) as conn:
            mid = self._model_id(conn, name)
            if stage is not None:
                found = self._versions(conn, (V.model_id == mid) & (V.stage == stage))
                what = f"in stage {stage!r}"
            else:
                vid = conn.execute(select(A.version_id).where(A.model_id == mid,
                                                               A.alias == alias)).scalar()
                found = self._versions(conn, V.id == vid) if vid is not None else []
                what = f"with alias {alias!r}"
        if not found:
            raise NotFound(f"model {name!r} has no version {what}",
                           hint="promote one with mj.promote(name, version, 'production')"
                           if stage == "production" else None)
        return found[-1]

    # -- stages -----------------------------------------------------------------------
    def transition_stage(self, name: str, version: int, stage: str, *, actor: str,
                         comment: str | None = None) -> ModelVersion:
        check_stage(stage)
        with write_tx(self.engine) as conn:
            mid = self._model_id(conn, name, lock=True)
            self._transition(conn, mid, version, stage, actor, comment)
        return self.get_model_version(name, version)

    def _transition(self, conn: Connection, mid: int, version: int, stage: str, actor: str,
                    comment: str | None) -> None:
        row = conn.execute(select(V.id, V.stage).where(V.model_id == mid,
                                                       V.version == version)).first()
        if row is None:
            raise NotFound(f"this model has no version {version}", field="version")
        vid, current = row
        if current == stage:
            raise Conflict(f"version {version} is already in stage {stage!r}", field="stage")
        now = time.time()
        if stage == "production":
            for old_id, old_version in conn.execute(select(V.id, V.version).where(
                    V.model_id == mid, V.stage == "production")).all():
                conn.execute(update(V).where(V.id == old_id).values(stage="archived"))
                conn.execute(insert(T).values(
                    model_id=mid, version_id=old_id, version=old_version,
                    from_stage="production", to_stage="archived", actor=actor, at=now,
                    comment=f"replaced by version {version}"))
        conn.execute(update(V).where(V.id == vid).values(stage=stage))
        conn.execute(insert(T).values(model_id=mid, version_id=vid, version=version,
                                      from_stage=current, to_stage=stage, actor=actor,
                                      at=now, comment=comment))
        conn.execute(update(R).where(R.id == mid).values(updated_at=now))

    def rollback_production(self, name: str, *, actor: str,
                            comment: str | None = None) -> ModelVersion:
        with write_tx(self.engine) as conn:
            mid = self._model_id(conn, name, lock=True)
            current = conn.execute(select(V.version).where(
                V.model_id == mid, V.stage == "production")).scalar()
            promoted = conn.execute(select(T.version).where(
                T.model_id == mid, T.to_stage == "production").order_by(T.id.desc())).scalars()
            previous = next((v for v in promoted if v != current), None)
            if previous is None:
                raise Conflict(f"model {name!r} has no earlier production version to roll "
                               "back to", hint="promote a version instead")
            note = comment or (f"rollback from version {current}" if current else "rollback")
            self._transition(conn, mid, previous, "production", actor, note)
        return self.get_model_version(name, previous)

    def model_name_of_version(self, version_id: int) -> str:
        with read_tx(self.engine) as conn:
            name = conn.execute(select(R.name).join(V, V.model_id == R.id)
                                .where(V.id == version_id)).scalar()
        if name is None:
            raise NotFound(f"no model version with id {version_id}", field="version")
        return name

    # -- aliases and history ----------------------------------------------------------
    def set_alias(self, name: str, alias: str, version: int) -> ModelVersion:
        alias = check_alias(alias)
        with write_tx(self.engine) as conn:
            mid = self._model_id(conn, name, lock=True)
            vid = conn.execute(select(V.id).where(V.model_id == mid,
                                                  V.version == version)).scalar()
            if vid is None:
                raise NotFound(f"model {name!r} has no version {version}", field="version")
            conn.execute(delete(A).where(A.model_id == mid, A.alias == alias))
            conn.execute(insert(A).values(model_id=mid, alias=alias, version_id=vid))
        return self.get_model_version(name, version)

    def delete_alias(self, name: str, alias: str) -> None:
        with write_tx(self.engine) as conn:
            mid = self._model_id(conn, name)
            n = conn.execute(delete(A).where(A.model_id == mid, A.alias == alias)).rowcount
        if not n:
            raise NotFound(f"model {name!r} has no alias {alias!r}", field="alias")

    def stage_history(self, name: str) -> list[StageTransition]:
        with read_tx(self.engine) as conn:
            mid = self._model_id(conn, name)
            rows = conn.execute(select(T.id, T.version, T.from_stage, T.to_stage, T.actor, T.at,
                                       T.comment).where(T.model_id == mid)
                                .order_by(T.id)).all()
        return [StageTransition(r[0], name, r[1], r[2], r[3], r[4], utc_from_timestamp(r[5]),
                                r[6]) for r in rows]


def _json_floats(metrics: Mapping[str, float]) -> dict[str, Any]:
    # JSON has no NaN/inf: keep them as strings the API layer understands.
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        out[key] = value if value == value and value not in (float("inf"), float("-inf")) \
            else repr(value)
    return out
