"""initial tracking schema: projects, experiments, iterations, params, metrics, tags, datasets

Revision ID: 0001
Revises:
Create Date: 2026-11-23 02:21:38.701724
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('datasets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('uri', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=80), nullable=True),
    sa.Column('size', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('rows', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('columns', sa.JSON(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_datasets'))
    )
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.create_index('ix_datasets_uri_digest', ['uri', 'digest'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('name', name=op.f('uq_projects_name'))
    )
    op.create_table('experiments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_experiments_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiments')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_experiments_project_id_name'))
    )
    op.create_table('iterations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('experiment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.Column('heartbeat_at', sa.Float(), nullable=True),
    sa.Column('model_name', sa.String(length=1000), nullable=True),
    sa.Column('source_code', sa.Text(), nullable=True),
    sa.Column('cell_hash', sa.String(length=64), nullable=True),
    sa.Column('execution_count', sa.Integer(), nullable=True),
    sa.Column('notebook_path', sa.Text(), nullable=True),
    sa.Column('environment', sa.JSON(), nullable=True),
    sa.Column('git', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('deleted_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_iterations_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_iterations')),
    sa.UniqueConstraint('experiment_id', 'number', name=op.f('uq_iterations_experiment_id_number'))
    )
    with op.batch_alter_table('iterations', schema=None) as batch_op:
        batch_op.create_index('ix_iterations_experiment_id_started_at', ['experiment_id', 'started_at'], unique=False)
        batch_op.create_index('ix_iterations_started_at', ['started_at'], unique=False)

    op.create_table('iteration_datasets',
    sa.Column('iteration_id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_iteration_datasets_dataset_id_datasets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['iteration_id'], ['iterations.id'], name=op.f('fk_iteration_datasets_iteration_id_iterations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('iteration_id', 'dataset_id', 'role', name=op.f('pk_iteration_datasets'))
    )
    op.create_table('latest_metrics',
    sa.Column('iteration_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=250), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('timestamp', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['iteration_id'], ['iterations.id'], name=op.f('fk_latest_metrics_iteration_id_iterations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('iteration_id', 'key', name=op.f('pk_latest_metrics'))
    )
    with op.batch_alter_table('latest_metrics', schema=None) as batch_op:
        batch_op.create_index('ix_latest_metrics_key_value', ['key', 'value'], unique=False)

    op.create_table('metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('iteration_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=250), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('timestamp', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['iteration_id'], ['iterations.id'], name=op.f('fk_metrics_iteration_id_iterations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metrics'))
    )
    with op.batch_alter_table('metrics', schema=None) as batch_op:
        batch_op.create_index('ix_metrics_iteration_id_key_step', ['iteration_id', 'key', 'step'], unique=False)

    op.create_table('params',
    sa.Column('iteration_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=250), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('value_type', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['iteration_id'], ['iterations.id'], name=op.f('fk_params_iteration_id_iterations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('iteration_id', 'key', name=op.f('pk_params'))
    )
    op.create_table('tags',
    sa.Column('iteration_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=250), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['iteration_id'], ['iterations.id'], name=op.f('fk_tags_iteration_id_iterations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('iteration_id', 'key', name=op.f('pk_tags'))
    )


def downgrade() -> None:
    op.drop_table('tags')
    op.drop_table('params')
    with op.batch_alter_table('metrics', schema=None) as batch_op:
        batch_op.drop_index('ix_metrics_iteration_id_key_step')

    op.drop_table('metrics')
    with op.batch_alter_table('latest_metrics', schema=None) as batch_op:
        batch_op.drop_index('ix_latest_metrics_key_value')

    op.drop_table('latest_metrics')
    op.drop_table('iteration_datasets')
    with op.batch_alter_table('iterations', schema=None) as batch_op:
        batch_op.drop_index('ix_iterations_started_at')
        batch_op.drop_index('ix_iterations_experiment_id_started_at')

    op.drop_table('iterations')
    op.drop_table('experiments')
    op.drop_table('projects')
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.drop_index('ix_datasets_uri_digest')

    op.drop_table('datasets')
