"""Run a real ``jupyter lab`` on loopback for the browser tests and the panel benchmark.

Everything it writes lives under one base directory: runtime, config, data, user
settings, workspaces, the notebook root, ``MLOPS_JUPYTER_HOME`` and, unless a tracking
URI is given, the SQLite database.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STARTUP_TIMEOUT_S = 90
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: where it listens and where its data lives."""

    url: str
    token: str
    tracking_uri: str
    root_dir: Path
    log_path: Path

    @property
    def lab_url(self) -> str:
        return f"{self.url}lab?token={self.token}"

    def api(self, path: str) -> tuple[int, object]:
        """GET a path of the server with the token; returns (status, decoded JSON)."""
        request = urllib.request.Request(
            f"{self.url}{path}", headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(settings_dir: Path) -> None:
    """Turn off JupyterLab's news and update prompts: toasts would cover the panel."""
    target = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def _wait_ready(url: str, token: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early:\n{log_path.read_text()[-4000:]}")
        try:
            request = urllib.request.Request(
                f"{url}api/status", headers={"Authorization": f"token {token}"}
            )
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"jupyter lab not ready after {STARTUP_TIMEOUT_S} s:\n"
                       f"{log_path.read_text()[-4000:]}")


@contextmanager
def running_lab(base: Path, tracking_uri: str | None = None) -> Iterator[Lab]:
    """Start ``jupyter lab`` (this interpreter's) and stop it when the block exits."""
    dirs = {name: base / name for name in ("runtime", "config", "data", "settings",
                                            "workspaces", "root", "home")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    _write_settings(dirs["settings"])
    # Enable the server extension explicitly rather than depend on what the
    # installation wrote to etc/jupyter.
    (dirs["config"] / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"mlops_jupyter": True}}}))

    port = _free_port()
    token = uuid.uuid4().hex
    tracking_uri = tracking_uri or f"sqlite:///{base / 'mlops.db'}"
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "MLOPS_JUPYTER_TRACKING_URI": tracking_uri,
        "MLOPS_JUPYTER_HOME": str(dirs["home"]),
    }
    args = [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={dirs['root']}",
        f"--LabApp.user_settings_dir={dirs['settings']}",
        f"--LabApp.workspaces_dir={dirs['workspaces']}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    log_path = base / "jupyter-lab.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT,
                                cwd=dirs["root"])
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_ready(url, token, proc, log_path)
        yield Lab(url, token, tracking_uri, dirs["root"], log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
