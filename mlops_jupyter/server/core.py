"""The library's registry and monitoring operations, bound to the server's one store.

``ServerCore`` reuses the :class:`~mlops_jupyter.tracking.client.Client` mixins (the
same code a notebook runs) over the store the extension built at start-up, so the
REST routes hold no registry or monitoring rules of their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..config import Settings
from ..entities import ModelVersion
from ..monitoring.client import MonitoringClientMixin
from ..registry.client import RegistryClientMixin
from ..store.sql_store import SqlStore


class ServerCore(RegistryClientMixin, MonitoringClientMixin):
    """Registry and monitoring methods over the extension's store and settings."""

    def __init__(self, store: SqlStore, settings: Settings, trusted_models: Iterable[str] = ()):
        self.store = store
        self.settings = settings
        self._versions: dict[tuple[str, int], ModelVersion] = {}
        self.trusted_models = frozenset(str(t).strip() for t in trusted_models if str(t).strip())

    def server_trusts(self, mv: ModelVersion) -> bool:
        """Trust granted by the server's ``trusted_models`` trait (the config file's
        allowlist and ``MLOPS_JUPYTER_TRUSTED_MODELS`` are checked by the loader)."""
        return bool({mv.model_name, f"{mv.model_name}:{mv.version}", f"sha256:{mv.sha256}"}
                    & self.trusted_models)

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

    def close(self) -> None:
        if self._predictions is not None:
            self._predictions.close()
