"""The county's three XLSForms: they compile without warnings, keep the contract with the
server (form ids, version, choice codes, CSV media and their columns), match their markdown
snapshots, and pass ODK Validate (slow). The form logic itself runs in JavaRosa in
test_xlsforms_engine.py.
"""

from __future__ import annotations

import csv
import re

import pytest
from lxml import etree
from openpyxl import load_workbook

from server.forms.workbook_text import workbook_to_markdown
from tests.unit.xlsforms.xlsform_support import (
    CSV_HEADERS,
    FORM_IDS,
    MEDIA,
    MEDIA_BY_FORM,
    XLSFORMS,
)

NS = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}
VERSION = "2026112901"
TITLES = {
    "household_archive": "户识别建档 Household identification",
    "assistance_visit": "帮扶工作表 Assistance visit",
    "major_event": "重大变故事项报告 Major-event report",
}
# Codes shared with the server; changing one breaks stored data and reports.
SHARED_CODES = {
    "household_type": [
        "unstable_formerly_poor",
        "marginal_at_risk",
        "sudden_severe_difficulty",
        "other",
    ],
    "household_kind": ["formerly_poor", "ordinary"],
    "measure_family": ["industry", "employment", "social_protection", "motivation", "other"],
    "event_type": ["serious_illness", "major_injury", "supporter_death", "disaster", "other"],
}
ZH, EN = "中文 (zh)", "English (en)"


def sheet_rows(form_id: str, sheet: str) -> list[dict[str, object]]:
    wb = load_workbook(XLSFORMS / f"{form_id}.xlsx", read_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(r)]


def choices(form_id: str) -> dict[str, list[dict[str, object]]]:
    lists: dict[str, list[dict[str, object]]] = {}
    for row in sheet_rows(form_id, "choices"):
        lists.setdefault(str(row["list_name"]), []).append(row)
    return lists


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_identity_and_settings(form_id: str, xforms: dict[str, str]) -> None:
    root = etree.fromstring(xforms[form_id].encode("utf-8"))
    primary = root.find("h:head/x:model/x:instance", NS)[0]
    assert primary.get("id") == form_id
    assert primary.get("version") == VERSION
    assert root.findtext("h:head/h:title", namespaces=NS) == TITLES[form_id]
    (settings,) = sheet_rows(form_id, "settings")
    assert settings["default_language"] == ZH
    assert settings["instance_name"]
    assert primary.find("x:meta/x:instanceName", NS) is not None
    assert primary.find("x:meta/x:instanceID", NS) is not None
    for meta in ("start", "end", "deviceid", "username"):
        assert primary.find(f"x:{meta}", NS) is not None, meta


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_every_label_hint_and_choice_is_bilingual(form_id: str) -> None:
    for row in sheet_rows(form_id, "survey"):
        for kind in ("label", "hint", "constraint_message"):
            zh, en = row.get(f"{kind}::{ZH}"), row.get(f"{kind}::{EN}")
            assert bool(zh) == bool(en), (form_id, row["name"], kind)
        if str(row["type"]).split()[0] not in {
            "calculate",
            "end_group",
            "end_repeat",
            "start",
            "end",
            "today",
            "deviceid",
            "username",
        }:
            assert row.get(f"label::{ZH}"), (form_id, row["name"])
    for items in choices(form_id).values():
        for item in items:
            assert item[f"label::{ZH}"], item
            assert item[f"label::{EN}"], item


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_shared_choice_codes(form_id: str) -> None:
    for list_name, items in choices(form_id).items():
        if list_name in SHARED_CODES:
            assert [i["name"] for i in items] == SHARED_CODES[list_name], list_name
    assert "household_type" in choices("household_archive")
    assert "household_kind" in choices("household_archive")
    assert "measure_family" in choices("assistance_visit")
    assert "event_type" in choices("assistance_visit")
    assert "event_type" in choices("major_event")


def test_bayou_is_one_list_and_the_same_in_both_forms() -> None:
    archive = choices("household_archive")["bayou"]
    visit = choices("assistance_visit")["bayou"]
    assert archive == visit
    assert len(archive) == 8
    for form_id in ("household_archive", "assistance_visit"):
        provisional = [
            r
            for r in sheet_rows(form_id, "survey")
            if "待县扶贫办" in str(r.get(f"label::{ZH}") or "") + str(r.get(f"hint::{ZH}") or "")
        ]
        assert provisional, f"{form_id}: 八有 must be marked provisional"


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_csv_media_and_the_columns_the_form_reads(form_id: str, xforms: dict[str, str]) -> None:
    xform = xforms[form_id]
    root = etree.fromstring(xform.encode("utf-8"))
    srcs = {
        i.get("id"): i.get("src")
        for i in root.findall("h:head/x:model/x:instance", NS)
        if i.get("src")
    }
    assert {src.removeprefix("jr://file-csv/") for src in srcs.values()} == MEDIA_BY_FORM[form_id]
    assert all(src.startswith("jr://file-csv/") for src in srcs.values())
    # Columns read from each CSV: item/<col>, and bare names inside item[...] predicates.
    for instance_id in srcs:
        header = set(CSV_HEADERS[f"{instance_id}.csv"])
        pattern = rf"instance\('{instance_id}'\)/root/item(\[[^\]]*\])?(/(\w+))?"
        for predicate, _, column in re.findall(pattern, xform):
            if column:
                assert column in header, (instance_id, column)
            for name in re.findall(r"(?<![/\w$'])([a-z_]+)\s*=", predicate):
                assert name in header, (instance_id, name)


def test_sample_media_have_exactly_the_agreed_headers() -> None:
    for name, header in CSV_HEADERS.items():
        with (MEDIA / name).open(encoding="utf-8", newline="") as f:
            assert next(csv.reader(f)) == header, name


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_markdown_snapshot_is_current(form_id: str) -> None:
    snapshot = XLSFORMS / f"{form_id}.md"
    expected = workbook_to_markdown(XLSFORMS / f"{form_id}.xlsx")
    assert snapshot.exists(), f"xlsforms/{form_id}.md is missing"
    assert snapshot.read_text(encoding="utf-8") == expected, (
        f"xlsforms/{form_id}.md is out of date with xlsforms/{form_id}.xlsx; regenerate it with "
        f"`fangfan forms text xlsforms/{form_id}.xlsx > xlsforms/{form_id}.md` and commit both."
    )


@pytest.mark.slow
@pytest.mark.parametrize("form_id", FORM_IDS)
def test_passes_odk_validate(form_id: str, xforms: dict[str, str], tmp_path) -> None:
    from pyxform.validators import odk_validate

    try:
        odk_validate.check_java_available()
    except OSError:
        pytest.fail("Java is needed for ODK Validate: run scripts/bootstrap")
    path = tmp_path / f"{form_id}.xml"
    path.write_text(xforms[form_id], encoding="utf-8")
    assert odk_validate.check_xform(str(path)) == []
