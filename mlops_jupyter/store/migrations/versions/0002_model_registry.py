"""model registry: registered models, versions, aliases and the stage transition log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 02:33:43.670813
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registered_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.Column('last_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registered_models')),
    sa.UniqueConstraint('name', name=op.f('uq_registered_models_name'))
    )
    op.create_table('model_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('iteration_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('flavor', sa.String(length=64), nullable=True),
    sa.Column('model_class', sa.String(length=1000), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('metrics', sa.JSON(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('datasets', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['iteration_id'], ['iterations.id'], name=op.f('fk_model_versions_iteration_id_iterations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['model_id'], ['registered_models.id'], name=op.f('fk_model_versions_model_id_registered_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_versions')),
    sa.UniqueConstraint('model_id', 'version', name=op.f('uq_model_versions_model_id_version'))
    )
    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_versions_iteration_id'), ['iteration_id'], unique=False)
        batch_op.create_index('ix_model_versions_one_production', ['model_id'], unique=True, sqlite_where=sa.text("stage = 'production'"), postgresql_where=sa.text("stage = 'production'"))

    op.create_table('model_aliases',
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=255), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['registered_models.id'], name=op.f('fk_model_aliases_model_id_registered_models'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['model_versions.id'], name=op.f('fk_model_aliases_version_id_model_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('model_id', 'alias', name=op.f('pk_model_aliases'))
    )
    op.create_table('stage_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=16), nullable=False),
    sa.Column('to_stage', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['model_id'], ['registered_models.id'], name=op.f('fk_stage_transitions_model_id_registered_models'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['model_versions.id'], name=op.f('fk_stage_transitions_version_id_model_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_transitions'))
    )
    with op.batch_alter_table('stage_transitions', schema=None) as batch_op:
        batch_op.create_index('ix_stage_transitions_model_id_at', ['model_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stage_transitions', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_transitions_model_id_at')

    op.drop_table('stage_transitions')
    op.drop_table('model_aliases')
    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_model_versions_one_production', sqlite_where=sa.text("stage = 'production'"), postgresql_where=sa.text("stage = 'production'"))
        batch_op.drop_index(batch_op.f('ix_model_versions_iteration_id'))

    op.drop_table('model_versions')
    op.drop_table('registered_models')
