"""Shared fixtures: isolated mlops-jupyter state, SQLite and PostgreSQL databases."""

from __future__ import annotations

import itertools
import os
import shutil

import pytest

from tests.pg_cluster import start_cluster

pytest_plugins = ["pytest_jupyter.jupyter_server"]

_db_counter = itertools.count()


@pytest.fixture(autouse=True)
def mlops_home(tmp_path, monkeypatch):
    """Every test gets its own MLOPS_JUPYTER_HOME and no inherited configuration."""
    home = tmp_path / "mlops-home"
    home.mkdir()
    for var in ("MLOPS_JUPYTER_TRACKING_URI", "MLOPS_JUPYTER_ARTIFACT_ROOT",
                "MLOPS_JUPYTER_TOKEN", "MLOPS_JUPYTER_CONFIG",
                "MLOPS_JUPYTER_HEARTBEAT_TIMEOUT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MLOPS_JUPYTER_HOME", str(home))
    yield home
    import sys

    fluent = sys.modules.get("mlops_jupyter.tracking.fluent")
    if fluent is not None:
        fluent.reset()


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster for the session; skips (saying why) when it cannot run."""
    cluster, reason = start_cluster()
    if cluster is None:
        if os.environ.get("CI"):  # the test command installs it: absent is a broken setup
            pytest.fail(f"PostgreSQL cannot run: {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    yield cluster
    cluster.stop()
    shutil.rmtree(cluster.data_dir.parent, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh, empty PostgreSQL database for one test."""
    return pg_cluster.create_database(f"mlops_test_{next(_db_counter)}")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'mlops.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh database URL on each SQL backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mlops.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def wine():
    """(model, X, y): a scaled logistic regression fitted on scikit-learn's bundled wine
    data, shared by the monitoring, server and widget tests (never mutated)."""
    from sklearn.datasets import load_wine
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True, as_frame=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X, y)
    return model, X, y
