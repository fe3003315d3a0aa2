"""The promote widget's model: selection, confirm/cancel, rollback, errors, escaping."""

from __future__ import annotations

import pytest

from mlops_jupyter.widgets.promotion import MONITORING_PLACEHOLDER, PromoteWidget

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def fitted():
    from sklearn.linear_model import LogisticRegression

    X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    return LogisticRegression().fit(X, [0, 1, 1, 0])


@pytest.fixture
def registered(fitted, tmp_path):
    """wine-classifier: v1 and v2 from iterations (v1 in production), v3 an uploaded file."""
    import joblib

    import mlops_jupyter as mj

    mj.init(project="wine", experiment="scaling methods")
    for name, C, acc, loss in (("MinMaxScaler", 1.0, 0.95, 0.2), ("StandardScaler", 0.5, 0.98,
                                                                    0.1)):
        with mj.start_iteration(name) as it:
            it.log_params({"scaler": name.lower(), "C": C, "max_iter": 100})
            it.log_metrics({"accuracy": acc, "loss": loss})
            it.log_model(fitted, "wine-classifier")
    path = tmp_path / "forest.joblib"
    joblib.dump(fitted, path)
    mj.register_model(path, "wine-classifier")
    mj.promote("wine-classifier", 1, comment="first")
    return mj.get_client()


def stages(client, name="wine-classifier"):
    return [(v.version, v.stage) for v in client.model_versions(name)]


def test_initial_state_and_side_by_side(registered):
    widget = PromoteWidget("wine-classifier")
    assert (widget.version_count, widget.production, widget.selected) == (3, 1, 3)
    assert repr(widget) == "PromoteWidget('wine-classifier', versions=3, production=1, selected=3)"
    table = widget._versions.value
    assert "mlops-stage-production" in table and "uploaded forest.joblib" in table
    assert "iteration " in table and "(MinMaxScaler)" in table and "accuracy=0.95" in table
    assert "no metrics on either version" not in widget._diff.value  # production has some
    assert MONITORING_PLACEHOLDER in widget._monitoring.value
    assert "first" in widget._history.value
    # When the user selects version 2
    widget._selector.value = 2
    # Then the diff shows candidate against production: better metrics and differing params
    assert widget.selected == 2
    diff = widget._diff.value
    assert "version 2 (candidate)" in diff and "version 1 (production)" in diff
    assert "+0.03" in diff and "-0.1" in diff      # accuracy up, loss down
    assert diff.count("background:#c8e6c9") == 2   # both better
    assert "params that differ" in diff and "scaler" in diff and "max_iter" not in diff


def test_promote_needs_confirmation(registered):
    widget = PromoteWidget("wine-classifier", version=2)
    # When Promote is clicked
    widget._promote.click()
    # Then only a question is shown
    assert widget.pending == "promote"
    assert widget._confirm_box.layout.display == "flex"
    assert "Promote version 2 to production?" in widget._question.value
    assert stages(registered)[1] == (2, "none")
    # When confirmed, with a comment
    widget._comment.value = "better accuracy"
    widget._confirm.click()
    # Then
    assert stages(registered)[:2] == [(1, "archived"), (2, "production")]
    assert widget.production == 2 and widget.pending == "" and widget.error == ""
    assert widget.message == "version 2 is now in production"
    assert widget.comment == "" and "better accuracy" in widget._history.value
    assert registered.model_history("wine-classifier")[-1].comment == "better accuracy"
    assert widget._confirm_box.layout.display == "none"


def test_cancel_does_nothing(registered):
    widget = PromoteWidget("wine-classifier", version=2)
    before = registered.model_history("wine-classifier")
    widget._promote.click()
    widget._cancel.click()
    assert widget.pending == "" and widget._confirm_box.layout.display == "none"
    assert registered.model_history("wine-classifier") == before
    widget._confirm.click()  # a stray confirm after cancel does nothing either
    assert registered.model_history("wine-classifier") == before


def test_promote_to_staging(registered):
    widget = PromoteWidget("wine-classifier", version=3)
    widget._stage.value = "staging"
    widget._promote.click()
    assert "Promote version 3 to staging?" in widget._question.value
    widget._confirm.click()
    assert stages(registered)[2] == (3, "staging") and widget.production == 1


def test_rollback(registered):
    registered.promote("wine-classifier", 2)
    widget = PromoteWidget("wine-classifier")
    widget._rollback.click()
    assert "Roll back production from version 2 to version 1?" in widget._question.value
    widget._confirm.click()
    assert widget.production == 1
    assert widget.message == "rolled back: version 1 is in production again"
    assert registered.model_history("wine-classifier")[-1].comment == "rollback from version 2"


def test_a_conflict_is_a_message_not_a_traceback(registered):
    widget = PromoteWidget("wine-classifier", version=1)
    widget._promote.click()
    widget._confirm.click()
    assert widget.error == "version 1 is already in stage 'production'"
    assert "already in stage" in widget._error.value and widget.message == ""
    # and a rollback with nothing to go back to
    widget._rollback.click()
    assert widget.error == ""  # a new question clears the old error
    widget._confirm.click()
    assert "no earlier production version" in widget.error


def test_unknown_model_and_store_failures_are_messages(registered, monkeypatch):
    widget = PromoteWidget("wine-clasifier")
    assert "did you mean 'wine-classifier'" in widget.error and widget.version_count == 0
    widget = PromoteWidget("wine-classifier")

    def down(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(registered, "model_versions", down)
    widget._refresh.click()
    assert widget.error == "database is locked" and widget.version_count == 3


def test_refresh_picks_up_new_versions(registered, fitted):
    import mlops_jupyter as mj

    widget = PromoteWidget("wine-classifier", version=2)
    with mj.start_iteration("RobustScaler") as it:
        it.log_model(fitted, "wine-classifier")
    widget._refresh.click()
    assert widget.version_count == 4 and widget.selected == 2


def test_user_text_is_escaped(fitted, tmp_path):
    import joblib

    import mlops_jupyter as mj

    mj.init(project="p", experiment="e")
    with mj.start_iteration(XSS) as it:
        it.log_params({XSS: XSS})
        it.log_metric(XSS.replace(" ", "_"), 1.0)
        it.log_model(fitted, XSS)
    path = tmp_path / f"{XSS}.joblib"
    joblib.dump(fitted, path)
    mj.register_model(path, XSS)
    mj.promote(XSS, 1, comment=XSS)
    mj.set_alias(XSS, XSS, 1)
    widget = PromoteWidget(XSS)
    widget._promote.click()
    html = "".join(h.value for h in (widget._header, widget._versions, widget._diff,
                                     widget._history, widget._question))
    assert "<img" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 5
    widget._confirm.click()
    widget.refresh()
    widget._fail(ValueError(XSS))
    assert "<img" not in widget._error.value


def test_mj_widgets_promote(registered):
    import mlops_jupyter as mj

    widget = mj.widgets.promote("wine-classifier")
    assert isinstance(widget, mj.widgets.PromoteWidget) and widget.version_count == 3
