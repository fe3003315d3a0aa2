"""The side panel in a real browser: browse, filter, open, compare, live updates, XSS.

Each test makes its own project (a random suffix keeps names apart, the database is
shared by the session's JupyterLab) and scopes the panel to it through the tree.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.helpers import (
    PANEL,
    ROW,
    open_panel,
    select_scope,
    track,
    wait_rows,
)

pytestmark = pytest.mark.browser


def test_panel_lists_iterations_created_by_the_library(page, client, unique):
    # Given three iterations tracked with the library, one of them failed
    project = f"wine-{unique}"
    track(client, project, "scaling", "MinMaxScaler", metrics={"accuracy": 0.91})
    track(client, project, "scaling", "StandardScaler", metrics={"accuracy": 0.95})
    track(client, project, "scaling", "RobustScaler", status="failed", error="boom")

    # When the panel is opened and scoped to the project
    open_panel(page)
    select_scope(page, project)

    # Then the tree shows the experiment and the list shows each iteration with its status
    page.locator(f"{PANEL} .jp-mlops-tree-experiment", has_text="scaling").wait_for()
    wait_rows(page, ["MinMaxScaler", "StandardScaler", "RobustScaler"])
    failed = page.locator(ROW, has_text="RobustScaler")
    assert failed.locator(".jp-mlops-status").get_attribute("aria-label") == "failed"
    # and the key metric column shows accuracy
    assert "0.95" in page.locator(ROW, has_text="StandardScaler").inner_text()
    assert "3 iterations" in page.locator(f"{PANEL} .jp-mlops-total").inner_text()


def test_search_status_and_threshold_filters(page, client, unique):
    # Given iterations with different accuracies and statuses
    project = f"filters-{unique}"
    track(client, project, "grid", "svc-low", metrics={"accuracy": 0.70})
    track(client, project, "grid", "svc-high", metrics={"accuracy": 0.96})
    track(client, project, "grid", "forest-high", metrics={"accuracy": 0.93})
    track(client, project, "grid", "forest-crash", status="failed", metrics={"accuracy": 0.1})
    open_panel(page)
    select_scope(page, project)
    wait_rows(page, ["svc-low", "svc-high", "forest-high", "forest-crash"])

    # When searching by name
    page.fill(f"{PANEL} .jp-mlops-search", "forest")
    # Then only matching names remain
    wait_rows(page, ["forest-high", "forest-crash"])

    # When also filtering on the failed status
    page.click(f'{PANEL} .jp-mlops-chip[data-status="failed"]')
    wait_rows(page, ["forest-crash"])

    # When the status filter is removed, the search cleared and accuracy >= 0.9 required
    page.click(f'{PANEL} .jp-mlops-chip[data-status="failed"]')
    page.fill(f"{PANEL} .jp-mlops-search", "")
    page.select_option(f'{PANEL} select[aria-label="Filter field"]', "metrics.accuracy")
    page.select_option(f'{PANEL} select[aria-label="Comparison"]', ">=")
    page.fill(f'{PANEL} input[aria-label="Threshold value"]', "0.9")
    page.click(f"{PANEL} .jp-mlops-threshold button[type=submit]")

    # Then only the accurate iterations are listed, and the filter shows as a chip
    wait_rows(page, ["svc-high", "forest-high"])
    assert "metrics.accuracy>=0.9" in page.locator(f"{PANEL} .jp-mlops-filter-chip").inner_text()

    # When sorting by accuracy ascending
    page.select_option(f'{PANEL} select[aria-label="Sort by"]', "metrics.accuracy")
    page.click(f'{PANEL} .jp-mlops-sort button[aria-label^="Sorted descending"]')
    page.wait_for_function(
        """(selector) => {
            const names = Array.from(document.querySelectorAll(selector)).map(e => e.textContent);
            return names.join(',') === 'forest-high,svc-high';
        }""",
        arg=f"{ROW} .jp-mlops-row-name",
    )


def test_open_iteration_shows_params_code_and_learning_curve(page, client, unique):
    # Given an iteration with params, a loss curve over 20 steps and its cell code
    project = f"curves-{unique}"
    track(client, project, "sgd", "lr-0.1", params={"lr": 0.1, "optimizer": "sgd"},
          curves={"loss": [1 / (i + 1) for i in range(20)]}, metrics={"accuracy": 0.9},
          code="model.fit(X, y)\nprint('done')")
    open_panel(page)
    select_scope(page, project)
    wait_rows(page, ["lr-0.1"])

    # When it is opened from the keyboard (focus the list, Enter on the active row)
    page.focus(f"{PANEL} .jp-mlops-list")
    page.keyboard.press("Enter")

    # Then the main area shows its params, code and a drawn learning curve
    view = page.locator(".jp-mlops-iteration")
    view.wait_for()
    assert view.locator(".jp-mlops-iteration-name").inner_text() == "lr-0.1"
    params = view.locator('table[aria-label="Parameters"]').inner_text()
    assert "optimizer" in params and "sgd" in params
    assert "model.fit(X, y)" in view.locator(".jp-mlops-code").inner_text()
    curve = view.locator('.jp-mlops-chart[data-metric="loss"] path.jp-mlops-chart-line')
    curve.wait_for()
    assert curve.get_attribute("d").count("L") == 19  # 20 points: one move, 19 lines
    # and the tab is titled after the iteration
    assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="lr-0.1").count() == 1


def test_compare_two_iterations(page, client, unique):
    # Given two iterations that differ in one param and in their metrics
    project = f"compare-{unique}"
    track(client, project, "exp", "small", params={"depth": 3, "seed": 1},
          curves={"loss": [0.9, 0.7, 0.6]}, metrics={"accuracy": 0.81})
    track(client, project, "exp", "large", params={"depth": 8, "seed": 1},
          curves={"loss": [0.8, 0.5, 0.3]}, metrics={"accuracy": 0.88})
    open_panel(page)
    select_scope(page, project)
    wait_rows(page, ["small", "large"])

    # When both are ticked and compared
    for name in ("small", "large"):
        page.locator(ROW, has_text=name).locator(".jp-mlops-row-check").check()
    page.click(f"{PANEL} .jp-mlops-compare-button")

    # Then params are side by side with the differing row marked
    view = page.locator(".jp-mlops-compare")
    view.wait_for()
    params = view.locator('table[aria-label="Parameters side by side"]')
    assert "jp-mlops-diff" in params.locator("tr", has_text="depth").get_attribute("class")
    assert "jp-mlops-diff" not in (params.locator("tr", has_text="seed").get_attribute("class")
                                   or "")
    # and the best value of each metric is marked: highest accuracy, lowest loss
    metrics = view.locator('table[aria-label="Latest metrics side by side"]')
    assert metrics.locator("tr", has_text="accuracy").locator(".jp-mlops-best").inner_text() \
        .startswith("0.88")
    assert metrics.locator("tr", has_text="loss").locator(".jp-mlops-best").inner_text() \
        .startswith("0.3")
    # and the loss curves are overlaid in one chart
    chart = view.locator('.jp-mlops-chart[data-metric="loss"]')
    chart.locator("path.jp-mlops-chart-line").nth(1).wait_for()
    assert chart.locator("path.jp-mlops-chart-line").count() == 2


def test_iteration_created_while_panel_open_appears(page, client, unique):
    # Given the panel open on a project with one iteration
    project = f"live-{unique}"
    track(client, project, "exp", "first", metrics={"accuracy": 0.5})
    open_panel(page)
    select_scope(page, project)
    wait_rows(page, ["first"])

    # When a notebook (here: the library in this process) tracks another iteration
    import mlops_jupyter as mj

    mj.init(project=project, experiment="exp", tracking_uri=client.tracking_uri)
    with mj.start_iteration("second"):
        mj.log_params({"alpha": 0.1})
        mj.log_metric("accuracy", 0.7)
    mj.flush()

    # Then it shows up without reloading (the panel polls about every second)
    wait_rows(page, ["first", "second"], timeout=10_000)


def test_user_text_is_rendered_as_text(page, client, unique):
    # Given names, params, tags and code that contain markup
    evil = "<img src=x onerror=window.__xss=1>"
    project = f"{evil}{unique}"
    track(client, project, evil, evil, params={evil: evil}, tags={"note": evil},
          metrics={"accuracy": 0.5}, code=evil)

    # When the panel lists it and the iteration is opened
    open_panel(page)
    select_scope(page, project)
    wait_rows(page, [evil])
    page.locator(ROW, has_text=evil).click()
    view = page.locator(".jp-mlops-iteration")
    view.wait_for()

    # Then the markup is shown literally and never executed or parsed into elements
    assert view.locator(".jp-mlops-iteration-name").inner_text() == evil
    assert evil in view.locator(".jp-mlops-tag").inner_text()
    assert evil in view.locator(".jp-mlops-code").inner_text()
    assert page.locator(f"{PANEL} .jp-mlops-tree-node", has_text=evil).count() >= 1
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert page.evaluate("() => window.__xss") is None
    assert page.locator('img[src="x"]').count() == 0


def test_open_notebook_of_an_iteration(page, client, lab, unique):
    # Given a notebook under the server root, recorded with its absolute path (what a
    # kernel started by JupyterLab reports), and an iteration tracked from it
    from mlops_jupyter import Source

    folder = lab.root_dir / f"nb-{unique}"
    folder.mkdir()
    notebook = folder / "analysis.ipynb"
    notebook.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                    "nbformat_minor": 5}))
    project = f"notebooks-{unique}"
    it = client.start_iteration(project, "exp", "from-notebook",
                                source=Source(code="fit()", notebook_path=str(notebook)))
    it.end()
    # and one whose notebook no longer exists
    gone = client.start_iteration(project, "exp", "notebook-gone",
                                  source=Source(code="fit()", notebook_path=str(folder / "x.ipynb")))
    gone.end()
    open_panel(page)
    select_scope(page, project)
    wait_rows(page, ["from-notebook", "notebook-gone"])

    # When the iteration whose notebook is gone is opened, there is no "Open notebook"
    page.locator(ROW, has_text="notebook-gone").click()
    view = page.locator(f'.jp-mlops-iteration[data-iteration-id="{gone.id}"]')
    view.locator(".jp-mlops-code").wait_for()
    page.wait_for_timeout(500)  # the existence check has answered by now
    assert view.get_by_role("button", name="Open notebook").count() == 0

    # When the other one is opened and its notebook button used
    page.locator(ROW, has_text="from-notebook").click()
    view = page.locator(f'.jp-mlops-iteration[data-iteration-id="{it.id}"]')
    view.get_by_role("button", name="Open notebook").click()

    # Then the notebook opens in the main area
    page.locator(".lm-TabBar-tab.lm-mod-current", has_text="analysis.ipynb").wait_for()
