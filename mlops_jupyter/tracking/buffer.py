"""Batching buffers: accept records at memory speed, write them in batches.

:class:`BatchBuffer` is generic (metric points, predictions); :class:`MetricBuffer`
adds the iteration heartbeats. Records are appended to a deque (thread-safe without a lock) and written by a
background thread every ``interval`` seconds, as soon as ``max_batch`` points are
waiting, on :meth:`flush`, at iteration end and at interpreter exit. A point is
*acknowledged* once flushed: a hard crash (SIGKILL, OS crash, power loss) can lose
only the points accepted in the last flush interval (~0.1 s), because the store's
commits are synced to disk (SQLite ``synchronous=FULL``).

The same thread sends heartbeats for running iterations, so an iteration whose
process died is reported as killed once its heartbeat is older than the timeout.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import IntegrityError

from ..errors import NotFound
from ..store.base import MetricPoint, TrackingStore

log = logging.getLogger("mlops_jupyter")
T = TypeVar("T")


class BatchBuffer(Generic[T]):
    """Queues records and hands them to ``write`` in batches of at most ``max_batch``.

    ``write`` returns how many records it stored, or raises: an ``IntegrityError``
    drops the batch (retrying cannot fix it), any other error keeps it for a retry.
    """

    what = "records"

    def __init__(self, write: Callable[[Sequence[T]], int], *, interval: float = 0.1,
                 max_batch: int = 20_000):
        self.write = write
        self.interval = interval
        self.max_batch = max_batch
        self._pending: deque[T] = deque()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self.flushed = 0
        self.dropped = 0
        self.last_error: BaseException | None = None
        self._thread: threading.Thread | None = None

    # -- producer side -------------------------------------------------------------
    def add(self, point: T) -> None:
        self._pending.append(point)
        if len(self._pending) >= self.max_batch:
            self._wake.set()
        if self._thread is None:
            self._start()

    def extend(self, points: Iterable[T]) -> None:
        self._pending.extend(points)
        if len(self._pending) >= self.max_batch:
            self._wake.set()
        if self._thread is None:
            self._start()

    @property
    def pending(self) -> int:
        return len(self._pending)

    # -- consumer side -------------------------------------------------------------
    def flush(self) -> int:
        """Write every point accepted so far; returns how many were written.

        Raises the store's error if the points could not be written (they stay
        pending and are retried by the next flush).
        """
        written = 0
        with self._flush_lock:
            while self._pending:
                n = min(len(self._pending), self.max_batch)
                batch = [self._pending.popleft() for _ in range(n)]
                try:
                    written += self.write(batch)
                except (IntegrityError, NotFound) as e:
                    # What they refer to is gone (deleted database, wrong id): retrying
                    # cannot succeed, so drop them loudly rather than block the rest.
                    self.dropped += len(batch)
                    self.last_error = e
                    log.warning("dropped %d %s: what they refer to does not exist",
                                len(batch), self.what)
                except BaseException as e:
                    self._pending.extendleft(reversed(batch))
                    self.last_error = e
                    raise
            self.flushed += written
        return written

    def _start(self) -> None:
        with self._flush_lock:
            if self._thread is not None or self._closed:
                return
            ref = weakref.ref(self)
            self._thread = threading.Thread(target=_run, args=(ref, self._wake),
                                            name="mlops-jupyter-flusher", daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        try:
            if self._pending:
                self.flush()
            self.on_tick()
        except Exception as e:  # storage down: keep the records, retry next tick
            if self.last_error is not e:
                log.warning("mlops-jupyter could not write %s yet (%s); retrying",
                            self.what, e)
            self.last_error = e

    def on_tick(self) -> None:
        """Periodic work of the background thread besides flushing (none here)."""

    def close(self) -> None:
        """Stop the background thread after a last flush."""
        self._closed = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self.flush()


class MetricBuffer(BatchBuffer[MetricPoint]):
    """Metric points for one store, plus heartbeats of its running iterations."""

    what = "metric points"

    def __init__(self, store: TrackingStore, *, interval: float = 0.1, max_batch: int = 20_000,
                 heartbeat_interval: float = 30.0,
                 active_ids: Callable[[], Iterable[int]] = tuple):
        super().__init__(store.log_metrics, interval=interval, max_batch=max_batch)
        self.store = store
        self.heartbeat_interval = heartbeat_interval
        self._active_ids = active_ids
        self._last_heartbeat = time.monotonic()

    def on_tick(self) -> None:
        now = time.monotonic()
        if now - self._last_heartbeat >= self.heartbeat_interval:
            self._last_heartbeat = now
            ids = list(self._active_ids())
            if ids:
                self.store.heartbeat(ids)


def _run(ref: weakref.ref[BatchBuffer[Any]], wake: threading.Event) -> None:
    # Holding only a weak reference lets an abandoned Client be garbage collected.
    backoff = 0.0
    while True:
        buf = ref()
        if buf is None or buf._closed:
            return
        interval = buf.interval + backoff
        del buf
        wake.wait(interval)
        wake.clear()
        buf = ref()
        if buf is None:
            return
        error_before = buf.last_error
        buf._tick()
        failed = buf.last_error is not None and buf.last_error is not error_before
        backoff = min(max(backoff * 2, 0.2), 5.0) if failed else 0.0
        del buf
