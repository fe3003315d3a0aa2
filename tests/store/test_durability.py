"""What the store acknowledges survives a power loss: SQLite syncs its log at commit.

WAL with ``synchronous=NORMAL`` syncs only at checkpoints, so a power loss could drop
commits already acknowledged; the store runs ``synchronous=FULL`` on every connection
it opens, and the docs say so.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from mlops_jupyter.store.engine import create_store_engine, write_tx

ROOT = Path(__file__).resolve().parents[2]
FULL = 2  # what PRAGMA synchronous answers for FULL


def _pragmas(conn) -> tuple[int, str]:
    return (conn.exec_driver_sql("PRAGMA synchronous").scalar(),
            conn.exec_driver_sql("PRAGMA journal_mode").scalar())


def test_every_connection_of_the_engine_syncs_at_commit(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path / 'mlops.db'}")
    try:
        # several pooled connections at once, from several threads, as kernels use them
        seen, barrier = [], threading.Barrier(4)

        def probe() -> None:
            with engine.connect() as conn:
                barrier.wait()
                seen.append(_pragmas(conn))

        threads = [threading.Thread(target=probe) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with write_tx(engine) as conn:  # and inside a write transaction
            seen.append(_pragmas(conn))
        assert seen == [(FULL, "wal")] * 5
    finally:
        engine.dispose()


def test_the_client_store_runs_full_sync(sqlite_url):
    import mlops_jupyter as mj

    client = mj.Client(sqlite_url)
    try:
        it = client.start_iteration("p", "e")
        it.log_metric("loss", 0.5)
        client.flush()  # the connection that acknowledged the point
        with client.store.engine.connect() as conn:
            assert _pragmas(conn) == (FULL, "wal")
        it.end()
    finally:
        client.close()


def test_the_docs_state_the_setting_in_effect():
    texts = {p.relative_to(ROOT).as_posix(): p.read_text()
             for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}
    stated = {(name, m) for name, t in texts.items()
              for m in re.findall(r"synchronous=(\w+)", t)}
    assert stated and {m for _, m in stated} == {"FULL"}, stated
    readme = texts["README.md"]
    assert "power loss" in readme and "synchronous=FULL" in readme
