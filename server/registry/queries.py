"""The registry's read API: which households a viewer may see, households by code, and what
the pages show of them.

Every household query outside this package goes through here, with the viewer: the area rule
is `access.sql.village_in_scope`, a department's duty (`access.policy.duty_reach`) narrows it
to the households the duty concerns. Out-of-reach households are simply not found (404),
exactly like missing ones, so household codes cannot be probed. What leaves for the pages is
plain facts (`registry.facts`), of the sections the viewer may see (`access.policy.sections`)
and its indicators (`access.policy.indicator_codes`); the pages mask and label them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session

from server.access.policy import DutyReach, duty_reach, indicator_codes, sections
from server.access.sql import village_in_scope
from server.access.viewer import Viewer
from server.registry.facts import (
    EventFacts,
    HelperFacts,
    HouseholdRecord,
    HouseholdSummary,
    IdentificationFiles,
    MeasureFacts,
    MemberFacts,
    ObservationFacts,
    VisitFacts,
)
from server.registry.models import (
    AssistanceMeasure,
    HelperAssignment,
    Household,
    IndicatorObservation,
    MajorEvent,
    Membership,
    Person,
    Visit,
)


def visible_households(viewer: Viewer, *, today: date) -> ColumnElement[bool]:
    """The condition 'this household is in the viewer's area and concerns its duty'."""
    in_area = village_in_scope(Household.village_code, viewer)
    duty = concerns_duty(viewer, today=today)
    return in_area if duty is None else and_(in_area, duty)


def concerns_duty(viewer: Viewer, *, today: date) -> ColumnElement[bool] | None:
    """The duty part alone, for queries that bound the area themselves; None when the area
    alone decides, so those queries keep their cheaper plan."""
    reach = duty_reach(viewer, today)
    return None if reach is None else _concerned(reach)


def _concerned(reach: DutyReach) -> ColumnElement[bool]:
    # IN (subquery) tests rather than joins: a household with many failures still appears
    # once, and the observations' (state, observed_on) index serves the first test.
    conditions = []
    if reach.indicator_codes:
        conditions.append(
            Household.id.in_(
                select(IndicatorObservation.household_id).where(
                    IndicatorObservation.state == "not_met",
                    IndicatorObservation.code.in_(sorted(reach.indicator_codes)),
                    IndicatorObservation.observed_on >= reach.since,
                )
            )
        )
    if reach.event_types:
        conditions.append(
            Household.id.in_(
                select(MajorEvent.household_id).where(
                    MajorEvent.event_type.in_(sorted(reach.event_types)),
                    or_(
                        MajorEvent.occurred_on >= reach.since,
                        # A report without the event's date counts from when it was reported.
                        MajorEvent.occurred_on.is_(None)
                        & (MajorEvent.reported_at >= datetime.combine(reach.since, time(), UTC)),
                    ),
                )
            )
        )
    return or_(*conditions) if conditions else false()


def find_household(session: Session, code: str) -> Household | None:
    """Any household by its code, whoever asks: for the registry's own use-cases (intake, the
    worker) and the operator. People's pages use `get_visible_household`."""
    return session.scalars(select(Household).where(Household.code == code)).first()


def find_visible_household(
    session: Session, viewer: Viewer, code: str, *, today: date
) -> Household | None:
    """The household with this code if the viewer may see it, else None (like a missing one)."""
    query = select(Household).where(Household.code == code, visible_households(viewer, today=today))
    return session.scalars(query).first()


# --- households as the pages show them -----------------------------------------------------------

_SUMMARY = (
    Household.id,
    Household.code,
    Household.village_code,
    Household.head_name,
    Household.household_type,
    Household.status,
    Household.member_count,
    Household.archive_no,
    Household.latitude,
    Household.longitude,
)


def _summaries(session: Session, query: Select[Any]) -> list[HouseholdSummary]:
    return [HouseholdSummary(*row) for row in session.execute(query)]


def find_visible_summary(
    session: Session, viewer: Viewer, code: str, *, today: date
) -> HouseholdSummary | None:
    """The household with this code as lists show it, if the viewer may see it."""
    query = select(*_SUMMARY).where(Household.code == code, visible_households(viewer, today=today))
    found = _summaries(session, query)
    return found[0] if found else None


