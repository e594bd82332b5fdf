"""Area scope, role permissions and masking: the pure rules every page relies on."""

from __future__ import annotations

from datetime import date

import pytest

from server.audit.masking import mask_id_number, mask_phone, mask_text
from server.auth.scope import (
    duty_reach,
    indicator_codes_for,
    may,
    may_access_village,
    months_before,
    scope_of,
    sections_for,
)

LIANGBA, SANKENG, SHATIAN_V = "440233100201", "440233100200", "440233103201"


@pytest.mark.parametrize(
    ("role", "area", "village", "allowed"),
    [
        ("county_admin", None, SHATIAN_V, True),
        ("town_reviewer", "440233100000", LIANGBA, True),
        ("town_reviewer", "440233100000", SANKENG, True),
        ("town_reviewer", "440233100000", SHATIAN_V, False),
        ("town_reviewer", "440233100000", "440233101201", False),  # the next town's first village
        ("village_committee", LIANGBA, LIANGBA, True),
        ("village_committee", LIANGBA, SANKENG, False),
        ("village_committee", None, LIANGBA, False),  # misconfigured: nothing, never everything
        ("village_committee", "4402", LIANGBA, False),
        ("town_reviewer", LIANGBA, None, False),  # a record of unknown village: county only
        ("county_admin", None, None, True),
        ("phone_cadre", LIANGBA, LIANGBA, False),
    ],
)
def test_scope(role, area, village, allowed):
    assert may_access_village(role, area, village) is allowed


def test_a_town_scope_is_an_index_range_of_its_villages():
    scope = scope_of("town_reviewer", "440233100000")
    assert (scope.low, scope.high) == ("440233100000", "440233100999")
    assert scope_of("village_committee", None).nothing


def test_department_viewers_read_households_only_and_only_their_duty():
    assert may("department_viewer", "view_households")
    assert not may("department_viewer", "view_submissions")
    assert not may("village_committee", "set_review_state")
    assert sections_for("department_viewer", "housing") == {"indicators"}
    assert indicator_codes_for("department_viewer", "housing") >= {"housing"}
    assert "ids" not in sections_for("department_viewer", "education")
    assert "health" in sections_for("department_viewer", "health")
    assert sections_for("department_viewer", None) == frozenset()
    assert indicator_codes_for("town_reviewer", None) is None


def test_a_duty_reaches_recent_failures_of_its_indicators_and_for_health_illnesses():
    today = date(2026, 11, 29)
    housing = duty_reach("department_viewer", "housing", today)
    assert housing is not None and housing.since == date(2025, 11, 29)
    assert "housing" in housing.indicator_codes and "medical" not in housing.indicator_codes
    assert housing.event_types == frozenset()
    for duty in ("health", "medical_security"):
        medical = duty_reach("department_viewer", duty, today)
        assert medical is not None and medical.indicator_codes == {"medical"}
        assert medical.event_types == {"serious_illness", "major_injury"}
    assert duty_reach("department_viewer", "civil_affairs", today) is None  # every household
    assert duty_reach("county_admin", None, today) is None  # the area alone decides
    nothing = duty_reach("department_viewer", None, today)  # misconfigured: nothing at all
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


def test_masks():
    assert mask_id_number("44023319750312123X") == "440233********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number(None) == ""
    text = "身份证号 440233197503120015 无效；证号44023319780520002243，电话13812345678，"
    text += "村440233100201"
    assert mask_text(text) == (
        "身份证号 440233********0015 无效；证号440233**********2243，电话138****5678，"
        "村440233100201"
    )
    assert mask_text("旧证 440233750312001") == "旧证 440233******001"
