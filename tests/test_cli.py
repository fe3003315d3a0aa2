"""The mlops-jupyter command."""

from __future__ import annotations

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
