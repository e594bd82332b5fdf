"""A print and the dashboard count a month's visits by the same rule (monitoring.rules)."""

from __future__ import annotations

from datetime import date

from server.monitoring.service import monthly_overview
from server.printing import service
from tests.db.monitoring.factories import household, make_visit

NOVEMBER = date(2026, 11, 1)
LIANGBA = "440233100201"


def test_a_phone_call_counts_on_neither_the_work_form_nor_the_dashboard(session, county):
    zhang = household(session, "H440233100201-0001")
    make_visit(session, zhang, date(2026, 11, 5))
    make_visit(session, zhang, date(2026, 11, 18), mode="phone")  # the settings: calls don't count
    li = household(session, "H440233100201-0002")
    make_visit(session, li, date(2026, 11, 6))
    make_visit(session, li, date(2026, 11, 20))
    session.flush()

    forms = service.work_forms_data(session, [zhang, li], "2026-11", "http://fangfan.test")
    printed = {
        f["household"]["head_name"]: (f["visit_count"], f["visits_counted"], f["below_minimum"])
        for f in forms
    }
    assert printed == {"张三": (2, 1, True), "李四": (2, 2, False)}

    month = monthly_overview(session, month=NOVEMBER, prefix=LIANGBA, today=date(2026, 11, 30))
    below = {month.households[s.household_id].head_name for s in month.shortfalls}
    assert below == {name for name, (_, _, low) in printed.items() if low}
