"""Apply a normalised submission to the registry. Never commits.

Each registry row records the submission version it came from. Applying an edit first removes
what the edited version produced, so the registry always reflects the current versions only.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from server.areas.service import village_titles
from server.core import clock
from server.core.errors import DomainError
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
from server.registry.queries import find_household
from server.registry.records import (
    Event,
    EventReport,
    Identification,
    Indicator,
    Issue,
    NormalizedSubmission,
)
from server.registry.records import Visit as VisitRecord
from server.registry.resident_id import check_resident_id
from server.registry.status import enter_status


class HouseholdNotFound(DomainError):
    status = 422
    code = "registry.household_not_found"


class OutsideSenderArea(DomainError):
    """The household a submission writes to is not in its sender's area (the area may have
    changed since the phone sent it, or the household was moved)."""

    status = 403
    code = "registry.outside_sender_area"


class RegisteredInAnotherVillage(DomainError):
    """An identification names a person or head already registered in a household of another
    village. A form never moves a household or changes one in another village: the submission
    waits for the county (or the town, within its town) to move the household or reject it."""

    status = 409
    code = "registry.registered_in_another_village"


PRODUCED_ROWS = (
    MajorEvent,
    AssistanceMeasure,
    IndicatorObservation,
    Visit,
    HelperAssignment,
    Membership,
)


def undo_version(session: Session, version_id: int) -> None:
    """Remove every registry row the version produced (before applying its edit)."""
    for model in PRODUCED_ROWS:
        session.execute(delete(model).where(model.source_version_id == version_id))


def apply_submission(
    session: Session,
    normalized: NormalizedSubmission,
    *,
    version_id: int,
    replaces_version_id: int | None,
    received_on: date,
    sender_villages: frozenset[str],
) -> list[Issue]:
    """Write the submission's facts; returns issues found against the registry (duplicates).

    A phone writes only inside its own area (`sender_villages`, the villages its app user may
    work in): the same rule that decided what it could download and submit. Anything else
    raises, and the submission is kept for review."""
    if replaces_version_id is not None:
        undo_version(session, replaces_version_id)
    if normalized.identification is not None:
        return _identify(
            session,
            normalized.identification,
            version_id,
            replaces_version_id,
            received_on,
            sender_villages,
        )
    if normalized.visit is not None:
        _record_visit(session, normalized.visit, version_id, sender_villages)
    elif normalized.event_report is not None:
        _record_event_report(session, normalized.event_report, version_id, sender_villages)
    return []


def _require_in_area(village_code: str, sender_villages: frozenset[str], what: str) -> None:
    if village_code not in sender_villages:
        raise OutsideSenderArea(
            f"{what}所在的村 {village_code} 不在发送者负责的范围内 / the village {village_code} "
            "is outside the area of the app user who sent this"
        )


def _identify(
    session: Session,
    record: Identification,
    version_id: int,
    replaces: int | None,
    received_on: date,
    sender_villages: frozenset[str],
) -> list[Issue]:
    _require_in_area(record.village_code, sender_villages, "本户")
    household = _household_for(session, record, replaces)
    if household is not None and household.village_code != record.village_code:
        raise _registered_elsewhere(session, household, record, received_on.year)
    _check_members_elsewhere(session, record, household, sender_villages, received_on.year)
    if household is None:
        household = Household(
            code=_next_code(session, record.village_code), village_code=record.village_code
        )
        session.add(household)
        enter_status(session, household, "pending_review")
    household.village_code = record.village_code
    household.head_name = record.head_name
    household.head_id_number = record.head_id_number
    household.head_phone = record.phone
    household.household_type = record.household_type
    household.household_type_other = record.household_type_other
    household.household_kind = record.household_kind
    household.natural_village = record.natural_village
    household.address = record.address
    household.latitude = record.location.latitude if record.location else None
    household.longitude = record.location.longitude if record.location else None
    household.identified_on = record.identified_on
    household.risk_causes = list(record.risk_causes)
    household.main_risk = record.main_risk
    household.risk_description = record.risk_description
    household.income = {
        k: (str(v) if v is not None else None) for k, v in asdict(record.income).items()
    }
    household.per_capita_net_income = record.income.per_capita_net
    household.member_count = max(len(record.members), 1)
    household.source_version_id = version_id
    household.files = {"house_photo": record.house_photo, "head_signature": record.head_signature}
    session.flush()
    issues = _replace_members(session, household, record, version_id)
    _update_helpers(session, household, record, version_id, record.identified_on or received_on)
    _observe(
        session,
        household.id,
        None,
        record.indicators,
        version_id,
        record.identified_on or received_on,
    )
    return issues


def _household_for(
    session: Session, record: Identification, replaces: int | None
) -> Household | None:
    if replaces is not None:
        edited = session.scalars(
            select(Household).where(Household.source_version_id == replaces)
        ).first()
        if edited is not None:
            return edited
    if record.head_id_number and check_resident_id(record.head_id_number).ok:
        return session.scalars(
            select(Household).where(Household.head_id_number == record.head_id_number)
        ).first()
    return None


def _check_members_elsewhere(
    session: Session,
    record: Identification,
    household: Household | None,
    sender_villages: frozenset[str],
    year: int,
) -> None:
    """A member already living in a household outside the sender's area stops the submission:
    writing it would change that household's person (name, sex, birth date) from a phone that
    may not touch it. Inside the area a double registration is only a review issue."""
    ids = [
        member.id_number
        for member in record.members
        if member.id_number and check_resident_id(member.id_number).ok
    ]
    if not ids:
        return
    query = (
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Person.id_number.in_(ids),
            Membership.ended_at.is_(None),
            Household.village_code.not_in(sorted(sender_villages)),
        )
    )
    if household is not None:
        query = query.where(Household.id != household.id)
    elsewhere = session.scalars(query.order_by(Household.id)).first()
    if elsewhere is not None:
        raise _registered_elsewhere(session, elsewhere, record, year)


def _registered_elsewhere(
    session: Session, existing: Household, record: Identification, year: int
) -> RegisteredInAnotherVillage:
    """Names both households by code and village only: the reason is shown to the sender's
    village too, which may not see the other household's people."""
    titles = village_titles(session, {existing.village_code, record.village_code}, year=year)
    there, here = titles[existing.village_code], titles[record.village_code]
    return RegisteredInAnotherVillage(
        f"此身份证号已登记在其他村的农户中：{existing.code}（{there}）；本表填写的是{here}。"
        "表单不会迁移或修改其他村的农户：如该户确已迁入，请县（或本镇）在农户页面办理迁移后重新处理"
        f"本提交 / this ID number is already registered in household {existing.code} of "
        f"another village ({existing.village_code}); this form is for {record.village_code}. "
        "A form never moves or changes a household of another village: if the household has "
        "moved, the county (or the town, within its town) moves it on its page, then this "
        "submission is processed again"
    )


