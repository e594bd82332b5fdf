"""Load the records of a scope and a month, run the rules, and shape the dashboard.

Reads only what the month needs: household facts, visit counts per household (in SQL),
the indicator history of households with something not met lately, and the open events.
Authenticity signals (heavier: every visit with its device, texts and photo hashes) are computed
per village or town on demand, not for the county dashboard. Never commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import ColumnElement, Float, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from server.access.policy import indicator_codes, sections
from server.access.sql import village_in_scope
from server.access.viewer import Viewer
from server.areas.models import Area
from server.core.clock import china_midnight
from server.ingest.models import SubmissionAttachment, SubmissionVersion
from server.monitoring import rules
from server.monitoring.facts import CaseFacts, HouseholdDetail, VisitLine
from server.monitoring.models import WarningCase
from server.monitoring.rules import (
    EventFacts,
    HouseholdFacts,
    Observation,
    Reason,
    StatusChange,
    VisitFacts,
)
from server.monitoring.scope import COUNTY_CODE, area_scope_of, town_of
from server.monitoring.settings import (
    MonitoringSettings,
    SettingsError,
    parse_settings,
    settings_on,
)
from server.registry.models import (
    HelperAssignment,
    Household,
    IndicatorObservation,
    MajorEvent,
    Membership,
    Person,
    Visit,
)
from server.registry.queries import find_visible_summary
from server.registry.status import status_changes

# The viewer's duty over households (registry/queries.concerns_duty); None: the whole area.
Duty = ColumnElement[bool] | None
SETTINGS_FILE = Path(__file__).parent / "data" / "settings.toml"
AWAY_WORK = ("outside_province", "in_province")


@cache
def load_periods(path: Path = SETTINGS_FILE) -> tuple[MonitoringSettings, ...]:
    return parse_settings(path.read_text(encoding="utf-8"))


def settings_for(month: date) -> MonitoringSettings:
    """The settings in force on the month's first day."""
    return settings_on(load_periods(), month.replace(day=1))


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
    homes, extra = _households(
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


# ---------------------------------------------------------------------------------------------
# Loading


def _in_scope(prefix: str, duty: Duty):  # type: ignore[no-untyped-def]
    in_area = village_in_scope(Household.village_code, area_scope_of(prefix))
    return in_area if duty is None else and_(in_area, duty)


def _scoped(query, household_id, prefix: str, duty: Duty):  # type: ignore[no-untyped-def]
    """Restrict a query on a household's rows to the scope. Every household of the registry is
    in the county, so the county's queries skip the join (they read an index alone)."""
    if prefix == COUNTY_CODE and duty is None:
        return query
    # IN (households of the scope), not a join: the planner then walks the (household_id, …)
    # index of each household in scope instead of every row of the period.
    return query.where(household_id.in_(select(Household.id).where(_in_scope(prefix, duty))))


def _households(
    session: Session,
    prefix: str,
    duty: Duty,
    *,
    with_helpers: bool,
    month: date | None = None,
) -> tuple[dict[int, HouseholdFacts], dict[int, tuple[bool, bool]]]:
    """Household facts with their status in `month` (today's without a month; a household
    created after the month is left out), and per household (newly included in the month,
    risk eliminated in the month): `rules.entered` over the status history, the same rule as
    the trend's. Income is read without conversion (a float on SQLite, a Decimal on
    PostgreSQL; both compare with the Decimal threshold)."""
    rows = (
        session.connection()
        .execute(
            select(
                Household.id,
                Household.code,
                Household.village_code,
                Household.head_name,
                Household.household_type,
                Household.status,
                type_coerce(Household.per_capita_net_income, Float).label("income"),
                Household.latitude,
                Household.longitude,
            )
            .where(_in_scope(prefix, duty))
            .order_by(Household.village_code, Household.code)
        )
        .all()
    )
    if month is None:
        in_month = {r.id: r.status for r in rows}
        new = eliminated = {}
    else:
        start, end = _month_moments(month)
        changes = _status_changes(session, prefix, duty, end)
        in_month = rules.statuses_at(changes, end)
        new = rules.entered(changes, "monitored", start, end)
        eliminated = rules.entered(changes, "risk_eliminated", start, end)
    helpers = _helpers(session, prefix, duty) if with_helpers else {}
    absent = _absent_members(session, prefix, duty) if with_helpers else {}
    homes = {
        r.id: HouseholdFacts(
            r.id,
            r.code,
            r.village_code,
            r.head_name,
            r.household_type,
            in_month[r.id],
            r.income,
            r.latitude,
            r.longitude,
            helpers.get(r.id, ()),
            absent.get(r.id, ()),
        )
        for r in rows
        if r.id in in_month
    }
    extra = {hid: (hid in new, hid in eliminated) for hid in homes}
    return homes, extra


def _month_moments(month: date) -> tuple[datetime, datetime]:
    """The month's first moment and the first moment after it, in China (as stored: UTC)."""
    first, last = rules.month_bounds(month)
    return china_midnight(first), china_midnight(last + timedelta(days=1))


def _status_changes(
    session: Session, prefix: str, duty: Duty, before: datetime
) -> list[StatusChange]:
    changes = status_changes(before)
    query = _scoped(changes, changes.selected_columns.household_id, prefix, duty)
    return [StatusChange(*row) for row in session.execute(query)]


def _helpers(session: Session, prefix: str, duty: Duty) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    for household_id, name in session.execute(
        select(HelperAssignment.household_id, HelperAssignment.name)
        .join(Household, Household.id == HelperAssignment.household_id)
        .where(_in_scope(prefix, duty), HelperAssignment.ended_on.is_(None))
        .order_by(HelperAssignment.id)
    ):
        found[household_id].append(name)
    return {k: tuple(v) for k, v in found.items()}


def _absent_members(
    session: Session, prefix: str, duty: Duty
) -> dict[int, tuple[tuple[str, str], ...]]:
    """Current members recorded as deceased or working away (membership details)."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for household_id, name, details in session.execute(
        select(Membership.household_id, Person.name, Membership.details)
        .join(Person, Person.id == Membership.person_id)
        .join(Household, Household.id == Membership.household_id)
        .where(_in_scope(prefix, duty), Membership.ended_at.is_(None))
    ):
        if (details or {}).get("deceased_on") or (details or {}).get("status") == "deceased":
            found[household_id].append((name, "deceased"))
        elif (details or {}).get("work_status") in AWAY_WORK:
            found[household_id].append((name, "away"))
    return {k: tuple(v) for k, v in found.items()}


def _visits_by_mode(
    session: Session, prefix: str, duty: Duty, first: date, last: date
) -> list[tuple[int, str | None, int]]:
    """(household, mode, visits) in the month; `rules.counted_per_household` decides which
    count."""
    query = _scoped(
        select(Visit.household_id, Visit.mode, func.count(Visit.id))
        .where(Visit.visited_on.between(first, last))
        .group_by(Visit.household_id, Visit.mode),
        Visit.household_id,
        prefix,
        duty,
    )
    return [(row[0], row[1], row[2]) for row in session.connection().execute(query)]


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
            _scoped(
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
            _in_scope(prefix, duty),
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
            .where(_in_scope(prefix, duty), WarningCase.status != "closed")
        )
        or 0
    )


# ---------------------------------------------------------------------------------------------
# Shaping


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
    names = _area_names(session)
    key = {
        "county": lambda h: town_of(h.village_code),
        "town": lambda h: h.village_code,
        "village": lambda h: h.code,
        "household": lambda h: h.code,
    }[level]
    rows: dict[str, AreaRow] = {}
    row_of: dict[int, AreaRow] = {}
    for h in homes.values():
        code = key(h)
        if code not in rows:
            label = h.head_name if level in ("village", "household") else names.get(code, code)
            rows[code] = AreaRow(code, label)
        row = row_of[h.id] = rows[code]
        _count_household(row, h, extra[h.id], settings, first, last)
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


def _count_household(row: AreaRow, h: HouseholdFacts, extra: tuple, settings, first, last) -> None:  # type: ignore[no-untyped-def]
    is_new, is_eliminated = extra
    row.households += 1
    row.by_type[h.household_type] += 1
    row.by_status[h.status] += 1
    row.by_type_status[(h.household_type, h.status)] += 1
    if h.status in rules.UNDER_MONITORING:
        row.under_monitoring += 1
    row.visits_required += rules.required_visits(h.status, settings)
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


def _area_names(session: Session) -> dict[str, str]:
    rows = session.execute(select(Area.code, Area.name).where(Area.valid_to.is_(None)))
    return {row.code: row.name for row in rows}


def area_name(session: Session, code: str) -> str:
    return _area_names(session).get(code, code)


# ---------------------------------------------------------------------------------------------
# Trends (last 12 months)


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
    changes = _status_changes(session, prefix, duty, _month_moments(periods[-1])[1])
    by_day = (
        session.connection()
        .execute(
            _scoped(
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
                _in_scope(prefix, duty),
                MajorEvent.reported_at >= datetime.combine(start, time(), UTC),
            )
        )
        .all()
    )
    done, required, new, events = [], [], [], []
    for p in periods:
        settings = settings_for(p)
        first, last = rules.month_bounds(p)
        begins, ends = _month_moments(p)
        modes = [(mode, n) for day, mode, n in by_day if first <= day <= last]
        done.append(rules.visit_tally(modes, None, settings).done)
        statuses = rules.statuses_at(changes, ends)
        required.append(sum(rules.required_visits(s, settings) for s in statuses.values()))
        new.append(len(rules.entered(changes, "monitored", begins, ends)))
        events.append(sum(1 for (at,) in reported if first <= at.date() <= last))
    return Trend(
        [f"{p.year % 100:02d}/{p.month:02d}" for p in periods], done, required, new, events
    )


# ---------------------------------------------------------------------------------------------
# Visit-authenticity signals (per village or town, on demand)


def visit_signals(
    session: Session, *, month: date, prefix: str, duty: Duty = None
) -> tuple[rules.Flag, ...]:
    """Flags for a person to look at over the month's visits in scope (never verdicts)."""
    first, last = rules.month_bounds(month)
    homes, _ = _households(session, prefix, duty, with_helpers=True)
    rows = session.execute(
        select(
            Visit.id,
            Visit.household_id,
            Visit.visited_on,
            Visit.visitor_name,
            Visit.mode,
            Visit.met_person,
            Visit.met_name,
            Visit.latitude,
            Visit.longitude,
            Visit.started_at,
            Visit.ended_at,
            SubmissionVersion.device_id,
            Visit.difficulties,
            Visit.change_detail,
            Visit.source_version_id,
            Visit.files,
        )
        .join(Household, Household.id == Visit.household_id)
        .join(SubmissionVersion, SubmissionVersion.id == Visit.source_version_id)
        .where(_in_scope(prefix, duty), Visit.visited_on.between(first, last))
    ).all()
    hashes = _photo_hashes(session, {r.source_version_id: r.files for r in rows})
    visits = [
        VisitFacts(
            r.id,
            r.household_id,
            r.visited_on,
            r.visitor_name,
            r.mode,
            r.met_person,
            r.met_name,
            r.latitude,
            r.longitude,
            r.started_at,
            r.ended_at,
            r.device_id,
            tuple(t for t in (r.difficulties, r.change_detail) if t),
            hashes.get(r.source_version_id, ()),
        )
        for r in rows
    ]
    return rules.authenticity_flags(list(homes.values()), visits, settings_for(month))


def _photo_hashes(session: Session, files: dict[int, dict]) -> dict[int, tuple[str, ...]]:
    wanted = {vid: set((f or {}).get("photos") or ()) for vid, f in files.items()}
    found: dict[int, list[str]] = defaultdict(list)
    ids = [vid for vid, names in wanted.items() if names]
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for version_id, filename, digest in session.execute(
            select(
                SubmissionAttachment.version_id,
                SubmissionAttachment.filename,
                SubmissionAttachment.blob_sha256,
            ).where(
                SubmissionAttachment.version_id.in_(chunk),
                SubmissionAttachment.blob_sha256.is_not(None),
            )
        ):
            if filename in wanted[version_id]:
                found[version_id].append(digest)
    return {k: tuple(v) for k, v in found.items()}


# ---------------------------------------------------------------------------------------------
# One household (the last level of the drill-down), and warning cases as the pages list them


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
        .where(_in_scope(prefix, duty))
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


# ---------------------------------------------------------------------------------------------
# Visits owed and done, per household and month (prints and the household pages)


def visit_tallies(
    session: Session, household_ids: Collection[int], months: Collection[date]
) -> dict[tuple[int, date], rules.VisitTally]:
    """Each household's counted and required visits in each month (first days), by the rule
    and the statuses of the dashboard: a print or a household page never says "enough" where
    the dashboard warns."""
    if not household_ids or not months:
        return {}
    ordered = sorted({m.replace(day=1) for m in months})
    first, last = ordered[0], rules.month_bounds(ordered[-1])[1]
    visits: dict[tuple[int, date], Counter] = defaultdict(Counter)
    changes: dict[int, list[StatusChange]] = defaultdict(list)
    for chunk in _chunks(sorted(household_ids)):
        for household_id, day, mode in session.execute(
            select(Visit.household_id, Visit.visited_on, Visit.mode).where(
                Visit.household_id.in_(chunk), Visit.visited_on.between(first, last)
            )
        ):
            visits[(household_id, day.replace(day=1))][mode] += 1
        query = status_changes(_month_moments(ordered[-1])[1])
        for row in session.execute(query.where(query.selected_columns.household_id.in_(chunk))):
            changes[row[0]].append(StatusChange(*row))
    tallies = {}
    for month in ordered:
        try:
            settings = settings_for(month)
        except SettingsError:
            continue  # no county rule in force that month: nothing to count against
        end = _month_moments(month)[1]
        for household_id in household_ids:
            status = rules.statuses_at(changes[household_id], end).get(household_id)
            modes = visits[(household_id, month)].items()
            tallies[(household_id, month)] = rules.visit_tally(modes, status, settings)
    return tallies


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
