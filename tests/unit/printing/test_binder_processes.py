"""A binder rendered by two worker processes numbers its pages like one rendered in-process."""

from __future__ import annotations

import io
import re

from server.core.labels import vocabulary
from server.monitoring.rules import VisitTally
from server.printing import binder, documents
from server.printing.digest import verification
from tests import pdf

LABELS = vocabulary()
AREA = {
    "village_code": "440233100201",
    "county_name": "新丰县",
    "town_name": "黄磜镇",
    "village_name": "梁坝村",
}


def _forms(count: int) -> list[dict]:
    forms = []
    for n in range(1, count + 1):
        household = {
            "code": f"H440233100201-{n:04d}",
            "head_name": f"户主{n}",
            "household_type": "marginal_at_risk",
            "household_kind": "ordinary",
            "archive_no": f"440233100201-2026-{n:04d}",
        }
        data = documents.work_form(
            household, area=AREA, month="2026-11", visits=[], tally=VisitTally(0, 2), labels=LABELS
        )
        forms.append(
            data
            | {
                "verify": verification(
                    data, kind="work-form", ident=str(n), base_url="http://f.test"
                )
            }
        )
    return forms


def test_two_worker_processes_render_the_parts_and_the_numbers_still_count_the_binder():
    forms = _forms(4)
    cover = documents.binder_cover(AREA, month="2026-11", forms=forms)
    out = io.BytesIO()
    result = binder.render_binder(
        cover,
        forms,
        [],
        out,
        meta={"title": "t", "author": "a", "keywords": "k"},
        workers=2,
        chunk_size=1,
    )
    pages = pdf.page_texts(out.getvalue())
    assert result.pages == len(pages) == 6  # cover, contents, one page per household
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"第\s*{number}\s*页\s*共\s*6\s*页", text)
    assert result.page_numbers == {f"hh-H440233100201-{n:04d}": n + 2 for n in range(1, 5)}
    assert all(f"户主{n}" in pages[n + 1] for n in range(1, 5))
