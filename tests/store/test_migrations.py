"""Migrations are tested code: the migrated schema is exactly the ORM's."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from mlops_jupyter import SchemaOutdated
from mlops_jupyter.store import schema
from mlops_jupyter.store.engine import create_store_engine
from mlops_jupyter.store.migrations import HEAD_REVISION, REVISIONS
from mlops_jupyter.store.models import Base


def test_revisions_constant_matches_the_scripts():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(schema.alembic_config())
    ordered = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert tuple(ordered) == REVISIONS
    assert script.get_current_head() == HEAD_REVISION


def test_migrated_schema_equals_orm_metadata(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_store_engine(db_url)
    schema.ensure_schema(engine, db_url, auto_upgrade=False)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_back(db_url):
    from alembic import command

    engine = create_store_engine(db_url)
    schema.ensure_schema(engine, db_url, auto_upgrade=False)
    with engine.begin() as conn:
        command.downgrade(schema.alembic_config(connection=conn), "base")
    assert schema.current_revision(engine) is None
    schema.ensure_schema(engine, db_url, auto_upgrade=False)
    assert schema.current_revision(engine) == HEAD_REVISION
    engine.dispose()


def _stamp(db_url: str, revision: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{revision}'")
    engine.dispose()


def test_newer_schema_is_refused(db_url):
    import mlops_jupyter as mj

    mj.Client(db_url).close()
    _stamp(db_url, "9999")
    with pytest.raises(SchemaOutdated) as err:
        mj.Client(db_url)
    assert "pip install -U mlops-jupyter" in str(err.value)


_PROBE_REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "9000"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("probe", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("probe")
"""


@pytest.fixture
def newer_package(tmp_path, monkeypatch):
    """Pretend this package is one revision ahead of the real head.

    The database is created at the real head first, so it is "old" for the
    pretend package: exactly what a user meets after upgrading mlops-jupyter.
    """
    import shutil

    migrations = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, migrations,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "9000_probe.py").write_text(
        _PROBE_REVISION.format(down=HEAD_REVISION))
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", migrations)
    monkeypatch.setattr(schema, "REVISIONS", (*REVISIONS, "9000"))
    monkeypatch.setattr(schema, "HEAD_REVISION", "9000")
    return HEAD_REVISION


def _at_older_revision(db_url: str, older: str) -> str:
    """Create the database at ``older`` (the real head)."""
    from alembic import command

    engine = create_store_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(schema.alembic_config(connection=conn), older)
    engine.dispose()
    return older


def test_old_schema_of_an_explicit_database_names_the_upgrade_command(db_url, newer_package):
    import mlops_jupyter as mj

    _at_older_revision(db_url, newer_package)
    with pytest.raises(SchemaOutdated) as err:
        mj.Client(db_url)
    assert "mlops-jupyter db upgrade" in str(err.value)
    # And that command fixes it.
    from mlops_jupyter.cli import main

    assert main(["db", "upgrade", "--uri", db_url]) == 0
    c = mj.Client(db_url)
    assert c.store.schema.current == "9000"
    c.close()


def test_embedded_default_database_upgrades_itself_after_a_backup(mlops_home, newer_package):
    import mlops_jupyter as mj
    from mlops_jupyter.config import default_tracking_uri

    uri = default_tracking_uri()
    older = _at_older_revision(uri, newer_package)
    c = mj.Client()  # the default: embedded SQLite
    assert c.store.schema.current == "9000"
    backup = c.store.schema.backup
    assert backup is not None and backup.exists() and f"bak-{older}" in backup.name
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (older,)
    c.close()


def test_foreign_tables_are_not_mistaken_for_an_empty_database(tmp_path):
    import mlops_jupyter as mj

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(SchemaOutdated):
        mj.Client(f"sqlite:///{path}")


_OPEN = """
import sys
import mlops_jupyter as mj
c = mj.Client(sys.argv[1])
c.experiment("p", "e")
c.close()
"""


def test_twenty_processes_opening_one_new_database(db_url, tmp_path):
    # Given 20 processes started together on one database that does not exist yet
    script = tmp_path / "open.py"
    script.write_text(_OPEN)
    root = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([sys.executable, str(script), db_url], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(20)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    # Then every one succeeded, and there is one schema and one project
    assert [code for code, _ in results] == [0] * 20, [err for _, err in results if err][:1]
    engine = create_store_engine(db_url)
    assert schema.current_revision(engine) == HEAD_REVISION
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM projects").scalar() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
    engine.dispose()


def test_upgrading_folds_existing_points_into_rollups(sqlite_url):
    from alembic import command

    from mlops_jupyter.store.sql_metrics import ROLLUP_MIN_POINTS, history

    # Given a database at the revision before rollups, holding a long series
    engine = create_store_engine(sqlite_url)
    with engine.begin() as conn:
        command.upgrade(schema.alembic_config(connection=conn), "0005")
        conn.exec_driver_sql("INSERT INTO projects (id, name, created_at) VALUES (1, 'p', 0)")
        conn.exec_driver_sql("INSERT INTO experiments (id, project_id, name, created_at, "
                             "last_number) VALUES (1, 1, 'e', 0, 1)")
        conn.exec_driver_sql("INSERT INTO iterations (id, experiment_id, name, number, status, "
                             "started_at) VALUES (1, 1, 'i', 1, 'finished', 0)")
        n = ROLLUP_MIN_POINTS + 1000
        conn.exec_driver_sql(
            "INSERT INTO metrics (iteration_id, key, value, step, timestamp) VALUES "
            "(1, 'loss', ?, ?, 0)", [(7.0 if i == 12_345 else i % 10 / 10, i) for i in range(n)])
    # When it is upgraded
    schema.upgrade(engine, sqlite_url)
    # Then the rollups count every point and the downsampled history keeps the spike
    series = history(engine, 1, "loss", 1000)
    assert series.total == n and series.downsampled and 7.0 in series.values
    engine.dispose()
