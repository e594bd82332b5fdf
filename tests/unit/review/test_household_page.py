"""The household page's data for one viewer: labelled, money-formatted, masked by the policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from server.access.policy import sections
from server.access.viewer import WEB, Viewer
from server.core.labels import vocabulary
from server.monitoring.rules import VisitTally
from server.registry.facts import (
    HouseholdRecord,
    HouseholdSummary,
    MeasureFacts,
    MemberFacts,
    ObservationFacts,
    VisitFacts,
)
from server.review.household_page import present_household

FREE_TEXT = "户主电话13812345678"
LABELS = vocabulary().with_lists(
    {
        "bayou": {"road": {"zh": "有路通自然村", "en": "Has a road"}},
        "visit_mode": {"in_home": {"zh": "入户走访", "en": "Home visit"}},
        "measure_family": {"employment": {"zh": "就业帮扶", "en": "Employment support"}},
    }
)
HOUSING = Viewer(WEB, "department_viewer", department="housing")
MEDICAL = Viewer(WEB, "department_viewer", department="medical_security")
VILLAGE = Viewer(WEB, "village_committee", area_code="440233100201")


def _member(seen: frozenset[str]) -> MemberFacts:
    health = "health" in seen
    return MemberFacts(
        name="张三",
        relation="01",
        birth_date=None,
        id_number="440233197503120015" if "ids" in seen else None,
        health=("chronic",) if health else (),
        disability_grade=None,
        schooling=None,
        school_grade=None,
        education=None,
        labour=None,
        work_status=None,
        insurance=(),
    )


def _record(viewer: Viewer) -> HouseholdRecord:
    """What the registry hands out for this viewer (registry.queries.get_household_record)."""
    seen = sections(viewer)
    day = date(2026, 11, 20)
    measure = MeasureFacts(day, "employment", FREE_TEXT, "completed", Decimal("28000.0"))
    return HouseholdRecord(
        household=HouseholdSummary(
            1, "H1", "440233100201", "张三", "marginal_at_risk", "monitored", 1, None
        ),
        sections=seen,
        head_phone="13812345678" if "ids" in seen else None,
        members=(_member(seen),) if "members" in seen else (),
        observations=(
            ObservationFacts("bayou:road", day, "not_met", FREE_TEXT),
            ObservationFacts("housing", day, "not_met", FREE_TEXT),
        ),
        measures=(measure,) if "measures" in seen else (),
        visits=(VisitFacts(day, "刘干部", "in_home", "reduced", FREE_TEXT),)
        if "visits" in seen
        else (),
    )


def _page(viewer: Viewer, revealed: frozenset[str] = frozenset(), lang: str = "zh"):  # type: ignore[no-untyped-def]
    return present_household(
        _record(viewer),
        [],
        tallies={date(2026, 10, 1): VisitTally(2, 2), date(2026, 11, 1): VisitTally(1, 2)},
        viewer=viewer,
        revealed=revealed,
        labels=LABELS,
        lang=lang,
        village_names={"440233100201": "梁坝村"},
    )


def test_codes_read_as_labels_and_amounts_as_money():
    page = _page(VILLAGE)
    assert (page.status_label, page.household_type, page.village) == (
        "监测中",
        "边缘易致贫户",
        "梁坝村",
    )
    assert [row.label for row in page.indicators] == ["八有：有路通自然村", "住房安全有保障"]
    assert page.indicators[0].cells[0].label == "未达标"
    assert (page.measures[0].family, page.measures[0].amount) == ("就业帮扶", "28,000.00")
    assert page.visits[0].mode == "入户走访"
    assert [(m.month, m.done, m.required, m.below) for m in page.visits_per_month] == [
        ("2026-11", 1, 2, True),
        ("2026-10", 2, 2, False),
    ]
    english = _page(VILLAGE, lang="en")
    assert english.status_label == "Under monitoring"
    assert english.indicators[0].label == "Eight essentials: Has a road"
    assert english.visits[0].mode == "Home visit"


def test_ids_phones_and_free_text_wait_for_a_reveal_of_ids():
    page = _page(VILLAGE)
    assert page.phone == "138****5678" and page.members[0].id_number == "440233********0015"
    assert page.visits[0].difficulties == "户主电话138****5678"
    assert page.members[0].health is None  # hidden until a reveal of health
    assert page.reveal_offers == ("health", "ids") and page.revealed == frozenset()
    ids = _page(VILLAGE, frozenset({"ids"}))
    assert ids.phone == "13812345678" and ids.visits[0].difficulties == FREE_TEXT
    assert ids.members[0].health is None and ids.reveal_offers == ("health",)
    health = _page(VILLAGE, frozenset({"health"}))
    assert health.members[0].health == "chronic" and health.phone == "138****5678"


def test_a_reveal_of_a_section_the_viewer_lacks_unmasks_nothing():
    page = _page(HOUSING, frozenset({"ids", "health"}))
    assert page.revealed == frozenset() and page.reveal_offers == ()
    assert page.phone is None and page.members == () and page.visits == ()
    assert [row.cells[0].detail for row in page.indicators] == ["户主电话138****5678"] * 2
    medical = _page(MEDICAL, frozenset({"ids"}))
    assert medical.phone == "13812345678" and medical.members[0].health is None
