"""The monitoring rules as pure functions over plain records (no database, no clock).

The service loads the records for a scope and a month; these functions decide. Every rule takes
the `MonitoringSettings` in force for the month, never a constant. Authenticity signals are
flags for a person to look at, never verdicts (domain.md §8.3).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from server.core.geo import distance_m
from server.monitoring.settings import MonitoringSettings

UNDER_MONITORING = ("monitored", "pending_review")
BAYOU_ALL = "bayou:all"
# Shorter free text ("无", "正常") is legitimately the same everywhere.
MIN_TEXT_CHARS = 10


# ---------------------------------------------------------------------------------------------
# Records (named tuples: the service builds tens of thousands a month, and a tuple is the
# cheapest immutable record to build)


class HouseholdFacts(NamedTuple):
    id: int
    code: str
    village_code: str
    head_name: str
    household_type: str
    status: str
    per_capita_net_income: Decimal | float | None = None  # float when read raw from SQLite
    latitude: float | None = None
    longitude: float | None = None
    helpers: tuple[str, ...] = ()
    # Members known not to be met: (name, "deceased" | "away").
    absent_members: tuple[tuple[str, str], ...] = ()


class VisitFacts(NamedTuple):
    id: int
    household_id: int
    visited_on: date | None
    visitor_name: str | None = None
    mode: str | None = "in_home"
    met_person: str | None = None
    met_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    device_id: str | None = None
    texts: tuple[str, ...] = ()
    photo_hashes: tuple[str, ...] = ()


class Observation(NamedTuple):
    household_id: int
    visit_id: int
    observed_on: date
    code: str
    state: str  # met | not_met | not_applicable


@dataclass(frozen=True, slots=True)
class EventFacts:
    id: int
    household_id: int
    event_type: str
    status: str  # open | handling | closed
    reported_on: date


@dataclass(frozen=True, slots=True)
class Reason:
    code: str  # visits_below, indicator_regressed, indicator_not_met_twice, income_below, event…
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Shortfall:
    household_id: int
    village_code: str
    helpers: tuple[str, ...]
    done: int
    required: int


@dataclass(frozen=True, slots=True)
class EventState:
    id: int
    household_id: int
    status: str
    due_on: date
    overdue: bool


@dataclass(frozen=True, slots=True)
class Flag:
    visit_id: int
    household_id: int
    code: str  # gps_far, too_short, device_burst, same_text, same_photo, absent_member
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Warning:
    household_id: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------------
# Months


def month_bounds(month: date) -> tuple[date, date]:
    """First and last day of the calendar month containing `month`."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def last_months(month: date, count: int) -> list[date]:
    """The first days of the `count` months ending with `month`, oldest first."""
    months = [month.replace(day=1)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


# ---------------------------------------------------------------------------------------------
# Statuses over time (a past month is computed from the statuses of that month)


class StatusChange(NamedTuple):
    """A household entered `status` in `period`: -1 before the first of the months asked for,
    k in the k-th (registry.status's history, in order of time per household)."""

    household_id: int
    status: str
    period: int


def _spans(changes: Iterable[StatusChange], months: int) -> Iterator[tuple[int, str, int, int]]:
    """The rule: a household's status at a month's end is its last change up to then. As
    (household, status, first month, month after the last) for each status that held at
    some month's end; a household not yet created holds none."""
    held: StatusChange | None = None
    for change in changes:
        if held is not None:
            end = months if change.household_id != held.household_id else max(change.period, 0)
            if max(held.period, 0) < end:
                yield held.household_id, held.status, max(held.period, 0), end
        held = change
    if held is not None and max(held.period, 0) < months:
        yield held.household_id, held.status, max(held.period, 0), months


def statuses_by_month(changes: Iterable[StatusChange], months: int) -> list[dict[int, str]]:
    """For each of `months` consecutive months, each household's status at the month's end;
    a household not yet created is absent."""
    found: list[dict[int, str]] = [{} for _ in range(months)]
    for household_id, status, start, end in _spans(changes, months):
        for k in range(start, end):
            found[k][household_id] = status
    return found


def status_counts_by_month(changes: Iterable[StatusChange], months: int) -> list[Counter[str]]:
    """`statuses_by_month`, counted: how many households had each status at each month's end
    (the trend; linear in the changes, not in households × months)."""
    steps: dict[str, list[int]] = defaultdict(lambda: [0] * (months + 1))
    for _household_id, status, start, end in _spans(changes, months):
        steps[status][start] += 1
        steps[status][end] -= 1
    counts: list[Counter[str]] = [Counter() for _ in range(months)]
    for status, step in steps.items():
        running = 0
        for k in range(months):
            running += step[k]
            if running:
                counts[k][status] = running
    return counts


def entries_by_month(changes: Iterable[StatusChange], status: str, months: int) -> list[set[int]]:
    """For each month, the households that entered `status` from another status in it: new
    inclusions (`monitored`, a county confirmation, a re-inclusion too) and risk eliminations
    are this one rule, for the dashboard's tiles and its chart alike."""
    found: list[set[int]] = [set() for _ in range(months)]
    previous: dict[int, str] = {}
    for change in changes:
        if (
            change.status == status
            and previous.get(change.household_id) != status
            and 0 <= change.period < months
        ):
            found[change.period].add(change.household_id)
        previous[change.household_id] = change.status
    return found


# ---------------------------------------------------------------------------------------------
# Visit counting: the one rule (the dashboard, its trend, prints, the report and the household
# pages all count with it)


class VisitTally(NamedTuple):
    done: int
    required: int

    @property
    def below(self) -> bool:
        return self.done < self.required


def counts_as_visit(mode: str | None, settings: MonitoringSettings) -> bool:
    """A phone call counts only where the settings in force say so (新扶办〔2020〕4号 asks
    for visits to the home); a visit without a mode is a home visit."""
    return settings.phone_visits_count or mode != "phone"


def required_visits(status: str | None, settings: MonitoringSettings) -> int:
    """Visits a household owes in a month, by its status in that month."""
    return settings.min_visits_per_month if status in UNDER_MONITORING else 0


def visit_tally(
    modes: Iterable[tuple[str | None, int]], status: str | None, settings: MonitoringSettings
) -> VisitTally:
    """A household's month: its visits as (mode, how many) and its status that month."""
    done = sum(n for mode, n in modes if counts_as_visit(mode, settings))
    return VisitTally(done, required_visits(status, settings))


def shortfalls_from_counts(
    households: Iterable[HouseholdFacts], done: dict[int, int], settings: MonitoringSettings
) -> tuple[Shortfall, ...]:
    """Households that owe more visits this month than were counted (`counted_per_household`
    over the month's visits). A household's `status` is its status in the month."""
    owed = OwedVisits(settings)
    shortfalls = []
    for h in households:
        tally = VisitTally(done.get(h.id, 0), owed[h.status])
        if tally.below:
            shortfalls.append(Shortfall(h.id, h.village_code, h.helpers, *tally))
    return tuple(shortfalls)


class OwedVisits(dict[str | None, int]):
    """`required_visits` by status, each worked out once (10 000s of households ask)."""

    def __init__(self, settings: MonitoringSettings) -> None:
        super().__init__()
        self.settings = settings

    def __missing__(self, status: str | None) -> int:
        self[status] = required_visits(status, self.settings)
        return self[status]


def counted_per_household(
    rows: Iterable[tuple[int, str | None, int]], settings: MonitoringSettings
) -> dict[int, int]:
    """(household, mode, visits) rows → counted visits per household."""
    done: dict[int, int] = defaultdict(int)
    for household_id, mode, n in rows:
        if counts_as_visit(mode, settings):
            done[household_id] += n
    return dict(done)


def shortfalls_by(shortfalls: Iterable[Shortfall], key: str) -> dict[str, list[Shortfall]]:
    """Group shortfalls per village (`key="village"`) or per helper (`key="helper"`)."""
    grouped: dict[str, list[Shortfall]] = defaultdict(list)
    for item in shortfalls:
        names = (item.village_code,) if key == "village" else (item.helpers or ("（未指定）",))
        for name in names:
            grouped[name].append(item)
    return dict(grouped)


# ---------------------------------------------------------------------------------------------
# Indicator regressions


def states_by_visit(observations: Iterable[Observation]) -> dict[int, list[tuple[date, int, dict]]]:
    """Per household, its visits in order, each with {indicator code: state}.

    `bayou:all` = met means every 八有 item was met; when not met, only the listed items are
    known to be not met (the others are unknown, not met).
    """
    per_visit: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)
    when: dict[tuple[int, int], date] = {}
    for obs in observations:
        per_visit[(obs.household_id, obs.visit_id)][obs.code] = obs.state
        when[(obs.household_id, obs.visit_id)] = obs.observed_on
    result: dict[int, list[tuple[date, int, dict]]] = defaultdict(list)
    for (household_id, visit_id), states in per_visit.items():
        result[household_id].append((when[(household_id, visit_id)], visit_id, states))
    for visits in result.values():
        visits.sort(key=lambda item: (item[0], item[1]))
    return result


