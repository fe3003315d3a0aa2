"""A live ``jupyter server`` subprocess serving the mlops API, for synchronous clients.

pytest-jupyter's server runs in the test's own event loop, so a blocking client
(``RestStore``) in the same thread would deadlock against it: these fixtures start
a real server process on a free loopback port instead.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete

from mlops_jupyter.store.models import Base


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """One ``jupyter server`` process with the extension on ``db_url``."""

    def __init__(self, workdir: Path, db_url: str, base_url: str = "/", workers: int = 0,
                 keys_cache_seconds: float = 0.0):
        self.workdir = workdir
        self.db_url = db_url
        self.base_url = base_url
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{base_url}"
        self.workers = workers
        self.keys_cache_seconds = keys_cache_seconds
        self.proc: subprocess.Popen | None = None
        self.extra_config: dict[str, object] = {}  # more MlopsExtensionApp traits
        self.extra_args: list[str] = []  # more command-line options

    def start(self, timeout: float = 60.0) -> LiveServer:
        config_dir = self.workdir / "jupyter-config"
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "jupyter_server_config.json").write_text(json.dumps({
            "ServerApp": {"jpserver_extensions": {"mlops_jupyter": True}},
            "MlopsExtensionApp": {"tracking_uri": self.db_url,
                                  "keys_cache_seconds": self.keys_cache_seconds,
                                  "workers": self.workers, **self.extra_config},
        }))
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir),
               "MLOPS_JUPYTER_HOME": str(self.workdir / "home")}
        for var in ("MLOPS_JUPYTER_TRACKING_URI", "MLOPS_JUPYTER_TOKEN",
                    "MLOPS_JUPYTER_TRUSTED_MODELS"):
            env.pop(var, None)
        self.log = open(self.workdir / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
             f"--ServerApp.port={self.port}", "--ServerApp.ip=127.0.0.1",
             "--ServerApp.port_retries=0", f"--ServerApp.base_url={self.base_url}",
             f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.workdir}", "--ServerApp.log_level=WARN",
             *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=self.workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("jupyter server exited: " + self.read_log())
            try:
                self.get("projects")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("jupyter server did not answer in time: " + self.read_log())

    def get(self, path: str) -> object:
        request = urllib.request.Request(f"{self.url}mlops/api/{path}",
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def read_log(self) -> str:
        return (self.workdir / "server.log").read_text(errors="replace")[-3000:]

    def reset(self) -> None:
        """Empty every table, so each test starts from a fresh store.

        Input schemas stay: they are content-addressed (a digest always names the same
        columns) and the server remembers their ids, as it may.
        """
        engine = create_engine(self.db_url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.begin() as conn:
                for table in reversed(Base.metadata.sorted_tables):
                    if table.name != "input_schemas":
                        conn.execute(delete(table))
        finally:
            engine.dispose()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """A session-wide server on a SQLite database (reset per test by its users)."""
    workdir = tmp_path_factory.mktemp("live-server")
    server = LiveServer(workdir, f"sqlite:///{workdir / 'mlops.db'}").start()
    yield server
    server.stop()


@pytest.fixture
def remote_tracking_uri(live_server, monkeypatch):
    """An ``http://`` tracking URI of an empty store; the token comes from the env."""
    live_server.reset()
    monkeypatch.setenv("MLOPS_JUPYTER_TOKEN", live_server.token)
    return live_server.url
