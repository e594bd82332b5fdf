"""What monitoring's queries share: the settings in force, the scope as SQL (the access
policy's, `monitoring.scope.area_scope_of`), a month's moments in China, the status history of a
scope, and the facts of its households. Never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import ColumnElement, Float, and_, select, type_coerce
from sqlalchemy.orm import Session

from server.access.sql import village_in_scope
from server.areas.models import Area
from server.core.clock import china_midnight
from server.monitoring import rules
from server.monitoring.rules import (
    HouseholdFacts,
    StatusChange,
)
from server.monitoring.scope import COUNTY_CODE, area_scope_of
from server.monitoring.settings import (
    MonitoringSettings,
    parse_settings,
    settings_on,
)
from server.registry.models import (
    HelperAssignment,
    Household,
    Membership,
    Person,
)
from server.registry.status import changed_since, status_changes

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


def in_scope(prefix: str, duty: Duty):  # type: ignore[no-untyped-def]
    in_area = village_in_scope(Household.village_code, area_scope_of(prefix))
    return in_area if duty is None else and_(in_area, duty)


def scoped(query, household_id, prefix: str, duty: Duty):  # type: ignore[no-untyped-def]
    """Restrict a query on a household's rows to the scope. Every household of the registry is
    in the county, so the county's queries skip the join (they read an index alone)."""
    if prefix == COUNTY_CODE and duty is None:
        return query
    # IN (households of the scope), not a join: the planner then walks the (household_id, …)
    # index of each household in scope instead of every row of the period.
    return query.where(household_id.in_(select(Household.id).where(in_scope(prefix, duty))))


def household_facts(
    session: Session,
    prefix: str,
    duty: Duty,
    *,
    with_helpers: bool,
    month: date | None = None,
) -> tuple[dict[int, HouseholdFacts], dict[int, tuple[bool, bool]]]:
    """Household facts with their status in `month` (today's without a month; a household
    created after the month is left out), and per household (newly included in the month,
    risk eliminated in the month): `rules.entries_by_month` over the status history, the
    trend's rule. Income is read without conversion (a float on SQLite, a Decimal on
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
            .where(in_scope(prefix, duty))
            .order_by(Household.village_code, Household.code)
        )
        .all()
    )
    if month is None:
        in_month = {r.id: r.status for r in rows}
        new = eliminated = {}
    else:
        current = {r.id: r.status for r in rows}
        changes = status_changes_in(session, prefix, duty, [month], current)
        (in_month,) = rules.statuses_by_month(changes, 1)
        (new,) = rules.entries_by_month(changes, "monitored", 1)
        (eliminated,) = rules.entries_by_month(changes, "risk_eliminated", 1)
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


def month_moments(month: date) -> tuple[datetime, datetime]:
    """The month's first moment and the first moment after it, in China (as stored: UTC)."""
    first, last = rules.month_bounds(month)
    return china_midnight(first), china_midnight(last + timedelta(days=1))


def status_changes_in(
    session: Session,
    prefix: str,
    duty: Duty,
    months: Sequence[date],
    current: Mapping[int, str],
) -> list[StatusChange]:
    """The status history of the scope's households (`current`: each one's status now) up to
    the end of the last of `months` (consecutive), each change with the month it falls in
    (-1: before the first). A household whose last change came before the first month has
    held its present status through them all: it is one change (its status, -1) and its
    history is not read — in a county most are, so a month costs what its changes cost."""
    bounds = [month_moments(m)[0] for m in months] + [month_moments(months[-1])[1]]
    recent_query = changed_since(bounds[0])
    recent = set(
        session.scalars(
            scoped(recent_query, recent_query.selected_columns.household_id, prefix, duty)
        )
    )
    settled = [StatusChange(h, status, -1) for h, status in current.items() if h not in recent]
    if not recent:
        return settled
    history = status_changes(bounds)
    household_id = history.selected_columns.household_id
    rows = session.connection().execute(history.where(household_id.in_(recent_query)))
    return settled + list(map(StatusChange._make, rows.all()))


def current_statuses(session: Session, prefix: str, duty: Duty) -> dict[int, str]:
    """Each household's status now (the last of its history)."""
    query = select(Household.id, Household.status).where(in_scope(prefix, duty))
    return dict(session.connection().execute(query).all())  # type: ignore[arg-type]


def _helpers(session: Session, prefix: str, duty: Duty) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    for household_id, name in session.execute(
        select(HelperAssignment.household_id, HelperAssignment.name)
        .join(Household, Household.id == HelperAssignment.household_id)
        .where(in_scope(prefix, duty), HelperAssignment.ended_on.is_(None))
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
        .where(in_scope(prefix, duty), Membership.ended_at.is_(None))
    ):
        if (details or {}).get("deceased_on") or (details or {}).get("status") == "deceased":
            found[household_id].append((name, "deceased"))
        elif (details or {}).get("work_status") in AWAY_WORK:
            found[household_id].append((name, "away"))
    return {k: tuple(v) for k, v in found.items()}


def area_names(session: Session) -> dict[str, str]:
    rows = session.execute(select(Area.code, Area.name).where(Area.valid_to.is_(None)))
    return {row.code: row.name for row in rows}


def area_name(session: Session, code: str) -> str:
    return area_names(session).get(code, code)


def chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
