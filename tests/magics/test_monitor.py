"""``%mlops monitor`` in a real shell."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

SETUP = """
import mlops_jupyter as mj
import pandas as pd
from sklearn.linear_model import LogisticRegression
X = pd.DataFrame([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], columns=["x1", "x2"])
clf = LogisticRegression().fit(X, [0, 1, 1, 0])
mj.init(project="wine")
with mj.start_iteration("fit") as it:
    it.log_model(clf, "wine-classifier", reference=X)
mj.promote("wine-classifier", 1)
mj.log_predictions(X, clf.predict(X), model="wine-classifier", latencies_ms=[1.0] * 4)
"""


@pytest.fixture(autouse=True)
def widget_comms(monkeypatch):
    import comm

    from tests.widgets.conftest import DummyComm

    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: DummyComm())


def test_help(shell):
    _, io = shell.capture("%mlops monitor --help")
    out = io.stdout
    assert "%mlops monitor" in out and "--window" in out and "--live" in out
    assert "drift heatmap" in out


def test_listed_in_the_subcommands(shell):
    _, io = shell.capture("%mlops")
    assert "monitor" in io.stdout


def test_unknown_model_is_a_usage_error_with_did_you_mean(shell):
    shell.run(SETUP)
    with pytest.raises(UsageError, match="did you mean 'wine-classifier'"):
        shell.run("%mlops monitor wine-clasifier")


@pytest.mark.parametrize("options, message", [
    ("--window soon", "cannot read window 'soon'"),
    ("--since whenever", "cannot read"),
    ("--live 0", "--live takes a number of seconds"),
])
def test_bad_options_are_usage_errors(shell, options, message):
    shell.run(SETUP)
    with pytest.raises(UsageError, match=message):
        shell.run(f"%mlops monitor wine-classifier {options}")


def test_shows_the_dashboard(shell):
    from mlops_jupyter.widgets.monitoring import MonitorWidget

    shell.run(SETUP)
    shell.run("widget = %mlops monitor wine-classifier --window 15min --since all -f x1")
    widget = shell.ns["widget"]
    assert isinstance(widget, MonitorWidget) and widget.error == ""
    assert (widget.window, widget.since, widget.feature) == ("15min", "all", "x1")
    assert widget.predictions == 4 and widget.shown_version == 1 and not widget.live
    result, io = shell.capture("%mlops monitor wine-classifier")
    assert isinstance(result.result, MonitorWidget)


def test_live_option_starts_live_refresh(shell):
    shell.run(SETUP)
    shell.run("widget = %mlops monitor wine-classifier --live 5")
    widget = shell.ns["widget"]
    try:
        assert widget.live and widget.interval == 5.0
    finally:
        widget.close()
    assert not widget.live and widget._thread is None
