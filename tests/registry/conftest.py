from __future__ import annotations

import pytest


@pytest.fixture
def registry(db_url, tmp_path):
    """A client on a fresh database (SQLite and PostgreSQL) with its own artifact root."""
    import mlops_jupyter as mj

    c = mj.Client(db_url, artifact_root=str(tmp_path / "artifacts"))
    yield c
    c.close()


@pytest.fixture
def fitted():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    return LogisticRegression(max_iter=300).fit(X, y), X, y
