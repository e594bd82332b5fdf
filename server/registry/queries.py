"""Which households a web user may see, as one SQL condition every household query applies.

The rules are pure and live in `auth/scope.py` (area scope, department duty); this module
only turns them into SQL over the `households` table, so the review workspace, monitoring and
exports all filter with the same clause. Out-of-reach households are then simply not found
(404), exactly like missing ones, so household codes cannot be probed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, and_, false, or_, select

from server.auth.models import WebUser
from server.auth.scope import DutyReach, duty_reach, scope_of
from server.auth.service import in_scope
from server.registry.models import Household, IndicatorObservation, MajorEvent


def household_visible_to(user: WebUser, *, today: date) -> ColumnElement[bool]:
    """The condition 'this household is in the user's area and concerns the user's duty'."""
    in_area = in_scope(Household.village_code, scope_of(user.role, user.area_code))
    duty = concerns_duty(user.role, user.department, today=today)
    return in_area if duty is None else and_(in_area, duty)


def concerns_duty(role: str, department: str | None, *, today: date) -> ColumnElement[bool] | None:
    """The duty part alone, for queries that bound the area themselves (monitoring's prefix);
    None when the area alone decides, so those queries keep their cheaper county plan."""
    reach = duty_reach(role, department, today)
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