def list_visible_households(
    session: Session,
    viewer: Viewer,
    *,
    today: date,
    status: str | None = None,
    village: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[HouseholdSummary]:
    """One page of the households the viewer may see, in id order (keyset-paged on the id)."""
    query = select(*_SUMMARY).where(visible_households(viewer, today=today))
    if status:
        query = query.where(Household.status == status)
    if village:
        query = query.where(Household.village_code == village)
    if after_id:
        query = query.where(Household.id > after_id)
    return _summaries(session, query.order_by(Household.id).limit(limit))


def visible_summaries(
    session: Session,
    viewer: Viewer,
    *,
    today: date,
    ids: Collection[int] = (),
    codes: Collection[str] = (),
) -> list[HouseholdSummary]:
    """The households among `ids` and `codes` the viewer may see, in one query (a page of a
    list names at most a few dozen)."""
    wanted = [Household.id.in_(sorted(ids))] if ids else []
    wanted += [Household.code.in_(sorted(codes))] if codes else []
    if not wanted:
        return []
    return _summaries(
        session, select(*_SUMMARY).where(or_(*wanted), visible_households(viewer, today=today))
    )


def household_codes_of_type(household_type: str) -> Select[tuple[str]]:
    """The codes of the households of one type, as a subquery for filters (the review queue
    filters submissions by their household's type)."""
    return select(Household.code).where(Household.household_type == household_type)


def get_household_record(
    session: Session, viewer: Viewer, code: str, *, today: date
) -> HouseholdRecord | None:
    """A household with every section the viewer may see, if it may see the household."""
    query = select(
        *_SUMMARY, Household.head_phone, Household.source_version_id, Household.files
    ).where(Household.code == code, visible_households(viewer, today=today))
    row = session.execute(query).first()
    if row is None:
        return None
    seen = sections(viewer)
    hid = row.id
    return HouseholdRecord(
        household=HouseholdSummary(*row[: len(_SUMMARY)]),
        sections=seen,
        head_phone=row.head_phone if "ids" in seen else None,
        members=_members(session, hid, seen) if "members" in seen else (),
        helpers=_helpers(session, hid) if "helpers" in seen else (),
        observations=_observations(session, hid, indicator_codes(viewer))
        if "indicators" in seen
        else (),
        measures=_measures(session, hid) if "measures" in seen else (),
        events=_events(session, hid) if "events" in seen else (),
        visits=_visits(session, hid) if "visits" in seen else (),
        identification_files=_identification_files(row.source_version_id, row.files)
        if "print" in seen
        else None,
    )


def _identification_files(version_id: int | None, files: dict) -> IdentificationFiles | None:
    if version_id is None:
        return None
    return IdentificationFiles(version_id, files.get("house_photo"), files.get("head_signature"))


def _members(session: Session, household_id: int, seen: frozenset[str]) -> tuple[MemberFacts, ...]:
    ids, health = "ids" in seen, "health" in seen
    rows = session.execute(
        select(Membership.relation, Membership.details, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.household_id == household_id, Membership.ended_at.is_(None))
        .order_by(Membership.position)
    )
    return tuple(
        MemberFacts(
            name=person.name,
            relation=relation,
            birth_date=person.birth_date,
            id_number=person.id_number if ids else None,
            health=tuple(details.get("health") or ()) if health else (),
            disability_grade=details.get("disability_grade") if health else None,
            schooling=details.get("schooling"),
            school_grade=details.get("school_grade"),
            education=details.get("education"),
            labour=details.get("labour"),
            work_status=details.get("work_status"),
            insurance=tuple(details.get("insurance") or ()),
            sex=person.sex,
            benefits=tuple(details.get("benefits") or ()),
        )
        for relation, details, person in rows
    )


def _helpers(session: Session, household_id: int) -> tuple[HelperFacts, ...]:
    h = HelperAssignment
    query = select(h.role, h.name, h.unit, h.phone, h.started_on, h.ended_on)
    rows = session.execute(query.where(h.household_id == household_id).order_by(h.id))
    return tuple(HelperFacts(*row) for row in rows)


def _observations(
    session: Session, household_id: int, codes: frozenset[str] | None
) -> tuple[ObservationFacts, ...]:
    o = IndicatorObservation
    query = select(o.code, o.observed_on, o.state, o.detail).where(o.household_id == household_id)
    if codes is not None:
        query = query.where(o.code.in_(sorted(codes)))
    rows = session.execute(query.order_by(o.observed_on, o.id))
    return tuple(ObservationFacts(*row) for row in rows)


def _measures(session: Session, household_id: int) -> tuple[MeasureFacts, ...]:
    m = AssistanceMeasure
    query = select(m.recorded_on, m.family, m.detail, m.status, m.amount)
    rows = session.execute(query.where(m.household_id == household_id).order_by(m.id))
    return tuple(MeasureFacts(*row) for row in rows)


def _events(session: Session, household_id: int) -> tuple[EventFacts, ...]:
    e = MajorEvent
    query = select(e.id, e.event_type, e.occurred_on, e.status, e.estimated_cost)
    rows = session.execute(query.where(e.household_id == household_id).order_by(e.id))
    return tuple(EventFacts(*row) for row in rows)


def _visits(session: Session, household_id: int) -> tuple[VisitFacts, ...]:
    v = Visit
    query = select(v.visited_on, v.visitor_name, v.mode, v.risk_trend, v.difficulties)
    query = query.where(v.household_id == household_id)
    rows = session.execute(query.order_by(v.visited_on.desc(), v.id.desc()))
    return tuple(VisitFacts(*row) for row in rows)


def household_code_from(session: Session, version_id: int) -> str | None:
    """The code of the household whose facts come from this identification (if any)."""
    return session.scalar(select(Household.code).where(Household.source_version_id == version_id))
