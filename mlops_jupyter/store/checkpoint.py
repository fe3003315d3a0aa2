"""Background checkpoints of SQLite's write-ahead log.

SQLite's automatic checkpoint runs inside the commit that crosses its threshold:
a large write then pays, before it returns, for copying every page it wrote from
the log into the database file. Store connections turn that off
(``wal_autocheckpoint=0``) and every write transaction asks this module for a
*passive* checkpoint after it commits. One daemon thread runs them on its own
connection: the copy overlaps the writer's next work, never blocks readers or
writers, and a checkpoint that finds the log busy simply leaves the rest for the
next one. A crash loses nothing (committed frames are in the log, which SQLite
replays on open), and closing the last connection checkpoints as usual.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger("mlops_jupyter")

SETTLE_SECONDS = 0.05  # let a burst of commits finish before copying their pages


class WalCheckpointer:
    """Runs passive checkpoints of the databases it was asked about, one thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: dict[str, int] = {}  # path -> the request number being waited for
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.requested: dict[str, int] = {}  # path -> requests so far
        self.completed: dict[str, int] = {}  # path -> requests a finished run covered

    def request(self, path: str) -> None:
        """Ask for a checkpoint of the database file at ``path`` (cheap; coalesced)."""
        with self._lock:
            self.requested[path] = self._due[path] = self.requested.get(path, 0) + 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="mlops-jupyter-checkpoint")
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(SETTLE_SECONDS)
            self._wake.clear()
            with self._lock:
                due, self._due = self._due, {}
            for path, number in due.items():
                self.checkpoint(path)
                with self._lock:  # every commit up to request `number` is copied
                    self.completed[path] = max(self.completed.get(path, 0), number)

    def checkpoint(self, path: str) -> None:
        if not Path(path).exists():  # deleted meanwhile: nothing to copy, never create it
            return
        try:
            # mode=rw: never creates a database; autocommit: the pragma needs no transaction
            con = sqlite3.connect(f"{Path(path).as_uri()}?mode=rw", uri=True, timeout=1,
                                  isolation_level=None)
            try:
                con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                con.close()
        except sqlite3.Error as e:  # busy or gone: the next commit asks again
            log.debug("checkpoint of %s skipped: %s", path, e)


checkpointer = WalCheckpointer()
