"""Alembic environment: runs on the connection handed over by ``schema.py``.

``render_as_batch`` lets SQLite alter tables (it rebuilds them in batch mode).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mlops_jupyter.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # plain `alembic` command line use: sqlalchemy.url from the ini file
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)
