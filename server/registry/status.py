"""A household's status and its history: the one place a status is set, and the query that
reads the history by period (monitoring.rules computes a month's statuses from it).

Every status change appends a `HouseholdStatusChange`; the household's `status` column is the
last of them, kept for the cheap reads of today. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, case, select
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


def changed_since(moment: datetime) -> Select[tuple[int]]:
    """The households with a status change at or after `moment` (the others have held the
    status they have now since before it)."""
    change = HouseholdStatusChange
    return select(change.household_id).where(change.since >= moment).distinct()


def status_changes(bounds: Sequence[datetime]) -> Select[tuple[int, str, int]]:
    """Every status change before `bounds[-1]`, in order of time per household, with the period
    it falls in: -1 before `bounds[0]`, k in [bounds[k], bounds[k+1]). The period is computed
    by the database (comparing stored times there is cheap; reading 10 000s of them back is
    not)."""
    change = HouseholdStatusChange
    period = case(
        *((change.since < bound, index - 1) for index, bound in enumerate(bounds[:-1])),
        else_=len(bounds) - 2,
    )
    return (
        select(change.household_id, change.status, period.label("period"))
        .where(change.since < bounds[-1])
        .order_by(change.household_id, change.since, change.id)
    )
