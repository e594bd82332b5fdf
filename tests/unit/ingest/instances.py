"""Realistic instances of the county's three forms, filled in and serialised by JavaRosa.

Each fixture is a list of FormProbe commands (tests/tools/FormProbe.java): answers go through
JavaRosa as on the phone, and `serialize` writes the instance exactly as Collect's
submission.xml. The results are stored in tests/data/instances/ so the fast tests need no JDK;
test_instances_are_what_javarosa_writes (slow) regenerates them and compares. To rewrite them:

    .venv/bin/python -m tests.unit.ingest.instances
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from tests.unit.xlsforms.xlsform_support import ROOT, FormProbe, compile_form, valid_id

INSTANCES = ROOT / "tests" / "data" / "instances"

HEAD_ID = valid_id("44023319750312001")  # male (sequence 001), born 1975-03-12
SPOUSE_ID = valid_id("44023319780520002")  # female (sequence 002), born 1978-05-20
CHILD_ID_VALID = valid_id("44023320190901003")  # male, born 2019-09-01
CHILD_ID_BAD = CHILD_ID_VALID[:17] + ("1" if CHILD_ID_VALID[17] != "1" else "2")  # check digit
EVENT_MEMBER_ID = SPOUSE_ID

A = "answer"
FORCE = "force"  # stored without its constraint, as an older form version would let it through
Command = tuple[str, ...]

_M1, _M2, _M3 = "/data/members[1]", "/data/members[2]", "/data/members[3]"
_IND = "/data/indicators"

HOUSEHOLD_ARCHIVE: list[Command] = [
    (A, "/data/area/town", "440233100000"),
    (A, "/data/area/village", "440233100201"),
    (A, "/data/area/natural_village", "梁坝村第三村民小组"),
    (A, "/data/area/address", "梁坝村三组12号"),
    (A, "/data/area/location", "24.0512 114.2033 121.5 4.8"),
    (A, "/data/household/household_type", "marginal_at_risk"),
    (A, "/data/household/household_kind", "ordinary"),
    (A, "/data/household/identified_on", "2026-11-20"),
    (A, "/data/household/head_name", "张三"),
    (A, "/data/household/head_id", HEAD_ID),
    (A, "/data/household/phone", "13812345678"),
    ("repeat", "/data/members", "3"),
    (A, f"{_M1}/member_name", "张三"),
    (A, f"{_M1}/member_id", HEAD_ID),
    (A, f"{_M1}/relation", "01"),
    (A, f"{_M1}/sex", "male"),
    (A, f"{_M1}/birth_date", "1975-03-12"),
    (A, f"{_M1}/health", "chronic"),
    (A, f"{_M1}/education", "junior_secondary"),
    (A, f"{_M1}/labour", "ordinary"),
    (A, f"{_M1}/work_status", "outside_province"),
    (A, f"{_M1}/work_months", "8"),
    (A, f"{_M1}/insurance", "basic_medical serious_illness pension"),
    (A, f"{_M1}/benefits", "none"),
    (A, f"{_M2}/member_name", "李梅"),
    (A, f"{_M2}/member_id", SPOUSE_ID),
    (A, f"{_M2}/relation", "10"),
    (FORCE, f"{_M2}/sex", "male"),  # the ID says female
    (A, f"{_M2}/birth_date", "1978-05-20"),
    (A, f"{_M2}/health", "disability"),
    (A, f"{_M2}/disability_grade", "3"),
    (A, f"{_M2}/disability_cert_no", "44023319780520002243"),
    (A, f"{_M2}/education", "primary"),
    (A, f"{_M2}/labour", "weak"),
    (A, f"{_M2}/work_status", "farming"),
    (A, f"{_M2}/insurance", "basic_medical"),
    (A, f"{_M2}/benefits", "disability_allowance"),
    (A, f"{_M3}/member_name", "张小明"),
    (FORCE, f"{_M3}/member_id", CHILD_ID_BAD),  # wrong check digit
    (A, f"{_M3}/relation", "20"),
    (A, f"{_M3}/sex", "male"),
    (A, f"{_M3}/birth_date", "2019-09-01"),
    (A, f"{_M3}/health", "healthy"),
    (A, f"{_M3}/schooling", "primary"),
    (A, f"{_M3}/school_grade", "梁坝小学一年级"),
    (A, f"{_M3}/insurance", "basic_medical"),
    (A, f"{_M3}/benefits", "none"),
    (A, "/data/income/wage_income", "12000.5"),
    (A, "/data/income/production_income", "8000"),
    (A, "/data/income/property_income", "300"),
    (A, "/data/income/transfer_income", "2400"),
    (A, "/data/income/production_costs", "3000"),
    (A, "/data/income/rigid_spending", "15000"),
    (A, "/data/income/income_note", "妻子残疾，医疗支出大"),
    (A, "/data/risk/risk_causes", "illness disability"),
    (A, "/data/risk/main_risk", "illness"),
    (A, "/data/risk/risk_description", "户主慢性病，妻子三级残疾"),
    (A, f"{_IND}/food/food_ok", "yes"),
    (A, f"{_IND}/clothing/clothing_ok", "yes"),
    (A, f"{_IND}/compulsory_education/education_ok", "yes"),
    (A, f"{_IND}/medical/medical_ok", "no"),
    (A, f"{_IND}/medical/medical_detail", "未签约家庭医生"),
    (A, f"{_IND}/medical/out_of_pocket_medical", "6200"),
    (A, f"{_IND}/housing/housing_structure", "brick_wood"),
    (A, f"{_IND}/housing/housing_grade", "C"),
    (A, f"{_IND}/housing/housing_ok", "no"),
    (A, f"{_IND}/housing/housing_detail", "后墙开裂，雨季漏雨"),
    (A, f"{_IND}/water/water_source", "spring"),
    (A, f"{_IND}/water/water_quantity_ok", "yes"),
    (A, f"{_IND}/water/water_quality_ok", "no"),
    (A, f"{_IND}/water/water_convenience_ok", "yes"),
    (A, f"{_IND}/water/water_reliability_ok", "yes"),
    (A, f"{_IND}/water/water_detail", "雨后浑浊"),
    (A, "/data/bayou/bayou_all_met", "no"),
    (A, "/data/bayou/bayou_unmet", "road tv"),
    ("list",),  # walking the form creates the repeat_count rows, as Collect does
    (A, "/data/bayou/bayou_gaps[1]/bayou_item_detail", "村道未硬化到组"),
    (A, "/data/bayou/bayou_gaps[2]/bayou_item_detail", "无有线电视信号"),
    (A, "/data/helpers/party_secretary_name", "王书记"),
    (A, "/data/helpers/party_secretary_phone", "13900001111"),
    (A, "/data/helpers/team_leader_name", "陈队长"),
    (A, "/data/helpers/team_leader_phone", "13700002222"),
    (A, "/data/helpers/contact_name", "刘干部"),
    (A, "/data/helpers/contact_phone", "13600003333"),
    (A, "/data/helpers/contact_unit", "新丰县农业农村局"),
    (A, "/data/evidence/house_photo", "1764380000123.jpg"),
    (A, "/data/evidence/head_signature", "1764380000456.png"),
    (A, "/data/evidence/collector_name", "刘干部"),
    (A, "/data/evidence/collector_phone", "13600003333"),
]

_VISIT_TARGET: list[Command] = [
    (A, "/data/target/village", "440233100201"),
    (A, "/data/target/household", "H440233100201-0001"),
]


def _all_met(*, medical: str = "yes") -> list[Command]:
    return [
        (A, f"{_IND}/food/food_ok", "yes"),
        (A, f"{_IND}/clothing/clothing_ok", "yes"),
        (A, f"{_IND}/compulsory_education/education_ok", "na"),
        (A, f"{_IND}/medical/medical_ok", medical),
        (A, f"{_IND}/housing/housing_structure", "brick_concrete"),
        (A, f"{_IND}/housing/housing_grade", "B"),
        (A, f"{_IND}/housing/housing_ok", "yes"),
        (A, f"{_IND}/water/water_source", "piped"),
        (A, f"{_IND}/water/water_quantity_ok", "yes"),
        (A, f"{_IND}/water/water_quality_ok", "yes"),
        (A, f"{_IND}/water/water_convenience_ok", "yes"),
        (A, f"{_IND}/water/water_reliability_ok", "yes"),
    ]


VISIT_WITH_EVENT: list[Command] = [
    *_VISIT_TARGET,
    (A, "/data/visit/visit_date", "2026-11-25"),
    (A, "/data/visit/visitor_name", "刘干部、陈队长"),
    (A, "/data/visit/visitor_role", "contact_helper"),
    (A, "/data/visit/visitor_phone", "13600003333"),
    (A, "/data/visit/visit_mode", "in_home"),
    (A, "/data/visit/met_person", "family_member"),
    (A, "/data/visit/met_name", "李梅（妻子）"),
    *_all_met(medical="no"),
    (A, f"{_IND}/medical/medical_detail", "户主住院，自付费用高"),
    (A, "/data/bayou/bayou_all_met", "no"),
    (A, "/data/bayou/bayou_unmet", "income_source"),
    ("list",),
    (A, "/data/bayou/bayou_gaps[1]/bayou_item_detail", "户主住院后无务工收入"),
    (A, "/data/changes/change_categories", "health income"),
    (A, "/data/changes/change_detail", "户主11月确诊重病住院，停止外出务工"),
    (A, "/data/changes/risk_trend", "increased"),
    (A, "/data/changes/new_risks", "illness unstable_employment"),
    (A, "/data/changes/difficulties", "医疗费用缺口约3万元"),
    ("repeat", "/data/measures", "2"),
    (A, "/data/measures[1]/measure_family", "social_protection"),
    (A, "/data/measures[1]/measure_detail", "申请临时救助"),
    (A, "/data/measures[1]/measure_status", "in_progress"),
    (A, "/data/measures[1]/measure_amount", "3000"),
    (A, "/data/measures[2]/measure_family", "employment"),
    (A, "/data/measures[2]/measure_detail", "推荐妻子到扶贫车间就业"),
    (A, "/data/measures[2]/measure_status", "planned"),
    (A, "/data/followup/earlier_measures", "小额信贷已发放"),
    (A, "/data/major_event/major_event_found", "yes"),
    (A, "/data/major_event/event_type", "serious_illness"),
    (A, "/data/major_event/event_date", "2026-11-18"),
    (A, "/data/major_event/event_description", "户主确诊肺癌，住院治疗"),
    (A, "/data/major_event/event_cost", "80000"),
    ("repeat", "/data/photos", "2"),
    (A, "/data/photos[1]/photo", "1764900000111.jpg"),
    (A, "/data/photos[1]/photo_caption", "入户走访"),
    (A, "/data/photos[2]/photo", "1764900000222.jpg"),
    (A, "/data/sign/visit_location", "24.0513 114.2031 118.0 6.0"),
    (A, "/data/sign/signer_name", "李梅"),
    (A, "/data/sign/member_signature", "1764900000333.png"),
    (A, "/data/sign/visitor_signature", "1764900000444.png"),
]

VISIT_WITHOUT_EVENT: list[Command] = [
    *_VISIT_TARGET,
    (A, "/data/visit/visit_date", "2026-11-10"),
    (A, "/data/visit/visitor_name", "刘干部"),
    (A, "/data/visit/visitor_role", "contact_helper"),
    (A, "/data/visit/visit_mode", "phone"),
    (A, "/data/visit/met_person", "head"),
    *_all_met(),
    (A, "/data/bayou/bayou_all_met", "yes"),
    (A, "/data/changes/change_categories", "none"),
    (A, "/data/changes/risk_trend", "unchanged"),
    (A, "/data/changes/difficulties", "无"),
    (A, "/data/major_event/major_event_found", "no"),
]

MAJOR_EVENT: list[Command] = [
    *_VISIT_TARGET,
    (A, "/data/event/member_name", "李梅"),
    (A, "/data/event/member_relation", "10"),
    (A, "/data/event/member_id", EVENT_MEMBER_ID),
    (A, "/data/event/event_type", "major_injury"),
    (A, "/data/event/event_date", "2026-10-03"),
    (A, "/data/event/discovered_on", "2026-10-05"),
    (A, "/data/event/description", "务农时摔伤致腿部骨折"),
    (A, "/data/event/estimated_cost", "25000.75"),
    (A, "/data/event/situation", "hospitalised income_lost"),
    (A, "/data/event/situation_detail", "在县人民医院住院"),
    (A, "/data/event/help_needed", "医疗费用"),
    (A, "/data/event/departments", "civil_affairs medical_security"),
    (A, "/data/reporter/reporter_name", "刘干部"),
    (A, "/data/reporter/reporter_phone", "13600003333"),
    (A, "/data/reporter/photo", "1764000000777.jpg"),
]

FIXTURES: dict[str, tuple[str, list[Command]]] = {
    "household_archive.xml": ("household_archive", HOUSEHOLD_ARCHIVE),
    "assistance_visit_event.xml": ("assistance_visit", VISIT_WITH_EVENT),
    "assistance_visit_plain.xml": ("assistance_visit", VISIT_WITHOUT_EVENT),
    "major_event.xml": ("major_event", MAJOR_EVENT),
}

# Values that change with every run (clock, UUID, and what is derived from the date).
_VOLATILE = re.compile(rb"<(start|end|today|instanceID|instanceName|age)>[^<]*</\1>|<(age) ?/>")


def stable(xml: bytes) -> bytes:
    """The instance with its run-dependent values blanked, to compare two generations."""
    return _VOLATILE.sub(lambda m: b"<" + (m.group(1) or m.group(2)) + b"/>", xml)


def generate(probe: FormProbe) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for file_name, (form_id, commands) in FIXTURES.items():
        results, xml = probe.fill(form_id, commands)
        wrong = [
            (c, r)
            for c, r in zip(commands, results, strict=True)
            if c[0] in {A, FORCE} and r != "OK"
        ]
        assert wrong == [], f"{file_name}: {wrong}"
        out[file_name] = xml
    return out


def make_probe(work: Path) -> FormProbe:
    forms = work / "forms"
    build = work / "build"
    forms.mkdir()
    build.mkdir()
    for form_id in {form_id for form_id, _ in FIXTURES.values()}:
        (forms / f"{form_id}.xml").write_text(compile_form(form_id), encoding="utf-8")
    return FormProbe(build, forms)


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        generated = generate(make_probe(Path(work)))
    INSTANCES.mkdir(parents=True, exist_ok=True)
    for file_name, xml in generated.items():
        (INSTANCES / file_name).write_bytes(xml)
        print(f"wrote {INSTANCES / file_name}")


if __name__ == "__main__":
    main()
