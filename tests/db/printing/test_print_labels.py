"""Prints label codes as the pages do: the server's vocabulary with the published forms' choice
lists merged in (forms.service.code_labels), in Chinese; checked in the real PDF."""

from __future__ import annotations

import textwrap
from datetime import date

from server.printing import render, service
from server.registry.queries import find_household
from tests import pdf
from tests.fixtures import SETUP, make_form
from tests.registry_factories import add_visit

# A form whose visit_mode list has a way of visiting no other place labels.
VISIT_MODES = """
| survey   |                       |            |              |
|          | type                  | name       | label        |
|          | select_one visit_mode | visit_mode | 走访方式     |
| choices  |                       |            |              |
|          | list_name             | name       | label        |
|          | visit_mode            | in_home    | 入户走访     |
|          | visit_mode            | video_call | 视频连线走访 |
| settings |                       |            |              |
|          | form_id               | version    |              |
|          | visit_modes           | 1          |              |
"""


def test_a_label_only_a_forms_choice_list_has_is_printed(session, county):
    form_version = make_form(session, textwrap.dedent(VISIT_MODES).encode(), name="visit_modes.md")
    household = find_household(session, "H440233100201-0001")
    visit = add_visit(
        session, household, form_version, visited_on=date(2026, 11, 5), photos=[], signature=None
    )
    visit.mode = "video_call"
    session.commit()
    job = service.print_work_form(
        session,
        user=None,
        code=household.code,
        month="2026-11",
        base_url="http://fangfan.test",
        operator=SETUP,
    )
    text = pdf.text(
        render.render_pdf(render.render_html(job.template, **job.context), job.attachments.get)
    )
    assert "视频连线走访" in text
    assert "video_call" not in text
