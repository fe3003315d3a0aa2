"""Engine construction: one place that knows SQLite and PostgreSQL quirks.

SQLite runs in WAL mode (readers never block the writer), ``synchronous=FULL``
(the log is synced to disk before a commit returns, so every committed transaction
survives a process crash, an OS crash and a power loss; ``NORMAL`` would only sync
at checkpoints, letting a power loss drop the commits since the last one), a long
busy timeout, and foreign keys on. Writes are batched (metric points, predictions),
so the sync is paid once per batch, not per record. Write transactions start with
``BEGIN IMMEDIATE`` so they take the write lock up front: a deferred transaction
that reads first and writes later can fail with "database is locked" immediately,
ignoring the busy timeout, when another writer got in between. The log is copied
into the database file by a background thread after each write transaction
(``checkpoint.py``) rather than inside the commit that crosses a threshold.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import InvalidInput
from .checkpoint import checkpointer

SQLITE_BUSY_TIMEOUT_MS = 60_000
# FULL (2): a commit returns once the write-ahead log is on disk. What the store
# acknowledges (a flushed metric batch, a logged prediction, an outbox event) is
# then kept through a power loss, as the README states.
SQLITE_SYNCHRONOUS = "FULL"
_IMMEDIATE = "mlops_sqlite_immediate"


def sqlite_path(uri: str) -> Path | None:
    """The file path of a ``sqlite:///`` URI (``~`` expanded), or None for other URIs."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite":
        return None
    db = url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(os.path.expanduser(db))


def normalize_uri(uri: str) -> str:
    """Expand ``~`` in SQLite paths and map ``postgresql://`` to the psycopg 3 driver."""
    try:
        url = make_url(uri)
    except ArgumentError as e:
        raise InvalidInput(
            f"not a database URL: {uri!r}",
            hint="use e.g. sqlite:///path/to/mlops.db or postgresql://user@host/db",
        ) from e
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(uri)
        if path is not None:
            url = url.set(database=str(path))
    elif backend == "postgresql" and url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise InvalidInput(
            f"unsupported database backend {backend!r}",
            hint="mlops-jupyter stores data in SQLite or PostgreSQL",
        )
    return url.render_as_string(hide_password=False)


def create_store_engine(uri: str) -> Engine:
    """Create the SQLAlchemy engine for a tracking database URI."""
    uri = normalize_uri(uri)
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(uri)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    except ModuleNotFoundError as e:  # the driver is the optional `postgres` extra
        raise InvalidInput(
            f"a PostgreSQL tracking URI needs the {e.name} driver, which is not installed",
            hint='pip install "mlops-jupyter[postgres]"',
        ) from e


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        # Take transaction control away from the driver so BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cur.execute("PRAGMA foreign_keys=ON")
        if _file_database(engine):
            cur.execute("PRAGMA wal_autocheckpoint=0")  # checkpoint.py does it
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A connection inside a write transaction, committed on success."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            conn = conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            yield conn
    if sqlite and (path := _file_database(engine)):
        checkpointer.request(path)


def _file_database(engine: Engine) -> str | None:
    db = engine.url.database
    return db if db and db != ":memory:" and not db.startswith("file:") else None


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A connection for reads (one consistent snapshot)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def redact(uri: str) -> str:
    """The URI with any password masked: safe to print and log."""
    try:
        return make_url(uri).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URI>"
