"""The capture rules applied to a namespace the cell ran in."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from mlops_jupyter.capture import analyze, capture, model_name


def run(code: str, **ns):
    ns.setdefault("np", np)
    exec(code, ns)
    return capture(analyze(code), ns), ns


X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
y = [0, 1, 1, 0]


def test_literal_params_computed_metrics_and_the_fitted_model():
    # Given the cell of the issue
    got, _ = run("scaler = 'minmax'\nC = 1.0\n"
                 "model = make_pipeline(MinMaxScaler(), LogisticRegression(C=C))\n"
                 "model.fit(X, y)\naccuracy = model.score(X, y)\n",
                 make_pipeline=make_pipeline, MinMaxScaler=MinMaxScaler,
                 LogisticRegression=LogisticRegression, X=X, y=y)
    # Then
    assert got.params["scaler"] == "minmax" and got.params["C"] == 1.0
    assert "model.logisticregression__C" not in got.params  # the default: not recorded
    assert got.metrics == {"accuracy": 1.0}
    assert got.model_name == "Pipeline(MinMaxScaler, LogisticRegression)"


def test_numpy_scalars_count_and_bools_do_not():
    got, _ = run("a = np.float32(0.5)\nb = np.int64(3)\nok = a > 0.1\nflag = np.bool_(True)\n"
                 "text = str(a)\n")
    assert got.metrics == {"a": 0.5, "b": 3.0}


def test_private_names_are_never_captured():
    got, _ = run("_seed = 1\n_score = np.float64(0.2) * 2\n")
    assert got.params == {} and got.metrics == {}


def test_overrides_pick_exactly_the_named_values_and_series():
    got, _ = run("lr = 0.1\nlosses = []\nfor i in range(3):\n    losses.append(1.0 / (i + 1))\n"
                 "acc = np.float64(0.9)\narr = np.array([3.0, 2.0])\n")
    assert got.params == {"lr": 0.1}
    got2 = capture(analyze("x = 1"), {"lr": 0.1, "losses": [1.0, 0.5], "acc": 0.9,
                                      "arr": np.array([3.0, 2.0]), "df": pd.DataFrame()},
                   params=["lr"], metrics=["losses", "acc", "arr", "df", "missing"])
    assert got2.params == {"lr": 0.1}
    assert got2.metrics == {"acc": 0.9}
    assert got2.series == {"losses": [1.0, 0.5], "arr": [3.0, 2.0]}
    assert any("'missing' is not defined" in n for n in got2.notes)
    assert any("'df' is a DataFrame" in n for n in got2.notes)


def test_no_auto_capture_keeps_only_the_options():
    got = capture(analyze("C = 1.0\nacc = f()"), {"C": 1.0, "acc": 0.5}, auto=False,
                  metrics=["acc"], datasets=[("train", "d.csv")])
    assert got.params == {} and got.metrics == {"acc": 0.5}
    assert got.datasets == [("train", "d.csv")]


def test_model_option_and_several_fitted_estimators():
    a, b = LogisticRegression(), MinMaxScaler()
    got = capture(analyze("a.fit(X, y)\nb.fit(X)\n"), {"a": a, "b": b})
    assert got.model_name is None
    assert any("--model" in n for n in got.notes)
    got = capture(analyze("a.fit(X, y)\nb.fit(X)\n"), {"a": a, "b": b}, model="a")
    assert got.model_name == "LogisticRegression"


def test_model_names_spell_out_wrappers():
    assert model_name(GridSearchCV(LogisticRegression(), {"C": [1]})) == \
        "GridSearchCV(LogisticRegression)"


def test_pandas_reads_become_datasets_with_a_role_from_the_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_text("a,b\n1,2\n")
    got, _ = run("df = pd.read_csv('data/train.csv')\nother = rd('x.csv')\n",
                 pd=pd, rd=lambda p: None)
    assert got.datasets == [("train", "data/train.csv")]
    # an explicit --dataset for the same path wins
    got = capture(analyze("df = pd.read_csv('data/train.csv')"), {"pd": pd},
                  datasets=[("validation", "data/train.csv")])
    assert got.datasets == [("validation", "data/train.csv")]


class _Custom:
    """A third-party estimator: array, NaN and estimator-valued parameters."""

    def __init__(self, weights=None, missing=float("nan"), base=None, alpha=1.0, flag=False):
        self.weights, self.missing, self.base, self.alpha, self.flag = (
            weights, missing, base, alpha, flag)

    def get_params(self, deep=True):
        return {"weights": self.weights, "missing": self.missing, "base": self.base,
                "alpha": self.alpha, "flag": self.flag}

    def fit(self, X, y=None):
        return self


def test_estimator_params_keep_only_what_differs_from_the_defaults():
    from mlops_jupyter.capture import estimator_params

    est = _Custom(weights=np.array([1.0, 2.0]), missing=np.nan, base=LogisticRegression(),
                  alpha=1, flag=0)
    got = estimator_params(est, changed_only=True)
    # NaN == NaN default, 1 == 1.0; an array and a nested estimator differ from None;
    # 0 is not the bool False
    assert set(got) == {"weights", "base", "flag"} and got["base"] == "LogisticRegression"
    assert estimator_params(_Custom(), changed_only=True) == {}
    assert set(estimator_params(_Custom())) == {"weights", "missing", "base", "alpha", "flag"}
    search = GridSearchCV(LogisticRegression(C=2.0), {"C": [1, 2]})
    assert set(estimator_params(search, changed_only=True)) == {"estimator", "param_grid"}
