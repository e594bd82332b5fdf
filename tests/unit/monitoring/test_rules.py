"""The monitoring rules on crafted histories (pure, no database)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from server.monitoring.rules import (
    EventFacts,
    HouseholdFacts,
    Observation,
    StatusChange,
    VisitFacts,
    VisitTally,
    authenticity_flags,
    counted_per_household,
    early_warnings,
    entries_by_month,
    event_states,
    income_below,
    indicator_reasons,
    last_months,
    month_bounds,
    shortfalls_by,
    shortfalls_from_counts,
    status_counts_by_month,
    statuses_by_month,
    visit_tally,
)
from server.monitoring.settings import parse_settings
from tests.unit.monitoring.test_settings import TWO_PERIODS

SETTINGS = parse_settings(TWO_PERIODS)[0]  # 2024-01-01: phone visits do not count
PHONE_OK = parse_settings(TWO_PERIODS)[1]
MARCH = date(2024, 3, 1)
LIANGBA = "440233100201"


def household(id_: int, **kw) -> HouseholdFacts:
    values = {
        "code": f"H{id_}",
        "village_code": LIANGBA,
        "head_name": f"户主{id_}",
        "household_type": "marginal_at_risk",
        "status": "monitored",
    } | kw
    return HouseholdFacts(id=id_, **values)


def visit(id_: int, household_id: int, day: date, **kw) -> VisitFacts:
    return VisitFacts(id=id_, household_id=household_id, visited_on=day, **kw)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC)


def shortfalls(homes, visits, month, settings):  # type: ignore[no-untyped-def]
    """The month's shortfalls as the service finds them: visits of the month counted by mode."""
    first, last = month_bounds(month)
    rows = [(v.household_id, v.mode, 1) for v in visits if first <= v.visited_on <= last]
    return shortfalls_from_counts(homes, counted_per_household(rows, settings), settings)


# -- months --------------------------------------------------------------------------------------