def _next_code(session: Session, village_code: str) -> str:
    prefix = f"H{village_code}-"
    taken = session.scalar(select(func.count()).where(Household.code.startswith(prefix)))
    number = (taken or 0) + 1
    while session.scalar(select(Household.id).where(Household.code == f"{prefix}{number:04d}")):
        number += 1
    return f"{prefix}{number:04d}"


def _replace_members(
    session: Session, household: Household, record: Identification, version_id: int
) -> list[Issue]:
    session.execute(
        update(Membership)
        .where(Membership.household_id == household.id, Membership.ended_at.is_(None))
        .values(ended_at=clock.now())
    )
    issues: list[Issue] = []
    for position, member in enumerate(record.members):
        person = _person(session, member.id_number, member.name, member.sex, member.birth_date)
        elsewhere = session.scalars(
            select(Membership).where(
                Membership.person_id == person.id,
                Membership.ended_at.is_(None),
                Membership.household_id != household.id,
            )
        ).first()
        if elsewhere is not None:
            issues.append(
                Issue(
                    "duplicate_person",
                    f"{member.name}（{member.id_number}）同时登记在另一户 / is also registered in "
                    f"another household",
                    f"members[{position + 1}]/member_id",
                )
            )
        details = {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in asdict(member).items()
            if k not in {"name", "id_number", "relation", "sex", "birth_date"}
        }
        session.add(
            Membership(
                household_id=household.id,
                person_id=person.id,
                position=position,
                relation=member.relation,
                details=details,
                source_version_id=version_id,
            )
        )
    return issues


def _person(
    session: Session, id_number: str | None, name: str, sex: str | None, birth_date: date | None
) -> Person:
    valid = bool(id_number) and check_resident_id(id_number or "").ok
    person = None
    if valid:
        person = session.scalars(select(Person).where(Person.id_number == id_number)).first()
    if person is None:
        person = Person(
            id_number=id_number if valid else None, name=name, sex=sex, birth_date=birth_date
        )
        session.add(person)
    else:
        person.name, person.sex, person.birth_date = (
            name,
            sex or person.sex,
            birth_date or person.birth_date,
        )
    session.flush()
    return person


