"""Write and read the audit log. Never commits: an event joins the transaction of what it
records, so a decision and its audit row are stored together or not at all.

The use cases record their own events (services, and the command line through them): no view
writes an audit row, no signal does. The log sits below auth in the layers, so that auth's use
cases (log in, change a password, create a user) can record theirs; the page that reads it is
the county administrator's (server/admin/audit_views.py).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.audit.models import ACTIONS, AuditEvent
from server.core.clock import china_midnight

PAGE_SIZE = 50
USERNAME_LENGTH = 40  # audit_events.actor_username


class Actor(Protocol):
    """Who acts: a web user (auth.models.WebUser), named by id and username."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...


def command_line_operator() -> str:
    """How the log names the operator at the command line (a county act, no web user)."""
    try:
        who = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        who = f"uid {os.getuid()}"
    return f"命令行 command line ({who})"[:USERNAME_LENGTH]


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    object_kind: str,
    object_id: str | int | None = None,
    area_code: str | None = None,
    ip: str | None = None,
    username: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one event. `username` names the actor when there is no user: the name typed
    at a failed login, or `command_line_operator()`. Every event names someone."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action}")
    name = actor.username if actor is not None else username
    if not name:
        raise ValueError(f"an audit event ({action}) must name who acted")
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_username=name[:USERNAME_LENGTH],
        action=action,
        object_kind=object_kind,
        object_id=None if object_id is None else str(object_id),
        area_code=area_code,
        ip=ip,
        detail=detail,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    object_kind: str | None = None
    object_id: str | None = None
    area_code: str | None = None
    since: date | None = None
    until: date | None = None
    before_id: int | None = None


def list_events(session: Session, filters: AuditFilter) -> Sequence[AuditEvent]:
    """Newest first, one page; `before_id` pages back (keyset, stays fast however long)."""
    query = select(AuditEvent)
    if filters.actor:
        query = query.where(AuditEvent.actor_username == filters.actor)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.object_kind:
        query = query.where(AuditEvent.object_kind == filters.object_kind)
    if filters.object_id:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.area_code:
        query = query.where(AuditEvent.area_code.startswith(_area_prefix(filters.area_code)))
    if filters.since:
        query = query.where(AuditEvent.at >= china_midnight(filters.since))
    if filters.until:
        query = query.where(AuditEvent.at < china_midnight(filters.until) + timedelta(days=1))
    if filters.before_id:
        query = query.where(AuditEvent.id < filters.before_id)
    return session.scalars(query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)).all()


def _area_prefix(code: str) -> str:
    """County → its 6 digits, town → its 9, village → all 12 (domain.md §5.1)."""
    if code.endswith("000000"):
        return code[:6]
    if code.endswith("000"):
        return code[:9]
    return code
