"""Write and read the audit log. Never commits: an event joins the transaction of what it
records, so a decision and its audit row are stored together or not at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.audit.models import ACTIONS, AuditEvent
from server.auth.models import WebUser
from server.core.clock import china_midnight

PAGE_SIZE = 50


def record(
    session: Session,
    actor: WebUser | None,
    action: str,
    *,
    object_kind: str,
    object_id: str | int | None = None,
    area_code: str | None = None,
    ip: str | None = None,
    username: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one event. `username` names the actor when there is no user (a failed login)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action}")
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_username=actor.username if actor else username,
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
