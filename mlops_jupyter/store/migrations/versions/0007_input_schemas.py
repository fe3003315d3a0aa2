"""input schemas: prediction inputs stored as value arrays, their names once

Rows logged before this revision keep their inputs as JSON objects (``schema_id``
NULL); readers accept both.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 04:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "input_schemas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_input_schemas")),
        sa.UniqueConstraint("digest", name=op.f("uq_input_schemas_digest")),
    )
    # A plain ADD COLUMN: no table copy, however many predictions exist.
    op.add_column("predictions", sa.Column("schema_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("predictions") as batch_op:
        batch_op.drop_column("schema_id")
    op.drop_table("input_schemas")
