"""What a normalised submission says about the registry. Pure, frozen dataclasses.

Intake (server/ingest/normalize.py) turns a submission into one `NormalizedSubmission`; the
registry service applies it (server/registry/apply.py), replacing whatever the version it
edits had produced. Values are already typed; anything doubtful travels as an `Issue` for a
reviewer instead of stopping the intake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from server.core.geo import GeoPoint  # a record's location: the one geopoint type


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem a reviewer should look at. `code` is stable (e.g. `invalid_resident_id`)."""

    code: str
    message: str  # Chinese first, English second
    path: str | None = None  # the form field concerned, e.g. `members[2]/member_id`


@dataclass(frozen=True, slots=True)
class Indicator:
    """The state of one monitored indicator at one moment.

    `code`: food, clothing, education, medical, housing, water_quantity, water_quality,
    water_convenience, water_reliability, or `bayou:<item code>` for an 八有 item.
    `state`: met, not_met, not_applicable.
    """

    code: str
    state: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    id_number: str | None  # as typed (upper-case X); validity is reported as an Issue
    relation: str | None
    sex: str | None
    birth_date: date | None
    health: tuple[str, ...] = ()
    disability_grade: str | None = None
    disability_cert_no: str | None = None
    schooling: str | None = None
    school_grade: str | None = None
    education: str | None = None
    labour: str | None = None
    work_status: str | None = None
    work_months: int | None = None
    insurance: tuple[str, ...] = ()
    benefits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Helper:
    """An assigned helper. role: party_secretary, first_secretary, team_leader, contact."""

    role: str
    name: str
    phone: str | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Income:
    wages: Decimal | None = None
    production: Decimal | None = None
    property: Decimal | None = None
    transfers: Decimal | None = None
    production_costs: Decimal | None = None
    rigid_spending: Decimal | None = None
    per_capita_net: Decimal | None = None  # recomputed on the server (ROUND_HALF_UP, 2 places)
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    """An assistance measure. family: industry, employment, social_protection, motivation, other."""

    family: str
    detail: str | None = None
    status: str | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A major event (重大变故). event_type: serious_illness, major_injury, supporter_death,
    disaster, other."""

    event_type: str
    occurred_on: date | None
    description: str | None = None
    estimated_cost: Decimal | None = None
    event_type_other: str | None = None
    discovered_on: date | None = None
    member_name: str | None = None
    member_relation: str | None = None
    member_id_number: str | None = None
    situation: tuple[str, ...] = ()
    situation_detail: str | None = None
    help_needed: str | None = None
    measures_taken: str | None = None
    departments: tuple[str, ...] = ()
    reporter_name: str | None = None
    reporter_phone: str | None = None


@dataclass(frozen=True, slots=True)
class Identification:
    """户识别建档: the household as identified and archived."""

    village_code: str
    natural_village: str | None
    address: str | None
    location: GeoPoint | None
    household_type: str
    household_type_other: str | None
    household_kind: str
    identified_on: date | None
    head_name: str
    head_id_number: str | None
    phone: str | None
    members: tuple[Member, ...]
    income: Income
    risk_causes: tuple[str, ...]
    main_risk: str | None
    risk_description: str | None
    indicators: tuple[Indicator, ...]
    helpers: tuple[Helper, ...]
    house_photo: str | None  # attachment file name
    head_signature: str | None
    collector_name: str | None = None
    collector_phone: str | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    """One 帮扶工作表 visit."""

    household_code: str
    visited_on: date | None
    visitor_name: str | None
    visitor_role: str | None
    visitor_phone: str | None
    mode: str | None
    met_person: str | None
    met_name: str | None
    indicators: tuple[Indicator, ...]
    change_categories: tuple[str, ...]
    change_detail: str | None
    risk_trend: str | None
    new_risks: tuple[str, ...]
    difficulties: str | None
    measures: tuple[Measure, ...]
    earlier_measures: str | None
    event: Event | None  # the major-event questions, when the visitor flagged one
    location: GeoPoint | None
    started_at: datetime | None
    ended_at: datetime | None
    photos: tuple[str, ...] = ()
    member_signature: str | None = None
    visitor_signature: str | None = None


@dataclass(frozen=True, slots=True)
class EventReport:
    """重大变故事项报告."""

    household_code: str
    event: Event
    photo: str | None = None


@dataclass(frozen=True, slots=True)
class NormalizedSubmission:
    """Exactly one of identification / visit / event_report is set."""

    identification: Identification | None = None
    visit: Visit | None = None
    event_report: EventReport | None = None
    issues: tuple[Issue, ...] = field(default_factory=tuple)