def _state(states: dict[str, str], code: str) -> str | None:
    if code in states:
        return states[code]
    if code.startswith("bayou:") and states.get(BAYOU_ALL) == "met":
        return "met"
    return None


def indicator_reasons(
    observations: Iterable[Observation], month: date, settings: MonitoringSettings
) -> dict[int, list[Reason]]:
    """Per household: watched items that went met → not met since the previous visit (at a
    visit this month), and items not met at the last visit of this month and of last month."""
    first, last = month_bounds(month)
    prev_first, prev_last = month_bounds(previous_month(month))
    reasons: dict[int, list[Reason]] = defaultdict(list)
    watched = set(settings.watched_indicators)
    for household_id, visits in states_by_visit(observations).items():
        this_month = [v for v in visits if first <= v[0] <= last]
        last_month = [v for v in visits if prev_first <= v[0] <= prev_last]
        # Both rules need an item not met at a visit this month: look only at those items.
        candidates = {c for v in this_month for c, st in v[2].items() if st == "not_met"}
        for code in [c for c in settings.watched_indicators if c in candidates & watched]:
            found = _regression(visits, code, first, last)
            if found:
                reasons[household_id].append(Reason("indicator_regressed", found))
            if (
                this_month
                and last_month
                and all(_state(v[2], code) == "not_met" for v in (this_month[-1], last_month[-1]))
            ):
                reasons[household_id].append(Reason("indicator_not_met_twice", code))
    return dict(reasons)


