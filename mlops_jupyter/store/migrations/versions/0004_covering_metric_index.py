"""covering index for metric history; index on param keys

The metrics index gains the value column, so a history read or the per-bucket
extremes of a downsampled series are answered from the index alone; param keys
get an index of their own for the key lists of the iterations table.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 02:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("metrics", schema=None) as batch_op:
        batch_op.create_index("ix_metrics_iteration_id_key_step_value",
                              ["iteration_id", "key", "step", "value"], unique=False)
        batch_op.drop_index("ix_metrics_iteration_id_key_step")
    with op.batch_alter_table("params", schema=None) as batch_op:
        batch_op.create_index("ix_params_key", ["key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("params", schema=None) as batch_op:
        batch_op.drop_index("ix_params_key")
    with op.batch_alter_table("metrics", schema=None) as batch_op:
        batch_op.create_index("ix_metrics_iteration_id_key_step",
                              ["iteration_id", "key", "step"], unique=False)
        batch_op.drop_index("ix_metrics_iteration_id_key_step_value")
