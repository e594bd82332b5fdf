"""Add the review workspace: review states and comments, approval chain, append-only audit log;
the village and household of each submission version; the department of web users

Revision ID: 57d113847104
Revises: 693b5cfe5a49
Create Date: 2026-11-29 04:29:25.749143+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '57d113847104'
down_revision: str | None = '693b5cfe5a49'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_username', sa.String(length=40), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_kind', sa.String(length=30), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('area_code', sa.String(length=12), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_action_id', ['action', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_actor_id', ['actor_username', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_area_code'), ['area_code'], unique=False)

    op.create_table('review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_name', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['web_users.id'], name=op.f('fk_review_comments_author_id_web_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_review_comments_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['submission_versions.id'], name=op.f('fk_review_comments_version_id_submission_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comments'))
    )
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_comments_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_reviews',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('received', 'has_issues', 'edited', 'approved', 'rejected')", name=op.f('ck_submission_reviews_state')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_reviews_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['web_users.id'], name=op.f('fk_submission_reviews_updated_by_id_web_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['submission_versions.id'], name=op.f('fk_submission_reviews_version_id_submission_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_submission_reviews'))
    )
    with op.batch_alter_table('submission_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_reviews_version_id'), ['version_id'], unique=False)

    op.create_table('approval_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('publicity_start', sa.Date(), nullable=True),
    sa.Column('publicity_end', sa.Date(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('inclusion', 'elimination')", name=op.f('ck_approval_cases_kind')),
    sa.CheckConstraint("outcome IN ('confirmed', 'withdrawn')", name=op.f('ck_approval_cases_outcome')),
    sa.CheckConstraint("stage IN ('village', 'town', 'county', 'closed')", name=op.f('ck_approval_cases_stage')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_approval_cases_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_cases'))
    )
    with op.batch_alter_table('approval_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_cases_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_approval_cases_stage_village', ['stage', 'village_code'], unique=False)

    op.create_table('approval_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint("decision IN ('proposed', 'approved', 'rejected', 'withdrawn')", name=op.f('ck_approval_steps_decision')),
    sa.CheckConstraint("level IN ('village', 'town', 'county')", name=op.f('ck_approval_steps_level')),
    sa.ForeignKeyConstraint(['actor_id'], ['web_users.id'], name=op.f('fk_approval_steps_actor_id_web_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['approval_cases.id'], name=op.f('fk_approval_steps_case_id_approval_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_steps'))
    )
    with op.batch_alter_table('approval_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_steps_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('submission_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('village_code', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('household_code', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_submission_versions_current_id', ['is_current', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_versions_household_code'), ['household_code'], unique=False)
        batch_op.create_index('ix_submission_versions_village_current', ['village_code', 'is_current', 'id'], unique=False)

    with op.batch_alter_table('web_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department', sa.String(length=20), nullable=True))

    _forbid_audit_changes()


# The audit log is append-only: the database itself refuses to change or delete a row.
_MESSAGE = "audit_events is append-only"


def _forbid_audit_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END; $$"
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{operation.lower()} BEFORE {operation} ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    with op.batch_alter_table('web_users', schema=None) as batch_op:
        batch_op.drop_column('department')

    with op.batch_alter_table('submission_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_versions_village_current')
        batch_op.drop_index(batch_op.f('ix_submission_versions_household_code'))
        batch_op.drop_index('ix_submission_versions_current_id')
        batch_op.drop_column('household_code')
        batch_op.drop_column('village_code')

    with op.batch_alter_table('approval_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_steps_case_id'))

    op.drop_table('approval_steps')
    with op.batch_alter_table('approval_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_approval_cases_stage_village')
        batch_op.drop_index(batch_op.f('ix_approval_cases_household_id'))

    op.drop_table('approval_cases')
    with op.batch_alter_table('submission_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_reviews_version_id'))

    op.drop_table('submission_reviews')
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_comments_submission_id'))

    op.drop_table('review_comments')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_area_code'))
        batch_op.drop_index('ix_audit_events_actor_id')
        batch_op.drop_index('ix_audit_events_action_id')

    op.drop_table('audit_events')
