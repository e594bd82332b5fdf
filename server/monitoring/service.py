"""The month of a scope: load its records, run the rules, shape the dashboard's rows.

Reads only what the month needs: household facts with their status in the month, visits per
household and mode (in SQL), the indicator history of households with something not met lately,
and the open events; `monitoring.rules` decides. Never commits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.monitoring import rules
from server.monitoring.loading import (
    Duty,
    area_names,
    household_facts,
    in_scope,
    scoped,
    settings_for,
)
from server.monitoring.models import WarningCase
from server.monitoring.rules import (
    EventFacts,
    HouseholdFacts,
    Observation,
    Reason,
)
from server.monitoring.scope import town_of
from server.monitoring.settings import (
    MonitoringSettings,
)
from server.registry.models import (
    Household,
    IndicatorObservation,
    MajorEvent,
    Visit,
)


@dataclass
class AreaRow:
    """One line of the dashboard: a town, a village or (at village level) a household."""

    code: str
    name: str
    households: int = 0
    under_monitoring: int = 0
    new: int = 0
    eliminated: int = 0
    visits_done: int = 0
    visits_required: int = 0
    below: int = 0
    warnings: int = 0
    open_events: int = 0
    overdue_events: int = 0
    by_type: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    by_type_status: Counter = field(default_factory=Counter)  # (type, status) → households
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class Overview:
    month: date
    prefix: str
    level: str  # county | town | village
    settings: MonitoringSettings
    total: AreaRow
    rows: list[AreaRow]
    warnings: tuple[rules.Warning, ...]
    shortfalls: tuple[rules.Shortfall, ...]
    events: tuple[rules.EventState, ...]
    households: dict[int, HouseholdFacts]
    open_cases: int


def level_of(prefix: str) -> str:
    return {6: "county", 9: "town"}.get(len(prefix), "village")


def monthly_overview(
    session: Session,
    *,
    month: date,
    prefix: str,
    today: date,
    as_level: str | None = None,
    with_helpers: bool = False,
    duty: Duty = None,
) -> Overview:
    """The whole month for the households whose village code starts with `prefix` (and that
    concern the viewer's `duty`, if any), one row per area one level below the scope
    (county → towns, town → villages, village → households); `as_level="town"` over the county
    gives a row per village."""
    month = month.replace(day=1)
    settings = settings_for(month)
    first, last = rules.month_bounds(month)
    level = as_level or level_of(prefix)
    homes, extra = household_facts(
        session,
        prefix,
        duty,
        with_helpers=with_helpers or level in ("village", "household"),
        month=month,
    )
    facts = list(homes.values())
    counts = rules.counted_per_household(
        _visits_by_mode(session, prefix, duty, first, last), settings
    )
    shortfalls = rules.shortfalls_from_counts(facts, counts, settings)
    indicator = rules.indicator_reasons(
        _observations(session, prefix, duty, month), month, settings
    )
    income = rules.income_below(facts, settings)
    events = rules.event_states(_events(session, prefix, duty, first), min(today, last), settings)
    warnings = rules.early_warnings(facts, shortfalls, indicator, income, events)
    rows = _rows(
        session, level, homes, extra, counts, shortfalls, warnings, events, settings, first, last
    )
    total = _sum_rows(prefix, rows)
    return Overview(
        month,
        prefix,
        level,
        settings,
        total,
        sorted(rows.values(), key=lambda r: r.code),
        warnings,
        shortfalls,
        events,
        homes,
        _open_cases(session, prefix, duty),
    )


def _visits_by_mode(
    session: Session, prefix: str, duty: Duty, first: date, last: date
) -> list[tuple[int, str | None, int]]:
    """(household, mode, visits) in the month; `rules.counted_per_household` decides which
    count."""
    query = scoped(
        select(Visit.household_id, Visit.mode, func.count(Visit.id))
        .where(Visit.visited_on.between(first, last))
        .group_by(Visit.household_id, Visit.mode),
        Visit.household_id,
        prefix,
        duty,
    )
    return session.connection().execute(query).all()  # type: ignore[return-value]


def _observations(session: Session, prefix: str, duty: Duty, month: date) -> list[Observation]:
    """The recent history (this month and the two before) of each watched item that was not
    met at a visit this month: only those can show a regression or a second month not met.
    A 八有 item's history includes `bayou:all` (all eight met)."""
    first, last = rules.month_bounds(month)
    window_start = rules.previous_month(rules.previous_month(month))
    obs = IndicatorObservation
    pairs = {
        (row[0], row[1])
        for row in session.connection().execute(
            scoped(
                select(obs.household_id, obs.code)
                .where(
                    obs.state == "not_met",
                    obs.code.in_(settings_for(month).watched_indicators),
                    obs.observed_on.between(first, last),
                )
                .distinct(),
                obs.household_id,
                prefix,
                duty,
            )
        )
    }
    households = sorted({hid for hid, _ in pairs})
    codes = {code for _, code in pairs}
    if any(code.startswith("bayou:") for code in codes):
        codes.add(rules.BAYOU_ALL)
    found: list[Observation] = []
    for chunk in (households[i : i + 500] for i in range(0, len(households), 500)):
        for row in (
            session.connection()
            .execute(
                select(obs.household_id, obs.visit_id, obs.observed_on, obs.code, obs.state).where(
                    obs.household_id.in_(chunk),
                    obs.code.in_(codes),
                    obs.visit_id.is_not(None),
                    obs.observed_on.between(window_start, last),
                )
            )
            .all()
        ):
            if (row[0], row[3]) in pairs or row[3] == rules.BAYOU_ALL:
                found.append(Observation(*row))
    return found


def _events(session: Session, prefix: str, duty: Duty, first: date) -> list[EventFacts]:
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
    rows = session.execute(
        select(
            MajorEvent.id,
            MajorEvent.household_id,
            MajorEvent.event_type,
            MajorEvent.status,
            MajorEvent.reported_at,
        )
        .join(Household, Household.id == MajorEvent.household_id)
        .where(
            in_scope(prefix, duty),
            or_(MajorEvent.status != "closed", MajorEvent.reported_at >= start),
        )
    ).all()
    return [
        EventFacts(r.id, r.household_id, r.event_type, r.status, r.reported_at.date()) for r in rows
    ]


def _open_cases(session: Session, prefix: str, duty: Duty) -> int:
    return (
        session.scalar(
            select(func.count(WarningCase.id))
            .join(Household, Household.id == WarningCase.household_id)
            .where(in_scope(prefix, duty), WarningCase.status != "closed")
        )
        or 0
    )


def _rows(
    session,
    level,
    homes,
    extra,
    counts,
    shortfalls,
    warnings,
    events,
    settings,  # type: ignore[no-untyped-def]
    first,
    last,
) -> dict[str, AreaRow]:
    names = area_names(session)
    key = {
        "county": lambda h: town_of(h.village_code),
        "town": lambda h: h.village_code,
        "village": lambda h: h.code,
        "household": lambda h: h.code,
    }[level]
    rows: dict[str, AreaRow] = {}
    row_of: dict[int, AreaRow] = {}
    owed = rules.OwedVisits(settings)
    for h in homes.values():
        code = key(h)
        if code not in rows:
            label = h.head_name if level in ("village", "household") else names.get(code, code)
            rows[code] = AreaRow(code, label)
        row = row_of[h.id] = rows[code]
        _count_household(row, h, extra[h.id], owed)
    for household_id, done in counts.items():
        if household_id in row_of:
            row_of[household_id].visits_done += done
    for s in shortfalls:
        row_of[s.household_id].below += 1
    for w in warnings:
        row_of[w.household_id].warnings += 1
        if level in ("village", "household"):
            row_of[w.household_id].reasons.extend(w.reasons)
    for e in events:
        if e.status != "closed" and e.household_id in row_of:
            row_of[e.household_id].open_events += 1
            row_of[e.household_id].overdue_events += int(e.overdue)
    return rows


def _count_household(
    row: AreaRow, h: HouseholdFacts, extra: tuple[bool, bool], owed: rules.OwedVisits
) -> None:
    is_new, is_eliminated = extra
    row.households += 1
    row.by_type[h.household_type] += 1
    row.by_status[h.status] += 1
    row.by_type_status[(h.household_type, h.status)] += 1
    if h.status in rules.UNDER_MONITORING:
        row.under_monitoring += 1
    row.visits_required += owed[h.status]
    row.new += is_new
    row.eliminated += is_eliminated


def _sum_rows(prefix: str, rows: dict[str, AreaRow]) -> AreaRow:
    total = AreaRow(prefix, "合计 Total")
    for row in rows.values():
        for name in (
            "households",
            "under_monitoring",
            "new",
            "eliminated",
            "visits_done",
            "visits_required",
            "below",
            "warnings",
            "open_events",
            "overdue_events",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.by_type.update(row.by_type)
        total.by_status.update(row.by_status)
        total.by_type_status.update(row.by_type_status)
    return total