def test_month_bounds_and_the_last_twelve_months():
    assert month_bounds(date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    months = last_months(date(2024, 3, 5), 12)
    assert months[0] == date(2023, 4, 1)
    assert months[-1] == date(2024, 3, 1)


# -- visit compliance ----------------------------------------------------------------------------


def test_a_household_visited_once_is_below_and_listed_per_village_and_helper():
    homes = [
        household(1, helpers=("刘帮扶",)),
        household(2, helpers=("刘帮扶",)),
        household(3, status="risk_eliminated"),
    ]
    visits = [
        visit(1, 1, date(2024, 3, 3)),
        visit(2, 2, date(2024, 3, 4)),
        visit(3, 2, date(2024, 3, 20)),
        visit(4, 1, date(2024, 2, 28)),
    ]
    (short,) = shortfalls(homes, visits, MARCH, SETTINGS)
    assert (short.household_id, short.done, short.required) == (1, 1, 2)
    assert list(shortfalls_by([short], "helper")) == ["刘帮扶"]
    assert list(shortfalls_by([short], "village")) == [LIANGBA]


def test_phone_visits_count_only_when_the_setting_says_so():
    homes = [household(1)]
    visits = [visit(1, 1, date(2024, 3, 3)), visit(2, 1, date(2024, 3, 9), mode="phone")]
    assert len(shortfalls(homes, visits, MARCH, SETTINGS)) == 1
    assert shortfalls(homes, visits, MARCH, PHONE_OK) == ()


def test_pending_households_are_checked_too():
    assert len(shortfalls([household(1, status="pending_review")], [], MARCH, SETTINGS)) == 1


def test_a_tally_counts_by_mode_and_owes_by_status():
    modes = [("in_home", 1), ("phone", 2), (None, 1)]
    assert visit_tally(modes, "monitored", SETTINGS) == VisitTally(2, 2)
    assert not visit_tally(modes, "monitored", SETTINGS).below
    assert visit_tally([("phone", 2)], "monitored", SETTINGS).below
    assert visit_tally([("phone", 2)], "monitored", PHONE_OK) == VisitTally(2, 2)
    # No duty once the risk is eliminated, or for a household that did not exist yet.
    assert visit_tally([], "risk_eliminated", SETTINGS) == VisitTally(0, 0)
    assert visit_tally([], None, SETTINGS) == VisitTally(0, 0)


# -- statuses over time --------------------------------------------------------------------------


def test_a_past_month_sees_the_statuses_of_that_month():
    """Periods: -1 before the first month asked for, then 0, 1, 2 (the database computes
    them, registry.status.status_changes)."""
    changes = [
        StatusChange(1, "pending_review", -1),
        StatusChange(1, "monitored", 1),
        StatusChange(1, "risk_eliminated", 1),
        StatusChange(2, "pending_review", 2),
    ]
    assert statuses_by_month(changes, 3) == [
        {1: "pending_review"},
        {1: "risk_eliminated"},  # the last change of the month
        {1: "risk_eliminated", 2: "pending_review"},  # 2 registered in the third month
    ]


def test_the_trend_counts_statuses_by_the_same_rule():
    changes = [
        StatusChange(1, "pending_review", -1),
        StatusChange(1, "monitored", 0),
        StatusChange(1, "risk_eliminated", 2),
        StatusChange(1, "monitored", 2),  # eliminated and re-included within one month
        StatusChange(2, "monitored", -1),
        StatusChange(2, "rejected", 1),
        StatusChange(3, "pending_review", 3),
    ]
    counts = status_counts_by_month(changes, 4)
    assert counts == [Counter(s.values()) for s in statuses_by_month(changes, 4)]
    assert counts[2] == Counter({"monitored": 1, "rejected": 1})


def test_entering_a_status_counts_once_and_a_re_inclusion_counts_again():
    changes = [
        StatusChange(1, "pending_review", -1),
        StatusChange(1, "monitored", 0),
        StatusChange(1, "monitored", 0),  # a re-statement is no new inclusion
        StatusChange(1, "risk_eliminated", 1),
        StatusChange(1, "monitored", 2),  # fell back: included again
        StatusChange(2, "monitored", -1),  # before the months asked for
        StatusChange(3, "monitored", 1),
    ]
    assert entries_by_month(changes, "monitored", 3) == [{1}, {3}, {1}]
    assert entries_by_month(changes, "risk_eliminated", 3) == [set(), {1}, set()]


# -- indicators ----------------------------------------------------------------------------------


def obs(visit_id: int, day: date, code: str, state: str, household_id: int = 1) -> Observation:
    return Observation(household_id, visit_id, day, code, state)


def test_met_then_not_met_since_the_previous_visit_is_a_regression():
    history = [
        obs(1, date(2024, 2, 20), "food", "met"),
        obs(2, date(2024, 3, 5), "food", "not_met"),
    ]
    assert [r.code for r in indicator_reasons(history, MARCH, SETTINGS)[1]] == [
        "indicator_regressed"
    ]


def test_a_regression_last_month_is_not_this_months():
    history = [
        obs(1, date(2024, 1, 20), "food", "met"),
        obs(2, date(2024, 2, 5), "food", "not_met"),
    ]
    assert indicator_reasons(history, MARCH, SETTINGS) == {}


def test_not_met_at_the_end_of_two_months_running():
    history = [
        obs(1, date(2024, 2, 10), "food", "not_met"),
        obs(2, date(2024, 3, 10), "food", "not_met"),
    ]
    reasons = indicator_reasons(history, MARCH, SETTINGS)[1]
    assert [(r.code, r.detail) for r in reasons] == [("indicator_not_met_twice", "food")]


def test_a_bayou_item_lost_after_all_eight_were_met():
    history = [
        obs(1, date(2024, 2, 10), "bayou:all", "met"),
        obs(2, date(2024, 3, 10), "bayou:all", "not_met"),
        obs(2, date(2024, 3, 10), "bayou:road", "not_met"),
    ]
    (reason,) = indicator_reasons(history, MARCH, SETTINGS)[1]
    assert reason.detail.startswith("bayou:road")


def test_an_unwatched_indicator_is_ignored():
    history = [
        obs(1, date(2024, 2, 20), "clothing", "met"),
        obs(2, date(2024, 3, 5), "clothing", "not_met"),
    ]
    assert indicator_reasons(history, MARCH, SETTINGS) == {}


# -- income and events ---------------------------------------------------------------------------


def test_income_below_the_years_threshold():
    homes = [
        household(1, per_capita_net_income=Decimal("8049.99")),
        household(2, per_capita_net_income=Decimal("8050")),
        household(3, per_capita_net_income=None),
    ]
    assert list(income_below(homes, SETTINGS)) == [1]
    assert list(income_below(homes, PHONE_OK)) == [1, 2]  # 8800 from 2024-03-14


def test_an_open_event_past_its_response_deadline_is_overdue():
    events = [
        EventFacts(1, 1, "serious_illness", "open", date(2024, 3, 1)),
        EventFacts(2, 2, "serious_illness", "handling", date(2024, 3, 1)),
        EventFacts(3, 3, "disaster", "open", date(2024, 3, 8)),
    ]
    states = event_states(events, date(2024, 3, 10), SETTINGS)
    assert [(s.id, s.overdue) for s in states] == [(1, True), (2, False), (3, False)]
    assert states[0].due_on == date(2024, 3, 4)


# -- early warnings ------------------------------------------------------------------------------


def test_warnings_are_the_union_with_every_reason():
    homes = [household(1, per_capita_net_income=Decimal("100")), household(2), household(3)]
    below = shortfalls(homes[:2], [], MARCH, SETTINGS)
    events = event_states(
        [EventFacts(9, 3, "injury", "open", date(2024, 3, 1))], date(2024, 3, 31), SETTINGS
    )
    warnings = early_warnings(homes, below, {}, income_below(homes, SETTINGS), events)
    assert [(w.household_id, [r.code for r in w.reasons]) for w in warnings] == [
        (1, ["visits_below", "income_below"]),
        (2, ["visits_below"]),
        (3, ["event_overdue"]),
    ]


# -- authenticity --------------------------------------------------------------------------------


def test_a_fabricated_looking_pattern_raises_flags_not_verdicts():
    home = household(1, latitude=24.05, longitude=114.20, absent_members=(("张外出", "away"),))
    others = [household(2), household(3)]
    base = {"device_id": "collect:abc", "texts": ("家中生活正常，无新增困难，继续落实帮扶措施",)}
    visits = [
        visit(
            1,
            1,
            date(2024, 3, 2),
            latitude=24.10,
            longitude=114.20,
            started_at=at(2, 9),
            ended_at=at(2, 9, 2),
            met_name="张外出（儿子）",
            **base,
        ),
        visit(2, 2, date(2024, 3, 2), started_at=at(2, 9, 4), ended_at=at(2, 9, 20), **base),
        visit(
            3,
            3,
            date(2024, 3, 2),
            started_at=at(2, 9, 8),
            ended_at=at(2, 9, 30),
            photo_hashes=("aa" * 32,),
            device_id="collect:abc",
        ),
        visit(4, 3, date(2024, 3, 20), photo_hashes=("aa" * 32,)),
    ]
    flags = {(f.visit_id, f.code) for f in authenticity_flags([home, *others], visits, SETTINGS)}
    assert flags == {
        (1, "gps_far"),
        (1, "too_short"),
        (1, "absent_member"),
        (1, "device_burst"),
        (2, "device_burst"),
        (3, "device_burst"),
        (1, "same_text"),
        (2, "same_text"),
        (3, "same_photo"),
        (4, "same_photo"),
    }


def test_an_ordinary_month_raises_no_flag():
    home = household(1, latitude=24.05, longitude=114.20)
    first = visit(
        1,
        1,
        date(2024, 3, 2),
        latitude=24.0501,
        longitude=114.2001,
        started_at=at(2, 9),
        ended_at=at(2, 9, 40),
        device_id="d1",
        texts=("无",),
    )
    second = first._replace(
        id=2,
        visited_on=date(2024, 3, 16),
        started_at=at(16, 9),
        ended_at=at(16, 9) + timedelta(minutes=30),
    )
    assert authenticity_flags([home], [first, second], SETTINGS) == ()


def test_meeting_a_deceased_head_is_flagged():
    home = household(1, head_name="李老", absent_members=(("李老", "deceased"),))
    flags = authenticity_flags([home], [visit(1, 1, date(2024, 3, 2), met_person="head")], SETTINGS)
    assert [(f.code, f.detail) for f in flags] == [("absent_member", "李老 deceased")]


# -- charts and scope ----------------------------------------------------------------------------


def test_a_chart_is_svg_with_escaped_labels_and_proportional_bars():
    from xml.etree import ElementTree as ET

    from server.monitoring.charts import bar_chart

    svg = bar_chart("走访 <visits>", ["1月", "2月"], [("实际", [10, 5]), ("应访", [20, 20])])
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    heights = [
        float(r.get("height"))
        for r in root.iter("{http://www.w3.org/2000/svg}rect")
        if r.get("height") != "10"
    ]
    assert heights[0] * 2 == heights[1]  # January: 10 done vs 20 required
    assert heights[2] == heights[0] / 2  # February: 5 done
    assert "&lt;visits&gt;" in svg


def test_scope_prefixes_come_from_the_access_policy():
    from server.access.viewer import WEB, Viewer
    from server.monitoring.scope import area_code_of, area_prefix

    assert area_code_of("440233") == "440233000000"
    assert area_code_of("440233100") == "440233100000"
    assert area_code_of(LIANGBA) == LIANGBA

    county = Viewer(WEB, "county_admin")
    town = Viewer(WEB, "town_reviewer", "440233100000")
    assert area_prefix(county) == "440233"
    assert area_prefix(Viewer(WEB, "department_viewer", department="housing")) == "440233"
    assert area_prefix(town) == "440233100"
    assert area_prefix(Viewer(WEB, "village_committee", LIANGBA)) == LIANGBA
    assert area_prefix(town, "440233101000") == "440233100"  # another town: refused
    assert area_prefix(county, "440233100000") == "440233100"
    assert area_prefix(town, LIANGBA) == LIANGBA
    assert area_prefix(town, "440233") == "440233100"  # not an area code: its own area
    with pytest.raises(ValueError, match="no village"):
        area_prefix(Viewer(WEB, "town_reviewer", None))  # no area: sees nothing
