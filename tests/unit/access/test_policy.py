"""The one access policy: villages, actions, sections, duties and masks, for every kind of
viewer (web users of each role, phones, the command line)."""

from __future__ import annotations

from datetime import date

import pytest

from server.access import masks
from server.access.policy import (
    EXPORT,
    PAGE,
    PERMISSIONS,
    PHONE_LIST,
    PRINT,
    area_scope,
    covers,
    duty_reach,
    indicator_codes,
    masker,
    may_change_submission,
    months_before,
    narrowed,
    permits,
    scope_of,
    sections,
)
from server.access.viewer import OPERATOR, PHONE, WEB, Viewer

LIANGBA, SANKENG, SHATIAN_V = "440233100201", "440233100200", "440233103201"
HUANGQI = "440233100000"


def web(role: str, area: str | None = None, department: str | None = None) -> Viewer:
    return Viewer(WEB, role, area, department, user_id=1, username=role)


def phone(role: str, area: str, user_id: int = 7) -> Viewer:
    return Viewer(PHONE, role, area, user_id=user_id, username="cadre")


@pytest.mark.parametrize(
    ("viewer", "village", "allowed"),
    [
        (web("county_admin"), SHATIAN_V, True),
        (web("town_reviewer", HUANGQI), LIANGBA, True),
        (web("town_reviewer", HUANGQI), SANKENG, True),
        (web("town_reviewer", HUANGQI), SHATIAN_V, False),
        (web("town_reviewer", HUANGQI), "440233101201", False),  # the next town's first village
        (web("village_committee", LIANGBA), LIANGBA, True),
        (web("village_committee", LIANGBA), SANKENG, False),
        (web("village_committee"), LIANGBA, False),  # misconfigured: nothing, never everything
        (web("village_committee", "4402"), LIANGBA, False),
        (web("town_reviewer", LIANGBA), None, False),  # a record of unknown village: county only
        (web("county_admin"), None, True),
        (web("department_viewer", department="housing"), SHATIAN_V, True),  # then its duty
        (phone("village_cadre", LIANGBA), LIANGBA, True),
        (phone("village_cadre", LIANGBA), SANKENG, False),
        (phone("town_cadre", HUANGQI), SANKENG, True),
        (phone("town_cadre", HUANGQI), SHATIAN_V, False),
        (OPERATOR, SHATIAN_V, True),
        (web("someone_else", LIANGBA), LIANGBA, False),
    ],
)
def test_the_villages_of_every_kind_of_viewer(viewer, village, allowed):
    assert covers(viewer, village) is allowed


def test_a_town_is_an_index_range_of_its_villages():
    scope = scope_of(web("town_reviewer", HUANGQI))
    assert (scope.low, scope.high) == ("440233100000", "440233100999")
    assert scope_of(phone("town_cadre", HUANGQI)) == scope
    assert area_scope("440233000000").everywhere
    assert area_scope(LIANGBA).low == area_scope(LIANGBA).high == LIANGBA


def test_a_requested_area_counts_only_inside_the_viewers_scope():
    town = web("town_reviewer", HUANGQI)
    assert narrowed(town, LIANGBA) == area_scope(LIANGBA)
    assert narrowed(town, "440233101000") == scope_of(town)  # another town: ignored
    assert narrowed(town, None) == scope_of(town)
    assert narrowed(web("county_admin"), HUANGQI) == area_scope(HUANGQI)
    assert narrowed(web("county_admin"), "bogus") == scope_of(web("county_admin"))


def test_actions_by_role_and_the_operator_may_do_everything():
    assert permits(web("department_viewer", department="health"), "view_households")
    assert not permits(web("department_viewer", department="health"), "view_submissions")
    assert not permits(web("village_committee", LIANGBA), "set_review_state")
    assert not permits(web("department_viewer"), "print")
    assert permits(phone("village_cadre", LIANGBA), "submit")
    assert not permits(phone("village_cadre", LIANGBA), "view_households")
    assert all(permits(OPERATOR, action) for action in PERMISSIONS)
    with pytest.raises(KeyError):
        permits(OPERATOR, "no_such_action")


