"""Add web users

Revision ID: a7734fc53b49
Revises: ae65fb1230e5
Create Date: 2026-11-29 02:48:58.104036+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a7734fc53b49'
down_revision: str | None = 'ae65fb1230e5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('county_admin', 'town_reviewer', 'village_committee', 'department_viewer')", name=op.f('ck_web_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_users')),
    sa.UniqueConstraint('username', name=op.f('uq_web_users_username'))
    )


def downgrade() -> None:
    op.drop_table('web_users')