def _regression(
    visits: Sequence[tuple[date, int, dict]], code: str, first: date, last: date
) -> str:
    previous: str | None = None
    for observed_on, _visit_id, states in visits:
        state = _state(states, code)
        if first <= observed_on <= last and previous == "met" and state == "not_met":
            return f"{code} {observed_on.isoformat()}"
        if state is not None:
            previous = state
    return ""


# ---------------------------------------------------------------------------------------------
# Income and major events


def income_below(
    households: Iterable[HouseholdFacts], settings: MonitoringSettings
) -> dict[int, Reason]:
    return {
        h.id: Reason("income_below", f"{h.per_capita_net_income} < {settings.income_threshold}")
        for h in households
        if h.status in UNDER_MONITORING
        and h.per_capita_net_income is not None
        and h.per_capita_net_income < settings.income_threshold
    }


def event_states(
    events: Iterable[EventFacts], as_of: date, settings: MonitoringSettings
) -> tuple[EventState, ...]:
    """Each event's response deadline; an event still `open` after it is overdue."""
    days = timedelta(days=settings.event_response_days)
    return tuple(
        EventState(
            e.id,
            e.household_id,
            e.status,
            e.reported_on + days,
            e.status == "open" and as_of > e.reported_on + days,
        )
        for e in events
    )


# ---------------------------------------------------------------------------------------------
# Early warnings


def early_warnings(
    households: Sequence[HouseholdFacts],
    shortfalls: Iterable[Shortfall],
    indicator: dict[int, list[Reason]],
    income: dict[int, Reason],
    events: Iterable[EventState],
) -> tuple[Warning, ...]:
    """The union of every rule's findings, one warning per household with all its reasons."""
    reasons: dict[int, list[Reason]] = defaultdict(list)
    for item in shortfalls:
        reasons[item.household_id].append(Reason("visits_below", f"{item.done}/{item.required}"))
    for household_id, found in indicator.items():
        reasons[household_id].extend(found)
    for household_id, reason in income.items():
        reasons[household_id].append(reason)
    for event in events:
        if event.status != "closed":
            code = "event_overdue" if event.overdue else "event_open"
            reasons[event.household_id].append(Reason(code, f"#{event.id} {event.due_on}"))
    order = {h.id: i for i, h in enumerate(households)}
    return tuple(
        Warning(hid, tuple(found))
        for hid, found in sorted(reasons.items(), key=lambda kv: order.get(kv[0], 1 << 30))
    )


