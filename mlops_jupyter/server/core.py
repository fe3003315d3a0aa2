"""The library's registry and monitoring operations, bound to the server's one store.

``ServerCore`` reuses the :class:`~mlops_jupyter.tracking.client.Client` mixins (the
same code a notebook runs) over the store the extension built at start-up, so the
REST routes hold no registry or monitoring rules of their own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..alerts.mixin import AlertsClientMixin
from ..config import Settings
from ..entities import ModelVersion
from ..errors import MlopsError
from ..monitoring.client import MonitoringClientMixin
from ..registry.client import RegistryClientMixin
from ..registry.serialization import trust_keys
from ..store.sql_store import SqlStore

log = logging.getLogger("mlops_jupyter")

SERVED_FLUSH_SECONDS = 0.2


class ServerCore(RegistryClientMixin, MonitoringClientMixin, AlertsClientMixin):
    """Registry and monitoring methods over the extension's store and settings."""

    def __init__(self, store: SqlStore, settings: Settings, trusted_models: Iterable[str] = ()):
        self.store = store
        self.settings = settings
        self._versions: dict[tuple[str, int], ModelVersion] = {}
        # Requests of the predict route, gathered per version and handed to the
        # library's prediction buffer as one DataFrame per flush (a few per second)
        # instead of one tiny batch per request.
        self._served: dict[tuple[str, int], list[tuple]] = {}
        self._served_lock = threading.Lock()
        self._served_flush = threading.Lock()
        self._served_timer: threading.Timer | None = None
        self.trusted_models = frozenset(str(t).strip() for t in trusted_models if str(t).strip())
        # Where retraining notebooks of alert rules may live: the contents root of
        # the Jupyter server (set by the extension); None runs no notebook at all.
        self.notebook_root: Path | None = None

    def server_trusts(self, mv: ModelVersion) -> bool:
        """Trust granted by the server's ``trusted_models`` trait (the config file's
        allowlist and ``MLOPS_JUPYTER_TRUSTED_MODELS`` are checked by the loader). A bare
        name trusts only versions registered from an iteration, never an upload."""
        return bool(trust_keys(mv.model_name, mv.version, mv.sha256, mv.source)
                    & self.trusted_models)

    def load_served(self, mv: ModelVersion) -> Any:
        """Load a version for the predict route, trusted as the server is configured."""
        return self.load_version(mv, allowlist=self.trusted_models)

    def _version_for(self, model: str, version: int | None) -> ModelVersion:
        # A (name, version) pair always names the same row: cache it, so logging with an
        # explicit version (every predict request) does not re-read the registry.
        if version is None:
            return super()._version_for(model, None)
        key = (model, int(version))
        mv = self._versions.get(key)
        if mv is None:
            mv = super()._version_for(model, version)
            if len(self._versions) > 10_000:
                self._versions.clear()
            self._versions[key] = mv
        return mv

    def version_for(self, model: str, version: int | None = None) -> ModelVersion:
        """An explicit version, or the production one (re-read every few seconds)."""
        return self._version_for(model, version)

    def log_served(self, mv: ModelVersion, rows: Sequence[dict[str, Any]],
                   outputs: Sequence[Any], confidences: Sequence[float | None] | None,
                   latencies_ms: Sequence[float | None], statuses: Sequence[str],
                   errors: Sequence[str | None]) -> list[str]:
        """Queue predictions of the predict route; returns their request ids at once."""
        from ..monitoring.ingest import new_request_ids

        n = len(rows)
        ids = new_request_ids(n)
        now = time.time()
        conf = list(confidences) if confidences is not None else [None] * n
        entry = (list(rows), list(outputs), conf, list(latencies_ms), list(statuses),
                 list(errors), ids, [now] * n)
        with self._served_lock:
            self._served.setdefault((mv.model_name, mv.version), []).append(entry)
            if self._served_timer is None:
                self._served_timer = threading.Timer(SERVED_FLUSH_SECONDS, self.flush_served)
                self._served_timer.daemon = True
                self._served_timer.start()
        return ids

    def flush_served(self) -> int:
        """Hand the queued predict-route requests to the prediction buffer."""
        import pandas as pd

        with self._served_flush:
            with self._served_lock:
                pending, self._served = self._served, {}
                self._served_timer = None
            n = 0
            for (model, version), entries in pending.items():
                cols: list[list[Any]] = [[] for _ in range(8)]
                for entry in entries:
                    for col, values in zip(cols, entry, strict=True):
                        col.extend(values)
                rows, outputs, conf, lat, statuses, errors, ids, at = cols
                try:
                    # DataFrame(rows), not from_records: rows that are all {} (a refused
                    # request) must still make one frame row each.
                    self.log_predictions(
                        pd.DataFrame(rows), outputs, model=model, version=version,
                        confidences=conf, latencies_ms=lat, request_ids=ids,
                        statuses=statuses, errors=errors, at=at)
                except MlopsError as e:  # cannot succeed later: say it, keep the others
                    log.error("mlops_jupyter: %d predict-route records of %s v%s not logged: "
                              "%s", len(ids), model, version, e)
                    continue
                n += len(ids)
            return n

    def flush_predictions(self) -> int:
        self.flush_served()
        return super().flush_predictions()

    def close(self) -> None:
        self.flush_served()
        if self._predictions is not None:
            self._predictions.close()
