"""What the registry's read API (`registry.queries`) hands out: plain, frozen facts, never ORM
objects. Codes stay codes and numbers stay numbers: the pages label, mask and format them for
their viewer. A part of a household the viewer may not see (`access.policy.sections`) is simply
absent: empty, or None.

Pure: no SQLAlchemy, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class HouseholdSummary:
    """A household as lists and links show it."""

    id: int
    code: str
    village_code: str
    head_name: str
    household_type: str
    status: str
    member_count: int
    archive_no: str | None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class MemberFacts:
    name: str
    relation: str | None
    birth_date: date | None
    id_number: str | None  # None without the `ids` section
    health: tuple[str, ...]  # empty without the `health` section
    disability_grade: str | None  # None without the `health` section
    schooling: str | None
    school_grade: str | None
    education: str | None
    labour: str | None
    work_status: str | None
    insurance: tuple[str, ...]
    sex: str | None = None
    benefits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HelperFacts:
    role: str
    name: str
    unit: str | None
    phone: str | None
    started_on: date | None
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class ObservationFacts:
    code: str  # food … water_reliability, bayou:all, bayou:<item>
    observed_on: date | None
    state: str  # met | not_met | not_applicable
    detail: str | None


@dataclass(frozen=True, slots=True)
class MeasureFacts:
    recorded_on: date | None
    family: str
    detail: str | None
    status: str | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class EventFacts:
    id: int
    event_type: str
    occurred_on: date | None
    status: str
    estimated_cost: Decimal | None


@dataclass(frozen=True, slots=True)
class VisitFacts:
    visited_on: date | None
    visitor_name: str | None
    mode: str | None
    risk_trend: str | None
    difficulties: str | None


@dataclass(frozen=True, slots=True)
class IdentificationFiles:
    """The files the household's identification named, as stored when it was applied."""

    version_id: int  # the identification (submission version) whose attachments they are
    house_photo: str | None  # attachment file names
    head_signature: str | None


@dataclass(frozen=True, slots=True)
class HouseholdRecord:
    """One household with the sections its viewer may see (`sections`); the rest is empty."""

    household: HouseholdSummary
    sections: frozenset[str]
    head_phone: str | None  # None without the `ids` section
    members: tuple[MemberFacts, ...] = ()
    helpers: tuple[HelperFacts, ...] = ()
    observations: tuple[ObservationFacts, ...] = ()  # only the viewer's indicators, by date
    measures: tuple[MeasureFacts, ...] = ()
    events: tuple[EventFacts, ...] = ()
    visits: tuple[VisitFacts, ...] = ()  # newest first
    # Shown on the archive print only: None without the `print` section or an identification.
    identification_files: IdentificationFiles | None = None
