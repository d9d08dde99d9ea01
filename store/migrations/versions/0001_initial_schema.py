"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 11:09:12.726274
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('changes',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('service_id', sa.String(), nullable=False),
    sa.Column('author_id', sa.String(), nullable=True),
    sa.Column('opened_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('first_commit_at', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('merged_at', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deployment_id', sa.String(), nullable=True),
    sa.Column('lines_added', sa.Integer(), nullable=True),
    sa.Column('lines_deleted', sa.Integer(), nullable=True),
    sa.Column('warn_first_commit_after_merge', sa.Boolean(), nullable=False),
    sa.Column('warn_deployed_before_merge', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_with_rowid=False
    )
    op.create_table('coverage',
    sa.Column('service_id', sa.String(), nullable=False),
    sa.Column('measured_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('covered_lines', sa.Integer(), nullable=False),
    sa.Column('total_lines', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('service_id', 'measured_at'),
    sqlite_with_rowid=False
    )
    op.create_table('debt',
    sa.Column('service_id', sa.String(), nullable=False),
    sa.Column('measured_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('debt_minutes', sa.Integer(), nullable=False),
    sa.Column('debt_items', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('service_id', 'measured_at'),
    sqlite_with_rowid=False
    )
    op.create_table('deployments',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('service_id', sa.String(), nullable=False),
    sa.Column('started_at', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('environment', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_with_rowid=False
    )
    op.create_table('incidents',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('service_id', sa.String(), nullable=False),
    sa.Column('started_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('severity', sa.String(), nullable=True),
    sa.Column('caused_by_deployment_id', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sqlite_with_rowid=False
    )
    op.create_table('loads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('format', sa.String(), nullable=False),
    sa.Column('started_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('people',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('team_id', sa.String(), nullable=False),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('level', sa.String(), nullable=True),
    sa.Column('employment_type', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id', 'valid_from'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_team_id'), ['team_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('change_id', sa.String(), nullable=False),
    sa.Column('reviewer_id', sa.String(), nullable=False),
    sa.Column('submitted_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(), nullable=True),
    sa.Column('warn_before_open', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_with_rowid=False
    )
    op.create_table('services',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('owner_team_id', sa.String(), nullable=False),
    sa.Column('platform', sa.String(), nullable=True),
    sa.Column('tier', sa.String(), nullable=True),
    sa.Column('repo', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id', 'valid_from'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_owner_team_id'), ['owner_team_id'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('parent_id', sa.String(), nullable=True),
    sa.Column('type', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id', 'valid_from'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_parent_id'), ['parent_id'], unique=False)



def downgrade() -> None:

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_parent_id'))

    op.drop_table('teams')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_owner_team_id'))

    op.drop_table('services')
    op.drop_table('reviews')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_team_id'))

    op.drop_table('people')
    op.drop_table('loads')
    op.drop_table('incidents')
    op.drop_table('deployments')
    op.drop_table('debt')
    op.drop_table('coverage')
    op.drop_table('changes')
