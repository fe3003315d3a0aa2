"""metric rollups: per block of 256 steps, the count and the extreme points

Existing points are folded into rollups here, one series at a time, so that every
series is covered (the store counts a series' points from its rollups).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_rollups",
        sa.Column("iteration_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("min_step", sa.Integer(), nullable=True),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("max_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["iteration_id"], ["iterations.id"],
                                name=op.f("fk_metric_rollups_iteration_id_iterations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("iteration_id", "key", "bucket",
                                name=op.f("pk_metric_rollups")),
    )


    _backfill(op.get_bind())


def _backfill(conn) -> None:
    block = 256
    series = conn.execute(sa.text("SELECT DISTINCT iteration_id, key FROM metrics")).all()
    insert = sa.text("INSERT INTO metric_rollups (iteration_id, key, bucket, n, min_value, "
                     "min_step, max_value, max_step) VALUES (:i, :k, :b, :n, :lo, :ls, :hi, :hs)")
    for iteration_id, key in series:
        blocks: dict[int, list] = {}
        points = conn.execute(sa.text(
            "SELECT step, value FROM metrics WHERE iteration_id = :i AND key = :k"),
            {"i": iteration_id, "k": key})
        for step, value in points:
            r = blocks.setdefault(step // block, [0, None, None, None, None])
            r[0] += 1
            if value is not None:
                if r[1] is None or value < r[1]:
                    r[1], r[2] = value, step
                if r[3] is None or value > r[3]:
                    r[3], r[4] = value, step
        if blocks:
            conn.execute(insert, [{"i": iteration_id, "k": key, "b": b, "n": r[0], "lo": r[1],
                                   "ls": r[2], "hi": r[3], "hs": r[4]}
                                  for b, r in blocks.items()])


def downgrade() -> None:
    op.drop_table("metric_rollups")
