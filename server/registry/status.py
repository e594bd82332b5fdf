"""A household's status and its history: the one place a status is set, and the query that
reads the history (monitoring.rules computes a month's statuses from it).

Every status change appends a `HouseholdStatusChange`; the household's `status` column is the
last of them, kept for the cheap reads of today. Never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server.core import clock
from server.registry.models import HOUSEHOLD_STATUSES, Household, HouseholdStatusChange


def enter_status(
    session: Session,
    household: Household,
    status: str,
    *,
    case_id: int | None = None,
    actor: str | None = None,
    since: datetime | None = None,
) -> None:
    """The household is `status` from `since` (now) on, by the decision of `case_id`/`actor`."""
    if status not in HOUSEHOLD_STATUSES:
        raise ValueError(f"unknown household status {status!r}")
    moment = since or clock.now()
    household.status = status
    session.add(
        HouseholdStatusChange(
            household=household, status=status, since=moment, case_id=case_id, actor=actor
        )
    )


def history(session: Session, household_id: int) -> list[HouseholdStatusChange]:
    """The household's statuses, oldest first."""
    change = HouseholdStatusChange
    return list(
        session.scalars(
            select(change)
            .where(change.household_id == household_id)
            .order_by(change.since, change.id)
        )
    )


def status_changes(before: datetime) -> Select[tuple[int, str, datetime]]:
    """Every status change before `before`, in order of time per household (monitoring adds
    its scope and computes a month's statuses from them)."""
    change = HouseholdStatusChange
    return (
        select(change.household_id, change.status, change.since)
        .where(change.since < before)
        .order_by(change.household_id, change.since, change.id)
    )
