"""The static part of the capture rules: what a cell binds, fits and reads."""

from __future__ import annotations

from mlops_jupyter.capture import analyze


def test_literals_are_params_and_computed_names_are_not():
    a = analyze("scaler = 'minmax'\nC = 1.0\nn = -3\nsizes = (1, 2)\nflag = None\n"
                "acc = model.score(X, y)\n")
    assert a.literals == {"scaler": "minmax", "C": 1.0, "n": -3, "sizes": (1, 2),
                          "flag": None}
    assert a.computed == ["acc"]


def test_a_literal_later_mutated_or_rebound_is_computed():
    a = analyze("losses = []\nfor i in range(3):\n    losses.append(i)\n"
                "best = 0\nif x:\n    best = f(x)\ncount = 0\ncount += 1\n")
    assert set(a.computed) == {"losses", "best", "count"}
    assert a.literals == {}


def test_unpacking_and_annotations_and_dicts():
    a = analyze("a, b = 1, 'x'\nc: float = 0.5\nd = {'k': 1}\n")
    assert a.literals == {"a": 1, "b": "x", "c": 0.5}
    assert a.computed == ["d"]  # dicts are not params


def test_function_and_comprehension_scopes_are_skipped():
    a = analyze("def f():\n    inner = 1\nsquares = [i * i for i in range(3)]\n")
    assert "inner" not in a.bound and "i" not in a.bound
    assert a.computed == ["squares"]


def test_fit_calls_and_pandas_reads():
    a = analyze("df = pd.read_csv('data/train.csv')\nmodel.fit(X, y)\n"
                "for _ in range(2):\n    clf.partial_fit(X, y)\n"
                "other = read_parquet(path='x.parquet')\ndynamic = pd.read_csv(name)\n")
    assert a.fitted == ["model", "clf"]
    assert a.reads == [("read_csv", "pd", "data/train.csv"),
                       ("read_parquet", None, "x.parquet")]
