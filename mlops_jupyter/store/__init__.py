"""Storage: the only package that touches SQL (or, for remote use, the REST API).

:func:`open_store` picks the backend from the tracking URI.
"""

from __future__ import annotations

from .base import MetricPoint, SearchResult, TrackingStore


def open_store(uri: str, *, heartbeat_timeout: float = 120.0, auto_upgrade: bool = False,
               token: str | None = None) -> TrackingStore:
    """Open the store behind ``uri``: a database URL, or an ``http(s)://`` server URL."""
    if uri.startswith(("http://", "https://")):
        from .rest_store import RestStore

        return RestStore(uri, token=token)
    from .sql_store import SqlStore

    return SqlStore(uri, heartbeat_timeout=heartbeat_timeout, auto_upgrade=auto_upgrade)


__all__ = ["MetricPoint", "SearchResult", "TrackingStore", "open_store"]
