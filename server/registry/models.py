"""The canonical register: households, the people in them, their helpers, visits, indicators,
measures and major events.

Every row that a submission produced names its source (`source_version_id`, a submission
version), so an edit can replace exactly what the version it edits produced, and a reviewer
can always go from a registry fact back to the bytes the phone sent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, created_at, intpk

HOUSEHOLD_TYPES = (
    "unstable_formerly_poor",
    "marginal_at_risk",
    "sudden_severe_difficulty",
    "other",
)
HOUSEHOLD_KINDS = ("formerly_poor", "ordinary")

HOUSEHOLD_STATUSES = ("pending_review", "monitored", "risk_eliminated", "rejected")
MONEY = Numeric(14, 2)


class Household(Base):
    """A household under (or proposed for) monitoring."""

    __tablename__ = "households"
    __table_args__ = (
        CheckConstraint(
            "household_type IN ('unstable_formerly_poor', 'marginal_at_risk', "
            "'sudden_severe_difficulty', 'other')",
            name="household_type",
        ),
        CheckConstraint("household_kind IN ('formerly_poor', 'ordinary')", name="household_kind"),
        CheckConstraint(
            "status IN ('pending_review', 'monitored', 'risk_eliminated', 'rejected')",
            name="status",
        ),
        Index("ix_households_village_code_code", "village_code", "code"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    village_code: Mapped[str] = mapped_column(String(12))
    head_name: Mapped[str] = mapped_column(String(100))
    household_type: Mapped[str] = mapped_column(String(32))
    household_kind: Mapped[str] = mapped_column(String(16))
    archive_no: Mapped[str | None] = mapped_column(String(40))
    head_phone: Mapped[str | None] = mapped_column(String(20))
    member_count: Mapped[int] = mapped_column(default=1)
    last_visit_on: Mapped[date | None]
    is_demo: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="pending_review")
    household_type_other: Mapped[str | None] = mapped_column(String(200))
    natural_village: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    identified_on: Mapped[date | None]
    head_id_number: Mapped[str | None] = mapped_column(String(18), index=True)  # sensitive
    risk_causes: Mapped[list[Any]] = mapped_column(default=list)
    main_risk: Mapped[str | None] = mapped_column(String(40))
    risk_description: Mapped[str | None] = mapped_column(Text)
    income: Mapped[dict[str, Any]] = mapped_column(default=dict)  # components, as strings
    per_capita_net_income: Mapped[Decimal | None] = mapped_column(MONEY)
    # The identification (submission version) the household's current facts come from.
    source_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="RESTRICT"), index=True
    )
    # The files that identification named: house_photo, head_signature (attachment file names
    # of source_version_id), stored when it was applied, as visits keep theirs.
    files: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="household", order_by="Membership.position"
    )


class HouseholdStatusChange(Base):
    """A status a household entered, when, and whose decision it was.

    The household's `status` column is the last row here; the rows before it let monitoring
    compute a past month from the statuses of that month (who was under monitoring, who was
    newly included). Written only by `registry.service` (creation and status changes).
    """

    __tablename__ = "household_status_history"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending_review', 'monitored', 'risk_eliminated', 'rejected')",
            name="status",
        ),
        Index("ix_household_status_history_household_since", "household_id", "since"),
        Index("ix_household_status_history_since", "since"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime]
    # The approval case that decided it (review.approval); a plain number, not a foreign key:
    # the registry does not know the approval chain's tables.
    case_id: Mapped[int | None]
    actor: Mapped[str | None] = mapped_column(String(100))

    household: Mapped[Household] = relationship()


class Person(Base):
    """A person, identified by resident ID number when there is one (newborns may have none)."""

    __tablename__ = "persons"

    id: Mapped[intpk]
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)  # sensitive
    name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str | None] = mapped_column(String(10))
    birth_date: Mapped[date | None]
    created_at: Mapped[created_at]


class Membership(Base):
    """A person living in a household (共同生活、共享开支), as one identification recorded it.

    A later identification of the household ends these rows (`ended_at`) and records its own,
    so the composition over time is kept.
    """

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_person_current", "person_id", "ended_at"),)

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="RESTRICT"))
    position: Mapped[int]  # order in the form; 0 is the head
    relation: Mapped[str | None] = mapped_column(String(10))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # health, schooling, work…
    source_version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="RESTRICT"), index=True
    )
    started_at: Mapped[created_at]
    ended_at: Mapped[datetime | None]

    household: Mapped[Household] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship()


class HelperAssignment(Base):
    """A helper paired with a household (结对帮扶); a change of person starts a new row."""

    __tablename__ = "helper_assignments"

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(200))
    started_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    source_version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="RESTRICT"), index=True
    )


class Visit(Base):
    """One visit of the 帮扶工作表."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_household_visited_on", "household_id", "visited_on"),
        # The monthly monitoring counts visits by month and mode from this index alone.
        Index("ix_visits_visited_on", "visited_on", "household_id", "mode"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    source_version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="RESTRICT"), unique=True
    )
    visited_on: Mapped[date | None]
    visitor_name: Mapped[str | None] = mapped_column(String(200))
    visitor_role: Mapped[str | None] = mapped_column(String(40))
    visitor_phone: Mapped[str | None] = mapped_column(String(20))
    mode: Mapped[str | None] = mapped_column(String(20))
    met_person: Mapped[str | None] = mapped_column(String(20))
    met_name: Mapped[str | None] = mapped_column(String(100))
    change_categories: Mapped[list[Any]] = mapped_column(default=list)
    change_detail: Mapped[str | None] = mapped_column(Text)
    risk_trend: Mapped[str | None] = mapped_column(String(20))
    new_risks: Mapped[list[Any]] = mapped_column(default=list)
    difficulties: Mapped[str | None] = mapped_column(Text)
    earlier_measures: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    files: Mapped[dict[str, Any]] = mapped_column(default=dict)  # photos and signatures by role


class IndicatorObservation(Base):
    """The state of one indicator (两不愁三保障, water, 八有 item) seen at one moment."""

    __tablename__ = "indicator_observations"
    __table_args__ = (
        CheckConstraint("state IN ('met', 'not_met', 'not_applicable')", name="state"),
        Index("ix_indicator_observations_household_code", "household_id", "code", "observed_on"),
        # The monthly monitoring looks for items not met in a month.
        Index("ix_indicator_observations_state_observed_on", "state", "observed_on"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    source_version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="RESTRICT"), index=True
    )
    observed_on: Mapped[date | None]
    code: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)


class AssistanceMeasure(Base):
    """A measure taken or arranged (产业, 就业, 综合保障, 扶志扶智, 其他)."""

    __tablename__ = "assistance_measures"

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    source_version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="RESTRICT"), index=True
    )
    recorded_on: Mapped[date | None]
    family: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(30))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)


class MajorEvent(Base):
    """A major event (重大变故): illness, injury, death of the supporter, disaster…"""

    __tablename__ = "major_events"
    __table_args__ = (CheckConstraint("status IN ('open', 'handling', 'closed')", name="status"),)

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    source_version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="RESTRICT"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[date | None]
    estimated_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(10), default="open")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # description, needs, reporter…
    reported_at: Mapped[created_at]
