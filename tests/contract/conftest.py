"""The store contract runs against every backend behind the tracking URI."""

from __future__ import annotations

import pytest

from tests.server.live import live_server, remote_tracking_uri  # noqa: F401 - "remote"

BACKENDS = ["sqlite", "postgresql", "remote"]


@pytest.fixture(params=BACKENDS)
def tracking_uri(request, tmp_path):
    """A tracking URI for a fresh, empty store of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'contract.db'}"
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return request.getfixturevalue(f"{request.param}_tracking_uri")


@pytest.fixture
def client(tracking_uri):
    import mlops_jupyter as mj

    c = mj.Client(tracking_uri, heartbeat_timeout=60)
    yield c
    c.close()
