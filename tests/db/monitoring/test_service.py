"""The month computed from the database, on crafted histories (both engines)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from server.access.viewer import WEB, Viewer
from server.monitoring.cases import advance_event, open_warning_cases, record_step
from server.monitoring.household import household_detail, list_cases
from server.monitoring.models import WarningCase
from server.monitoring.service import monthly_overview
from server.monitoring.signals import visit_signals
from server.monitoring.trend import trend
from tests.db.monitoring.factories import household, make_event, make_helper, make_visit

OCTOBER = date(2026, 10, 1)
TODAY = date(2026, 10, 31)
COUNTY, TOWN, LIANGBA = "440233", "440233100", "440233100201"


def test_the_month_for_the_county_the_town_and_the_village(session, county):
    zhang = household(session, "H440233100201-0001")
    li = household(session, "H440233100201-0002")
    wang = household(session, "H440233100200-0001")
    make_helper(session, zhang, "刘帮扶")
    for day in (3, 20):
        make_visit(session, li, date(2026, 10, day))
    make_visit(session, zhang, date(2026, 10, 5))  # visited once
    make_visit(session, wang, date(2026, 10, 6))
    make_visit(session, wang, date(2026, 10, 9), mode="phone")  # does not count
    county_view = monthly_overview(session, month=OCTOBER, prefix=COUNTY, today=TODAY)
    (town,) = county_view.rows
    assert (town.code, town.name) == ("440233100000", "黄磜镇")
    assert (town.households, town.visits_done, town.visits_required, town.below) == (3, 4, 6, 2)
    village = monthly_overview(session, month=OCTOBER, prefix=LIANGBA, today=TODAY)
    assert [(r.name, r.visits_done, r.below) for r in village.rows] == [
        ("张三", 1, 1),
        ("李四", 2, 0),
    ]
    (short,) = village.shortfalls
    assert short.helpers == ("刘帮扶",)


def test_a_regression_income_and_an_overdue_event_become_warnings_and_cases(session, county):
    zhang = household(session, "H440233100201-0001")
    zhang.per_capita_net_income = Decimal("5200")
    li = household(session, "H440233100201-0002")
    make_visit(session, li, date(2026, 9, 10), indicators={"food": "met"})
    make_visit(session, li, date(2026, 10, 2), indicators={"food": "not_met"})
    make_visit(session, li, date(2026, 10, 22), indicators={"food": "not_met"})
    make_event(
        session, household(session, "H440233100200-0001"), datetime(2026, 10, 20, 8, tzinfo=UTC)
    )
    view = monthly_overview(session, month=OCTOBER, prefix=COUNTY, today=TODAY)
    reasons = {
        view.households[w.household_id].head_name: sorted(r.code for r in w.reasons)
        for w in view.warnings
    }
    assert reasons == {
        "张三": ["income_below", "visits_below"],
        "李四": ["indicator_regressed"],
        "王五": ["event_overdue", "visits_below"],
    }
    assert view.total.overdue_events == 1

    report = open_warning_cases(session, month=OCTOBER, prefix=COUNTY, today=TODAY)
    again = open_warning_cases(session, month=OCTOBER, prefix=COUNTY, today=TODAY)
    assert (report.opened, again.opened) == (3, 0)
    case = session.query(WarningCase).filter_by(household_id=li.id).one()
    assert case.check_due_on == date(2026, 11, 2)
    record_step(
        session, case, step="check", text="入户核实：米缸见底", decision=None, by="sam", today=TODAY
    )
    record_step(
        session,
        case,
        step="close",
        text="已落实临时救助，风险消除",
        decision=None,
        by="sam",
        today=TODAY,
    )
    assert (case.status, case.checked_on) == ("closed", TODAY)


def test_a_town_sees_its_own_cases_only(session, county):
    make_event(session, household(session, "H440233100201-0001"), datetime(2026, 10, 1, tzinfo=UTC))
    open_warning_cases(session, month=OCTOBER, prefix=COUNTY, today=TODAY)
    assert len(list_cases(session, prefix=TOWN)) == 3
    assert len(list_cases(session, prefix="440233101")) == 0
    found = list_cases(session, prefix=LIANGBA)
    assert sorted((c.head_name, c.status) for c in found) == [("张三", "open"), ("李四", "open")]
    (zhang,) = [c for c in found if c.head_name == "张三"]
    assert zhang.household_code == "H440233100201-0001"
    assert sorted(r.code for r in zhang.reasons) == ["event_overdue", "visits_below"]


def test_a_household_is_told_in_plain_facts_of_the_sections_its_viewer_sees(session, county):
    zhang = household(session, "H440233100201-0001")
    zhang.per_capita_net_income = Decimal("5200")
    make_visit(
        session,
        zhang,
        date(2026, 10, 5),
        indicators={"food": "not_met", "housing": "not_met", "education": "met"},
        difficulties="想要危房改造",
    )
    make_visit(session, zhang, date(2025, 9, 5))  # more than 12 months before
    open_warning_cases(session, month=OCTOBER, prefix=COUNTY, today=TODAY)
    admin = Viewer(WEB, "county_admin")
    detail = household_detail(session, admin, code=zhang.code, month=OCTOBER, today=TODAY)
    assert detail is not None
    assert (detail.household.head_name, detail.village_name) == ("张三", "梁坝村")
    assert detail.income == Decimal("5200")
    (visit,) = detail.visits
    assert (visit.visited_on, visit.mode, visit.difficulties) == (
        date(2026, 10, 5),
        "in_home",
        "想要危房改造",
    )
    assert sorted(visit.not_met) == ["food", "housing"]
    (case,) = detail.cases
    assert sorted(r.code for r in case.reasons) == ["income_below", "visits_below"]

    housing = Viewer(WEB, "department_viewer", department="housing")
    seen = household_detail(session, housing, code=zhang.code, month=OCTOBER, today=TODAY)
    assert seen is not None
    assert seen.income is None and seen.flags == ()  # no income, no visits section
    (visit,) = seen.visits
    assert (visit.not_met, visit.visitor_name, visit.mode, visit.difficulties) == (
        ("housing",),  # its own indicators only
        None,
        None,
        None,
    )
    education = Viewer(WEB, "department_viewer", department="education")
    assert household_detail(session, education, code=zhang.code, month=OCTOBER, today=TODAY) is None
    elsewhere = Viewer(WEB, "village_committee", "440233100200")
    assert household_detail(session, elsewhere, code=zhang.code, month=OCTOBER, today=TODAY) is None


def test_a_major_event_goes_open_handling_closed_with_the_measure(session, county, freeze_clock):
    event = make_event(
        session, household(session, "H440233100201-0001"), datetime(2026, 10, 1, tzinfo=UTC)
    )
    freeze_clock(datetime(2026, 10, 2, tzinfo=UTC))
    advance_event(session, event.id, prefix=TOWN, measure="", by="sam")
    assert event.status == "handling"
    advance_event(session, event.id, prefix=TOWN, measure="申请医疗救助 8000 元", by="sam")
    assert event.status == "closed"
    assert event.details["handling_log"][-1] == {
        "status": "closed",
        "at": "2026-10-02T00:00:00+00:00",
        "by": "sam",
        "measure": "申请医疗救助 8000 元",
    }


def test_fabricated_looking_visits_are_flagged(session, county):
    zhang = household(session, "H440233100201-0001")
    zhang.latitude, zhang.longitude = 24.05, 114.20
    li = household(session, "H440233100201-0002")
    same = "家中生活正常，暂无新增困难，继续落实帮扶措施"
    make_visit(
        session,
        zhang,
        date(2026, 10, 5),
        device_id="collect:x",
        minutes=(0, 2),
        location=(24.2, 114.2),
        difficulties=same,
        photo=b"jpeg-1",
    )
    make_visit(
        session,
        li,
        date(2026, 10, 5),
        device_id="collect:x",
        minutes=(4, 20),
        difficulties=same,
        photo=b"jpeg-1",
    )
    make_visit(session, li, date(2026, 10, 20), device_id="collect:y", minutes=(0, 30))
    flags = {
        (f.household_id, f.code) for f in visit_signals(session, month=OCTOBER, prefix=LIANGBA)
    }
    assert flags == {
        (zhang.id, "gps_far"),
        (zhang.id, "too_short"),
        (zhang.id, "same_text"),
        (li.id, "same_text"),
        (zhang.id, "same_photo"),
        (li.id, "same_photo"),
    }


def test_the_last_twelve_months(session, county):
    li = household(session, "H440233100201-0002")
    make_visit(session, li, date(2026, 10, 3))
    make_visit(session, li, date(2026, 9, 3))
    make_visit(session, li, date(2026, 9, 4), mode="phone")
    found = trend(session, month=OCTOBER, prefix=COUNTY)
    assert found.labels[-2:] == ["26/09", "26/10"]
    assert found.visits_done[-2:] == [1, 1]


def test_a_visit_meeting_a_member_working_away_is_flagged(session, county):
    from server.registry.models import Membership, Person
    from tests.db.monitoring.factories import make_version

    zhang = household(session, "H440233100201-0001")
    person = Person(name="张外出")
    session.add(person)
    session.flush()
    session.add(
        Membership(
            household_id=zhang.id,
            person_id=person.id,
            position=1,
            details={"work_status": "outside_province"},
            source_version_id=make_version(session),
        )
    )
    visit = make_visit(session, zhang, date(2026, 10, 5))
    visit.met_person, visit.met_name = "family_member", "张外出（儿子）"
    session.flush()
    flags = visit_signals(session, month=OCTOBER, prefix=LIANGBA)
    assert [(f.code, f.detail) for f in flags] == [("absent_member", "张外出 away")]


def test_inclusions_and_risk_eliminations_are_counted_in_the_month_the_county_confirmed_them(
    session, county
):
    """The tile and the 12-month chart count new inclusions by one rule: the household entered
    `monitored` (a county confirmation) in the month, Beijing time."""
    from datetime import timedelta

    from server.core.clock import CHINA
    from server.registry.status import enter_status

    zhang = household(session, "H440233100201-0001")
    li = household(session, "H440233100201-0002")
    household(session, "H440233100200-0001")  # 王五: still pending review
    october_first = datetime(2026, 10, 1, tzinfo=CHINA)
    enter_status(session, zhang, "monitored", since=october_first + timedelta(hours=1))
    enter_status(session, li, "monitored", since=october_first - timedelta(hours=1))  # September
    enter_status(session, li, "risk_eliminated", since=october_first + timedelta(days=20))
    session.flush()

    (town,) = monthly_overview(session, month=OCTOBER, prefix=COUNTY, today=TODAY).rows
    assert (town.new, town.eliminated) == (1, 1)
    village = monthly_overview(session, month=OCTOBER, prefix=LIANGBA, today=TODAY)
    assert [(r.name, r.new, r.eliminated) for r in village.rows] == [
        ("张三", 1, 0),
        ("李四", 0, 1),
    ]
    chart = trend(session, month=OCTOBER, prefix=COUNTY)
    assert chart.labels[-2:] == ["26/09", "26/10"]
    assert chart.new[-2:] == [1, town.new]


def test_a_past_month_is_computed_from_the_statuses_of_that_month(session, county):
    """李四 was under monitoring in August and left it in September: August still owes its
    visits, October does not; a household registered in November is not in October at all."""
    from server.core.clock import CHINA
    from server.registry.status import enter_status
    from tests.fixtures import make_household

    li = household(session, "H440233100201-0002")
    enter_status(session, li, "monitored", since=datetime(2026, 7, 1, tzinfo=CHINA))
    enter_status(session, li, "risk_eliminated", since=datetime(2026, 9, 10, tzinfo=CHINA))
    make_household(
        session,
        code="H440233100201-0009",
        head_name="新户",
        created_at=datetime(2026, 11, 2, tzinfo=CHINA),
    )
    session.flush()

    august = monthly_overview(session, month=date(2026, 8, 1), prefix=LIANGBA, today=TODAY)
    october = monthly_overview(session, month=OCTOBER, prefix=LIANGBA, today=TODAY)
    assert {r.name: r.visits_required for r in august.rows} == {"张三": 2, "李四": 2}
    assert {r.name: r.visits_required for r in october.rows} == {"张三": 2, "李四": 0}
    assert li.id not in {s.household_id for s in october.shortfalls}
    assert li.id in {s.household_id for s in august.shortfalls}
    chart = trend(session, month=date(2026, 11, 1), prefix=LIANGBA, months=4)
    assert chart.labels == ["26/08", "26/09", "26/10", "26/11"]
    # 2 households owe 2 visits in August, then only 张三 (pending review), then 张三 and 新户.
    assert chart.visits_required == [4, 2, 2, 4]