def test_a_phone_changes_what_it_sent_or_what_its_area_covers():
    cadre = phone("village_cadre", LIANGBA, user_id=7)
    assert may_change_submission(cadre, sender_id=7, village_code=None)
    assert may_change_submission(cadre, sender_id=8, village_code=LIANGBA)  # a colleague's
    assert not may_change_submission(cadre, sender_id=8, village_code=SANKENG)
    assert not may_change_submission(cadre, sender_id=8, village_code=None)
    town = phone("town_cadre", HUANGQI, user_id=9)
    assert may_change_submission(town, sender_id=7, village_code=SANKENG)
    assert not may_change_submission(town, sender_id=7, village_code=SHATIAN_V)


def test_sections_and_indicators_of_a_duty():
    housing = web("department_viewer", department="housing")
    assert sections(housing) == {"indicators"}
    assert indicator_codes(housing) >= {"housing"}
    assert "ids" not in sections(web("department_viewer", department="education"))
    assert "health" in sections(web("department_viewer", department="health"))
    assert sections(web("department_viewer")) == frozenset()
    assert indicator_codes(web("town_reviewer", HUANGQI)) is None
    assert sections(phone("village_cadre", LIANGBA)) == frozenset()


def test_a_duty_reaches_recent_failures_of_its_indicators_and_for_health_illnesses():
    today = date(2026, 11, 29)
    housing = duty_reach(web("department_viewer", department="housing"), today)
    assert housing is not None and housing.since == date(2025, 11, 29)
    assert "housing" in housing.indicator_codes and "medical" not in housing.indicator_codes
    assert housing.event_types == frozenset()
    for duty in ("health", "medical_security"):
        medical = duty_reach(web("department_viewer", department=duty), today)
        assert medical is not None and medical.indicator_codes == {"medical"}
        assert medical.event_types == {"serious_illness", "major_injury"}
    assert duty_reach(web("department_viewer", department="civil_affairs"), today) is None
    assert duty_reach(web("county_admin"), today) is None  # the area alone decides
    nothing = duty_reach(web("department_viewer"), today)  # misconfigured: nothing at all
    assert nothing is not None and not nothing.indicator_codes and not nothing.event_types


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 29), 12, date(2025, 11, 29)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
        (date(2028, 2, 29), 12, date(2027, 2, 28)),  # no 29 February that year
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
    ],
)
def test_months_before_counts_calendar_months(day, months, expected):
    assert months_before(day, months) == expected


@pytest.mark.parametrize(
    ("mask", "value", "shown"),
    [
        (masks.id_number, "44023319750312123X", "440233********123X"),
        (masks.id_number, "440233750312001", "440233*****2001"),
        (masks.id_number, "1234567", "*****67"),
        (masks.id_number, None, ""),
        (masks.phone, "13812345678", "138****5678"),
        (masks.phone, "7612345", "*****45"),  # a landline: never every digit (#12)
        (masks.phone, "0751-7612345", "**********45"),
        (masks.phone, "", ""),
        (masks.identifier, "44023319780520002243", "******************43"),
        (masks.coordinate, 24.051234, 24.05),
        (masks.geopoint, "24.0512 114.2033 121.5 4.8", "24.05 114.20"),
        (masks.health, "chronic", masks.HIDDEN),
    ],
)
def test_one_mask_per_kind(mask, value, shown):
    assert mask(value) == shown


def test_masks_inside_free_text():
    text = "身份证号 440233197503120015 无效；证号44023319780520002243，电话13812345678，"
    text += "村440233100201"
    assert masks.text(text) == (
        "身份证号 440233********0015 无效；证号440233**********2243，电话138****5678，"
        "村440233100201"
    )
    assert masks.text("旧证 440233750312001") == "旧证 440233******001"


def test_who_sees_personal_data_in_full_where():
    county, housing = web("county_admin"), web("department_viewer", department="housing")
    medical = web("department_viewer", department="health")
    assert masker(county, PAGE).phone("13812345678") == "138****5678"  # pages: after a reveal
    assert masker(county, PAGE, revealed=frozenset({"ids"})).phone("13812345678") == "13812345678"
    assert masker(housing, PAGE, revealed=frozenset({"ids"})).full_ids is False  # not its section
    assert masker(medical, PAGE, revealed=frozenset({"health"})).health("chronic") == "chronic"
    assert masker(county, EXPORT).full_ids and masker(county, PRINT).full_health
    assert not masker(medical, EXPORT).full_ids and not masker(medical, EXPORT).full_health
    assert masker(OPERATOR, EXPORT).full_ids
    assert not masker(county, PHONE_LIST).full_ids  # a phone's offline list: always masked
    assert masker(housing, PAGE).text("电话13812345678") == "电话138****5678"
