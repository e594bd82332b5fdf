"""Applying normalised submissions to the registry (database level, both engines)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from server.forms.service import list_current_versions
from server.ingest.models import Submission, SubmissionVersion
from server.registry.apply import HouseholdNotFound, apply_submission
from server.registry.models import (
    AssistanceMeasure,
    HelperAssignment,
    Household,
    IndicatorObservation,
    MajorEvent,
    Membership,
    Visit,
)
from server.registry.records import (
    Event,
    EventReport,
    GeoPoint,
    Helper,
    Identification,
    Income,
    Indicator,
    Measure,
    Member,
    NormalizedSubmission,
)
from server.registry.records import Visit as VisitRecord

HEAD_ID = "440524188001010014"
SPOUSE_ID = "11010519491231002X"
TODAY = date(2026, 11, 20)


def version(session, instance_id: str) -> int:  # type: ignore[no-untyped-def]
    form_version = list_current_versions(session)[0]
    submission = Submission(form_id=form_version.form_id)
    row = SubmissionVersion(
        submission=submission,
        form_id=form_version.form_id,
        form_version_id=form_version.id,
        instance_id=instance_id,
        xml=b"<data/>",
        xml_sha256="0" * 64,
    )
    session.add(row)
    session.flush()
    return row.id


def identification(**overrides) -> Identification:  # type: ignore[no-untyped-def]
    values = dict(
        village_code="440233100201",
        natural_village="上坝组",
        address="梁坝村上坝组 8 号",
        location=GeoPoint(24.05, 114.2),
        household_type="marginal_at_risk",
        household_type_other=None,
        household_kind="ordinary",
        identified_on=TODAY,
        head_name="赵大",
        head_id_number=HEAD_ID,
        phone="13800001111",
        members=(
            Member("赵大", HEAD_ID, "01", "male", date(1880, 1, 1)),
            Member("钱二", SPOUSE_ID, "10", "female", date(1949, 12, 31)),
        ),
        income=Income(wages=Decimal("10000"), per_capita_net=Decimal("5000.00")),
        risk_causes=("illness",),
        main_risk="illness",
        risk_description=None,
        indicators=(Indicator("food", "met"), Indicator("housing", "not_met", "漏雨")),
        helpers=(
            Helper("party_secretary", "孙书记", "13900000001"),
            Helper("contact", "李联系", "13900000002", "县农业局"),
        ),
        house_photo="house.jpg",
        head_signature="sign.png",
    )
    return Identification(**(values | overrides))


def visit_record(**overrides) -> VisitRecord:  # type: ignore[no-untyped-def]
    values = dict(
        household_code="H440233100201-0001",
        visited_on=TODAY,
        visitor_name="李联系",
        visitor_role="contact",
        visitor_phone=None,
        mode="in_home",
        met_person="head",
        met_name=None,
        indicators=(Indicator("food", "not_met", "缺粮"),),
        change_categories=("health",),
        change_detail="住院",
        risk_trend="worse",
        new_risks=("illness",),
        difficulties="医药费",
        measures=(
            Measure("social_protection", "申请临时救助", "done", Decimal("2000")),
            Measure("employment", "公益岗位", "planned"),
        ),
        earlier_measures=None,
        event=None,
        location=None,
        started_at=None,
        ended_at=None,
    )
    return VisitRecord(**(values | overrides))


# The villages of the town 黄磜镇: a town cadre's area (tests/fixtures.py `county`).
HUANGQI_VILLAGES = frozenset({"440233100001", *(f"4402331002{n:02d}" for n in range(5))})


def apply(session, record, version_id, replaces=None, sender_villages=HUANGQI_VILLAGES):  # type: ignore[no-untyped-def]
    field = {Identification: "identification", VisitRecord: "visit", EventReport: "event_report"}[
        type(record)
    ]
    return apply_submission(
        session,
        NormalizedSubmission(**{field: record}),
        version_id=version_id,
        replaces_version_id=replaces,
        received_on=TODAY,
        sender_villages=sender_villages,
    )


def rows(session, model, **where):  # type: ignore[no-untyped-def]
    query = select(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return list(session.scalars(query))


def test_an_identification_creates_a_household_pending_review(session, county):
    v1 = version(session, "uuid:id-1")
    assert apply(session, identification(), v1) == []
    (household,) = rows(session, Household, source_version_id=v1)
    assert household.status == "pending_review"
    assert household.code == "H440233100201-0003"  # two demo households exist in 梁坝村
    assert household.per_capita_net_income == Decimal("5000.00")
    # the identification's files, kept for its archive print
    assert household.files == {"house_photo": "house.jpg", "head_signature": "sign.png"}
    members = rows(session, Membership, household_id=household.id)
    assert [(m.position, m.relation, m.person.id_number) for m in members] == [
        (0, "01", HEAD_ID),
        (1, "10", SPOUSE_ID),
    ]
    assert {h.role for h in rows(session, HelperAssignment, household_id=household.id)} == {
        "party_secretary",
        "contact",
    }
    states = {
        o.code: o.state for o in rows(session, IndicatorObservation, household_id=household.id)
    }
    assert states == {"food": "met", "housing": "not_met"}


def test_an_edit_replaces_what_the_edited_version_produced(session, county):
    v1 = version(session, "uuid:id-1")
    apply(session, identification(), v1)
    v2 = version(session, "uuid:id-2")
    edited = identification(
        members=identification().members[:1], head_name="赵大明", house_photo=None
    )
    apply(session, edited, v2, replaces=v1)
    (household,) = rows(session, Household, head_id_number=HEAD_ID)
    assert household.head_name == "赵大明"
    assert household.source_version_id == v2
    assert household.files == {"house_photo": None, "head_signature": "sign.png"}
    assert rows(session, Membership, source_version_id=v1) == []
    assert len(rows(session, Membership, household_id=household.id)) == 1
    assert rows(session, IndicatorObservation, source_version_id=v1) == []


def test_a_new_identification_of_the_same_head_keeps_the_history(session, county):
    apply(session, identification(), version(session, "uuid:a"))
    changed_helper = (Helper("party_secretary", "新书记", "13900000009"),)
    apply(session, identification(helpers=changed_helper), version(session, "uuid:b"))
    (household,) = rows(session, Household, head_id_number=HEAD_ID)
    memberships = rows(session, Membership, household_id=household.id)
    assert sum(m.ended_at is None for m in memberships) == 2
    assert sum(m.ended_at is not None for m in memberships) == 2
    helpers = {
        (h.role, h.name, h.ended_on is None)
        for h in rows(session, HelperAssignment, household_id=household.id)
    }
    assert helpers == {
        ("party_secretary", "孙书记", False),
        ("contact", "李联系", False),
        ("party_secretary", "新书记", True),
    }


def test_the_same_person_in_two_households_is_flagged(session, county):
    apply(session, identification(), version(session, "uuid:a"))
    other = identification(
        head_id_number="110105194912310029",
        head_name="周某",
        members=(
            Member("周某", None, "01", None, None),
            Member("钱二", SPOUSE_ID, "10", "female", None),
        ),
    )
    issues = apply(session, other, version(session, "uuid:b"))
    assert [i.code for i in issues] == ["duplicate_person"]
    assert issues[0].path == "members[2]/member_id"


def test_a_visit_attaches_to_its_household_with_indicators_and_measures(session, county):
    v = version(session, "uuid:visit")
    event = Event("serious_illness", date(2026, 11, 18), "脑梗住院", Decimal("30000"))
    apply(session, visit_record(event=event), v)
    household = rows(session, Household, code="H440233100201-0001")[0]
    (visit,) = rows(session, Visit, household_id=household.id)
    assert household.last_visit_on == TODAY
    assert [o.code for o in rows(session, IndicatorObservation, visit_id=visit.id)] == ["food"]
    assert {m.family for m in rows(session, AssistanceMeasure, visit_id=visit.id)} == {
        "social_protection",
        "employment",
    }
    (major,) = rows(session, MajorEvent, household_id=household.id)
    assert (major.event_type, major.status, major.visit_id) == ("serious_illness", "open", visit.id)


def test_editing_a_visit_replaces_it(session, county):
    v1 = version(session, "uuid:v1")
    apply(session, visit_record(), v1)
    v2 = version(session, "uuid:v2")
    apply(session, visit_record(visited_on=date(2026, 11, 21), measures=()), v2, replaces=v1)
    household = rows(session, Household, code="H440233100201-0001")[0]
    (visit,) = rows(session, Visit, household_id=household.id)
    assert visit.source_version_id == v2
    assert rows(session, AssistanceMeasure, household_id=household.id) == []
    assert household.last_visit_on == date(2026, 11, 21)


def test_a_visit_to_an_unknown_household_is_refused(session, county):
    with pytest.raises(HouseholdNotFound, match="H440233100201-9999"):
        apply(
            session, visit_record(household_code="H440233100201-9999"), version(session, "uuid:x")
        )


def test_an_event_report_opens_a_major_event(session, county):
    report = EventReport(
        "H440233100201-0002", Event("supporter_death", date(2026, 11, 1), reporter_name="村干部")
    )
    apply(session, report, version(session, "uuid:e"))
    (major,) = rows(session, MajorEvent)
    assert major.details["reporter_name"] == "村干部"
    assert major.status == "open"
