"""Fixtures of the server tests: the extension enabled on a fresh database."""

from __future__ import annotations

import json

import pytest

from tests.server.live import live_server, remote_tracking_uri  # noqa: F401


@pytest.fixture
def tracking_url(sqlite_url):
    """The database the extension serves (override to change backends)."""
    return sqlite_url


@pytest.fixture
def artifact_root(tmp_path):
    """Where the extension (and a test's own client) keep model files."""
    return tmp_path / "artifacts"


@pytest.fixture
def jp_server_config(tracking_url, artifact_root):
    return {
        "ServerApp": {"jpserver_extensions": {"mlops_jupyter": True}},
        "MlopsExtensionApp": {"tracking_uri": tracking_url, "workers": 2,
                              "artifact_root": str(artifact_root)},
    }


@pytest.fixture
def api(jp_fetch):
    """Call ``mlops/api/<path>``: JSON in, the decoded JSON (or None) and status out."""

    async def call(method, path, body=None, params=None, body_raw=None, **kwargs):
        kw = {"method": method, "raise_error": False, **kwargs}
        if body_raw is not None:  # bytes sent as they are (e.g. not JSON)
            kw["body"] = body_raw
        elif body is not None:
            kw["body"] = json.dumps(body)
        elif method in ("POST", "PATCH"):
            kw["body"] = b""
            kw["allow_nonstandard_methods"] = True
        if params is not None:
            kw["params"] = params
        response = await jp_fetch("mlops", "api", *path.split("/"), **kw)
        data = json.loads(response.body) if response.body else None
        return response.code, data

    return call
