"""Normalising real county submissions (instances serialised by JavaRosa, tests/data/instances)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from server.forms.xform import Field, FormSchema
from server.ingest.normalize import normalize
from server.ingest.values import Unparseable, coerce
from server.registry.records import (
    Event,
    GeoPoint,
    Helper,
    Indicator,
    Measure,
    NormalizedSubmission,
)
from tests.unit.ingest.instances import CHILD_ID_BAD, HEAD_ID, SPOUSE_ID

Read = Callable[[str], bytes]


def codes(result: NormalizedSubmission) -> list[tuple[str, str | None]]:
    return [(issue.code, issue.path) for issue in result.issues]


def edit(xml: bytes, old: str, new: str) -> bytes:
    """Change one element of a JavaRosa instance (as an older form version could have sent)."""
    assert xml.count(old.encode()) == 1, old
    return xml.replace(old.encode(), new.encode())


# --- household_archive -----------------------------------------------------------------------


@pytest.fixture
def archive(instance: Read, schemas: dict[str, FormSchema]) -> NormalizedSubmission:
    return normalize(instance("household_archive.xml"), schemas["household_archive"])


def test_household_identification(archive: NormalizedSubmission) -> None:
    record = archive.identification
    assert record is not None
    assert (archive.visit, archive.event_report) == (None, None)
    assert record.village_code == "440233100201"
    assert record.location == GeoPoint(24.0512, 114.2033, 121.5, 4.8)
    assert (record.household_type, record.household_kind) == ("marginal_at_risk", "ordinary")
    assert record.identified_on == date(2026, 11, 20)
    assert (record.head_name, record.head_id_number, record.phone) == (
        "张三",
        HEAD_ID,
        "13812345678",
    )
    assert record.risk_causes == ("illness", "disability")
    assert record.main_risk == "illness"
    assert (record.house_photo, record.head_signature) == ("1764380000123.jpg", "1764380000456.png")
    assert (record.collector_name, record.collector_phone) == ("刘干部", "13600003333")


def test_household_members(archive: NormalizedSubmission) -> None:
    head, spouse, child = archive.identification.members
    assert (head.name, head.id_number, head.relation, head.sex) == ("张三", HEAD_ID, "01", "male")
    assert head.birth_date == date(1975, 3, 12)
    assert head.insurance == ("basic_medical", "serious_illness", "pension")
    assert (head.work_status, head.work_months) == ("outside_province", 8)
    assert (spouse.id_number, spouse.health, spouse.disability_grade) == (
        SPOUSE_ID,
        ("disability",),
        "3",
    )
    assert spouse.work_months is None  # not relevant for farming: Collect left it out
    assert (child.id_number, child.schooling, child.school_grade) == (
        CHILD_ID_BAD,
        "primary",
        "梁坝小学一年级",
    )
    assert child.education is None


def test_household_issues_invalid_id_and_sex_mismatch(archive: NormalizedSubmission) -> None:
    assert codes(archive) == [
        ("resident_id_mismatch", "members[2]/sex"),
        ("invalid_resident_id", "members[3]/member_id"),
    ]
    invalid = archive.issues[1]
    assert "bad_check_digit" in invalid.message
    assert invalid.message.index("身份证号") < invalid.message.index("resident ID")  # zh first


def test_income_is_recomputed_and_agrees_with_the_form(archive: NormalizedSubmission) -> None:
    income = archive.identification.income
    assert (income.wages, income.production, income.property) == (
        Decimal("12000.5"),
        Decimal("8000"),
        Decimal("300"),
    )
    assert (income.transfers, income.production_costs, income.rigid_spending) == (
        Decimal("2400"),
        Decimal("3000"),
        Decimal("15000"),
    )
    # (12000.5 + 8000 + 300 + 2400 - 3000) / 3; the instance carries the form's 6566.83 too
    assert income.per_capita_net == Decimal("6566.83")
    assert income.note == "妻子残疾，医疗支出大"


def test_helpers_skip_the_empty_roles(archive: NormalizedSubmission) -> None:
    assert archive.identification.helpers == (
        Helper("party_secretary", "王书记", "13900001111"),
        Helper("team_leader", "陈队长", "13700002222"),
        Helper("contact", "刘干部", "13600003333", "新丰县农业农村局"),
    )


def test_household_indicators_with_bayou_gaps(archive: NormalizedSubmission) -> None:
    assert archive.identification.indicators == (
        Indicator("food", "met"),
        Indicator("clothing", "met"),
        Indicator("education", "met"),
        Indicator("medical", "not_met", "未签约家庭医生"),
        Indicator("housing", "not_met", "后墙开裂，雨季漏雨"),
        Indicator("water_quantity", "met"),
        Indicator("water_quality", "not_met", "雨后浑浊"),
        Indicator("water_convenience", "met"),
        Indicator("water_reliability", "met"),
        Indicator("bayou:all", "not_met"),
        Indicator("bayou:road", "not_met", "村道未硬化到组"),
        Indicator("bayou:tv", "not_met", "无有线电视信号"),
        # every other item of the form's own 八有 list is met
        *(
            Indicator(f"bayou:{item}", "met")
            for item in (
                "income_source",
                "housing",
                "medical",
                "education",
                "drinking_water",
                "electricity",
            )
        ),
    )


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (1, Decimal("19700.50")),
        (2, Decimal("9850.25")),
        (3, Decimal("6566.83")),
        (4, Decimal("4925.13")),  # 4925.125: half up
        (8, Decimal("2462.56")),  # 2462.5625
    ],
)
def test_per_capita_rounds_half_up(
    members: int, expected: Decimal, instance: Read, schemas: dict[str, FormSchema]
) -> None:
    xml = instance("household_archive.xml")
    start, end = xml.index(b"<members>"), xml.rindex(b"</members>") + len(b"</members>")
    rows = xml[start:end].split(b"</members>")[0] + b"</members>"
    xml = xml[:start] + rows * members + xml[end:]
    xml = xml.replace(
        b"<per_capita_net_income>6566.83<", f"<per_capita_net_income>{expected}<".encode()
    )
    result = normalize(xml, schemas["household_archive"])
    assert result.identification.income.per_capita_net == expected
    assert "per_capita_mismatch" not in [i.code for i in result.issues]


def test_a_per_capita_that_disagrees_with_the_form_is_reported(
    instance: Read, schemas: dict[str, FormSchema]
) -> None:
    xml = edit(instance("household_archive.xml"), "<wage_income>12000.5<", "<wage_income>42000.5<")
    result = normalize(xml, schemas["household_archive"])
    assert result.identification.income.per_capita_net == Decimal("16566.83")
    assert ("per_capita_mismatch", "per_capita_net_income") in codes(result)


def test_no_members_means_no_per_capita(instance: Read, schemas: dict[str, FormSchema]) -> None:
    xml = instance("household_archive.xml")
    start, end = xml.index(b"<members>"), xml.rindex(b"</members>") + len(b"</members>")
    xml = xml[:start] + xml[end:]
    result = normalize(xml, schemas["household_archive"])
    assert result.identification.members == ()
    assert result.identification.income.per_capita_net is None
    assert ("no_members", "members") in codes(result)


def test_first_member_must_be_the_head(instance: Read, schemas: dict[str, FormSchema]) -> None:
    xml = edit(
        instance("household_archive.xml"),
        f"<member_id>{HEAD_ID}</member_id><relation>01<",
        f"<member_id>{SPOUSE_ID}</member_id><relation>01<",
    )
    result = normalize(xml, schemas["household_archive"])
    assert ("head_not_first_member", "members[1]") in codes(result)


def test_an_invalid_head_id_is_reported(instance: Read, schemas: dict[str, FormSchema]) -> None:
    bad = HEAD_ID[:-1] + ("2" if HEAD_ID[-1] != "2" else "3")
    xml = edit(instance("household_archive.xml"), f"<head_id>{HEAD_ID}<", f"<head_id>{bad}<")
    result = normalize(xml, schemas["household_archive"])
    assert ("invalid_resident_id", "head_id") in codes(result)
    assert ("head_not_first_member", "members[1]") in codes(result)


def test_a_birth_date_that_disagrees_with_the_id(
    instance: Read, schemas: dict[str, FormSchema]
) -> None:
    xml = edit(
        instance("household_archive.xml"), "<birth_date>1978-05-20<", "<birth_date>1978-05-21<"
    )
    result = normalize(xml, schemas["household_archive"])
    assert ("resident_id_mismatch", "members[2]/birth_date") in codes(result)


def test_a_value_that_does_not_parse_becomes_an_issue(
    instance: Read, schemas: dict[str, FormSchema]
) -> None:
    xml = edit(instance("household_archive.xml"), "<work_months>8<", "<work_months>abc<")
    xml = edit(xml, "<identified_on>2026-11-20<", "<identified_on>2026-02-30<")
    result = normalize(xml, schemas["household_archive"])
    assert result.identification is not None
    assert result.identification.members[0].work_months is None
    assert result.identification.identified_on is None
    assert ("not_a_number", "members[1]/work_months") in codes(result)
    assert ("not_a_date", "identified_on") in codes(result)


def test_unknown_elements_are_reported_once(instance: Read, schemas: dict[str, FormSchema]) -> None:
    xml = edit(
        instance("household_archive.xml"),
        "<work_months>8</work_months>",
        "<work_months>8</work_months><bonus>100</bonus>",
    )
    xml = edit(xml, "<income_note>", "<gift_income>500</gift_income><income_note>")
    xml = edit(xml, "</instanceID>", "</instanceID><deprecatedID>uuid:old</deprecatedID>")
    result = normalize(xml, schemas["household_archive"])
    unknown = [issue for issue in result.issues if issue.code == "unknown_fields"]
    assert len(unknown) == 1
    assert "members[1]/bonus" in unknown[0].message
    assert "income/gift_income" in unknown[0].message
    assert "deprecatedID" not in unknown[0].message  # meta is the OpenRosa envelope
    assert result.identification is not None


def test_a_missing_required_answer_yields_no_record(
    instance: Read, schemas: dict[str, FormSchema]
) -> None:
    xml = edit(instance("household_archive.xml"), "<head_name>张三</head_name>", "<head_name/>")
    result = normalize(xml, schemas["household_archive"])
    assert result.identification is None
    assert ("missing_required", "head_name") in codes(result)


def test_an_unexpected_code_is_an_issue_and_the_indicator_is_left_out(
    instance: Read, schemas: dict[str, FormSchema]
) -> None:
    xml = edit(instance("household_archive.xml"), "<food_ok>yes<", "<food_ok>maybe<")
    result = normalize(xml, schemas["household_archive"])
    assert ("invalid_value", "food_ok") in codes(result)
    assert "food" not in [i.code for i in result.identification.indicators]


# --- assistance_visit ------------------------------------------------------------------------


def test_visit_with_two_measures_and_a_major_event(
    instance: Read, schemas: dict[str, FormSchema]
) -> None:
    result = normalize(instance("assistance_visit_event.xml"), schemas["assistance_visit"])
    assert result.issues == ()
    visit = result.visit
    assert visit is not None
    assert (visit.household_code, visit.visited_on) == ("H440233100201-0001", date(2026, 11, 25))
    assert (visit.visitor_name, visit.visitor_role, visit.mode) == (
        "刘干部、陈队长",
        "contact_helper",
        "in_home",
    )
    assert (visit.met_person, visit.met_name) == ("family_member", "李梅（妻子）")
    assert visit.measures == (
        Measure("social_protection", "申请临时救助", "in_progress", Decimal("3000")),
        Measure("employment", "推荐妻子到扶贫车间就业", "planned", None),
    )
    assert visit.event == Event(
        event_type="serious_illness",
        occurred_on=date(2026, 11, 18),
        description="户主确诊肺癌，住院治疗",
        estimated_cost=Decimal("80000"),
    )
    assert visit.change_categories == ("health", "income")
    assert visit.new_risks == ("illness", "unstable_employment")
    assert visit.risk_trend == "increased"
    assert visit.photos == ("1764900000111.jpg", "1764900000222.jpg")
    assert (visit.member_signature, visit.visitor_signature) == (
        "1764900000333.png",
        "1764900000444.png",
    )
    assert visit.location == GeoPoint(24.0513, 114.2031, 118.0, 6.0)
    assert visit.started_at.tzinfo is not None
    assert visit.started_at <= visit.ended_at
    assert Indicator("education", "not_applicable") in visit.indicators
    bayou = [i for i in visit.indicators if i.code.startswith("bayou:")]
    assert bayou[:2] == [
        Indicator("bayou:all", "not_met"),
        Indicator("bayou:income_source", "not_met", "户主住院后无务工收入"),
    ]
    assert {i.state for i in bayou[2:]} == {"met"}
    assert len(bayou) == 9


def test_visit_without_event_and_without_measures(
    instance: Read, schemas: dict[str, FormSchema]
) -> None:
    result = normalize(instance("assistance_visit_plain.xml"), schemas["assistance_visit"])
    assert result.issues == ()
    visit = result.visit
    assert visit.event is None
    # JavaRosa sends the untouched first rows of `measures` and `photos`, empty: no records
    assert (visit.measures, visit.photos) == ((), ())
    assert visit.mode == "phone"
    assert visit.member_signature is None  # not relevant on a phone visit
    bayou = [i for i in visit.indicators if i.code.startswith("bayou:")]
    assert bayou[0] == Indicator("bayou:all", "met")
    assert [i.code for i in bayou[1:]] == [
        f"bayou:{item}" for item in schemas["assistance_visit"].choices["bayou"]
    ]
    assert {i.state for i in bayou} == {"met"}


def test_event_questions_count_only_when_an_event_was_found(
    instance: Read, schemas: dict[str, FormSchema]
) -> None:
    xml = edit(
        instance("assistance_visit_event.xml"),
        "<major_event_found>yes<",
        "<major_event_found>no<",
    )
    assert normalize(xml, schemas["assistance_visit"]).visit.event is None


# --- major_event -----------------------------------------------------------------------------


def test_event_report(instance: Read, schemas: dict[str, FormSchema]) -> None:
    result = normalize(instance("major_event.xml"), schemas["major_event"])
    assert result.issues == ()
    report = result.event_report
    assert report is not None
    assert (report.household_code, report.photo) == ("H440233100201-0001", "1764000000777.jpg")
    assert report.event == Event(
        event_type="major_injury",
        occurred_on=date(2026, 10, 3),
        description="务农时摔伤致腿部骨折",
        estimated_cost=Decimal("25000.75"),
        discovered_on=date(2026, 10, 5),
        member_name="李梅",
        member_relation="10",
        member_id_number=SPOUSE_ID,
        situation=("hospitalised", "income_lost"),
        situation_detail="在县人民医院住院",
        help_needed="医疗费用",
        departments=("civil_affairs", "medical_security"),
        reporter_name="刘干部",
        reporter_phone="13600003333",
    )


def test_event_report_with_an_invalid_member_id(
    instance: Read, schemas: dict[str, FormSchema]
) -> None:
    xml = edit(
        instance("major_event.xml"), f"<member_id>{SPOUSE_ID}<", "<member_id>110105491231002<"
    )
    result = normalize(xml, schemas["major_event"])
    assert result.event_report is not None
    assert codes(result) == [("invalid_resident_id", "member_id")]
    assert "legacy_15_digit" in result.issues[0].message


def test_a_form_without_a_mapping(instance: Read, schemas: dict[str, FormSchema]) -> None:
    other = FormSchema("water_survey", "1", "Water", "/data", (), ())
    result = normalize(instance("major_event.xml"), other)
    assert result == NormalizedSubmission(issues=(result.issues[0],))
    assert result.issues[0].code == "form_not_mapped"


# --- stage 1: coercion by bind type ------------------------------------------------------------


def field(kind: str, control: str | None = "input") -> Field:
    return Field(f"/data/{kind}", kind, kind, None, {}, control)


@pytest.mark.parametrize(
    ("kind", "control", "raw", "expected"),
    [
        ("int", "input", "42", 42),
        ("int", "input", "-3", -3),
        ("decimal", "input", "0.10", Decimal("0.10")),
        ("decimal", "input", "8000.0", Decimal("8000")),
        ("decimal", "input", "1.2E7", Decimal("12000000")),
        ("date", "input", "2026-02-28", date(2026, 2, 28)),
        (
            "dateTime",
            None,
            "2026-11-29T03:08:46.216Z",
            datetime(2026, 11, 29, 3, 8, 46, 216000, UTC),
        ),
        (
            "dateTime",
            None,
            "2026-11-29T11:08:46.216+08:00",
            datetime(2026, 11, 29, 11, 8, 46, 216000, timezone(timedelta(hours=8))),
        ),
        ("geopoint", "input", "24.05 114.2 120.0 5.0", GeoPoint(24.05, 114.2, 120.0, 5.0)),
        ("geopoint", "input", "24.05 114.2", GeoPoint(24.05, 114.2)),
        ("string", "select", " water  school ", ("water", "school")),
        ("string", "select", "", ()),
        ("string", "input", "", None),
        ("string", "select1", "yes", "yes"),
        ("binary", "upload", "1755684169123.jpg", "1755684169123.jpg"),
        ("int", "input", "", None),
    ],
)
def test_coerce(kind: str, control: str | None, raw: str, expected: object) -> None:
    assert coerce(field(kind, control), raw.strip() if control != "select" else raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "code"),
    [
        ("int", "abc", "not_a_number"),
        ("int", "4.5", "not_a_number"),
        ("int", "1_000", "not_a_number"),
        ("int", "١٢", "not_a_number"),  # non-ASCII digits
        ("decimal", "NaN", "not_a_number"),
        ("decimal", "Infinity", "not_a_number"),
        ("decimal", "12,5", "not_a_number"),
        ("decimal", "1E999999999", "not_a_number"),
        ("int", "9" * 5000, "not_a_number"),
        ("date", "2026-02-30", "not_a_date"),
        ("date", "20260228", "not_a_date"),
        ("dateTime", "2026-11-29T03:08:46", "not_a_datetime"),  # no time zone
        ("dateTime", "yesterday", "not_a_datetime"),
        ("geopoint", "24.05", "not_a_geopoint"),
        ("geopoint", "95 114.2", "not_a_geopoint"),
        ("geopoint", "nan 114.2", "not_a_geopoint"),
    ],
)
def test_coerce_refuses(kind: str, raw: str, code: str) -> None:
    with pytest.raises(Unparseable) as caught:
        coerce(field(kind), raw)
    assert caught.value.code == code
