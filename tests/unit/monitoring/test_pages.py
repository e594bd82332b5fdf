"""The monitoring pages' presenter and its words: reasons and signals in either language; what
each viewer may read, see and do, from the access policy; free text masked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from server.access.policy import PAGE, masker
from server.access.viewer import WEB, Viewer
from server.core.clock import Month
from server.core.labels import vocabulary
from server.monitoring.facts import CaseFacts, HouseholdDetail, VisitLine
from server.monitoring.pages import present_cases, present_household
from server.monitoring.rules import Flag, Reason
from server.monitoring.words import Words, chinese, reason_text, sight_of, signal_detail
from server.registry.facts import HouseholdSummary

CATALOG = Path(__file__).resolve().parents[3] / "server/translations/en/LC_MESSAGES/messages.po"
LABELS = vocabulary().with_lists({"bayou": {"drinking_water": {"zh": "有饮用水", "en": "Water"}}})
ADMIN = Viewer(WEB, "county_admin", username="ada")
HOUSING = Viewer(WEB, "department_viewer", department="housing", username="dora")
MASK = masker(ADMIN, PAGE)
PHONE, MASKED = "13812345678", "138****5678"


@cache
def _english() -> dict[str, str]:
    with CATALOG.open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id}


def english(message: str, **values: object) -> str:
    """gettext with the catalog's English, as Flask-Babel gives it to an English page."""
    return _english()[message] % values if values else _english()[message]


ZH, EN = Words(LABELS, "zh", chinese), Words(LABELS, "en", english)


@pytest.mark.parametrize(
    ("reason", "zh", "en"),
    [
        (Reason("visits_below", "1/2"), "走访次数不足 1/2", "Too few visits 1/2"),
        (
            Reason("indicator_regressed", "bayou:drinking_water 2026-10-02"),
            "指标由达标变为未达标 八有：有饮用水 2026-10-02",
            "Indicator regressed Eight essentials: Water 2026-10-02",
        ),
        (
            Reason("indicator_not_met_twice", "food"),
            "指标连续两个月未达标 不愁吃",
            "Not met two months running Food",
        ),
        (
            Reason("income_below", "5200.0 < 6000"),
            "人均纯收入低于监测标准 5,200.00 < 6,000.00",
            "Income below the threshold 5,200.00 < 6,000.00",
        ),
        (
            Reason("event_overdue", "#7 2026-10-04"),
            "重大变故逾期未响应 #7，响应期限 2026-10-04",
            "Major event overdue #7, respond by 2026-10-04",
        ),
        (Reason("event_open", ""), "重大变故待处理", "Major event open"),
        (Reason("something_new", f"电话{PHONE}"), f"something_new 电话{MASKED}", None),
    ],
)
def test_a_reason_reads_as_words(reason, zh, en):
    assert reason_text(reason, ZH, MASK) == zh
    if en:
        assert reason_text(reason, EN, MASK) == en


@pytest.mark.parametrize(
    ("flag", "zh", "en"),
    [
        (Flag(1, 1, "gps_far", "1523 m"), "距住户 1,523 米", "1,523 m from the home"),
        (Flag(1, 1, "too_short", "2.0 min"), "2.0 分钟", "2.0 min"),
        (Flag(1, 1, "absent_member", "张三 deceased"), "张三 已故", "张三 Deceased"),
        (Flag(1, 1, "device_burst", "collect:abc: 5"), "设备 collect:abc：5 次", None),
        (
            Flag(1, 1, "same_text", f"= #2, 13 电话{PHONE}"),
            f"与走访 #2, #13 相同：电话{MASKED}",
            f"Same as visit #2, #13: 电话{MASKED}",
        ),
        (Flag(1, 1, "same_photo", "= #4 0a1b2c"), "与走访 #4 相同", "Same as visit #4"),
        (Flag(1, 1, "gps_far", f"near {PHONE}"), f"near {MASKED}", None),
    ],
)
def test_a_signal_reads_as_words(flag, zh, en):
    assert signal_detail(flag, ZH, MASK) == zh
    if en:
        assert signal_detail(flag, EN, MASK) == en


