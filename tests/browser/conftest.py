"""Fixtures for the side panel browser tests.

One real ``jupyter lab`` runs per session on a free loopback port, with its own
runtime, config, data and settings directories and a temporary SQLite tracking
database; Debian's chromium drives it through Playwright. Tests create their data
with the library in this process, writing to the same database the server reads,
exactly as a notebook kernel would.

The tests skip, with the reason printed, only when /usr/bin/chromium is absent and CI
is not set (``make test`` installs it through scripts/ensure-system-deps.sh, so under
CI its absence fails the run).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.helpers import PANEL_TAB
from tests.browser.labserver import CHROMIUM, CHROMIUM_ARGS, Lab, running_lab

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


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
        missing = (f"{CHROMIUM} is absent: install Debian's chromium "
                   "(scripts/ensure-system-deps.sh) to run the browser tests")
        if os.environ.get("CI"):  # the test command installs it: absent is a broken setup
            pytest.fail(missing)
        pytest.skip(missing)
    return CHROMIUM


@pytest.fixture(scope="package")
def lab(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A ``jupyter lab`` on loopback with a throwaway database, for all the browser tests."""
    base = tmp_path_factory.mktemp("lab")
    try:
        with running_lab(base) as running:
            yield running
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        log = base / "jupyter-lab.log"
        if log.exists():
            (ARTIFACTS / "jupyter-lab.log").write_bytes(log.read_bytes())


@pytest.fixture(scope="package")
def browser(chromium_path: Path) -> Iterator[object]:
    """Chromium through Playwright's sync API, stopped after the last browser test.

    While it runs, Playwright's event loop counts as the thread's running loop, so it
    must not outlive this package: later asyncio-based tests would find and close it.
    """
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
    pg.goto(lab.lab_url)
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
