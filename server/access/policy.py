"""The one access policy: given a viewer, which villages, which actions, which sections, and how
each personal field looks.

Pure: a `Viewer` (and, for a department's duty, today's date) in; no Flask, SQLAlchemy or
clock. Every page, print, export, phone list, monitoring view, audit query and phone write asks
here; the SQL form of the village rule is `access.sql.village_in_scope`.

Villages: codes are 12-digit statistical codes, and the villages of a town share its first 9
digits (domain.md §5.1), so a town's villages are the range `ttttttttt000`…`ttttttttt999`,
which an ordinary B-tree index serves on SQLite and PostgreSQL alike. A misconfigured account
(no area, or an area of the wrong shape) reaches nothing, never everything.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeGuard

from server.access import masks
from server.access.viewer import OPERATOR_KIND, PHONE, Viewer
from server.core.errors import AccessDenied

COUNTY_ROLES = frozenset({"county_admin", "department_viewer"})
AREA_ROLES = frozenset({"county_admin", "town_reviewer", "village_committee"})
WEB_ROLES = AREA_ROLES | {"department_viewer"}
PHONE_ROLES = frozenset({"village_cadre", "town_cadre"})
TOWN_ROLES = frozenset({"town_reviewer", "town_cadre"})
VILLAGE_ROLES = frozenset({"village_committee", "village_cadre"})


# --- villages ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """The villages in reach. `everywhere` wins; otherwise `low`…`high` (inclusive) bound them;
    `nothing` means no village at all."""

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

    def contains(self, other: Scope) -> bool:
        if self.everywhere:
            return True
        if other.everywhere or other.nothing:
            return other.nothing
        return self.covers(other.low) and self.covers(other.high)


EVERYWHERE = Scope(everywhere=True)
NOWHERE = Scope()


def _is_code(code: str | None) -> TypeGuard[str]:
    return code is not None and len(code) == 12 and code.isdigit()


def town_of(village_code: str) -> str:
    return village_code[:9] + "000"


def is_town_code(code: str) -> bool:
    return _is_code(code) and code.endswith("000") and not code.endswith("000000")


def is_county_code(code: str) -> bool:
    return _is_code(code) and code.endswith("000000")


def area_scope(code: str | None) -> Scope:
    """The villages of an area code: a county's (all), a town's, or one village."""
    if not _is_code(code):
        return NOWHERE
    if is_county_code(code):
        return EVERYWHERE
    if is_town_code(code):
        return Scope(low=code[:9] + "000", high=code[:9] + "999")
    return Scope(low=code, high=code)


def scope_of(viewer: Viewer) -> Scope:
    """The county and the operator see everything; a town role its villages; a village role
    its village; anything else nothing."""
    if viewer.kind == OPERATOR_KIND or viewer.role in COUNTY_ROLES:
        return EVERYWHERE
    code = viewer.area_code
    if not _is_code(code):
        return NOWHERE
    if viewer.role in TOWN_ROLES:
        return Scope(low=town_of(code), high=code[:9] + "999")
    if viewer.role in VILLAGE_ROLES:
        return Scope(low=code, high=code)
    return NOWHERE


def narrowed(viewer: Viewer, area_code: str | None) -> Scope:
    """The area a viewer asked for (a filter), if it lies inside its scope; else its scope."""
    scope = scope_of(viewer)
    wanted = area_scope(area_code) if area_code else scope
    return wanted if not wanted.nothing and scope.contains(wanted) else scope


def covers(viewer: Viewer, village_code: str | None) -> bool:
    return scope_of(viewer).covers(village_code)


# --- actions -----------------------------------------------------------------------------------

# What each role may do, on objects inside its scope. The operator at the command line may do
# everything (it holds the server). Department viewers are read-only and see households only,
# limited to the sections their duty needs (DUTY_SECTIONS).
PERMISSIONS: dict[str, frozenset[str]] = {
    # phones
    "submit": PHONE_ROLES,
    # the review workspace
    "view_submissions": AREA_ROLES,
    "comment": AREA_ROLES,
    "export_xml": AREA_ROLES,
    "set_review_state": frozenset({"county_admin", "town_reviewer"}),
    "requeue_submission": frozenset({"county_admin", "town_reviewer"}),
    "view_households": WEB_ROLES,
    "move_household": frozenset({"county_admin", "town_reviewer"}),
    "take_part_in_approvals": AREA_ROLES,
    # prints carry every section and full ID numbers: the area roles only
    "print": AREA_ROLES,
    # monitoring and exports
    "view_monitoring": WEB_ROLES,
    "work_warning_cases": AREA_ROLES,
    "open_warning_cases": frozenset({"county_admin", "town_reviewer"}),
    "export_registry": WEB_ROLES,
    "monthly_report": WEB_ROLES,
    # raw submissions name households regardless of any duty: only the roles that read them
    "export_submissions": AREA_ROLES,
    # the county office
    "view_audit": frozenset({"county_admin"}),
    "manage_users": frozenset({"county_admin"}),
}
# Who acts at each step of the approval chain (village proposal → town review → county).
STAGE_ROLE = {"village": "village_committee", "town": "town_reviewer", "county": "county_admin"}


def permits(viewer: Viewer, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action}")  # a typo must not silently deny or allow
    return viewer.kind == OPERATOR_KIND or viewer.role in PERMISSIONS[action]


def require(viewer: Viewer, action: str) -> None:
    if not permits(viewer, action):
        raise AccessDenied("您的角色无权进行此操作 / your role may not do this")


def acts_at(viewer: Viewer, stage: str) -> bool:
    """Whether the viewer's role is the one that decides at this approval stage."""
    return STAGE_ROLE.get(stage) == viewer.role