def _update_helpers(
    session: Session,
    household: Household,
    record: Identification,
    version_id: int,
    today: date,
) -> None:
    current = {
        h.role: h
        for h in session.scalars(
            select(HelperAssignment).where(
                HelperAssignment.household_id == household.id, HelperAssignment.ended_on.is_(None)
            )
        )
    }
    for helper in record.helpers:
        existing = current.pop(helper.role, None)
        if existing is not None and (existing.name, existing.phone) == (helper.name, helper.phone):
            existing.unit = helper.unit
            continue
        if existing is not None:
            existing.ended_on = today
        session.add(
            HelperAssignment(
                household_id=household.id,
                role=helper.role,
                name=helper.name,
                phone=helper.phone,
                unit=helper.unit,
                started_on=today,
                source_version_id=version_id,
            )
        )
    for left in current.values():
        left.ended_on = today


def _observe(
    session: Session,
    household_id: int,
    visit_id: int | None,
    indicators: tuple[Indicator, ...],
    version_id: int,
    on: date | None,
) -> None:
    if not indicators:
        return
    # One executemany instead of an ORM object per row: a visit records ~20 observations.
    session.execute(
        insert(IndicatorObservation),
        [
            {
                "household_id": household_id,
                "visit_id": visit_id,
                "source_version_id": version_id,
                "observed_on": on,
                "code": indicator.code,
                "state": indicator.state,
                "detail": indicator.detail,
            }
            for indicator in indicators
        ],
    )


def _household(session: Session, code: str, sender_villages: frozenset[str]) -> Household:
    household = find_household(session, code)
    if household is None:
        raise HouseholdNotFound(
            f"登记册中没有农户 {code} / household {code} is not in the registry"
        )
    _require_in_area(household.village_code, sender_villages, f"农户 {code} ")
    return household


def _record_visit(
    session: Session, record: VisitRecord, version_id: int, sender_villages: frozenset[str]
) -> None:
    household = _household(session, record.household_code, sender_villages)
    visit = Visit(
        household_id=household.id,
        source_version_id=version_id,
        visited_on=record.visited_on,
        visitor_name=record.visitor_name,
        visitor_role=record.visitor_role,
        visitor_phone=record.visitor_phone,
        mode=record.mode,
        met_person=record.met_person,
        met_name=record.met_name,
        change_categories=list(record.change_categories),
        change_detail=record.change_detail,
        risk_trend=record.risk_trend,
        new_risks=list(record.new_risks),
        difficulties=record.difficulties,
        earlier_measures=record.earlier_measures,
        latitude=record.location.latitude if record.location else None,
        longitude=record.location.longitude if record.location else None,
        started_at=record.started_at,
        ended_at=record.ended_at,
        files={
            "photos": list(record.photos),
            "member_signature": record.member_signature,
            "visitor_signature": record.visitor_signature,
        },
    )
    session.add(visit)
    session.flush()
    _observe(session, household.id, visit.id, record.indicators, version_id, record.visited_on)
    if record.measures:
        session.execute(
            insert(AssistanceMeasure),
            [
                {
                    "household_id": household.id,
                    "visit_id": visit.id,
                    "source_version_id": version_id,
                    "recorded_on": record.visited_on,
                    "family": measure.family,
                    "detail": measure.detail,
                    "status": measure.status,
                    "amount": measure.amount,
                }
                for measure in record.measures
            ],
        )
    if record.event is not None:
        _add_event(session, household.id, visit.id, record.event, version_id)
    _refresh_last_visit(session, household)


def _record_event_report(
    session: Session, record: EventReport, version_id: int, sender_villages: frozenset[str]
) -> None:
    household = _household(session, record.household_code, sender_villages)
    event = _add_event(session, household.id, None, record.event, version_id)
    event.details = {**event.details, "photo": record.photo}


def _add_event(
    session: Session, household_id: int, visit_id: int | None, event: Event, version_id: int
) -> MajorEvent:
    details: dict[str, Any] = {
        k: (list(v) if isinstance(v, tuple) else v)
        for k, v in asdict(event).items()
        if k not in {"event_type", "occurred_on", "estimated_cost"}
    }
    details = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in details.items()}
    row = MajorEvent(
        household_id=household_id,
        visit_id=visit_id,
        source_version_id=version_id,
        event_type=event.event_type,
        occurred_on=event.occurred_on,
        estimated_cost=event.estimated_cost,
        details=details,
    )
    session.add(row)
    session.flush()
    return row


def _refresh_last_visit(session: Session, household: Household) -> None:
    session.flush()
    household.last_visit_on = session.scalar(
        select(func.max(Visit.visited_on)).where(Visit.household_id == household.id)
    )
