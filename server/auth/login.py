"""Web login and logout as use cases: each records its audit event (login, login_failed,
logout) in the transaction that starts or ends the session. Never commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from server.audit.service import record
from server.auth.models import WebSession, WebUser
from server.auth.service import authenticate_web_user
from server.auth.sessions import end_session, start_session


def log_in(
    session: Session,
    username: str,
    password: str,
    *,
    lifetime: timedelta,
    ip: str | None,
    user_agent: str | None,
) -> str | None:
    """A new session's token for these credentials, or None (wrong, unknown or disabled:
    the same answer). Either way the attempt is on record, under the name typed."""
    user = authenticate_web_user(session, username, password)
    if user is None:
        record(session, None, "login_failed", object_kind="web_user", ip=ip, username=username)
        return None
    record(
        session,
        user,
        "login",
        object_kind="web_user",
        object_id=user.id,
        area_code=user.area_code,
        ip=ip,
    )
    return start_session(session, user, lifetime=lifetime, ip=ip, user_agent=user_agent)


def log_out(session: Session, user: WebUser, web_session: WebSession, *, ip: str | None) -> None:
    """End this session (the copied cookie opens nothing afterwards)."""
    end_session(session, web_session, reason="logout")
    record(
        session,
        user,
        "logout",
        object_kind="web_user",
        object_id=user.id,
        area_code=user.area_code,
        ip=ip,
    )
