"""Server-side sessions of web users: start at login, find per request, end. Never commits.

A session is a row (`WebSession`); the browser holds only a random token whose SHA-256 finds
the row. Logout ends the row, so a copied cookie is dead afterwards; a password change ends the
user's other sessions, disabling a user or "log out everywhere" all of them. A session lives
a fixed time from login and is never extended, so reading it writes nothing: pages cost no
database write per request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from server.auth.models import SESSION_END_REASONS, WebSession, WebUser
from server.core import clock


def start_session(
    session: Session,
    user: WebUser,
    *,
    lifetime: timedelta,
    ip: str | None,
    user_agent: str | None,
) -> str:
    """A new session of `user`; returns its token for the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        WebSession(
            user_id=user.id,
            token_sha256=_digest(token),
            created_at=now,
            expires_at=now + lifetime,
            ip=ip,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    session.flush()
    return token


def find_session(session: Session, token: str) -> tuple[WebSession, WebUser] | None:
    """The live session with this token and its user, if both are still active (one query)."""
    row = session.execute(
        select(WebSession, WebUser)
        .join(WebUser, WebUser.id == WebSession.user_id)
        .where(
            WebSession.token_sha256 == _digest(token),
            WebSession.ended_at.is_(None),
            WebSession.expires_at > clock.now(),
            WebUser.disabled_at.is_(None),
        )
    ).first()
    return None if row is None else (row[0], row[1])


def end_session(session: Session, web_session: WebSession, *, reason: str) -> None:
    _check(reason)
    if web_session.ended_at is None:
        web_session.ended_at = clock.now()
        web_session.ended_reason = reason
        session.flush()


def end_sessions(session: Session, user: WebUser, *, reason: str, keep: int | None = None) -> int:
    """End every live session of `user` except the one with id `keep`; how many ended."""
    _check(reason)
    now = clock.now()
    query = update(WebSession).where(
        WebSession.user_id == user.id,
        WebSession.ended_at.is_(None),
        WebSession.expires_at > now,
    )
    if keep is not None:
        query = query.where(WebSession.id != keep)
    result = session.execute(
        query.values(ended_at=now, ended_reason=reason),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


def live_session_counts(session: Session) -> dict[int, int]:
    """Live sessions per user id (for the administrator's list of web users)."""
    rows = session.execute(
        select(WebSession.user_id, func.count().label("count"))
        .where(WebSession.ended_at.is_(None), WebSession.expires_at > clock.now())
        .group_by(WebSession.user_id)
    )
    return {row.user_id: row.count for row in rows}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check(reason: str) -> None:
    if reason not in SESSION_END_REASONS:
        raise ValueError(f"unknown reason for ending a session: {reason}")
