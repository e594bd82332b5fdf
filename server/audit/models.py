"""The audit log: one row per thing a person did or saw. Rows are never changed or deleted.

The database enforces it: the migration adds triggers that refuse UPDATE and DELETE on
`audit_events` (SQLite and PostgreSQL), so not even a bug in this code can rewrite history.
The actor is copied by name as well as id, so the row stays readable whatever happens to users.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, created_at, intpk

# What a person can do that the log keeps (how each reads: the list `audit_action` of the one
# labels file, core/data/labels.toml).
ACTIONS = frozenset(
    {
        "login",
        "login_failed",
        "logout",
        "password_changed",
        "web_user_created",
        "web_user_disabled",
        "web_user_logged_out_everywhere",
        "app_user_created",
        "app_user_revoked",
        "app_user_rotated",
        "review_state_set",
        "review_commented",
        "approval_decided",
        "reveal_id_number",
        "reveal_health",
        "export_xml",
        "print_archive",
        "export_data",
        "household_moved",
        "submission_requeued",
    }
)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_action_id", "action", "id"),
        Index("ix_audit_events_actor_id", "actor_username", "id"),
    )

    id: Mapped[intpk]
    at: Mapped[created_at]
    actor_id: Mapped[int | None]  # web_users.id, deliberately no foreign key: history outlives
    actor_username: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    object_kind: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(64))
    area_code: Mapped[str | None] = mapped_column(String(12), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
