"""Which villages and households a web user may see: the rules every service query applies.

Pure: a role and an area code in, a `Scope` out (and for a department viewer, with today's
date passed in, the `DutyReach` of its duty); no Flask, SQLAlchemy or clock. Village codes
are 12-digit statistical codes; the villages of a town share its first 9 digits
(domain.md §5.1), so a town's villages are the code range `ttttttttt000`…`ttttttttt999`, which
an ordinary B-tree index on the village code serves on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date

DEPARTMENTS = {
    "civil_affairs": "民政 Civil affairs",
    "medical_security": "医保 Medical security",
    "health": "卫健 Health commission",
    "housing": "住建 Housing",
    "education": "教育 Education",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """The villages in reach. `everywhere` wins; otherwise `low`…`high` (inclusive) bound them;
    `nothing` means no village at all (a misconfigured account sees nothing, never everything)."""

    everywhere: bool = False
    low: str | None = None
    high: str | None = None

    @property
    def nothing(self) -> bool:
        return not self.everywhere and self.low is None

    def covers(self, village_code: str | None) -> bool:
        if self.everywhere:
            return True
        if village_code is None or self.low is None or self.high is None:
            return False
        return self.low <= village_code <= self.high


NOWHERE = Scope()


def scope_of(role: str, area_code: str | None) -> Scope:
    """The county sees everything; a town its villages; a village committee its village."""
    if role in {"county_admin", "department_viewer"}:
        return Scope(everywhere=True)
    if area_code is None or len(area_code) != 12 or not area_code.isdigit():
        return NOWHERE
    if role == "town_reviewer":
        return Scope(low=area_code[:9] + "000", high=area_code[:9] + "999")
    if role == "village_committee":
        return Scope(low=area_code, high=area_code)
    return NOWHERE


def may_access_village(role: str, area_code: str | None, village_code: str | None) -> bool:
    return scope_of(role, area_code).covers(village_code)


def town_of(village_code: str) -> str:
    return village_code[:9] + "000"


# What each role may do, on objects inside its scope. Department viewers are read-only and see
# households only, limited to the sections their duty needs (DUTY_SECTIONS).
AREA_ROLES = frozenset({"county_admin", "town_reviewer", "village_committee"})
PERMISSIONS: dict[str, frozenset[str]] = {
    "view_submissions": AREA_ROLES,
    "comment": AREA_ROLES,
    "export_xml": AREA_ROLES,
    "set_review_state": frozenset({"county_admin", "town_reviewer"}),
    # Move a household between villages of the scope; send a held submission back to the worker.
    "move_household": frozenset({"county_admin", "town_reviewer"}),
    "requeue_submission": frozenset({"county_admin", "town_reviewer"}),
    "view_households": AREA_ROLES | {"department_viewer"},
    "print": AREA_ROLES,
    "view_audit": frozenset({"county_admin"}),
    "manage_users": frozenset({"county_admin"}),
}
# Who acts at each step of the approval chain (village proposal → town review → county).
STAGE_ROLE = {"village": "village_committee", "town": "town_reviewer", "county": "county_admin"}

ALL_SECTIONS = frozenset(
    {
        "members",
        "ids",
        "health",
        "helpers",
        "income",
        "indicators",
        "measures",
        "events",
        "visits",
        "approvals",
        "print",
    }
)
DUTY_SECTIONS: dict[str, frozenset[str]] = {
    "civil_affairs": frozenset({"members", "ids", "income", "indicators", "measures", "events"}),
    "medical_security": frozenset({"members", "ids", "health", "indicators", "events"}),
    "health": frozenset({"members", "ids", "health", "indicators", "events"}),
    "housing": frozenset({"indicators"}),
    "education": frozenset({"members", "indicators"}),
}
# Indicator codes per duty (registry/records.py Indicator.code); None means all of them.
DUTY_INDICATORS: dict[str, frozenset[str] | None] = {
    "civil_affairs": frozenset({"food", "clothing"}),
    "medical_security": frozenset({"medical"}),
    "health": frozenset({"medical"}),
    "housing": frozenset(
        {"housing", "water_quantity", "water_quality", "water_convenience", "water_reliability"}
    ),
    "education": frozenset({"education"}),
}


# Major-event types (xlsforms/major_event.md, list event_type) that concern a medical duty.
ILLNESS_EVENT_TYPES = frozenset({"serious_illness", "major_injury"})
DUTY_EVENT_TYPES: dict[str, frozenset[str]] = {
    "medical_security": ILLNESS_EVENT_TYPES,
    "health": ILLNESS_EVENT_TYPES,
}
# Civil affairs runs social assistance for every monitored household, so it sees them all.
DUTIES_OVER_EVERY_HOUSEHOLD = frozenset({"civil_affairs"})
DUTY_LOOKBACK_MONTHS = 12


@dataclass(frozen=True, slots=True)
class DutyReach:
    """The households a department's duty concerns: those with one of `indicator_codes` not met,
    or a major event of one of `event_types`, on or after `since`. Both sets empty means none."""

    indicator_codes: frozenset[str]
    event_types: frozenset[str]
    since: date


def duty_reach(role: str, department: str | None, today: date) -> DutyReach | None:
    """Which households a department viewer's duty concerns; None when the role's area scope
    alone decides (area roles, and civil affairs). An unknown department reaches nothing."""
    if role != "department_viewer" or department in DUTIES_OVER_EVERY_HOUSEHOLD:
        return None
    return DutyReach(
        # A duty listed with None ("all indicators") would reach nothing here: a narrowing duty
        # must name its indicators, so a slip hides households rather than showing them all.
        indicator_codes=DUTY_INDICATORS.get(department or "") or frozenset(),
        event_types=DUTY_EVENT_TYPES.get(department or "", frozenset()),
        since=months_before(today, DUTY_LOOKBACK_MONTHS),
    )


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (29 Feb → 28 Feb when the year has none)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def may(role: str, action: str) -> bool:
    return role in PERMISSIONS.get(action, frozenset())


def sections_for(role: str, department: str | None) -> frozenset[str]:
    """The parts of a household page a user sees; `ids`/`health` still need a logged reveal."""
    if role in AREA_ROLES:
        return ALL_SECTIONS
    if role == "department_viewer" and department in DUTY_SECTIONS:
        return DUTY_SECTIONS[department]
    return frozenset()


def indicator_codes_for(role: str, department: str | None) -> frozenset[str] | None:
    if role == "department_viewer":
        return DUTY_INDICATORS.get(department or "", frozenset())
    return None
