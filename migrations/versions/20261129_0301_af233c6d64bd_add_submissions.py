"""Add submissions, their versions, attachments and blobs

Revision ID: af233c6d64bd
Revises: a7734fc53b49
Create Date: 2026-11-29 03:01:07.864858+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'af233c6d64bd'
down_revision: str | None = 'a7734fc53b49'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blobs'))
    )
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_submissions_form_id_forms'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_form_id'), ['form_id'], unique=False)

    op.create_table('submission_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=100), nullable=False),
    sa.Column('deprecated_id', sa.String(length=100), nullable=True),
    sa.Column('instance_name', sa.String(length=255), nullable=True),
    sa.Column('xml', sa.LargeBinary(), nullable=False),
    sa.Column('xml_sha256', sa.String(length=64), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('app_user_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.String(length=100), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processing_state', sa.String(length=20), nullable=False),
    sa.Column('attention_reason', sa.Text(), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("processing_state IN ('pending', 'processed', 'needs_attention')", name=op.f('ck_submission_versions_processing_state')),
    sa.ForeignKeyConstraint(['app_user_id'], ['app_users.id'], name=op.f('fk_submission_versions_app_user_id_app_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_submission_versions_form_id_forms'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['form_version_id'], ['form_versions.id'], name=op.f('fk_submission_versions_form_version_id_form_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_versions_submission_id_submissions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_versions')),
    sa.UniqueConstraint('form_id', 'instance_id', name=op.f('uq_submission_versions_form_id_instance_id'))
    )
    with op.batch_alter_table('submission_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_versions_app_user_id'), ['app_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_versions_form_version_id'), ['form_version_id'], unique=False)
        batch_op.create_index('ix_submission_versions_state_received', ['processing_state', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_versions_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('is_declared', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['blob_sha256'], ['blobs.sha256'], name=op.f('fk_submission_attachments_blob_sha256_blobs'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['submission_versions.id'], name=op.f('fk_submission_attachments_version_id_submission_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_attachments')),
    sa.UniqueConstraint('version_id', 'filename', name=op.f('uq_submission_attachments_version_id_filename'))
    )
    with op.batch_alter_table('submission_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_attachments_blob_sha256'), ['blob_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_attachments_version_id'), ['version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('submission_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_attachments_version_id'))
        batch_op.drop_index(batch_op.f('ix_submission_attachments_blob_sha256'))

    op.drop_table('submission_attachments')
    with op.batch_alter_table('submission_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_versions_submission_id'))
        batch_op.drop_index('ix_submission_versions_state_received')
        batch_op.drop_index(batch_op.f('ix_submission_versions_form_version_id'))
        batch_op.drop_index(batch_op.f('ix_submission_versions_app_user_id'))

    op.drop_table('submission_versions')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_form_id'))

    op.drop_table('submissions')
    op.drop_table('blobs')
