"""``%mlops`` subcommands: each with --help, and user mistakes as messages."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from IPython.core.error import UsageError


def test_project_and_experiment_choose_where_iterations_go(shell, client):
    _, io = shell.capture('%mlops project wine\n%mlops experiment "scaling methods"')
    assert "wine / scaling methods" in io.stdout
    shell.run("%%track --quiet\nx = 1\n")
    (it,) = client.search(project="wine", experiment="scaling methods").iterations
    # no stray "default" experiment was created on the way
    assert [s.experiment.name for s in client.experiments("wine")] == ["scaling methods"]
    _, io = shell.capture("%mlops experiment")
    assert "* scaling methods  (1 iterations)" in io.stdout


def test_runs_gives_a_dataframe(shell):
    shell.run("%mlops project p\n%mlops experiment e")
    for acc in (0.5, 0.9):
        shell.run(f"%%track --quiet\nacc = {acc} * 1\n")
    shell.run("df = %mlops runs --sort -metrics.acc")
    df = shell.ns["df"]
    assert isinstance(df, pd.DataFrame) and list(df["metrics.acc"]) == [0.9, 0.5]
    shell.run("top = %mlops runs -f 'metrics.acc>0.6'")
    assert len(shell.ns["top"]) == 1


def test_compare_returns_the_widget(shell, monkeypatch):
    import comm

    from tests.widgets.conftest import DummyComm

    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: DummyComm())
    shell.run("%mlops project p\n%mlops experiment e\n")
    shell.run("%%track a --quiet\nacc = 0.5 * 1\n")
    shell.run("w = %mlops compare --metric acc")
    assert repr(shell.ns["w"]) == "CompareWidget('p'/'e', iterations=1, selected=1)"


def test_config_shows_and_sets_settings(shell, tmp_path):
    _, io = shell.capture("%mlops config")
    assert "tracking_uri = sqlite:///" in io.stdout and "(from default)" in io.stdout
    uri = f"sqlite:///{tmp_path / 'other.db'}"
    shell.run(f"%mlops config tracking_uri {uri}")
    from mlops_jupyter.tracking import fluent

    assert fluent.get_client().tracking_uri == uri
    shell.run("%mlops config quiet true")
    assert shell.ip.find_magic("mlops").__self__.quiet is True
    shell.run("%config MlopsMagics.compare_limit = 50")
    _, io = shell.capture("%mlops config compare_limit")
    assert "compare_limit = 50" in io.stdout


@pytest.mark.parametrize(("line", "message"), [
    ("%mlops comapre", "did you mean 'compare'"),
    ("%mlops config tracking_urx x", "did you mean 'tracking_uri'"),
    ("%mlops config compare_limit many", "compare_limit"),
    ("%mlops runs --filter 'nonsense'", "cannot read filter"),
    ("%mlops runs --status done", "unknown status 'done'"),
    ("%mlops experiment 'x' --project", "expected one argument"),
    ('%mlops project "unbalanced', "cannot read the arguments"),
])
def test_mistakes_are_usage_errors_with_a_hint(shell, line, message):
    with pytest.raises(UsageError, match=message):
        shell.run(line)


@pytest.mark.parametrize("sub", ["project", "experiment", "runs", "compare", "config"])
def test_every_subcommand_has_help(shell, sub):
    _, io = shell.capture(f"%mlops {sub} --help")
    assert f"%mlops {sub}" in io.stdout and "options" in io.stdout.lower() + "options"


def test_bare_mlops_lists_subcommands(shell):
    _, io = shell.capture("%mlops")
    assert "project, experiment, runs, compare, config" in io.stdout


def test_load_ext_imports_nothing_heavy():
    code = ("import sys\nfrom IPython.core.interactiveshell import InteractiveShell\n"
            "ip = InteractiveShell.instance()\nip.run_line_magic('load_ext', 'mlops_jupyter')\n"
            "assert 'track' in ip.magics_manager.magics['cell']\n"
            "print(sorted(m for m in ('sqlalchemy', 'pandas', 'plotly', 'ipywidgets', 'sklearn')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
