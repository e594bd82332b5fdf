"""Phone app users: one cadre, one area (village or town), the forms that role may use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, created_at, intpk


class AppUser(Base):
    __tablename__ = "app_users"
    __table_args__ = (CheckConstraint("role IN ('village_cadre', 'town_cadre')", name="role"),)

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    # Only a SHA-256 of the URL token is kept: the token itself is shown once, in the QR code.
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, for Basic over https
    # MD5(username:realm:password), which HTTP Digest needs to verify a response. Passwords are
    # server-generated with ≥ 120 bits of entropy, so this realm-bound hash cannot be reversed.
    digest_ha1: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[created_at]
    revoked_at: Mapped[datetime | None]

    form_grants: Mapped[list[AppUserForm]] = relationship(
        back_populates="app_user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def form_ids(self) -> list[str]:
        return sorted(grant.xml_form_id for grant in self.form_grants)


class AppUserForm(Base):
    """A form (by its XForm id) that an app user may list, download and submit."""

    __tablename__ = "app_user_forms"
    __table_args__ = (UniqueConstraint("app_user_id", "xml_form_id"),)

    id: Mapped[intpk]
    app_user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"))
    xml_form_id: Mapped[str] = mapped_column(String(64))

    app_user: Mapped[AppUser] = relationship(back_populates="form_grants")


class WebUser(Base):
    """A person who uses the web pages (separate from phone app users)."""

    __tablename__ = "web_users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('county_admin', 'town_reviewer', 'village_committee', 'department_viewer')",
            name="role",
        ),
    )

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(24))
    area_code: Mapped[str | None] = mapped_column(String(12))  # the town or village in scope
    # department_viewer only: which duty (auth/roles.py, access/policy.py) decides what it sees.
    department: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    created_at: Mapped[created_at]
    disabled_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


# Why a web session ended; the row stays (when, from where) until it is cleaned up.
SESSION_END_REASONS = ("logout", "password_changed", "disabled", "logged_out_everywhere")


class WebSession(Base):
    """One login of a web user in one browser. The cookie holds a random token; only its
    SHA-256 is kept, so a copy of this table opens no session. Every server process reads the
    same rows: a logout here ends the session everywhere at once."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        CheckConstraint(
            "ended_reason IN ('logout', 'password_changed', 'disabled', 'logged_out_everywhere')",
            name="ended_reason",
        ),
        CheckConstraint("(ended_at IS NULL) = (ended_reason IS NULL)", name="ended"),
        CheckConstraint("expires_at > created_at", name="expires"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # created_at + the session lifetime (8 hours), never extended
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(24))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
