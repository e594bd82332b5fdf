"""Registry: persons, memberships, helpers, visits, indicators, measures, major events

Revision ID: 693b5cfe5a49
Revises: af233c6d64bd
Create Date: 2026-11-29 03:05:36.469330+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
revision: str = '693b5cfe5a49'
down_revision: str | None = 'af233c6d64bd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('id_number', name=op.f('uq_persons_id_number'))
    )
    op.create_table('submission_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['submission_versions.id'], name=op.f('fk_submission_issues_version_id_submission_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_issues'))
    )
    with op.batch_alter_table('submission_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_issues_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_issues_version_id'), ['version_id'], unique=False)

    op.create_table('helper_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('unit', sa.String(length=200), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('source_version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_helper_assignments_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_version_id'], ['submission_versions.id'], name=op.f('fk_helper_assignments_source_version_id_submission_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_helper_assignments'))
    )
    with op.batch_alter_table('helper_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_helper_assignments_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_helper_assignments_source_version_id'), ['source_version_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('source_version_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_memberships_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_memberships_person_id_persons'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['source_version_id'], ['submission_versions.id'], name=op.f('fk_memberships_source_version_id_submission_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_memberships_person_current', ['person_id', 'ended_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_source_version_id'), ['source_version_id'], unique=False)

    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('source_version_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=True),
    sa.Column('visitor_name', sa.String(length=200), nullable=True),
    sa.Column('visitor_role', sa.String(length=40), nullable=True),
    sa.Column('visitor_phone', sa.String(length=20), nullable=True),
    sa.Column('mode', sa.String(length=20), nullable=True),
    sa.Column('met_person', sa.String(length=20), nullable=True),
    sa.Column('met_name', sa.String(length=100), nullable=True),
    sa.Column('change_categories', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('change_detail', sa.Text(), nullable=True),
    sa.Column('risk_trend', sa.String(length=20), nullable=True),
    sa.Column('new_risks', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('difficulties', sa.Text(), nullable=True),
    sa.Column('earlier_measures', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('files', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_visits_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_version_id'], ['submission_versions.id'], name=op.f('fk_visits_source_version_id_submission_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits')),
    sa.UniqueConstraint('source_version_id', name=op.f('uq_visits_source_version_id'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_household_visited_on', ['household_id', 'visited_on'], unique=False)

    op.create_table('assistance_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('source_version_id', sa.Integer(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=True),
    sa.Column('family', sa.String(length=30), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_assistance_measures_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_version_id'], ['submission_versions.id'], name=op.f('fk_assistance_measures_source_version_id_submission_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_assistance_measures_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_measures'))
    )
    with op.batch_alter_table('assistance_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_measures_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_measures_source_version_id'), ['source_version_id'], unique=False)

    op.create_table('indicator_observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('source_version_id', sa.Integer(), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=True),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.CheckConstraint("state IN ('met', 'not_met', 'not_applicable')", name=op.f('ck_indicator_observations_state')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_indicator_observations_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_version_id'], ['submission_versions.id'], name=op.f('fk_indicator_observations_source_version_id_submission_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_indicator_observations_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_observations'))
    )
    with op.batch_alter_table('indicator_observations', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_observations_household_code', ['household_id', 'code', 'observed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_observations_source_version_id'), ['source_version_id'], unique=False)

    op.create_table('major_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('source_version_id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=30), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('estimated_cost', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'handling', 'closed')", name=op.f('ck_major_events_status')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_major_events_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_version_id'], ['submission_versions.id'], name=op.f('fk_major_events_source_version_id_submission_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_major_events_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_major_events'))
    )
    with op.batch_alter_table('major_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_major_events_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_major_events_source_version_id'), ['source_version_id'], unique=False)

    with op.batch_alter_table('households', schema=None) as batch_op:
        # Existing rows (demo households) get defaults; the defaults are dropped again below.
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='pending_review'))
        batch_op.add_column(sa.Column('household_type_other', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('natural_village', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('latitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('identified_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('head_id_number', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('risk_causes', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('main_risk', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('risk_description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('income', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('per_capita_net_income', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('source_version_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_households_head_id_number'), ['head_id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_source_version_id'), ['source_version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_households_source_version_id_submission_versions'), 'submission_versions', ['source_version_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_check_constraint('status', "status IN ('pending_review', 'monitored', 'risk_eliminated', 'rejected')")

    with op.batch_alter_table('households', schema=None) as batch_op:
        for column in ('status', 'risk_causes', 'income'):
            batch_op.alter_column(column, server_default=None)



def downgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_households_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_households_source_version_id_submission_versions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_households_source_version_id'))
        batch_op.drop_index(batch_op.f('ix_households_head_id_number'))
        batch_op.drop_column('source_version_id')
        batch_op.drop_column('per_capita_net_income')
        batch_op.drop_column('income')
        batch_op.drop_column('risk_description')
        batch_op.drop_column('main_risk')
        batch_op.drop_column('risk_causes')
        batch_op.drop_column('head_id_number')
        batch_op.drop_column('identified_on')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
        batch_op.drop_column('address')
        batch_op.drop_column('natural_village')
        batch_op.drop_column('household_type_other')
        batch_op.drop_column('status')

    with op.batch_alter_table('major_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_major_events_source_version_id'))
        batch_op.drop_index(batch_op.f('ix_major_events_household_id'))

    op.drop_table('major_events')
    with op.batch_alter_table('indicator_observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_observations_source_version_id'))
        batch_op.drop_index('ix_indicator_observations_household_code')

    op.drop_table('indicator_observations')
    with op.batch_alter_table('assistance_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assistance_measures_source_version_id'))
        batch_op.drop_index(batch_op.f('ix_assistance_measures_household_id'))

    op.drop_table('assistance_measures')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_household_visited_on')

    op.drop_table('visits')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_source_version_id'))
        batch_op.drop_index('ix_memberships_person_current')
        batch_op.drop_index(batch_op.f('ix_memberships_household_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('helper_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_helper_assignments_source_version_id'))
        batch_op.drop_index(batch_op.f('ix_helper_assignments_household_id'))

    op.drop_table('helper_assignments')
    with op.batch_alter_table('submission_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_issues_version_id'))
        batch_op.drop_index(batch_op.f('ix_submission_issues_code'))

    op.drop_table('submission_issues')
    op.drop_table('persons')