def may_change_submission(
    viewer: Viewer, *, sender_id: int | None, village_code: str | None
) -> bool:
    """A phone may change a stored submission (edit it, add files to it) only if it sent it or
    the submission is about a village of its area: the same area rule that decides what it may
    read and submit. So a village cadre may edit a colleague's submission about their own
    village (a village is one team, and a successor inherits the phone's saved forms), a town
    cadre any submission about a village of its town, and nobody one from elsewhere."""
    if viewer.kind == PHONE and sender_id is not None and sender_id == viewer.user_id:
        return True
    return village_code is not None and covers(viewer, village_code)


# --- sections of a household, and a department's duty -------------------------------------------

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
# Indicator codes per duty (registry/records.py Indicator.code).
DUTY_INDICATORS: dict[str, frozenset[str]] = {
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


def sections(viewer: Viewer) -> frozenset[str]:
    """The parts of a household a viewer sees; `ids`/`health` on a page still need a reveal."""
    if viewer.kind == OPERATOR_KIND or viewer.role in AREA_ROLES:
        return ALL_SECTIONS
    if viewer.role == "department_viewer":
        return DUTY_SECTIONS.get(viewer.department or "", frozenset())
    return frozenset()


def indicator_codes(viewer: Viewer) -> frozenset[str] | None:
    """The indicators a viewer sees; None: all of them."""
    if viewer.role == "department_viewer":
        return DUTY_INDICATORS.get(viewer.department or "", frozenset())
    return None


@dataclass(frozen=True, slots=True)
class DutyReach:
    """The households a department's duty concerns: those with one of `indicator_codes` not met,
    or a major event of one of `event_types`, on or after `since`. Both sets empty means none."""

    indicator_codes: frozenset[str]
    event_types: frozenset[str]
    since: date


def duty_reach(viewer: Viewer, today: date) -> DutyReach | None:
    """Which households a department viewer's duty concerns; None when the area scope alone
    decides (area roles, phones, the operator, civil affairs). An unknown department reaches
    nothing."""
    if viewer.role != "department_viewer" or viewer.department in DUTIES_OVER_EVERY_HOUSEHOLD:
        return None
    department = viewer.department or ""
    return DutyReach(
        indicator_codes=DUTY_INDICATORS.get(department, frozenset()),
        event_types=DUTY_EVENT_TYPES.get(department, frozenset()),
        since=months_before(today, DUTY_LOOKBACK_MONTHS),
    )


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (29 Feb → 28 Feb when the year has none)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


# --- personal data -----------------------------------------------------------------------------

PAGE, PRINT, EXPORT, PHONE_LIST = "page", "print", "export", "phone_list"
REVEALABLE = frozenset({"ids", "health"})


@dataclass(frozen=True, slots=True)
class Masker:
    """How each kind of personal field looks to one viewer in one context."""

    full_ids: bool  # ID numbers, phone numbers, certificate numbers, home GPS, free text
    full_health: bool

    def id_number(self, value: str | None) -> str:
        return (value or "") if self.full_ids else masks.id_number(value)

    def phone(self, value: str | None) -> str:
        return (value or "") if self.full_ids else masks.phone(value)

    def identifier(self, value: str | None) -> str:
        return (value or "") if self.full_ids else masks.identifier(value)

    def text(self, value: str | None) -> str:
        return (value or "") if self.full_ids else masks.text(value)

    def coordinate(self, value):  # type: ignore[no-untyped-def]
        return value if self.full_ids else masks.coordinate(value)

    def geopoint(self, value: str | None) -> str:
        return (value or "") if self.full_ids else masks.geopoint(value)

    def health(self, value):  # type: ignore[no-untyped-def]
        return value if self.full_health else masks.health(value)

    def mask_of(self, kind: str) -> Callable[[Any], Any] | None:
        """The mask of one kind of field (a method's name above) for this viewer, or None
        where it is shown as it is: for exports, which apply it to 100 000s of cells."""
        shown = self.full_health if kind == "health" else self.full_ids
        return None if shown else getattr(masks, kind)


# Everything masked, whoever asks (an operator's export without --full).
MASKED = Masker(False, False)


def masker(viewer: Viewer, context: str, *, revealed: frozenset[str] = frozenset()) -> Masker:
    """- on a page, ID and phone numbers and health details are masked until the viewer makes a
      logged reveal of a section it may see;
    - prints and exports are themselves logged: the area roles (and the operator) get them in
      full, a department viewer masked;
    - the phones' household list (offline on a device that may be lost) is always masked."""
    seen = sections(viewer)
    if context == PAGE:
        shown = revealed & seen
        return Masker("ids" in shown, "health" in shown)
    if context in (PRINT, EXPORT):
        full = viewer.kind == OPERATOR_KIND or viewer.role in AREA_ROLES
        return Masker(full, full)
    return Masker(False, False)