def test_a_reason_says_only_what_its_viewer_may_read():
    housing = sight_of(HOUSING)  # no income section; its own indicators only
    income = Reason("income_below", "5200.0 < 6000")
    assert reason_text(income, ZH, MASK, housing) == "人均纯收入低于监测标准"
    regressed = Reason("indicator_regressed", "food 2026-10-02")
    assert reason_text(regressed, ZH, MASK, housing) == "指标由达标变为未达标 2026-10-02"
    assert reason_text(Reason("indicator_not_met_twice", "food"), ZH, MASK, housing) == (
        "指标连续两个月未达标"
    )
    theirs = Reason("indicator_not_met_twice", "housing")
    assert reason_text(theirs, ZH, MASK, housing) == "指标连续两个月未达标 住房安全有保障"
    assert reason_text(income, ZH, MASK, sight_of(ADMIN)).endswith("5,200.00 < 6,000.00")


def test_a_month_is_written_as_each_language_writes_it():
    assert ZH.month(Month(2026, 10)) == "2026年10月"
    assert EN.month(Month(2026, 10)) == "October 2026"


def _case(status: str = "checked") -> CaseFacts:
    return CaseFacts(
        id=3,
        month=date(2026, 10, 1),
        household_code="H440233100201-0001",
        head_name="张三",
        village_code="440233100201",
        status=status,
        reasons=(Reason("visits_below", "1/2"),),
        check_due_on=date(2026, 11, 2),
        checked_on=date(2026, 10, 31),
        check_note=f"户主电话{PHONE}",
        decision=None,
        measure=None,
        close_reason=None,
        closed_on=None,
    )


def test_the_cases_page_follows_the_access_policy():
    october = Month(2026, 10)
    town = Viewer(WEB, "town_reviewer", "440233100000")
    page = present_cases(
        [_case()], viewer=town, month=october, labels=LABELS, lang="zh", gettext=chinese
    )
    assert (page.may_open, page.may_work, page.month) == (True, True, "2026年10月")
    (row,) = page.rows
    assert (row.status_label, row.check_note, row.open) == ("已核实", f"户主电话{MASKED}", True)
    assert ("not_at_risk", "经核实无返贫风险") in page.decisions
    every_month = present_cases(
        [], viewer=town, month=None, labels=LABELS, lang="en", gettext=english
    )
    assert not every_month.may_open  # cases are opened for one month
    read_only = present_cases(
        [_case("closed")], viewer=HOUSING, month=october, labels=LABELS, lang="en", gettext=english
    )
    assert (read_only.may_open, read_only.may_work) == (False, False)
    assert read_only.rows[0].status_label == "Closed" and not read_only.rows[0].open


def _detail(sections: frozenset[str], visit: VisitLine) -> HouseholdDetail:
    return HouseholdDetail(
        household=HouseholdSummary(
            1,
            "H440233100201-0001",
            "440233100201",
            "张三",
            "marginal_at_risk",
            "monitored",
            3,
            None,
        ),
        village_name="梁坝村",
        sections=sections,
        income=Decimal("28000") if "income" in sections else None,
        visits=(visit,),
        flags=(Flag(9, 1, "too_short", "2.0 min"),) if "visits" in sections else (),
        cases=(_case(),),
    )


def test_the_household_page_shows_the_sections_its_viewer_may_see():
    everything = frozenset({"income", "visits", "indicators"})
    visit = VisitLine(
        9, date(2026, 10, 5), ("bayou:drinking_water",), "刘帮扶", "phone", f"电话{PHONE}"
    )
    page = present_household(
        _detail(everything, visit),
        viewer=ADMIN,
        month=Month(2026, 10),
        labels=LABELS,
        lang="zh",
        gettext=chinese,
    )
    assert (page.income, page.status_label, page.household_type) == (
        "28,000.00",
        "监测中",
        "边缘易致贫户",
    )
    (row,) = page.visits
    assert (row.not_met, row.difficulties) == (("八有：有饮用水",), f"电话{MASKED}")
    assert page.signals is not None and page.signals[0].detail == "2.0 分钟"
    duty = frozenset({"indicators"})
    bare = VisitLine(9, date(2026, 10, 5), ("housing",))
    page = present_household(
        _detail(duty, bare),
        viewer=HOUSING,
        month=Month(2026, 10),
        labels=LABELS,
        lang="en",
        gettext=english,
    )
    assert (page.income, page.signals, page.show_visits) == (None, None, False)
    assert page.visits[0].not_met == ("Safe housing",)
    assert page.cases[0].check_note == f"户主电话{MASKED}"
