"""Schema versioning: create, check and upgrade the database with Alembic.

Opening a store calls :func:`ensure_schema`. The fast path is a single
``SELECT`` of the Alembic revision; Alembic itself is only imported when there is
something to do. Creation and upgrades run under a cross-process lock (a lock file
for SQLite, an advisory lock for PostgreSQL) so that many processes opening one
new database at once end with one schema and no errors.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from ..errors import SchemaOutdated
from .engine import redact, sqlite_path
from .migrations import HEAD_REVISION, REVISIONS

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_PG_LOCK_KEY = 0x6D6C6F7073  # "mlops"


@dataclass(frozen=True)
class SchemaInfo:
    """What ``mlops-jupyter db info`` reports."""

    uri: str
    backend: str
    current: str | None
    head: str
    backup: Path | None = None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def current_revision(engine: Engine) -> str | None:
    """The stored Alembic revision, or None for a database without our schema."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def ensure_schema(engine: Engine, uri: str, *, auto_upgrade: bool) -> SchemaInfo:
    """Make sure the database has the current schema.

    A new (empty) database is created by running every migration. An older schema
    is upgraded only when ``auto_upgrade`` (the embedded default database: a backup
    copy is taken first); otherwise :class:`SchemaOutdated` names the command to run.
    """
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return SchemaInfo(redact(uri), engine.dialect.name, current, HEAD_REVISION)
    with _migration_lock(engine, uri):
        current = current_revision(engine)  # another process may have done it
        if current == HEAD_REVISION:
            return SchemaInfo(redact(uri), engine.dialect.name, current, HEAD_REVISION)
        if current is None:
            if _has_user_tables(engine):
                raise SchemaOutdated(
                    f"{redact(uri)} holds tables that are not an mlops-jupyter schema",
                    hint="point MLOPS_JUPYTER_TRACKING_URI at an empty or mlops-jupyter database",
                )
            _upgrade(engine, HEAD_REVISION)
            return SchemaInfo(redact(uri), engine.dialect.name, HEAD_REVISION, HEAD_REVISION)
        if current not in REVISIONS:
            raise SchemaOutdated(
                f"{redact(uri)} has schema revision {current!r}, newer than this "
                f"mlops-jupyter (head {HEAD_REVISION!r})",
                hint="upgrade the package: pip install -U mlops-jupyter",
            )
        if not auto_upgrade:
            raise SchemaOutdated(
                f"{redact(uri)} has schema revision {current!r}; this version needs "
                f"{HEAD_REVISION!r}",
                hint=f"run: mlops-jupyter db upgrade --uri '{redact(uri)}'",
            )
        backup = backup_sqlite(uri, current)
        _upgrade(engine, HEAD_REVISION)
        return SchemaInfo(redact(uri), engine.dialect.name, HEAD_REVISION, HEAD_REVISION, backup)


def upgrade(engine: Engine, uri: str, revision: str = "head") -> SchemaInfo:
    """Upgrade to ``revision`` (what ``mlops-jupyter db upgrade`` runs), backing up SQLite."""
    with _migration_lock(engine, uri):
        current = current_revision(engine)
        backup = None
        if current is not None and current != HEAD_REVISION:
            backup = backup_sqlite(uri, current)
        _upgrade(engine, revision)
    return SchemaInfo(redact(uri), engine.dialect.name, current_revision(engine), HEAD_REVISION,
                      backup)


def backup_sqlite(uri: str, revision: str) -> Path | None:
    """Copy a SQLite database (consistently, WAL included) next to itself."""
    path = sqlite_path(uri)
    if path is None or not path.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return target


def alembic_config(engine: Engine | None = None, connection: Connection | None = None):
    """An Alembic ``Config`` pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    cfg.attributes["engine"] = engine
    return cfg


def _upgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), revision)


def _has_user_tables(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return bool(names - {"alembic_version"})


@contextlib.contextmanager
def _migration_lock(engine: Engine, uri: str) -> Iterator[None]:
    path = sqlite_path(uri)
    if engine.dialect.name == "sqlite":
        if path is None:  # in-memory: one process by definition
            yield
            return
        lock_path = path.with_name(path.name + ".migrate-lock")
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()


