"""Small helpers shared by the browser tests: data set-up and panel navigation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PANEL_TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlops-jupyter:panel"]'
PANEL = ".jp-mlops-panel"
ROW = f"{PANEL} .jp-mlops-row[data-iteration-id]"


def track(client: Any, project: str, experiment: str, name: str, *,
          params: Mapping[str, Any] | None = None,
          metrics: Mapping[str, float] | None = None,
          curves: Mapping[str, Sequence[float]] | None = None,
          status: str = "finished", error: str | None = None,
          tags: Mapping[str, str] | None = None, code: str | None = None) -> int:
    """Record one finished (or failed) iteration the way a notebook cell would."""
    from mlops_jupyter import Source

    it = client.start_iteration(project, experiment, name, tags=tags,
                                source=Source(code=code, execution_count=3) if code else None,
                                capture_environment=True)
    if params:
        it.log_params(dict(params))
    for key, values in (curves or {}).items():
        for step, value in enumerate(values):
            it.log_metric(key, value, step=step)
    if metrics:
        it.log_metrics(dict(metrics))
    it.end(status, error)
    return it.id


def select_scope(pg: Any, project: str, experiment: str | None = None) -> None:
    """Scope the iteration list to a project (and experiment) through the tree."""
    node = pg.locator(f"{PANEL} .jp-mlops-tree-node", has_text=project).first
    node.click()
    if experiment is not None:
        pg.locator(f"{PANEL} .jp-mlops-tree-experiment", has_text=experiment).first.click()


def wait_rows(pg: Any, names: Sequence[str], timeout: float = 10_000) -> None:
    """Wait until the visible rows are exactly ``names`` (in any order)."""
    pg.wait_for_function(
        """([selector, expected]) => {
            const got = Array.from(document.querySelectorAll(selector)).map(e => e.textContent);
            return got.length === expected.length && expected.every(n => got.includes(n));
        }""",
        arg=[f"{ROW} .jp-mlops-row-name", list(names)],
        timeout=timeout,
    )


def open_panel(pg) -> None:
    """Click the sidebar icon and wait until the panel has connected."""
    tab = pg.locator(PANEL_TAB)
    if "lm-mod-current" not in (tab.get_attribute("class") or ""):
        tab.click()
    pg.wait_for_selector(".jp-mlops-panel .jp-mlops-panel-body")
    pg.wait_for_function(
        "() => !document.querySelector('.jp-mlops-panel')?.textContent"
        ".includes('Connecting to the mlops-jupyter server')")
