"""Add web sessions: a web login is a row, the browser's cookie only a random token

The login used to live in Flask's signed cookie (the user id and a stamp of the password hash),
so a cookie copied before logout still worked afterwards. A row per login lets the server end
it: logout, a password change, disabling the user or "log out everywhere". Only the SHA-256 of
the token is stored. Existing signed-cookie logins are not carried over: everyone logs in once
more after the upgrade (and after a downgrade).

Revision ID: 353c1a113376
Revises: 3c9d2e7a41f8
Create Date: 2026-12-03 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "353c1a113376"
down_revision: str | None = "3c9d2e7a41f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=24), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "ended_reason IN ('logout', 'password_changed', 'disabled', 'logged_out_everywhere')",
            name=op.f("ck_web_sessions_ended_reason"),
        ),
        sa.CheckConstraint(
            "(ended_at IS NULL) = (ended_reason IS NULL)", name=op.f("ck_web_sessions_ended")
        ),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_web_sessions_expires")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_users.id"],
            name=op.f("fk_web_sessions_user_id_web_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_web_sessions_token_sha256")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
