"""Fixtures for the side panel browser tests.

One real ``jupyter lab`` runs per session on a free loopback port, with its own
runtime, config, data and settings directories and a temporary SQLite tracking
database; Debian's chromium drives it through Playwright. Tests create their data
with the library in this process, writing to the same database the server reads,
exactly as a notebook kernel would.

The tests skip, with the reason printed, only when /usr/bin/chromium is absent
(``make test`` installs it through scripts/ensure-system-deps.sh).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.helpers import PANEL_TAB

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
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STARTUP_TIMEOUT_S = 90


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: where it listens and where its data lives."""

    url: str
    token: str
    tracking_uri: str
    root_dir: Path
    log_path: Path

    def api(self, path: str) -> tuple[int, object]:
        """GET a path of the server with the token; returns (status, decoded JSON)."""
        request = urllib.request.Request(
            f"{self.url}{path}", headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
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


@pytest.fixture(autouse=True)
def jp_asyncio_loop():
    """Replace pytest-jupyter's per-test event loop for these tests.

    Its teardown closes the thread's current loop, which here is the one Playwright's
    sync API keeps running for the whole session; the browser tests need no loop.
    """
    yield None


@pytest.fixture(autouse=True)
def jp_server_cleanup():
    """pytest-jupyter's in-process server cleanup: nothing to clean, the server is a subprocess."""
    yield


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium "
                    "(scripts/ensure-system-deps.sh) to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def lab(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """Start ``jupyter lab`` on loopback with a throwaway database; stop it at the end."""
    base = tmp_path_factory.mktemp("lab")
    dirs = {name: base / name for name in ("runtime", "config", "data", "settings",
                                            "workspaces", "root", "home")}
    for d in dirs.values():
        d.mkdir()
    _write_settings(dirs["settings"])
    # Enable the server extension explicitly: the test does not depend on what the
    # installation wrote to etc/jupyter.
    (dirs["config"] / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"mlops_jupyter": True}}}))

    port = _free_port()
    token = uuid.uuid4().hex
    tracking_uri = f"sqlite:///{base / 'mlops.db'}"
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
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "jupyter-lab.log").write_bytes(log_path.read_bytes())


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(chromium_path), headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Remember each phase's outcome on the item so fixtures can react to failures."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser, lab: Lab, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser page on JupyterLab; a screenshot is kept in test-artifacts/ on failure."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    console: list[str] = []
    pg.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    pg.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
    pg.set_default_timeout(15_000)
    pg.goto(f"{lab.url}lab?token={lab.token}")
    pg.wait_for_selector(PANEL_TAB, timeout=60_000)
    try:
        yield pg
    finally:
        failed = any(getattr(request.node, f"rep_{w}", None) is not None
                     and getattr(request.node, f"rep_{w}").failed for w in ("setup", "call"))
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.console.txt").write_text("\n".join(console))
        context.close()


@pytest.fixture
def client(lab: Lab) -> Iterator[object]:
    """A library client writing to the database the server reads."""
    import mlops_jupyter as mj

    c = mj.Client(tracking_uri=lab.tracking_uri)
    try:
        yield c
    finally:
        c.flush()
        c.close()


@pytest.fixture
def unique() -> str:
    """A short random suffix: tests share one database, so names must not collide."""
    return uuid.uuid4().hex[:6]
