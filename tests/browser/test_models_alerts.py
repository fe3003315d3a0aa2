"""Actions of the Models and Monitoring tabs: promote and roll back behind a JupyterLab
confirmation dialog, the stage history, alert rules created and switched from the panel,
and failed alert deliveries shown with their error.

Data is created with the library in this process, as in the other browser tests; the
panel's writes are checked through the library too.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import PANEL, open_panel

pytestmark = pytest.mark.browser

EVIL = "<img src=x onerror=window.__xss=1>"
DIALOG = ".jp-Dialog"


def log_versions(client, project: str, name: str, count: int) -> int:
    """Log ``count`` versions of a small classifier from one iteration; returns its id."""
    from sklearn.linear_model import LogisticRegression

    it = client.start_iteration(project, "exp", "fit")
    it.log_metric("accuracy", 0.9)
    for c in range(count):
        model = LogisticRegression(C=1.0 + c).fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
        client.log_model(it.id, model, name)
    it.end()
    return it.id


def open_tab(page, label: str) -> None:
    open_panel(page)
    page.click(f'{PANEL} [role=tab]:has-text("{label}")')


def expand_model(page, name: str):
    entry = page.locator(f'{PANEL} .jp-mlops-model[data-model="{name}"]')
    entry.locator(".jp-mlops-model-toggle").click()
    entry.locator(".jp-mlops-version").first.wait_for()
    return entry


def confirm(page, comment: str | None = None) -> None:
    dialog = page.locator(DIALOG)
    dialog.wait_for()
    if comment is not None:
        dialog.locator("input.jp-mlops-confirm-comment").fill(comment)
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    dialog.wait_for(state="detached")


def production_version(client, name: str) -> int | None:
    return client.store.get_registered_model(name).production_version


def test_promote_and_roll_back_from_the_models_tab(page, client, unique):
    # Given a model with two versions, v1 in production
    name = f"promote-{unique}"
    log_versions(client, f"registry-{unique}", name, 2)
    client.promote(name, 1, "production")
    open_tab(page, "Models")
    entry = expand_model(page, name)
    v1, v2 = entry.locator('[data-version="1"]'), entry.locator('[data-version="2"]')

    # When Rollback is used while there is no earlier production version
    entry.get_by_role("button", name=f"Roll back {name}").click()
    confirm(page)
    # Then the server's 409 is shown as an error notification and nothing changes
    page.locator(".Toastify__toast--error", has_text="Roll back").first.wait_for()
    assert production_version(client, name) == 1

    # When v2 is promoted to production and the dialog confirmed with a comment
    v2.get_by_role("button", name="Promote v2 to production").click()
    assert name in page.locator(f"{DIALOG} .jp-mlops-confirm").inner_text()
    confirm(page, comment="better recall")
    # Then the stage badges change: v2 in production, v1 archived
    entry.locator('[data-version="2"][data-stage="production"]').wait_for()
    entry.locator('[data-version="1"][data-stage="archived"]').wait_for()
    assert production_version(client, name) == 2
    # and the stage history shows the change first, with its comment
    history = entry.locator(".jp-mlops-history-row")
    assert "v2 none → production" in history.first.inner_text()
    assert "better recall" in history.first.inner_text()
    assert "prod v2" in entry.locator(".jp-mlops-model-toggle").inner_text()

    # When Rollback is used again
    entry.get_by_role("button", name=f"Roll back {name}").click()
    confirm(page)
    # Then v1 is back in production
    entry.locator('[data-version="1"][data-stage="production"]').wait_for()
    assert production_version(client, name) == 1
    assert v1.get_attribute("data-stage") == "production"


def test_promote_from_the_keyboard_and_cancel(page, client, unique):
    # Given a model with one version
    name = f"keys-{unique}"
    log_versions(client, f"registry-{unique}", name, 1)
    open_tab(page, "Models")
    entry = expand_model(page, name)

    # When its "to staging" button is focused and Enter pressed twice (button, dialog)
    entry.get_by_role("button", name="Promote v1 to staging").focus()
    page.keyboard.press("Enter")
    page.locator(f"{DIALOG} input.jp-mlops-confirm-comment").wait_for()
    page.keyboard.press("Enter")
    # Then v1 is in staging
    entry.locator('[data-version="1"][data-stage="staging"]').wait_for()

    # When the production promotion is cancelled with Escape, nothing changes
    entry.get_by_role("button", name="Promote v1 to production").click()
    page.locator(DIALOG).wait_for()
    page.keyboard.press("Escape")
    page.locator(DIALOG).wait_for(state="detached")
    page.wait_for_timeout(300)
    assert production_version(client, name) is None
    assert entry.locator('[data-version="1"]').get_attribute("data-stage") == "staging"


def test_alert_rule_created_from_the_monitoring_tab(page, client, unique):
    import mlops_jupyter as mj
    from tests.browser.helpers import track

    # Given a project with one accurate iteration
    project = f"alerts-{unique}"
    track(client, project, "exp", "good", metrics={"accuracy": 0.95})
    track(client, project, "exp", "poor", metrics={"accuracy": 0.5})
    open_tab(page, "Monitoring")

    # When a rule is filled in the "New rule" form
    page.get_by_role("button", name="New rule").click()
    form = page.locator(f"{PANEL} form.jp-mlops-rule-form")
    rule_name = f"good runs {unique}"
    form.locator('input[name="name"]').fill(rule_name)
    form.locator('select[name="trigger"]').select_option("iteration_logged")
    form.locator('input[name="project"]').fill(project)
    form.locator('input[name="condition"]').fill("accuracy >= 0.9")
    form.locator('input[name="recipients"]').fill("ada@example.org, not an address")

    # Then Backtest tells how often it would have fired
    form.get_by_role("button", name="Backtest").click()
    # (the bad recipient is refused first, naming the field)
    problem = form.locator(".jp-mlops-form-problem")
    problem.wait_for()
    assert "not an address" in problem.inner_text()
    assert form.locator('input[name="recipients"]').get_attribute("aria-invalid") == "true"
    form.locator('input[name="recipients"]').fill("ada@example.org, bob@example.org")
    form.get_by_role("button", name="Backtest").click()
    form.locator(".jp-mlops-backtest", has_text="Would have fired 1 time in 30 days").wait_for()

    # When it is saved
    form.get_by_role("button", name="Save").click()
    form.wait_for(state="detached")

    # Then the server has it, as the library sees it
    rule = mj.alerts.get_rule(rule_name, client=client)
    assert rule.trigger == "iteration_logged" and rule.project == project
    assert list(rule.recipients) == ["ada@example.org", "bob@example.org"]
    assert rule.enabled
    # and the panel lists it with its scope and condition
    row = page.locator(f'{PANEL} .jp-mlops-rule[data-rule-id="{rule.id}"]')
    assert "accuracy >= 0.9" in row.inner_text()

    # When it is switched off in the panel
    switch = row.get_by_role("switch", name=f"Enable rule {rule_name}")
    assert switch.get_attribute("aria-checked") == "true"
    switch.click()
    page.locator(f'{PANEL} .jp-mlops-rule-disabled[data-rule-id="{rule.id}"]').wait_for()
    # Then it is disabled on the server
    assert switch.get_attribute("aria-checked") == "false"
    assert not mj.alerts.get_rule(rule_name, client=client).enabled


def test_failed_alert_event_is_highlighted_and_rendered_as_text(page, client, unique):
    import mlops_jupyter as mj

    # Given a rule and a model whose names hold markup, and a delivery that failed for good
    rule = mj.alerts.add_rule(f"{EVIL} {unique}", trigger="prediction_failed",
                              model=f"{EVIL}{unique}", recipients=["ops@example.org"],
                              client=client)
    [event_id] = client.store.record_alert_events(
        rule.id, [{"kind": "firing", "subject": f"{EVIL} failed", "payload": {}}], {})
    error = f"SMTP 550 <ops@example.org> rejected {EVIL}"
    client.store.finish_alert_event(event_id, status="failed", error=error)
    model_name = f"{EVIL}{unique}"
    log_versions(client, f"xss-{unique}", model_name, 1)

    # When the Monitoring tab shows the alerts
    open_tab(page, "Monitoring")
    event = page.locator(f'{PANEL} .jp-mlops-event[data-event-id="{event_id}"]')
    event.wait_for()

    # Then the failed event is highlighted with its error, as literal text
    assert "jp-mlops-event-failed" in event.get_attribute("class")
    assert event.locator(".jp-mlops-event-error").inner_text() == error
    assert event.locator(".jp-mlops-event-rule").inner_text() == rule.name
    row = page.locator(f'{PANEL} .jp-mlops-rule[data-rule-id="{rule.id}"]')
    assert row.locator(".jp-mlops-rule-name").inner_text() == rule.name
    assert page.locator(f"{PANEL} .jp-mlops-failed-count").count() == 1

    # When "Deliver now" is used, the outcome is notified (nothing pending is left failing)
    page.get_by_role("button", name="Deliver now").click()
    page.locator(".Toastify__toast", has_text="lert").first.wait_for()
    assert event.get_attribute("data-status") == "failed"

    # When the model with the same markup is expanded and its promotion dialog opened
    page.click(f'{PANEL} [role=tab]:has-text("Models")')
    entry = expand_model(page, model_name)
    assert entry.locator(".jp-mlops-tree-label").inner_text() == model_name
    entry.get_by_role("button", name="Promote v1 to staging").click()
    assert model_name in page.locator(f"{DIALOG} .jp-mlops-confirm").inner_text()
    page.keyboard.press("Escape")

    # Then nothing was parsed into elements or executed
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert page.evaluate("() => window.__xss") is None
    assert page.locator('img[src="x"]').count() == 0
