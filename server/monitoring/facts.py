"""What the monitoring service hands the pages about one household and about warning cases:
plain, frozen facts, never ORM objects. Codes stay codes and numbers stay numbers; the pages
(`monitoring.pages`) label, mask and format them for their viewer. A part the viewer may not see
(`access.policy.sections`) is simply absent: None, or empty.

Pure: no SQLAlchemy, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from server.monitoring.rules import Flag, Reason
from server.registry.facts import HouseholdSummary


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """A warning case with the household it is about."""

    id: int
    month: date  # the first day of the month the rules ran for
    household_code: str
    head_name: str
    village_code: str
    status: str  # open | checked | measure | closed
    reasons: tuple[Reason, ...]
    check_due_on: date
    checked_on: date | None
    check_note: str | None
    decision: str | None  # start_identification | department_measure | not_at_risk
    measure: str | None
    close_reason: str | None
    closed_on: date | None


@dataclass(frozen=True, slots=True)
class VisitLine:
    """A visit as the drill-down lists it: who came and what the family said only with the
    `visits` section; the items not met only with the `indicators` section (and only the
    viewer's indicators)."""

    id: int
    visited_on: date | None
    not_met: tuple[str, ...]  # indicator codes
    visitor_name: str | None = None
    mode: str | None = None
    difficulties: str | None = None


@dataclass(frozen=True, slots=True)
class HouseholdDetail:
    """The last level of the drill-down: one household, its last 12 months of visits (newest
    first), this month's authenticity signals and its warning cases (newest first)."""

    household: HouseholdSummary
    village_name: str
    sections: frozenset[str]  # what the viewer may see of it (access.policy.sections)
    income: Decimal | float | None  # None also without the `income` section
    visits: tuple[VisitLine, ...]
    flags: tuple[Flag, ...]  # empty without the `visits` section
    cases: tuple[CaseFacts, ...]
