"""``python -m benchmarks``: help is help, and runs nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _benchmarks(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    # A suite that ran would make its temporary directory here.
    env = {**os.environ, "TMPDIR": str(tmp), "MLOPS_JUPYTER_HOME": str(tmp_path / "home")}
    return subprocess.run([sys.executable, "-m", "benchmarks", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_help_lists_the_suites_and_runs_nothing(tmp_path):
    result = _benchmarks(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m benchmarks")
    for suite in ("tracking", "server", "monitoring", "magics", "panel"):
        assert f"\n  {suite} " in result.stdout
    assert not any((tmp_path / "tmp").iterdir())
    assert not (tmp_path / "home").exists()


def test_a_suite_help_shows_its_usage_and_runs_nothing(tmp_path):
    result = _benchmarks(tmp_path, "tracking", "--help")
    assert result.returncode == 0, result.stderr
    assert "python -m benchmarks tracking [--quick] [--no-postgres]" in result.stdout
    assert not any((tmp_path / "tmp").iterdir())


def test_an_unknown_suite_is_an_error(tmp_path):
    result = _benchmarks(tmp_path, "trackin")
    assert result.returncode == 2
    assert "unknown suite 'trackin'" in result.stderr
