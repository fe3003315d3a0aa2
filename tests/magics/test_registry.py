"""``%%track --register``, ``%mlops models`` and ``%mlops promote`` in a real shell."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError

from .conftest import last_iteration

SETUP = """
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
X_train = X_test = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
y_train = y_test = [0, 1, 1, 0]
"""

FIT = """C = {C}
clf = LogisticRegression(C=C)
clf.fit(X_train, y_train)
accuracy = clf.score(X_test, y_test)
"""


@pytest.fixture
def widget_comms(monkeypatch):
    import comm

    from tests.widgets.conftest import DummyComm

    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: DummyComm())


def register(shell, C=1.0, name="wine-classifier", options=""):
    return shell.capture(f"%%track --register {name} {options}\n" + FIT.format(C=C))


def test_register_logs_the_fitted_estimator_with_its_lineage(shell, client, tmp_path,
                                                              monkeypatch):
    # Given
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wine.csv").write_text("a,b\n1,2\n")
    shell.run(SETUP)
    # When
    _, io = shell.capture("%%track scaled --register wine-classifier "
                          "--dataset train=wine.csv\n" + FIT.format(C=0.5))
    # Then a version linked to the iteration, with its params, metrics and dataset
    it, params, metrics = last_iteration(client)
    (mv,) = client.model_versions("wine-classifier")
    assert (mv.version, mv.source, mv.iteration_id) == (1, "iteration", it.id)
    assert mv.model_class == "LogisticRegression" and mv.format == "joblib"
    assert mv.params["C"] == 0.5 and mv.metrics == metrics == {"accuracy": 1.0}
    assert [(d["role"], d["rows"]) for d in mv.datasets] == [("train", 1)]
    assert client.get_iteration(it.id).status == "finished"
    # and the summary says so
    (summary,) = io.outputs
    assert "registered wine-classifier v1" in summary.data["text/plain"]
    assert "registered</b> wine-classifier v1" in summary.data["text/html"]
    # and the stored model predicts
    model = client.load_model("wine-classifier", version=1, trusted=True)
    assert list(model.predict([[1.0, 1.0]])) == [1]


def test_register_with_model_option_takes_that_variable(shell, client):
    shell.run(SETUP)
    shell.run("%%track --model clf --register two --quiet\n"
              "scaler = StandardScaler().fit(X_train)\n"
              "clf = LogisticRegression().fit(scaler.transform(X_train), y_train)\n")
    (mv,) = client.model_versions("two")
    assert mv.model_class == "LogisticRegression"
    # the next registration is version 2 of the same model
    shell.run("%%track --model scaler --register two --quiet\n"
              "scaler = StandardScaler().fit(X_train)\n")
    assert [v.model_class for v in client.model_versions("two")] == [
        "LogisticRegression", "StandardScaler"]


@pytest.mark.parametrize(("cell", "message"), [
    ("%%track --register m\nx = 1\n", "fits no estimator to register.*--model VAR"),
    ("%%track --register m --no-capture\nclf = LogisticRegression()\nclf.fit(X_train, y_train)\n",
     "capture is off.*--model VAR"),
    ("%%track --register .hidden --model clf\nx = 1\n", "may not contain"),
])
def test_register_without_a_model_is_refused_before_running(shell, client, cell, message):
    shell.run(SETUP)
    with pytest.raises(UsageError, match=message):
        shell.run(cell)
    assert "x" not in shell.ns and client.search().iterations == []


def test_a_failing_registration_keeps_the_cell_result(shell, client, monkeypatch):
    # Given a registry that cannot store files
    from mlops_jupyter.errors import StorageError

    def full(*args, **kwargs):
        raise StorageError("disk full")

    shell.run(SETUP)
    monkeypatch.setattr(type(client), "log_model", full)
    # When
    with pytest.warns(UserWarning, match=r"model wine-classifier \(disk full\)"):
        result, io = register(shell)
    # Then the cell ran, the iteration is finished, and nothing claims a version
    assert shell.ns["accuracy"] == 1.0 and result.success
    it, _, metrics = last_iteration(client)
    assert it.status == "finished" and metrics == {"accuracy": 1.0}
    assert "registered" not in io.outputs[0].data["text/plain"]


def test_ambiguous_or_missing_model_after_the_run_is_a_warning(shell, client):
    shell.run(SETUP)
    with pytest.warns(UserWarning, match="several estimators"):
        shell.run("%%track --register m --quiet\na = LogisticRegression()\n"
                  "b = LogisticRegression()\na.fit(X_train, y_train)\nb.fit(X_train, y_train)\n")
    with pytest.warns(UserWarning) as warned:
        shell.run("%%track --register m --model nope --quiet\nx = 1\n")
    # one warning says it, not one from capture and another from registration
    assert [str(w.message).count("nope") for w in warned] == [1]
    assert "--model nope is not defined" in str(warned[0].message)
    assert client.models() == []


def test_a_failing_cell_registers_nothing(shell, client):
    shell.run(SETUP)
    with pytest.raises(ZeroDivisionError):
        shell.run("%%track --register m --quiet\nclf = LogisticRegression()\n"
                  "clf.fit(X_train, y_train)\n1 / 0\n")
    assert client.models() == []
    assert last_iteration(client)[0].status == "failed"


def test_help_documents_register(shell):
    doc = shell.ip.find_cell_magic("track").__doc__
    assert "--register" in doc and "registered NAME vN" in doc


# -- %mlops models --------------------------------------------------------------------
def test_models_lists_every_version_as_a_dataframe(shell, client, tmp_path):
    shell.run(SETUP)
    register(shell, 1.0)
    register(shell, 2.0)
    import joblib

    joblib.dump(shell.ns["clf"], tmp_path / "<img src=x onerror=alert(1)>.joblib")
    client.register_model(tmp_path / "<img src=x onerror=alert(1)>.joblib", "other")
    client.set_alias("wine-classifier", "champion", 1)
    # When
    shell.run("df = %mlops models")
    df = shell.ns["df"]
    # Then
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["name", "version", "stage", "aliases", "source",
                                "iteration_id", "format", "size", "created_at"]
    assert list(zip(df["name"], df["version"], strict=True)) == [
        ("other", 1), ("wine-classifier", 1), ("wine-classifier", 2)]
    assert df["source"][0] == "uploaded <img src=x onerror=alert(1)>.joblib"
    assert df["source"][1].startswith("iteration ") and df["aliases"][1] == "champion"
    html = df._repr_html_()
    assert "&lt;img src=x" in html and "<img" not in html
    assert type(df.head(1)) is pd.DataFrame


def test_models_name_shows_versions_with_metrics_and_history(shell, client):
    shell.run(SETUP)
    register(shell, 1.0)
    client.promote("wine-classifier", 1, comment="<i>first</i>")
    shell.run("df = %mlops models wine-classifier")
    df = shell.ns["df"]
    assert list(df["metrics.accuracy"]) == [1.0]
    assert list(df.history["to_stage"]) == ["production"]
    assert "stage history" in repr(df) and "&lt;i&gt;first" in df._repr_html_()


def test_models_when_empty(shell):
    _, io = shell.capture("%mlops models")
    assert "no registered models yet" in io.stdout


def test_unknown_model_is_a_usage_error_with_did_you_mean(shell):
    shell.run(SETUP)
    register(shell)
    with pytest.raises(UsageError, match="did you mean 'wine-classifier'"):
        shell.run("%mlops models wine-clasifier")
    with pytest.raises(UsageError, match="did you mean 'wine-classifier'"):
        shell.run("%mlops promote wine-clasifier --version 1 --yes")


# -- %mlops promote -------------------------------------------------------------------
def test_promote_with_yes_acts_directly(shell, client):
    shell.run(SETUP)
    register(shell, 1.0)
    register(shell, 2.0)
    _, io = shell.capture('%mlops promote wine-classifier --version 1 --yes -c "first one"')
    assert "version 1 is now in production" in io.stdout
    shell.run("%mlops promote wine-classifier --version 2 --yes")
    assert [(v.version, v.stage) for v in client.model_versions("wine-classifier")] == [
        (1, "archived"), (2, "production")]
    _, io = shell.capture("%mlops promote wine-classifier --rollback --yes")
    assert "rolled back from version 2 to version 1" in io.stdout
    assert client.get_model_version("wine-classifier", stage="production").version == 1
    history = client.model_history("wine-classifier")
    assert history[0].comment == "first one"
    shell.run("%mlops promote wine-classifier -v 2 --stage staging --yes")
    assert client.get_model_version("wine-classifier", stage="staging").version == 2


def test_promote_without_yes_shows_the_widget(shell, client, widget_comms):
    shell.run(SETUP)
    register(shell, 1.0)
    register(shell, 2.0)
    shell.run("w = %mlops promote wine-classifier")
    w = shell.ns["w"]
    assert repr(w) == "PromoteWidget('wine-classifier', versions=2, production=None, selected=2)"
    assert w.pending == ""
    # --version without --yes pre-selects it and asks for confirmation; nothing moved
    shell.run("w = %mlops promote wine-classifier --version 1 --stage staging")
    w = shell.ns["w"]
    assert (w.selected, w.stage, w.pending) == (1, "staging", "promote")
    assert "Promote version 1 to staging?" in w._question.value
    assert all(v.stage == "none" for v in client.model_versions("wine-classifier"))


@pytest.mark.parametrize(("line", "message"), [
    ("%mlops promote wine-classifier --yes", "--yes needs --version N or --rollback"),
    ("%mlops promote wine-classifier --version 1 --rollback", "drop --version"),
    ("%mlops promote wine-classifier --version 1 --stage live --yes", "unknown stage 'live'"),
    ("%mlops promote wine-classifier --stage archived", "not 'archived'"),
    ("%mlops promote wine-classifier --version 7 --yes", "no version 7"),
    ("%mlops promote wine-classifier --rollback --yes", "no earlier production version"),
    ("%mlops promote", "arguments are required: name"),
    ("%mlops modles", "did you mean 'models'"),
])
def test_promote_mistakes_are_usage_errors(shell, line, message):
    shell.run(SETUP)
    register(shell)
    with pytest.raises(UsageError, match=message):
        shell.run(line)


@pytest.mark.parametrize("sub", ["models", "promote"])
def test_registry_subcommands_have_help(shell, sub):
    _, io = shell.capture(f"%mlops {sub} --help")
    assert f"%mlops {sub}" in io.stdout
