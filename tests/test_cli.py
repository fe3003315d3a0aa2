"""The mlops-jupyter command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mlops_jupyter.cli import main


def test_db_info_and_upgrade(capsys, sqlite_url):
    assert main(["db", "info", "--uri", sqlite_url]) == 0
    assert "empty: created on first use" in capsys.readouterr().out
    assert main(["db", "upgrade", "--uri", sqlite_url]) == 0
    assert "upgraded from empty" in capsys.readouterr().out
    assert main(["db", "info", "--uri", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "up to date" in out and "iterations:" in out


def test_passwords_are_never_printed(capsys):
    code = main(["db", "info", "--uri", "postgresql://me:s3cret@127.0.0.1:1/nodb"])
    out = capsys.readouterr()
    assert "s3cret" not in out.out + out.err
    assert code in (0, 2)


def _run(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=120, env=env)


def test_python_dash_m_runs_the_same_command(sqlite_url):
    # Given the installed `mlops-jupyter` console script beside this interpreter
    script = Path(sys.executable).with_name("mlops-jupyter")
    env = {**os.environ, "MLOPS_JUPYTER_TRACKING_URI": sqlite_url}
    # When both report on the same database
    by_module = _run(sys.executable, "-m", "mlops_jupyter", "db", "info", env=env)
    by_script = _run(str(script), "db", "info", env=env)
    # Then `python -m mlops_jupyter` works and says what the command says
    assert by_module.returncode == 0, by_module.stderr
    assert "empty: created on first use" in by_module.stdout
    assert by_module.stdout == by_script.stdout


def test_python_dash_m_version_and_help():
    from mlops_jupyter import __version__

    version = _run(sys.executable, "-m", "mlops_jupyter", "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"mlops-jupyter {__version__}"
    usage = _run(sys.executable, "-m", "mlops_jupyter", "--help")
    assert usage.returncode == 0
    assert usage.stdout.startswith("usage: python -m mlops_jupyter") and "db" in usage.stdout
