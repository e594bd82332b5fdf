"""The last months of a scope, month by month, by the rules of `monitoring.service`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.monitoring import rules
from server.monitoring.loading import (
    Duty,
    current_statuses,
    in_scope,
    scoped,
    settings_for,
    status_changes_in,
)
from server.registry.models import (
    Household,
    MajorEvent,
    Visit,
)


@dataclass(frozen=True)
class Trend:
    labels: list[str]
    visits_done: list[int]
    visits_required: list[int]
    new: list[int]
    events: list[int]


def trend(
    session: Session, *, month: date, prefix: str, months: int = 12, duty: Duty = None
) -> Trend:
    """Per month: counted visits, required visits (by each household's status in that month),
    new inclusions, reported major events — the rules of `monthly_overview`, month by month."""
    periods = rules.last_months(month, months)
    start, end = periods[0], rules.month_bounds(periods[-1])[1]
    current = current_statuses(session, prefix, duty)
    changes = status_changes_in(session, prefix, duty, periods, current)
    by_day = (
        session.connection()
        .execute(
            scoped(
                select(Visit.visited_on, Visit.mode, func.count(Visit.id))
                .where(Visit.visited_on.between(start, end))
                .group_by(Visit.visited_on, Visit.mode),
                Visit.household_id,
                prefix,
                duty,
            )
        )
        .all()
    )
    reported = (
        session.connection()
        .execute(
            select(MajorEvent.reported_at)
            .join(Household, Household.id == MajorEvent.household_id)
            .where(
                in_scope(prefix, duty),
                MajorEvent.reported_at >= datetime.combine(start, time(), UTC),
            )
        )
        .all()
    )
    done, required, new, events = [], [], [], []
    statuses = rules.status_counts_by_month(changes, len(periods))
    entries = rules.entries_by_month(changes, "monitored", len(periods))
    for p, in_month, entered in zip(periods, statuses, entries, strict=True):
        settings = settings_for(p)
        first, last = rules.month_bounds(p)
        modes = [(mode, n) for day, mode, n in by_day if first <= day <= last]
        done.append(rules.visit_tally(modes, None, settings).done)
        required.append(sum(rules.required_visits(s, settings) * n for s, n in in_month.items()))
        new.append(len(entered))
        events.append(sum(1 for (at,) in reported if first <= at.date() <= last))
    return Trend(
        [f"{p.year % 100:02d}/{p.month:02d}" for p in periods], done, required, new, events
    )
