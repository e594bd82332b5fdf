"""Archive numbers (档号): one per household, stable once issued

Revision ID: 4feb9eab7ddf
Revises: 57d113847104
Create Date: 2026-11-29 04:29:21.701938+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '4feb9eab7ddf'
down_revision: str | None = '57d113847104'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('archive_numbers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_archive_numbers_household_id_households'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_numbers')),
    sa.UniqueConstraint('household_id', name=op.f('uq_archive_numbers_household_id')),
    sa.UniqueConstraint('number', name=op.f('uq_archive_numbers_number')),
    sa.UniqueConstraint('village_code', 'year', 'sequence', name=op.f('uq_archive_numbers_village_code_year_sequence'))
    )


def downgrade() -> None:
    op.drop_table('archive_numbers')