# ---------------------------------------------------------------------------------------------
# Visit-authenticity signals (flags, never verdicts)


def authenticity_flags(
    households: Iterable[HouseholdFacts],
    visits: Sequence[VisitFacts],
    settings: MonitoringSettings,
) -> tuple[Flag, ...]:
    by_id = {h.id: h for h in households}
    flags: list[Flag] = []
    for visit in visits:
        flags.extend(_single_visit_flags(visit, by_id.get(visit.household_id), settings))
    flags.extend(_device_bursts(visits, settings))
    flags.extend(_duplicates(visits, "same_text", lambda v: v.texts))
    flags.extend(_duplicates(visits, "same_photo", lambda v: v.photo_hashes))
    return tuple(flags)


def _single_visit_flags(
    visit: VisitFacts, home: HouseholdFacts | None, settings: MonitoringSettings
) -> list[Flag]:
    found: list[Flag] = []
    if home is not None and None not in (
        visit.latitude,
        visit.longitude,
        home.latitude,
        home.longitude,
    ):
        metres = distance_m(visit.latitude, visit.longitude, home.latitude, home.longitude)  # type: ignore[arg-type]
        if metres > settings.gps_max_distance_m:
            found.append(Flag(visit.id, visit.household_id, "gps_far", f"{metres:.0f} m"))
    if visit.started_at and visit.ended_at:
        minutes = (visit.ended_at - visit.started_at).total_seconds() / 60
        if minutes < settings.min_visit_minutes:
            found.append(Flag(visit.id, visit.household_id, "too_short", f"{minutes:.1f} min"))
    if home is not None:
        for name, why in home.absent_members:
            met_head = visit.met_person == "head" and name == home.head_name
            if met_head or (name and visit.met_name and name in visit.met_name):
                found.append(Flag(visit.id, visit.household_id, "absent_member", f"{name} {why}"))
    return found


def _device_bursts(visits: Sequence[VisitFacts], settings: MonitoringSettings) -> list[Flag]:
    """Visits of `device_burst_visits` or more different households from one device whose
    start times fall within `device_burst_minutes`."""
    window = timedelta(minutes=settings.device_burst_minutes)
    by_device: dict[str, list[VisitFacts]] = defaultdict(list)
    for visit in visits:
        if visit.device_id and visit.started_at:
            by_device[visit.device_id].append(visit)
    flagged: dict[int, Flag] = {}
    for device, items in by_device.items():
        items.sort(key=lambda v: v.started_at)  # type: ignore[arg-type, return-value]
        start = 0
        for end, visit in enumerate(items):
            while visit.started_at - items[start].started_at > window:  # type: ignore[operator]
                start += 1
            group = items[start : end + 1]
            if len({v.household_id for v in group}) >= settings.device_burst_visits:
                for v in group:
                    flagged[v.id] = Flag(
                        v.id, v.household_id, "device_burst", f"{device}: {len(group)}"
                    )
    return list(flagged.values())


def _duplicates(visits: Sequence[VisitFacts], code: str, values) -> list[Flag]:  # type: ignore[no-untyped-def]
    seen: dict[str, list[VisitFacts]] = defaultdict(list)
    for visit in visits:
        for value in {_normal(v) for v in values(visit)}:
            if len(value) >= MIN_TEXT_CHARS or (code == "same_photo" and value):
                seen[value].append(visit)
    flags: dict[tuple[int, str], Flag] = {}
    for value, group in seen.items():
        if len(group) > 1:
            for v in group:
                others = ", ".join(str(o.id) for o in group if o.id != v.id)
                flags[(v.id, code)] = Flag(v.id, v.household_id, code, f"= #{others} {value[:20]}")
    return list(flags.values())


def _normal(text: str) -> str:
    return "".join(text.split())
