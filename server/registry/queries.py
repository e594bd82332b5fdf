"""The registry's read API: which households a viewer may see, and households by code.

Every household query outside this package goes through here, with the viewer: the area rule
is `access.sql.village_in_scope`, a department's duty (`access.policy.duty_reach`) narrows it
to the households the duty concerns. Out-of-reach households are simply not found (404),
exactly like missing ones, so household codes cannot be probed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from server.access.policy import DutyReach, duty_reach
from server.access.sql import village_in_scope
from server.access.viewer import Viewer
from server.registry.models import Household, IndicatorObservation, MajorEvent


def visible_households(viewer: Viewer, *, today: date) -> ColumnElement[bool]:
    """The condition 'this household is in the viewer's area and concerns its duty'."""
    in_area = village_in_scope(Household.village_code, viewer)
    duty = concerns_duty(viewer, today=today)
    return in_area if duty is None else and_(in_area, duty)


def concerns_duty(viewer: Viewer, *, today: date) -> ColumnElement[bool] | None:
    """The duty part alone, for queries that bound the area themselves; None when the area
    alone decides, so those queries keep their cheaper plan."""
    reach = duty_reach(viewer, today)
    return None if reach is None else _concerned(reach)


def _concerned(reach: DutyReach) -> ColumnElement[bool]:
    # IN (subquery) tests rather than joins: a household with many failures still appears
    # once, and the observations' (state, observed_on) index serves the first test.
    conditions = []
    if reach.indicator_codes:
        conditions.append(
            Household.id.in_(
                select(IndicatorObservation.household_id).where(
                    IndicatorObservation.state == "not_met",
                    IndicatorObservation.code.in_(sorted(reach.indicator_codes)),
                    IndicatorObservation.observed_on >= reach.since,
                )
            )
        )
    if reach.event_types:
        conditions.append(
            Household.id.in_(
                select(MajorEvent.household_id).where(
                    MajorEvent.event_type.in_(sorted(reach.event_types)),
                    or_(
                        MajorEvent.occurred_on >= reach.since,
                        # A report without the event's date counts from when it was reported.
                        MajorEvent.occurred_on.is_(None)
                        & (MajorEvent.reported_at >= datetime.combine(reach.since, time(), UTC)),
                    ),
                )
            )
        )
    return or_(*conditions) if conditions else false()


def find_household(session: Session, code: str) -> Household | None:
    """Any household by its code, whoever asks: for the registry's own use-cases (intake, the
    worker) and the operator. People's pages use `get_visible_household`."""
    return session.scalars(select(Household).where(Household.code == code)).first()


def find_visible_household(
    session: Session, viewer: Viewer, code: str, *, today: date
) -> Household | None:
    """The household with this code if the viewer may see it, else None (like a missing one)."""
    query = select(Household).where(Household.code == code, visible_households(viewer, today=today))
    return session.scalars(query).first()
