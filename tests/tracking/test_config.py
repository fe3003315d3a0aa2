"""Settings precedence: argument > environment > config file > default."""

from __future__ import annotations

import pytest

from mlops_jupyter import InvalidInput, config


def test_default_is_the_embedded_sqlite_database(mlops_home):
    s = config.resolve()
    assert s.tracking_uri == f"sqlite:///{mlops_home / 'mlops.db'}"
    assert s.is_default_database
    assert s.artifact_root == mlops_home / "artifacts"


def test_precedence(mlops_home, monkeypatch, tmp_path):
    (mlops_home / "config.toml").write_text(
        'tracking_uri = "sqlite:///from-file.db"\nartifact_root = "/from/file"\n')
    assert config.resolve().tracking_uri == "sqlite:///from-file.db"
    assert str(config.resolve().artifact_root) == "/from/file"
    monkeypatch.setenv("MLOPS_JUPYTER_TRACKING_URI", "sqlite:///from-env.db")
    s = config.resolve()
    assert s.tracking_uri == "sqlite:///from-env.db"
    assert s.tracking_uri_source.startswith("environment")
    s = config.resolve("sqlite:///from-arg.db")
    assert s.tracking_uri == "sqlite:///from-arg.db" and s.tracking_uri_source == "argument"
    assert not s.is_default_database


def test_config_file_location_can_be_chosen(monkeypatch, tmp_path):
    path = tmp_path / "team.toml"
    path.write_text('tracking_uri = "postgresql://me@db/mlops"\n')
    monkeypatch.setenv("MLOPS_JUPYTER_CONFIG", str(path))
    assert config.resolve().tracking_uri == "postgresql://me@db/mlops"


def test_broken_config_file_is_a_clear_error(mlops_home):
    (mlops_home / "config.toml").write_text("tracking_uri = [unclosed")
    with pytest.raises(InvalidInput) as err:
        config.resolve()
    assert "config.toml" in str(err.value)


def test_bad_heartbeat_timeout(monkeypatch):
    monkeypatch.setenv("MLOPS_JUPYTER_HEARTBEAT_TIMEOUT", "soon")
    with pytest.raises(InvalidInput):
        config.resolve()


def test_unsupported_database_is_refused():
    import mlops_jupyter as mj

    with pytest.raises(InvalidInput) as err:
        mj.Client("mysql://x@y/z")
    assert "SQLite or PostgreSQL" in str(err.value)
