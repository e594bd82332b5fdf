"""Monitoring: early-warning cases (预警), and indexes to read visits and indicators by month

Revision ID: c5b55024dcc8
Revises: 4feb9eab7ddf
Create Date: 2026-11-29 04:29:45.362789+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'c5b55024dcc8'
down_revision: str | None = '4feb9eab7ddf'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('warning_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('check_due_on', sa.Date(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=True),
    sa.Column('check_note', sa.Text(), nullable=True),
    sa.Column('decision', sa.String(length=30), nullable=True),
    sa.Column('measure', sa.Text(), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=40), nullable=True),
    sa.CheckConstraint("decision IS NULL OR decision IN ('start_identification', 'department_measure', 'not_at_risk')", name=op.f('ck_warning_cases_decision')),
    sa.CheckConstraint("status != 'closed' OR close_reason IS NOT NULL", name=op.f('ck_warning_cases_closed_reason')),
    sa.CheckConstraint("status IN ('open', 'checked', 'measure', 'closed')", name=op.f('ck_warning_cases_status')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_warning_cases_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_cases')),
    sa.UniqueConstraint('household_id', 'month', name=op.f('uq_warning_cases_household_id_month'))
    )
    with op.batch_alter_table('warning_cases', schema=None) as batch_op:
        batch_op.create_index('ix_warning_cases_month_status', ['month', 'status'], unique=False)

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_visited_on', ['visited_on', 'household_id', 'mode'], unique=False)

    with op.batch_alter_table('indicator_observations', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_observations_state_observed_on', ['state', 'observed_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('indicator_observations', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_observations_state_observed_on')

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_visited_on')

    with op.batch_alter_table('warning_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_warning_cases_month_status')

    op.drop_table('warning_cases')
