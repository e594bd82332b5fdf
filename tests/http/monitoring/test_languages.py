"""The monitoring pages speak the page's one language: their own text, every code under its
label (warning reasons, indicators and 八有 items, signals, statuses, visit modes, events), counts
and amounts written for people; and free text masked as the access policy masks it, a department
viewer's included."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from server.areas.models import Area
from server.i18n import COOKIE
from server.monitoring.models import WarningCase
from tests.db.monitoring.factories import household, make_event, make_visit
from tests.fixtures import LIANGBA, make_web_user
from tests.http.review.workspace import publish_county_forms
from tests.http.web.helpers import csrf_token, login
from tests.http.web.language import chinese_runs, latin_words, visible_text

HTML = {"Accept": "text/html"}
OCTOBER = "2026-10"
PHONE, MASKED = "13812345678", "138****5678"
SAID = f"妻子电话{PHONE}，想要危房改造"  # what a family said, twice (a same-text signal)
# Codes the monitoring pages hold that must reach no page as they are.
CODES = (
    "bayou",
    "drinking_water",
    "visits_below",
    "indicator_regressed",
    "indicator_not_met_twice",
    "income_below",
    "event_open",
    "event_overdue",
    "too_short",
    "same_text",
    "in_home",
    "monitored",
    "pending_review",
    "marginal_at_risk",
    "unstable_formerly_poor",
    "serious_illness",
    "not_met",
    "None",
)


@pytest.fixture
def month(session, county, freeze_clock):  # type: ignore[no-untyped-def]
    """October 2026 in 梁坝村 with the county's forms: 李四's drinking water went met → not
    met, 张三 was visited once (too briefly, saying what 李四 said), 王五 fell seriously ill."""
    freeze_clock(datetime(2026, 10, 31, 4, tzinfo=UTC))
    publish_county_forms(session)
    zhang, li = household(session, "H440233100201-0001"), household(session, "H440233100201-0002")
    li.status = "monitored"
    water = "bayou:drinking_water"
    make_visit(session, li, date(2026, 9, 10), indicators={water: "met"})
    make_visit(session, li, date(2026, 10, 2), indicators={water: "not_met"}, difficulties=SAID)
    make_visit(session, li, date(2026, 10, 20), indicators={water: "not_met"})
    make_visit(
        session,
        zhang,
        date(2026, 10, 5),
        minutes=(0, 2),
        indicators={"housing": "not_met"},
        difficulties=SAID,
    )
    make_event(session, household(session, "H440233100200-0001"), datetime(2026, 10, 1, tzinfo=UTC))
    session.commit()


@pytest.fixture
def data(session, month) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """What the pages show as it was entered: areas, people, household codes, what the family
    said (masked; a same-text signal quotes its first 20 characters)."""
    areas = session.scalars(select(Area.name)).all()
    codes = ("H440233100201-0001", "H440233100201-0002", "H440233100200-0001")
    said = (SAID.replace(PHONE, MASKED), SAID[:20].replace(PHONE, MASKED))
    people = ("张三", "李四", "王五", "刘帮扶", "Ada", "Dora")
    return (*areas, *codes, *said, *people, "XLSX", "PDF")


def _page(client, url: str, lang: str) -> str:  # type: ignore[no-untyped-def]
    client.set_cookie(COOKIE, lang)
    response = client.get(url, headers=HTML)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _codes(page: str) -> list[str]:
    text = visible_text(page)
    return [code for code in CODES if re.search(rf"\b{code}\b", text)]


PAGES = (
    f"/monitoring/?month={OCTOBER}",
    f"/monitoring/?month={OCTOBER}&area=440233100000",
    f"/monitoring/?month={OCTOBER}&area={LIANGBA}",
    f"/monitoring/household/H440233100201-0002?month={OCTOBER}",
    f"/monitoring/household/H440233100201-0001?month={OCTOBER}",
    f"/monitoring/cases?month={OCTOBER}",
)


def _open_cases(client, lang: str = "zh") -> None:  # type: ignore[no-untyped-def]
    client.set_cookie(COOKIE, lang)
    token = csrf_token(client.get(f"/monitoring/cases?month={OCTOBER}").data)
    opened = client.post("/monitoring/cases/open", data={"csrf_token": token, "month": OCTOBER})
    assert opened.status_code == 302


@pytest.mark.parametrize("url", PAGES)
def test_a_chinese_monitoring_page_shows_chinese_words_only(client, ada, data, url):
    login(client, ada)
    _open_cases(client)
    page = _page(client, url, "zh")
    assert '<html lang="zh-CN">' in page
    assert latin_words(page, data=data) == set()
    assert _codes(page) == []


@pytest.mark.parametrize("url", PAGES)
def test_an_english_monitoring_page_shows_english_words_only(client, ada, data, url):
    login(client, ada)
    _open_cases(client, "en")
    page = _page(client, url, "en")
    assert '<html lang="en">' in page
    assert chinese_runs(page, data=data) == set()
    assert _codes(page) == []


def test_the_village_shows_reasons_signals_and_events_in_words(client, ada, month):
    login(client, ada)
    village = visible_text(_page(client, f"/monitoring/?month={OCTOBER}&area={LIANGBA}", "zh"))
    assert "指标由达标变为未达标 八有：有饮用水 2026-10-02" in village
    assert "走访次数不足 1/2" in village
    assert "走访时间过短" in village and "2.0 分钟" in village
    assert "文字与其他走访相同" in village
    assert PHONE not in village and MASKED in village  # the same text, masked as free text
    english = visible_text(_page(client, f"/monitoring/?month={OCTOBER}&area={LIANGBA}", "en"))
    assert "Indicator regressed Eight essentials: Has drinking water 2026-10-02" in english
    assert "Very short visit" in english and "2.0 min" in english
    assert "Visits done vs required" in english
    town = visible_text(_page(client, f"/monitoring/?month={OCTOBER}&area=440233100000", "zh"))
    assert "重大变故逾期未响应" not in town  # reasons are listed per household only
    assert "待处理" in town  # the open event, by its label


def test_a_household_page_labels_its_visits_and_cases(client, ada, month):
    login(client, ada)
    _open_cases(client)
    url = f"/monitoring/household/H440233100201-0002?month={OCTOBER}"
    page = visible_text(_page(client, url, "zh"))
    assert "八有：有饮用水" in page and "入户走访" in page and "监测中" in page
    assert "脱贫不稳定户" in page and "梁坝村" in page
    assert "待核实" in page and "指标由达标变为未达标" in page
    assert MASKED in page and PHONE not in page  # what the family said, masked
    english = visible_text(_page(client, url, "en"))
    assert "Eight essentials: Has drinking water" in english and "Home visit" in english
    assert "Under monitoring" in english and "Open" in english


def test_a_department_viewer_sees_its_duty_with_free_text_masked(client, session, ada, month):
    dora = make_web_user(session, username="dora", role="department_viewer", department="housing")
    session.commit()
    login(client, ada)
    _open_cases(client)
    zhang = household(session, "H440233100201-0001")
    case = session.scalars(select(WarningCase).where(WarningCase.household_id == zhang.id)).one()
    token = csrf_token(client.get("/monitoring/cases").data)
    note = {"csrf_token": token, "step": "check", "text": f"户主电话{PHONE}，已入户"}
    assert client.post(f"/monitoring/cases/{case.id}", data=note).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").data)})

    login(client, dora)
    text = visible_text(_page(client, f"/monitoring/household/{zhang.code}?month={OCTOBER}", "zh"))
    assert "住房安全有保障" in text  # its indicator not met, by its label
    assert "想要危房改造" not in text and "刘帮扶" not in text  # no visits section
    assert "人均纯收入" not in text  # no income section
    assert "走访真实性提示" not in text
    cases = visible_text(_page(client, "/monitoring/cases", "zh"))
    assert "张三" in cases and "李四" not in cases  # its duty's households only
    assert f"户主电话{MASKED}" in cases and PHONE not in cases  # free text, masked
    assert "为本月预警建立案例" not in cases and "保存" not in cases  # read-only
    village = visible_text(_page(client, f"/monitoring/?month={OCTOBER}&area={LIANGBA}", "zh"))
    assert "走访真实性提示" not in village and "开始处理" not in village
    english = _page(client, "/monitoring/cases", "en")
    assert f"Check: 户主电话{MASKED}" in visible_text(english)
