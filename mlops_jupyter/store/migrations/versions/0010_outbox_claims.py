"""outbox claims: a token per delivery claim, so a stale deliverer cannot finish

Each claim of an alert event gets a fresh random token. Renewing the lease,
recording a retraining run and finishing the event all check it, so a deliverer
whose lease ran out (and whose event was claimed again by another one) changes
nothing. Events claimed before this revision carry no token and are simply
reclaimed once their lease is over.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (nullable): no table copy.
    op.add_column("alert_events", sa.Column("claim_token", sa.String(length=32),
                                            nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_events") as batch_op:
        batch_op.drop_column("claim_token")
