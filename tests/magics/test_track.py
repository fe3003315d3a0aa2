"""``%%track`` in a real InteractiveShell: capture, overrides, and the user's cell untouched."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from .conftest import last_iteration

SETUP = """
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
X_train = X_test = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
y_train = y_test = [0, 1, 1, 0]
"""

ISSUE_CELL = """%%track MinMaxScaler --dataset train=data/wine.csv
scaler = "minmax"
C = 1.0
model = make_pipeline(MinMaxScaler(), LogisticRegression(C=C))
model.fit(X_train, y_train)
accuracy = model.score(X_test, y_test)
"""


def test_the_issue_cell_records_everything(shell, client, tmp_path, monkeypatch):
    # Given the project/experiment of the issue and a real data file
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "wine.csv").write_text("a,b\n1,2\n")
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/01_tracking.ipynb")
    shell.run("%mlops project wine")
    shell.run('%mlops experiment "scaling methods"')
    shell.run(SETUP)
    # When
    _, io = shell.capture(ISSUE_CELL)
    # Then
    it, params, metrics = last_iteration(client, project="wine", experiment="scaling methods")
    assert (it.name, it.status) == ("MinMaxScaler", "finished")
    assert params["scaler"] == "minmax" and params["C"] == 1.0
    # C=1.0 and every other hyper-parameter is the estimators' default: none recorded
    assert not [k for k in params if k.startswith("model.")]
    assert metrics == {"accuracy": 1.0}
    assert it.model_name == "Pipeline(MinMaxScaler, LogisticRegression)"
    it = client.get_iteration(it.id)
    assert it.source.code == ISSUE_CELL.split("\n", 1)[1]  # the body that ran
    assert it.source.cell_hash and it.source.notebook_path == "notebooks/01_tracking.ipynb"
    assert it.source.execution_count == 4
    assert it.duration is not None and it.environment and "python" in it.environment
    (ds,) = client.datasets(it.id)
    assert (ds.role, ds.rows, ds.columns) == ("train", 1, ("a", "b"))
    # and a summary is shown under the cell, as HTML with a text fallback
    (summary,) = io.outputs
    assert "text/html" in summary.data and "MinMaxScaler" in summary.data["text/plain"]
    assert "accuracy=1" in summary.data["text/plain"]


def test_outputs_out_and_variables_are_those_of_the_plain_cell(shell):
    # When a tracked cell prints, displays and ends with an expression
    _, io = shell.capture("%%track\nfrom IPython.display import display\nx = 41\n"
                          "print('hi')\ndisplay('shown')\nx + 1\n")
    # Then
    assert io.stdout.startswith("hi\n")
    assert shell.ns["x"] == 41
    assert shell.ns["Out"][1] == 42 and shell.ns["_"] == 42
    assert [o.data["text/plain"] for o in io.outputs][0] == "'shown'"


def test_a_trailing_semicolon_still_silences_the_value(shell):
    shell.run("%%track --quiet\n7;\n")
    assert 1 not in shell.ns["Out"]


def test_mj_log_metric_lands_in_the_cell_iteration(shell, client):
    shell.run("%%track curve --quiet\nimport mlops_jupyter as mj\n"
              "for step in range(3):\n    mj.log_metric('loss', 1.0 / (step + 1))\n")
    it, _, metrics = last_iteration(client)
    assert metrics["loss"] == pytest.approx(1 / 3)
    assert len(client.metric_history(it.id, "loss")) == 3


def test_a_named_list_becomes_a_step_series(shell, client):
    shell.run("%%track --metrics losses --quiet\nlosses = []\nfor i in range(4):\n"
              "    losses.append(0.5 ** i)\nacc = 0.5 * 2\n")
    it, _, metrics = last_iteration(client)
    assert list(client.metric_history(it.id, "losses")["value"]) == [1.0, 0.5, 0.25, 0.125]
    assert metrics["acc"] == 1.0  # --metrics adds to the automatic choice


def test_params_override_model_option_tags_and_no_capture(shell, client):
    shell.run(SETUP)
    shell.run("%%track --params lr --model clf --tag owner=ana --no-capture --quiet\n"
              "lr = 0.1\nC = 2.0\nclf = LogisticRegression(C=C)\nclf.fit(X_train, y_train)\n"
              "acc = clf.score(X_test, y_test)\n")
    it, params, metrics = last_iteration(client)
    assert params == {"lr": 0.1} and metrics == {}
    assert it.model_name == "LogisticRegression"
    assert client.tags(it.id)["owner"] == "ana"


def test_an_exception_fails_the_iteration_and_is_re_raised(shell, client):
    # When the cell raises
    with pytest.raises(ZeroDivisionError):
        shell.run("%%track broken --quiet\na = 1\n1 / 0\n")
    # Then the iteration is failed with the traceback, and what ran is captured
    it, params, _ = last_iteration(client)
    assert it.status == "failed"
    assert "ZeroDivisionError" in client.get_iteration(it.id).error
    assert params == {"a": 1}
    # and later cells are not affected
    assert shell.run("1 + 1").result == 2
    from mlops_jupyter.tracking import fluent

    assert fluent.active_iteration() is None


def test_storage_down_keeps_the_result_and_warns(shell, tmp_path):
    # Given a tracking URI that cannot be opened
    (tmp_path / "blocker").write_text("a file, not a directory")
    bad = tmp_path / "blocker" / "x.db"
    shell.run(f"%mlops config tracking_uri sqlite:///{bad}")
    # When a tracked cell runs
    with pytest.warns(UserWarning, match="not recorded"):
        result = shell.run("%%track --quiet\nvalue = 3 * 3\nvalue\n")
    # Then the cell's result stands
    assert result.result == 9 and shell.ns["value"] == 9


def test_storage_failing_mid_way_says_what_was_lost(shell, client, monkeypatch):
    # Given a store that fails once the iteration started
    def down(*args, **kwargs):
        from mlops_jupyter.errors import StorageError

        raise StorageError("database is locked")

    monkeypatch.setattr(client.store, "log_params", down)
    with pytest.warns(UserWarning, match=r"param C \(database is locked\)"):
        result = shell.run("%%track --quiet\nC = 1.0\nC * 2\n")
    assert result.result == 2.0


def test_usage_errors_are_messages(shell):
    with pytest.raises(UsageError, match="KEY=VALUE"):
        shell.run("%%track --dataset wine.csv\nx = 1\n")
    with pytest.raises(UsageError, match="unrecognized"):
        shell.run("%%track --bogus\nx = 1\n")


def test_a_syntax_error_records_nothing(shell, client):
    with pytest.raises(SyntaxError):
        shell.run("%%track\nx = (\n")
    assert client.search().iterations == []


def test_help_documents_options_and_rules(shell):
    doc = shell.ip.find_cell_magic("track").__doc__
    for word in ("--project", "--experiment", "--params", "--metrics", "--model",
                 "--dataset", "--tag", "--no-capture", "--quiet", "Capture rules", "Examples"):
        assert word in doc


def test_quiet_setting_via_config_magic(shell):
    shell.run("%config MlopsMagics.quiet = True")
    _, io = shell.capture("%%track\nx = 1\n")
    assert io.outputs == []


# -- only what this run of the cell bound ------------------------------------------------
def test_a_cell_failing_before_its_metric_keeps_no_earlier_value(shell, client):
    # Given an earlier cell left accuracy in the namespace
    shell.run("%%track first --quiet\naccuracy = 0.5 * 2\n")
    # When a cell fails before it computes its own accuracy
    result = shell.run("%%track second --quiet\nC = 2.0\nx = 1 / 0\naccuracy = 0.25 * 2\n",
                       raises=False)
    # Then it is failed with exactly what it bound before the error
    it, params, metrics = last_iteration(client)
    assert (it.name, it.status) == ("second", "failed")
    assert params == {"C": 2.0} and metrics == {}
    assert shell.ns["accuracy"] == 1.0  # the namespace is the plain cell's
    # and the user's error is the plain one, pointing at the user's line
    error = result.error_in_exec
    assert isinstance(error, ZeroDivisionError)
    tb = error.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert tb.tb_lineno == 2 and tb.tb_frame.f_code.co_filename.startswith("<ipython-input")
    assert "x = 1 / 0" in client.get_iteration(it.id).error


def test_names_left_by_other_cells_or_untaken_branches_are_not_captured(shell, client):
    shell.run("n_trees = 5\nscore = 0.75 * 1\nlr = 0.1\n")  # an untracked cell
    shell.run("%%track --quiet\nif False:\n    score = 0.5 * 1\nlr = 0.1\ndepth = 3\n")
    _, params, metrics = last_iteration(client)
    # lr is re-bound to the very same (equal, interned) value: it counts
    assert params == {"lr": 0.1, "depth": 3} and metrics == {}


def test_named_metrics_this_run_did_not_set_warn_once_and_record_nothing(shell, client):
    shell.run("auc = 0.8 * 1\n")
    with pytest.warns(UserWarning) as caught:
        shell.run("%%track --metrics accuracy,auc --params seed --quiet\n"
                  "accuracy = 0.9 * 1\n")
    _, params, metrics = last_iteration(client)
    assert metrics == {"accuracy": 0.9} and params == {}
    texts = [str(w.message) for w in caught]
    assert len([t for t in texts if "'auc'" in t]) == 1
    assert len([t for t in texts if "'seed'" in t]) == 1
    assert any("'auc' was not set by this run of the cell" in t for t in texts)


def test_named_metrics_add_to_automatic_capture_and_only_restricts(shell, client):
    cell = ("losses = []\nfor i in range(3):\n    losses.append(0.5 ** i)\n"
            "accuracy = 0.5 * 2\nlr = 0.1\n")
    shell.run("%%track --metrics losses --quiet\n" + cell)
    it, params, metrics = last_iteration(client)
    assert metrics == {"accuracy": 1.0, "losses": 0.25} and params == {"lr": 0.1}
    shell.run("%%track --only --metrics losses --quiet\n" + cell)
    it, params, metrics = last_iteration(client)
    assert metrics == {"losses": 0.25} and params == {}
    with pytest.raises(UsageError, match="--only"):
        shell.run("%%track --only\nx = 1\n")


def test_estimator_params_are_those_that_differ_from_the_defaults(shell, client):
    shell.run(SETUP)
    cell = ("import numpy as np\nfrom sklearn.impute import SimpleImputer\n"
            "clf = LogisticRegression(C=0.5, max_iter=200)\nclf.fit(X_train, y_train)\n"
            "imp = SimpleImputer(missing_values=np.nan, strategy='median')\n"
            "pipe = make_pipeline(MinMaxScaler(feature_range=(0, 2)), LogisticRegression())\n")
    shell.run("%%track --quiet --model clf\n" + cell)
    _, params, _ = last_iteration(client)
    assert {k: v for k, v in params.items() if "." in k} == {
        "clf.C": 0.5, "clf.max_iter": 200, "imp.strategy": "median",
        "pipe.minmaxscaler__feature_range": [0, 2]}
    shell.run("%%track --quiet --model clf --all-params\n" + cell)
    _, params, _ = last_iteration(client)
    assert params["clf.tol"] == 1e-4 and params["pipe.logisticregression__C"] == 1.0
    assert "imp.missing_values" in params


def test_help_documents_only_and_all_params(shell):
    doc = shell.ip.find_cell_magic("track").__doc__
    assert "--only" in doc and "--all-params" in doc


def test_summary_runs_table_and_api_show_one_duration(shell, client):
    import mlops_jupyter as mj
    from mlops_jupyter.entities import format_duration
    from mlops_jupyter.widgets.runs_table import frame_html

    shell.run("%config MlopsMagics.quiet = False")  # the shell's config outlives a test
    _, io = shell.capture("%%track timed\nimport time\ntime.sleep(0.02)\nx = 1\n")
    it = client.get_iteration(last_iteration(client)[0].id)
    # one stored number, rounded by one rule
    assert it.duration is not None and it.duration == round(it.duration, 2)
    shown = format_duration(it.duration)
    (summary,) = io.outputs
    assert f"(finished, {shown})" in summary.data["text/plain"]
    assert f"(finished, {shown})" in summary.data["text/html"]
    frame = mj.runs()
    assert frame["duration"].tolist() == [it.duration]
    assert f"<td>{shown}</td>" in frame_html(frame)
    from mlops_jupyter import wire

    assert wire.iteration_summary(it)["duration"] == it.duration  # the API, the panel
