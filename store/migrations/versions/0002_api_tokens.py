"""api tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 21:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('secret_sha256', sa.String(), nullable=False),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('scope', sa.String(), nullable=True),
    sa.Column('created_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('api_tokens')
