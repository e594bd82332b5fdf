"""Print data is built from schema-dumped records by pure functions (no database, no files)."""

from __future__ import annotations

import pytest

from server.core.labels import vocabulary
from server.monitoring.rules import VisitTally
from server.printing import documents
from server.printing.digest import content_digest, verification, verify_path
from server.printing.pagination import PartLayout, chunks, first_pages, front_matter_pages


def _zh(**items: str) -> dict[str, dict[str, str]]:
    return {code: {"zh": zh, "en": code} for code, zh in items.items()}


# The server's vocabulary with a few of the county forms' choice lists merged in, as
# forms.service.code_labels merges them.
LABELS = vocabulary().with_lists(
    {
        "visitor_role": _zh(contact_helper="帮扶联系人"),
        "visit_mode": _zh(in_home="入户走访"),
        "met_person": _zh(head="户主本人"),
        "change_category": _zh(health="健康状况"),
        "measure_family": _zh(employment="就业帮扶", industry="产业帮扶"),
        "bayou": _zh(road="有路通自然村"),
        "relation": _zh(**{"01": "01 本人（户主）"}),
        "sex": _zh(male="男"),
        "health": _zh(disability="残疾"),
        "disability_grade": _zh(**{"3": "三级"}),
        "risk_cause": _zh(illness="因病", disability="因残"),
        "event_type": _zh(major_injury="重大意外伤害"),
    }
)
AREA = {
    "village_code": "440233100201",
    "county_name": "新丰县",
    "town_name": "黄磜镇",
    "village_name": "梁坝村",
}
HOUSEHOLD = {
    "code": "H440233100201-0001",
    "village_code": "440233100201",
    "head_name": "张三",
    "household_type": "marginal_at_risk",
    "household_kind": "ordinary",
    "archive_no": "440233100201-2026-0001",
    "member_count": 3,
    "address": "梁坝村三组12号",
    "status": "monitored",
    "identified_on": "2026-03-01",
    "income": {"wages": "12000.50", "note": "妻子残疾"},
    "per_capita_net_income": "6566.83",
    "risk_causes": ["illness", "disability"],
    "main_risk": "illness",
}


def visit(n: int, **overrides):  # type: ignore[no-untyped-def]
    return {
        "id": n,
        "visited_on": f"2026-11-{n:02d}",
        "visitor_name": "刘干部",
        "visitor_role": "contact_helper",
        "mode": "in_home",
        "met_person": "head",
        "change_categories": ["health"],
        "new_risks": [],
        "measures": [],
        "indicators": [
            {"code": "medical", "state": "not_met", "detail": "未签约家庭医生"},
            {"code": "bayou:road", "state": "met", "detail": None},
        ],
        "photos": [{"name": f"{n}.jpg", "sha256": f"{n:064x}"}],
        "member_signature": {"name": "s.png", "sha256": None},
        "visitor_signature": None,
    } | overrides


def test_work_form_labels_codes_orders_visits_and_marks_what_is_missing():
    form = documents.work_form(
        HOUSEHOLD,
        area=AREA,
        month="2026-11",
        visits=[visit(20), visit(5)],
        tally=VisitTally(2, 2),
        labels=LABELS,
    )
    assert [v["visited_on"] for v in form["visits"]] == ["2026年11月5日", "2026年11月20日"]
    first = form["visits"][0]
    assert first["visitor_role"] == "帮扶联系人" and first["mode"] == "入户走访"
    assert first["indicators"][0] == {
        "name": "基本医疗有保障",
        "state": "未达标",
        "not_met": True,
        "detail": "未签约家庭医生",
    }
    assert first["indicators"][1]["name"] == "八有：有路通自然村"
    assert first["photos"] == [
        {"missing": False, "name": "5.jpg", "src": f"attachment:photo/{5:064x}"}
    ]
    assert first["member_signature"] == {"missing": True, "name": "s.png", "src": None}
    assert first["visitor_signature"] is None
    assert form["area"]["place"] == "新丰县黄磜镇梁坝村"
    assert not form["below_minimum"]


def test_a_month_without_visits_is_flagged_below_the_minimum():
    form = documents.work_form(
        HOUSEHOLD, area=AREA, month="2026-02", visits=[], tally=VisitTally(0, 2), labels=LABELS
    )
    assert form["visits"] == [] and form["below_minimum"] and form["month_zh"] == "2026年2月"


def test_the_work_form_counts_by_the_monitoring_rule_not_by_the_visits_printed():
    """Two visits printed, one of them a phone call the settings do not count: below."""
    form = documents.work_form(
        HOUSEHOLD,
        area=AREA,
        month="2026-11",
        visits=[visit(5), visit(9, mode="phone")],
        tally=VisitTally(1, 2),
        labels=LABELS,
    )
    assert (form["visit_count"], form["visits_counted"], form["visits_required"]) == (2, 1, 2)
    assert form["below_minimum"]


def test_next_steps_are_the_measures_still_planned_or_in_progress():
    measures = [
        {"family": "employment", "status": "planned", "detail": "推荐就业"},
        {"family": "industry", "status": "completed", "detail": "发放鸡苗"},
    ]
    block = documents.work_form(
        HOUSEHOLD,
        area=AREA,
        month="2026-11",
        visits=[visit(3, measures=measures)],
        tally=VisitTally(1, 2),
        labels=LABELS,
    )["visits"][0]
    assert [m["detail"] for m in block["next_steps"]] == ["推荐就业"]
    assert [m["family"] for m in block["measures"]] == ["就业帮扶", "产业帮扶"]


