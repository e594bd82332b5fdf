"""A household's status and its history: the one place a status is set, and the queries that
read the status a household had at a moment (monitoring's past months).

Every status change appends a `HouseholdStatusChange`; the household's `status` column is the
last of them, kept for the cheap reads of today. Never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, aliased

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


def statuses_at(moment: datetime) -> Select[tuple[int, str]]:
    """(household id, status) of every household that existed at `moment`, as it was then:
    the last status it entered before `moment`."""
    later = aliased(HouseholdStatusChange)
    change = HouseholdStatusChange
    return select(change.household_id, change.status).where(
        change.since < moment,
        ~select(later.id)
        .where(
            later.household_id == change.household_id,
            later.since < moment,
            (later.since > change.since) | and_(later.since == change.since, later.id > change.id),
        )
        .exists(),
    )


def status_at(moment: datetime) -> ColumnElement[str | None]:
    """The status of `Household` at `moment` as a correlated column (NULL: it did not exist)."""
    change = HouseholdStatusChange
    return (
        select(change.status)
        .where(change.household_id == Household.id, change.since < moment)
        .order_by(change.since.desc(), change.id.desc())
        .limit(1)
        .correlate(Household)
        .scalar_subquery()
    )


def entered_between(status: str, start: datetime, end: datetime) -> Select[tuple[int]]:
    """Households that entered `status` from another status in [start, end): a county
    confirmation, never a re-statement of the same status."""
    change = HouseholdStatusChange
    before = aliased(HouseholdStatusChange)
    previous = (
        select(before.status)
        .where(
            before.household_id == change.household_id,
            (before.since < change.since)
            | and_(before.since == change.since, before.id < change.id),
        )
        .order_by(before.since.desc(), before.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(change.household_id).where(
        change.status == status,
        change.since >= start,
        change.since < end,
        func.coalesce(previous, "") != status,
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
