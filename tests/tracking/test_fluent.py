"""The module-level API as a notebook or script uses it."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mlops_jupyter as mj


def test_readme_example(tmp_path):
    data = tmp_path / "wine.csv"
    data.write_text("alcohol,label\n13.2,0\n12.1,1\n")
    losses = [0.9, 0.6, 0.4]
    mj.init(project="wine", experiment="scaling methods")
    with mj.start_iteration("MinMaxScaler") as it:
        mj.log_params({"C": 1.0, "scaler": "minmax"})
        mj.log_dataset(str(data), role="train")
        for epoch, loss in enumerate(losses):
            mj.log_metric("loss", loss, step=epoch)
        mj.log_metric("accuracy", 0.97)
    df = mj.runs()
    assert len(df) == 1
    row = df.iloc[0]
    assert (row["name"], row["status"], row["params.scaler"]) == ("MinMaxScaler", "finished",
                                                                  "minmax")
    assert row["metrics.accuracy"] == 0.97 and row["metrics.loss"] == 0.4
    assert mj.metric_history("loss", it.id)["value"].tolist() == losses


def test_logging_without_an_iteration_says_how_to_start_one():
    with pytest.raises(mj.InvalidInput) as err:
        mj.log_metric("x", 1.0)
    assert "start_iteration" in str(err.value)


def test_runs_scope_defaults_to_the_current_experiment():
    mj.init("p", "a")
    mj.start_iteration("in a").end()
    mj.init(experiment="b")
    mj.start_iteration("in b").end()
    assert mj.runs()["name"].tolist() == ["in b"]
    assert sorted(mj.runs(experiment=mj.ALL)["name"]) == ["in a", "in b"]


def test_import_is_lazy():
    # `import mlops_jupyter` must not pay for SQLAlchemy, pandas or plotly.
    code = ("import sys, mlops_jupyter\n"
            "heavy = [m for m in ('sqlalchemy', 'pandas', 'plotly', 'sklearn', 'ipywidgets') "
            "if m in sys.modules]\n"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
