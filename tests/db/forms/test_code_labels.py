"""Codes read with the labels of the forms that ask them (stored at publish)."""

from __future__ import annotations

from server.forms.cli import XLSFORMS_DIR
from server.forms.service import code_labels, publish_form


def test_the_county_forms_label_their_answers_in_chinese_and_english(session):
    for name in ("household_archive", "assistance_visit", "major_event"):
        path = XLSFORMS_DIR / f"{name}.xlsx"
        publish_form(session, source=path.read_bytes(), source_name=path.name, attachments={})
    labels = code_labels(session)
    assert labels.of("visit_mode", "phone") == "电话联系"
    assert labels.of("visit_mode", "phone", "en").lower().startswith("phone")
    assert labels.of("relation", "10") == "10 配偶"
    assert labels.of("measure_status", "completed") == "已落实"
    assert labels.of("household_status", "rejected") == "未纳入"  # the server's own vocabulary


def test_without_forms_the_vocabulary_still_labels(session):
    assert code_labels(session).of("household_type", "marginal_at_risk") == "边缘易致贫户"
