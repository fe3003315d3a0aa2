"""Panel states and iteration actions: empty, missing and not-available states, API errors
shown as notifications, rename, tag, delete and restore.

Server failures are simulated by intercepting the page's requests, so one JupyterLab
serves every test.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.helpers import PANEL, ROW, open_panel, select_scope, track, wait_rows

pytestmark = pytest.mark.browser


def test_missing_server_extension_says_how_to_enable_it(page):
    # Given a server without the mlops routes (Tornado's HTML 404 page)
    page.route("**/mlops/api/**", lambda route: route.fulfill(
        status=404, content_type="text/html", body="<html>404: Not Found</html>"))

    # When the panel opens
    open_panel(page)

    # Then it explains how to enable the server extension
    message = page.locator(f"{PANEL} .jp-mlops-missing")
    message.wait_for()
    assert "jupyter server extension enable mlops_jupyter" in message.inner_text()


def test_empty_database_tells_how_to_start(page):
    # Given a server that has no project yet
    page.route("**/mlops/api/projects*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({"projects": []})))
    page.route("**/mlops/api/experiments*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({"experiments": []})))

    # When the panel opens
    open_panel(page)

    # Then it shows how to start tracking from a notebook
    empty = page.locator(f"{PANEL} .jp-mlops-empty")
    empty.wait_for()
    assert "%load_ext mlops_jupyter" in empty.inner_text()
    assert "%%track" in empty.inner_text()


def test_api_error_becomes_a_notification(page, client, unique):
    # Given a working server whose iteration search fails
    track(client, f"errors-{unique}", "exp", "one")
    page.route("**/mlops/api/iterations?*", lambda route: route.fulfill(
        status=503, content_type="application/json",
        body=json.dumps({"message": "storage unavailable: disk full", "reason": "unavailable"})))

    # When the panel loads iterations
    open_panel(page)

    # Then the server's message is shown as a JupyterLab error notification
    toast = page.locator(".Toastify__toast", has_text="storage unavailable: disk full")
    toast.first.wait_for()


def test_models_tab_shows_versions_and_opens_their_iteration(page, client, unique):
    # Given a model logged from an iteration, promoted to production, with predictions
    from sklearn.linear_model import LogisticRegression

    name = f"wine-clf-{unique}"
    it = client.start_iteration(f"models-{unique}", "exp", "fit-lr")
    it.log_metric("accuracy", 0.93)
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    version = client.log_model(it.id, model, name)
    it.end()
    client.promote(name, version.version, "production")
    for x in (0.5, 2.5):
        client.log_prediction(name, {"x0": x}, int(x > 1.5))
    client.flush_predictions()
    open_panel(page)

    # When the Models tab is chosen and the model expanded
    page.click(f'{PANEL} [role=tab]:has-text("Models")')
    entry = page.locator(f'{PANEL} .jp-mlops-model[data-model="{name}"]')
    assert "prod v1" in entry.inner_text()
    entry.locator(".jp-mlops-model-toggle").click()

    # Then its version shows its stage and lineage, and the iteration opens from it
    row = entry.locator('[data-version="1"]')
    assert "production" in row.inner_text()
    row.get_by_role("button", name=f"iteration {it.id}").click()
    page.locator(f'.jp-mlops-iteration[data-iteration-id="{it.id}"]').wait_for()

    # When the Monitoring tab is chosen, the production model shows its traffic
    page.click(f'{PANEL} [role=tab]:has-text("Monitoring")')
    card = page.locator(f'{PANEL} .jp-mlops-monitored[data-model="{name}"]')
    card.wait_for()
    assert "predictions (24 h)" in card.inner_text()
    assert page.locator(".Toastify__toast--error").count() == 0


def test_models_and_monitoring_not_available_on_older_servers(page):
    # Given a server whose registry and monitoring routes answer 404 not_available
    def not_available(route):
        route.fulfill(status=404, content_type="application/json",
                      body=json.dumps({"message": "not available yet", "reason": "not_available"}))

    page.route("**/mlops/api/models*", not_available)
    page.route("**/mlops/api/monitoring/models*", not_available)
    page.route("**/mlops/api/alerts/**", not_available)
    open_panel(page)

    for tab, feature in (("Models", "Models"), ("Monitoring", "Monitoring"),
                         ("Monitoring", "Alerts")):
        # When the tab is chosen
        page.click(f'{PANEL} [role=tab]:has-text("{tab}")')
        # Then it says "not available yet", calmly: no error message, no notification
        page.locator(f"{PANEL} .jp-mlops-not-available",
                     has_text=f"{feature}: not available yet").wait_for()
        assert page.locator(f"{PANEL} .jp-mlops-message-error").count() == 0
        assert page.locator(".Toastify__toast--error").count() == 0


def test_rename_tag_delete_and_restore(page, client, unique):
    # Given one iteration open in the main area
    project = f"edit-{unique}"
    iteration_id = track(client, project, "exp", "draft", metrics={"accuracy": 0.5})
    open_panel(page)
    select_scope(page, project)
    wait_rows(page, ["draft"])
    page.locator(ROW, has_text="draft").click()
    view = page.locator(f'.jp-mlops-iteration[data-iteration-id="{iteration_id}"]')
    view.wait_for()

    # When it is renamed
    view.get_by_role("button", name="Rename").click()
    view.get_by_label("New name").fill("baseline")
    view.get_by_label("New name").press("Enter")
    # Then the view and the panel list show the new name
    view.locator(".jp-mlops-iteration-name", has_text="baseline").wait_for()
    wait_rows(page, ["baseline"])

    # When a tag is added, then removed
    view.get_by_label("Add tag as key=value").fill("stage=candidate")
    view.get_by_role("button", name="Add tag").click()
    view.locator(".jp-mlops-tag", has_text="stage=candidate").wait_for()
    view.get_by_role("button", name="Remove tag stage").click()
    view.locator(".jp-mlops-tag").wait_for(state="detached")
    assert client.tags(iteration_id).get("stage") is None

    # When it is deleted: it leaves the list and the view offers Restore
    view.get_by_role("button", name="Delete").click()
    view.locator(".jp-mlops-badge", has_text="deleted").wait_for()
    page.locator(f"{PANEL} .jp-mlops-no-match").wait_for()

    # When it is restored: it is back in the list
    view.get_by_role("button", name="Restore").click()
    view.locator(".jp-mlops-badge").wait_for(state="detached")
    wait_rows(page, ["baseline"])
