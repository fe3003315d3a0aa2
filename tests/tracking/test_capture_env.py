"""Environment, git and dataset fingerprints."""

from __future__ import annotations

import subprocess

import pytest

from mlops_jupyter import InvalidInput
from mlops_jupyter.environment import clear_caches, environment, git_state
from mlops_jupyter.fingerprint import fingerprint


def test_environment_has_versions_of_key_packages():
    env = environment()
    assert env["python"].count(".") == 2
    assert "numpy" in env["packages"] and "pandas" in env["packages"]
    assert env["host"] and env["user"]


def test_git_state_of_a_repository(tmp_path):
    clear_caches()
    run = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True,  # noqa: E731
                                    capture_output=True)
    run("init", "-q", "-b", "main")
    (tmp_path / "f.txt").write_text("1")
    run("add", "f.txt")
    run("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "one")
    state = git_state(str(tmp_path))
    assert state["branch"] == "main" and len(state["commit"]) == 40 and state["dirty"] is False
    (tmp_path / "f.txt").write_text("2")
    clear_caches()
    assert git_state(str(tmp_path))["dirty"] is True


def test_git_state_outside_a_repository_is_empty(tmp_path):
    clear_caches()
    assert git_state(str(tmp_path)) == {}


def test_directory_fingerprint_changes_with_content(tmp_path):
    d = tmp_path / "images"
    (d / "a").mkdir(parents=True)
    (d / "a" / "1.bin").write_bytes(b"x" * 10)
    first = fingerprint(d)
    assert first.kind == "directory" and first.size == 10
    (d / "a" / "1.bin").write_bytes(b"y" * 11)
    assert fingerprint(d).digest != first.digest


def test_missing_path_and_urls(tmp_path):
    with pytest.raises(InvalidInput) as err:
        fingerprint(tmp_path / "nope.csv")
    assert "no file" in str(err.value)
    ref = fingerprint("s3://bucket/data/train.parquet")
    assert (ref.kind, ref.name, ref.digest) == ("url", "train.parquet", None)
