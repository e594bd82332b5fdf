"""One household as monitoring shows it (the last level of the drill-down), its warning cases
as the pages list them, and the visits each household owed and made per month (prints and the
household pages count with the dashboard's rule)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.access.policy import indicator_codes, sections
from server.access.viewer import Viewer
from server.core.clock import Month
from server.monitoring import rules
from server.monitoring.facts import CaseFacts, HouseholdDetail, VisitLine
from server.monitoring.loading import (
    Duty,
    area_name,
    chunks,
    in_scope,
    month_moments,
    settings_for,
)
from server.monitoring.models import WarningCase
from server.monitoring.rules import (
    Reason,
    StatusChange,
)
from server.monitoring.settings import (
    SettingsError,
)
from server.monitoring.signals import visit_signals
from server.registry.models import (
    Household,
    IndicatorObservation,
    Visit,
)
from server.registry.queries import find_visible_summary
from server.registry.status import status_changes


def household_detail(
    session: Session, viewer: Viewer, *, code: str, month: date, today: date
) -> HouseholdDetail | None:
    """The household's last 12 months of visits, this month's signals and its cases, of the
    sections the viewer may see; None when it does not exist or the viewer may not see it (the
    registry's one visibility rule: area and duty), so an outside code looks like a missing one."""
    found = find_visible_summary(session, viewer, code, today=today)
    if found is None:
        return None
    seen = sections(viewer)
    since = rules.last_months(month, 12)[0]
    income = (
        session.scalar(select(Household.per_capita_net_income).where(Household.id == found.id))
        if "income" in seen
        else None
    )
    flags = (
        tuple(
            f
            for f in visit_signals(session, month=month, prefix=found.village_code)
            if f.household_id == found.id
        )
        if "visits" in seen
        else ()
    )
    cases = list_cases(session, prefix=found.village_code, household_id=found.id)
    return HouseholdDetail(
        household=found,
        village_name=area_name(session, found.village_code),
        sections=seen,
        income=income,
        visits=_visit_lines(session, viewer, found.id, since),
        flags=flags,
        cases=tuple(sorted(cases, key=lambda c: c.month, reverse=True)),
    )


def _visit_lines(
    session: Session, viewer: Viewer, household_id: int, since: date
) -> tuple[VisitLine, ...]:
    """Visits since `since`, newest first, with the viewer's indicators not met at each."""
    seen = sections(viewer)
    details = (Visit.visitor_name, Visit.mode, Visit.difficulties) if "visits" in seen else ()
    rows = session.execute(
        select(Visit.id, Visit.visited_on, *details)
        .where(Visit.household_id == household_id, Visit.visited_on >= since)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    ).all()
    not_met: dict[int, list[str]] = defaultdict(list)
    if "indicators" in seen:
        obs = IndicatorObservation
        query = select(obs.visit_id, obs.code).where(
            obs.household_id == household_id, obs.state == "not_met", obs.observed_on >= since
        )
        codes = indicator_codes(viewer)
        if codes is not None:
            query = query.where(obs.code.in_(sorted(codes)))
        for visit_id, item in session.execute(query.order_by(obs.id)):
            not_met[visit_id].append(item)
    return tuple(VisitLine(r[0], r[1], tuple(not_met[r[0]]), *r[2:]) for r in rows)


def list_cases(
    session: Session,
    *,
    prefix: str,
    month: date | None = None,
    open_only: bool = False,
    duty: Duty = None,
    household_id: int | None = None,
) -> list[CaseFacts]:
    """The warning cases of households in `prefix` (and concerning the viewer's `duty`), by
    the date their home check is due."""
    case = WarningCase
    query = (
        select(
            case.id,
            case.month,
            Household.code,
            Household.head_name,
            Household.village_code,
            case.status,
            case.reasons,
            case.check_due_on,
            case.checked_on,
            case.check_note,
            case.decision,
            case.measure,
            case.close_reason,
            case.closed_on,
        )
        .join(Household, Household.id == case.household_id)
        .where(in_scope(prefix, duty))
        .order_by(case.check_due_on, case.id)
    )
    if month is not None:
        query = query.where(case.month == month.replace(day=1))
    if open_only:
        query = query.where(case.status != "closed")
    if household_id is not None:
        query = query.where(case.household_id == household_id)
    return [
        CaseFacts(
            *row[:6],
            tuple(Reason(r.get("code", ""), r.get("detail") or "") for r in row.reasons or ()),
            *row[7:],
        )
        for row in session.execute(query)
    ]


def visit_tallies(
    session: Session, household_ids: Collection[int], months: Collection[date]
) -> dict[tuple[int, date], rules.VisitTally]:
    """Each household's counted and required visits in each of `months` (first days), by the
    rule and the statuses of the dashboard: a print or a household page never says "enough"
    where the dashboard warns."""
    if not household_ids or not months:
        return {}
    wanted = {m.replace(day=1) for m in months}
    span, month = [], Month.of(min(wanted))
    while month <= Month.of(max(wanted)):
        span.append(month.first)
        month = month.next()
    first, last = span[0], rules.month_bounds(span[-1])[1]
    visits: dict[tuple[int, date], Counter] = defaultdict(Counter)
    changes: list[StatusChange] = []
    bounds = [month_moments(m)[0] for m in span] + [month_moments(span[-1])[1]]
    for chunk in chunks(sorted(household_ids)):
        for household_id, day, mode in session.execute(
            select(Visit.household_id, Visit.visited_on, Visit.mode).where(
                Visit.household_id.in_(chunk), Visit.visited_on.between(first, last)
            )
        ):
            visits[(household_id, day.replace(day=1))][mode] += 1
        query = status_changes(bounds)
        rows = session.execute(query.where(query.selected_columns.household_id.in_(chunk)))
        changes.extend(map(StatusChange._make, rows))
    statuses = rules.statuses_by_month(changes, len(span))
    tallies = {}
    for month_first, in_month in zip(span, statuses, strict=True):
        if month_first not in wanted:
            continue
        try:
            settings = settings_for(month_first)
        except SettingsError:
            continue  # no county rule in force that month: nothing to count against
        for household_id in household_ids:
            modes = visits[(household_id, month_first)].items()
            status = in_month.get(household_id)
            tallies[(household_id, month_first)] = rules.visit_tally(modes, status, settings)
    return tallies