def test_archive_record_prints_income_risks_helper_history_and_visit_months():
    record = documents.household_archive(
        HOUSEHOLD,
        area=AREA,
        members=[
            {
                "name": "张三",
                "id_number": "440233197503120015",
                "relation": "01",
                "sex": "male",
                "health": ["disability"],
                "disability_grade": "3",
            }
        ],
        helpers=[
            {
                "role": "contact",
                "name": "刘干部",
                "started_on": "2026-03-01",
                "ended_on": "2026-09-30",
            },
            {"role": "contact", "name": "陈干部", "started_on": "2026-10-01", "ended_on": None},
        ],
        measures=[],
        events=[],
        visits=[
            {"visited_on": "2026-10-03"},
            {"visited_on": "2026-11-05"},
            {"visited_on": "2026-11-20"},
        ],
        tallies={"2026-11": VisitTally(2, 2), "2026-10": VisitTally(1, 2)},
        house_photo=None,
        head_signature={"name": "h.png", "sha256": "ab" * 32},
        labels=LABELS,
    )
    assert record["members"][0]["id_number"] == "440233197503120015"
    assert record["members"][0]["health"] == "残疾（三级）"
    assert record["risk"] == {"causes": "因病、因残", "main": "因病", "description": ""}
    assert record["income"]["rows"][0] == ("工资性收入", "12,000.50")
    assert record["income"]["rows"][1] == ("生产经营性收入", "")
    assert record["income"]["per_capita_net"] == "6,566.83"
    assert [h["period"] for h in record["helpers"]] == [
        "2026年3月1日—2026年9月30日",
        "2026年10月1日—至今",
    ]
    assert record["visit_summary"]["months"] == [
        ("2026年10月", 1, 2, True),
        ("2026年11月", 2, 2, False),
    ]
    assert record["house_photo"] is None
    assert record["head_signature"]["src"] == "attachment:signature/" + "ab" * 32


def test_amounts_print_as_money_and_codes_under_their_chinese_labels():
    event = {
        "id": 7,
        "event_type": "major_injury",
        "occurred_on": "2026-11-02",
        "estimated_cost": "28000.0",
        "status": "open",
        "details": {"member_relation": "01", "departments": ["civil_affairs"]},
    }
    report = documents.event_report(HOUSEHOLD, event, area=AREA, labels=LABELS)["event"]
    assert report["estimated_cost"] == "28,000.00"
    assert (report["type"], report["status"]) == ("重大意外伤害", "待处理")
    assert report["member_relation"] == "01 本人（户主）"
    measures = [{"family": "industry", "status": "completed", "detail": "鸡苗", "amount": "1500"}]
    block = documents.work_form(
        HOUSEHOLD,
        area=AREA,
        month="2026-11",
        visits=[visit(3, measures=measures)],
        tally=VisitTally(1, 2),
        labels=LABELS,
    )["visits"][0]
    assert block["measures"][0]["amount"] == "1,500.00"


def test_binder_cover_counts_visits_and_lists_households_below_the_required_visits():
    forms = [
        documents.work_form(
            HOUSEHOLD | {"code": f"H{n}", "head_name": name},
            area=AREA,
            month="2026-11",
            visits=visits,
            tally=VisitTally(len(visits), 2),
            labels=LABELS,
        )
        for n, (name, visits) in enumerate([("甲", [visit(1), visit(2)]), ("乙", [])])
    ]
    cover = documents.binder_cover(AREA, month="2026-11", forms=forms)
    assert (cover["household_count"], cover["visit_count"]) == (2, 2)
    assert cover["below_minimum"] == [{"head_name": "乙", "visits": 0, "required": 2}]
    assert [e["anchor"] for e in cover["entries"]] == ["hh-H0", "hh-H1"]


def test_the_digest_changes_with_any_printed_value_and_ignores_the_verify_block():
    form = documents.work_form(
        HOUSEHOLD,
        area=AREA,
        month="2026-11",
        visits=[visit(5)],
        tally=VisitTally(1, 2),
        labels=LABELS,
    )
    digest = content_digest(form)
    assert len(digest) == 12
    assert content_digest(form | {"verify": {"digest": "x"}}) == digest
    assert content_digest(form | {"archive_no": "other"}) != digest
    block = verification(form, kind="work-form", ident="H1_2026-11", base_url="https://f.cn/")
    assert block["url"] == f"https://f.cn/verify/work-form/H1_2026-11?d={digest}"
    assert block["qr"].startswith("data:image/svg+xml;base64,")
    assert verify_path("household", "H 1/2", "d") == "/verify/household/H%201%2F2?d=d"


@pytest.mark.parametrize(("households", "pages"), [(0, 2), (1, 2), (30, 2), (31, 3), (200, 8)])
def test_front_matter_is_the_cover_and_fixed_size_contents_pages(households, pages):
    assert front_matter_pages(households) == pages


def test_page_numbers_count_the_whole_binder_across_parts():
    parts = [PartLayout(pages=5, anchors={"hh-a": 0, "hh-b": 3}), PartLayout(3, {"hh-c": 0})]
    assert first_pages(2, parts) == {"hh-a": 3, "hh-b": 6, "hh-c": 8}
    assert chunks(5, 2) == [range(0, 2), range(2, 4), range(4, 5)]
