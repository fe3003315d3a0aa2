"""SQLite's write-ahead log is copied into the database file in the background."""

from __future__ import annotations

import sqlite3
import time

from sqlalchemy import text

from mlops_jupyter.store.checkpoint import WalCheckpointer, checkpointer
from mlops_jupyter.store.engine import create_store_engine, write_tx


def _wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_commits_leave_the_checkpoint_to_the_background_thread(tmp_path):
    path = tmp_path / "wal.db"
    engine = create_store_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            # a commit never stops to copy the log into the database file itself
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        with write_tx(engine) as conn:
            conn.execute(text("CREATE TABLE t (x TEXT)"))
        with write_tx(engine) as conn:  # ~2,500 pages of log
            conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": "v" * 1000}] * 10_000)
        asked = checkpointer.requested[str(path)]
        assert _wait_for(lambda: checkpointer.completed.get(str(path), 0) >= asked)
        # every frame of the log is now in the database file (and no other checkpoint of
        # it is due): a new passive checkpoint finds nothing left to copy
        con = sqlite3.connect(path)
        try:
            busy, frames, copied = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            assert busy == 0 and frames == copied
            assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 10_000
        finally:
            con.close()
    finally:
        engine.dispose()


def test_a_deleted_database_is_not_recreated(tmp_path):
    path = tmp_path / "gone.db"
    WalCheckpointer().checkpoint(str(path))
    assert not path.exists()


def test_in_memory_databases_keep_sqlites_own_behaviour():
    engine = create_store_engine("sqlite://")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        with write_tx(engine) as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
    finally:
        engine.dispose()
