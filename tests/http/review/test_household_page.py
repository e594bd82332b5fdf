"""The household page says words, not codes, in the page's one language, writes amounts as
money, and masks what the access policy masks until a logged reveal of a section the viewer
may see."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from server.core import clock
from server.forms.models import Form, FormVersion
from server.registry.models import AssistanceMeasure, IndicatorObservation, MajorEvent
from tests.fixtures import LIANGBA, make_household, make_web_user
from tests.http.review.workspace import HTML, publish_county_forms, sign_in
from tests.registry_factories import add_visit

CODE = "H440233100201-0042"
RAW_CODES = (
    "drinking_water",
    "road",
    "tv",
    "employment",
    "completed",
    "planned",
    "serious_illness",
    "in_home",
    "reduced",
    "28000.0",
)
FREE_TEXT = "户主电话13812345678，身份证440233197503120015"


@pytest.fixture
def people(session, county):  # type: ignore[no-untyped-def]
    made = {
        "vic": make_web_user(session, username="vic", role="village_committee", area_code=LIANGBA),
        "dora": make_web_user(
            session, username="dora", role="department_viewer", department="housing"
        ),
        "mei": make_web_user(
            session, username="mei", role="department_viewer", department="medical_security"
        ),
    }
    session.commit()
    return made


@pytest.fixture
def coded(session, county) -> str:  # type: ignore[no-untyped-def]
    """A monitored household whose visit, 八有 items, measures and event are all codes."""
    publish_county_forms(session)
    household = make_household(session, code=CODE, head_name="赵六", status="monitored")
    form_version = session.scalars(
        select(FormVersion).join(Form).where(Form.xml_form_id == "assistance_visit")
    ).first()
    day = clock.today() - timedelta(days=10)
    visit = add_visit(session, household, form_version, visited_on=day, photos=[], signature=None)
    visit.mode, visit.risk_trend, visit.difficulties = "in_home", "reduced", FREE_TEXT
    facts = dict(
        household_id=household.id, visit_id=visit.id, source_version_id=visit.source_version_id
    )
    for item in ("drinking_water", "road", "tv"):
        session.add(
            IndicatorObservation(**facts, observed_on=day, code=f"bayou:{item}", state="not_met")
        )
    session.add(
        IndicatorObservation(
            **facts, observed_on=day, code="housing", state="not_met", detail=FREE_TEXT
        )
    )
    for status in ("completed", "planned"):
        session.add(
            AssistanceMeasure(
                **facts,
                recorded_on=day,
                family="employment",
                status=status,
                detail="公益岗位",
                amount=Decimal("28000.0"),
            )
        )
    session.add(
        MajorEvent(
            **facts,
            event_type="serious_illness",
            occurred_on=day,
            status="open",
            estimated_cost=Decimal("28000"),
        )
    )
    session.commit()
    return CODE


def _text(page: bytes) -> str:
    """What a person reads in the page's main part: no tags, no URLs, no class names."""
    main = page.decode().split("<main>", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_chinese_household_page_shows_no_raw_code(client, people, coded):
    sign_in(client, people["vic"])
    text = _text(client.get(f"/review/households/{coded}", headers=HTML).data)
    shown = [code for code in RAW_CODES if code in text]
    assert not shown, f"raw codes on the page: {shown}"
    for words in (
        "监测中",
        "八有：有饮用水",
        "八有：有路通自然村",
        "八有：有电视看",
        "✗ 未达标",
        "就业帮扶",
        "已落实",
        "计划中",
        "大病",
        "待处理",
        "入户走访",
        "风险降低",
        "刘干部",
    ):
        assert words in text, words
    assert text.count("28,000.00") == 3  # two measures and the event's estimated cost


def test_an_english_household_page_is_all_english(client, people, coded):
    sign_in(client, people["vic"])
    client.get("/lang/en")
    page = client.get(f"/review/households/{coded}", headers=HTML).data
    text = _text(page)
    assert '<html lang="en">' in page.decode()
    for words in (
        "Under monitoring",
        "Marginal household at risk",
        "Eight essentials: Has drinking water",
        "Not met",
        "Employment support",
        "Completed",
        "Planned",
        "Serious illness",
        "Open",
        "Home visit",
        "Risk reduced",
        "Visits per month: 2026-",
        "Approval chain",
        "Propose: Risk elimination",
        "28,000.00",
    ):
        assert words in text, words
    for chinese in ("监测中", "走访记录", "入户走访", "就业帮扶", "八有：", "审批流程", "：", "（"):
        assert chinese not in text, chinese
    assert not [code for code in RAW_CODES if "_" in code and code in text]
    assert "28000.0" not in text


def test_free_text_is_masked_until_a_reveal_of_ids(client, people, coded):
    token = sign_in(client, people["vic"])
    text = _text(client.get(f"/review/households/{coded}", headers=HTML).data)
    assert "户主电话138****5678，身份证440233********0015" in text  # difficulties, indicator detail
    assert "13812345678" not in text and "440233197503120015" not in text
    revealed = client.post(
        f"/review/households/{coded}/reveal",
        data={"csrf_token": token, "what": "ids"},
        headers=HTML,
    )
    assert _text(revealed.data).count(FREE_TEXT) == 2
    health = client.post(
        f"/review/households/{coded}/reveal",
        data={"csrf_token": token, "what": "health"},
        headers=HTML,
    )
    assert FREE_TEXT not in _text(health.data)  # a reveal shows only what it names


def test_a_department_viewer_cannot_reveal_a_section_it_lacks(client, people, coded):
    token = sign_in(client, people["dora"])  # housing: the indicators section only
    text = _text(client.get(f"/review/households/{coded}", headers=HTML).data)
    assert "户主电话138****5678" in text  # the housing item's detail, masked
    assert "就业帮扶" not in text and "入户走访" not in text and "电话 138" not in text
    refused = client.post(
        f"/review/households/{coded}/reveal",
        data={"csrf_token": token, "what": "ids"},
        headers=HTML,
    )
    assert refused.status_code == 403 and "13812345678" not in refused.data.decode()


def test_a_medical_viewer_reveals_health_and_ids_it_may_see(client, people, coded):
    token = sign_in(client, people["mei"])  # medical: members, ids, health, events (the illness)
    text = _text(client.get(f"/review/households/{coded}", headers=HTML).data)
    assert "大病" in text and "138****5678" in text and "就业帮扶" not in text
    revealed = client.post(
        f"/review/households/{coded}/reveal",
        data={"csrf_token": token, "what": "ids"},
        headers=HTML,
    )
    assert revealed.status_code == 200 and "13812345678" in _text(revealed.data)
