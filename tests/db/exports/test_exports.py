"""Exports: CSV in a ZIP and XLSX, repeats as their own tables, filtered, masked by role."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from server.access.policy import EVERYWHERE, EXPORT, MASKED, area_scope, masker
from server.access.viewer import OPERATOR
from server.exports.service import ExportFilter, registry_export, submissions_export
from server.exports.writers import ChunkSink, write_csv_zip, write_xlsx
from server.forms.service import list_current_versions
from server.ingest.models import Submission, SubmissionVersion
from tests.db.monitoring.factories import household, make_visit

SUBMISSION = """<data xmlns:jr="http://openrosa.org/javarosa" id="visit_test" version="1">
<village>440233100201</village><household>H440233100201-0001</household>
<visited_on>2026-10-05</visited_on>
<member><member_name>张三</member_name></member>
<member><member_name>张小三</member_name></member>
<photo>a.jpg</photo><signature/>
<meta><instanceID>uuid:{n}</instanceID></meta></data>"""


def _tables(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.reader(io.TextIOWrapper(archive.open(name), "utf-8-sig"))
            )
            for name in archive.namelist()
        }


def masked(**kwargs) -> ExportFilter:  # type: ignore[no-untyped-def]
    """The whole county, personal data masked (as a department viewer gets it)."""
    return ExportFilter(**{"scope": EVERYWHERE, "masker": MASKED} | kwargs)


def full(**kwargs) -> ExportFilter:  # type: ignore[no-untyped-def]
    return masked(masker=masker(OPERATOR, EXPORT), **kwargs)


def _zip(tables) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    sum(write_csv_zip(tables, out))
    return out.getvalue()


def test_registry_csv_zip_masks_personal_data_unless_allowed(session, county):
    zhang = household(session, "H440233100201-0001")
    zhang.head_id_number = "440524188001010014"
    make_visit(session, zhang, date(2026, 10, 5), indicators={"food": "met"})
    masked_tables = _tables(_zip(registry_export(session, masked())))
    assert set(masked_tables) == {
        "households",
        "members",
        "visits",
        "indicators",
        "measures",
        "major_events",
    }
    header, *rows = masked_tables["households"]
    assert header[0] == "户编号 Household code"
    row = dict(zip(header, rows[0], strict=True))
    assert row["户主身份证号 Head ID number"] == "440524********0014"
    assert row["联系电话 Phone"] == "138****5678"
    assert row["户主 Head"] == "张三"  # names as on the pages: whoever sees the household
    unmasked = _tables(_zip(registry_export(session, full())))
    assert "440524188001010014" in unmasked["households"][1]
    _header, visit_row = masked_tables["visits"]
    assert visit_row[1] == "H440233100201-0001"
    assert masked_tables["indicators"][1][3:5] == ["food", "met"]


def test_registry_export_filters_by_area_and_date(session, county):
    make_visit(session, household(session, "H440233100201-0001"), date(2026, 10, 5))
    make_visit(session, household(session, "H440233100201-0001"), date(2026, 9, 5))
    make_visit(session, household(session, "H440233100200-0001"), date(2026, 10, 6))
    f = masked(
        scope=area_scope("440233100201"), date_from=date(2026, 10, 1), date_to=date(2026, 10, 31)
    )
    tables = _tables(_zip(registry_export(session, f)))
    assert len(tables["households"]) == 1 + 2
    assert [r[3] for r in tables["visits"][1:]] == ["2026-10-05"]


def test_submissions_repeats_are_their_own_table_linked_by_keys(session, county):
    form_version = next(
        v for v in list_current_versions(session) if v.form.xml_form_id == "visit_test"
    )
    for n in (1, 2):
        session.add(
            SubmissionVersion(
                submission=Submission(form_id=form_version.form_id),
                form_id=form_version.form_id,
                form_version_id=form_version.id,
                instance_id=f"uuid:{n}",
                xml=SUBMISSION.format(n=n).encode(),
                xml_sha256="0" * 64,
            )
        )
    session.flush()
    tables = _tables(_zip(submissions_export(session, "visit_test", masked())))
    assert set(tables) == {"visit_test", "visit_test-member"}
    main_header, *main_rows = tables["visit_test"]
    assert main_header[0] == "KEY"
    assert [r[0] for r in main_rows] == ["uuid:1", "uuid:2"]
    member_header, *members = tables["visit_test-member"]
    assert member_header[-2:] == ["PARENT_KEY", "KEY"]
    assert members[1][-2:] == ["uuid:1", "uuid:1/member[2]"]
    assert members[1][0] == "张小三"  # names as on the pages: shown to whoever sees the record


def test_submissions_are_chosen_by_the_day_in_china_they_were_received(session, county):
    form_version = next(
        v for v in list_current_versions(session) if v.form.xml_form_id == "visit_test"
    )
    for n, received in (
        (1, datetime(2026, 10, 1, 15, 59, tzinfo=UTC)),  # 1 October, 23:59 in China
        (2, datetime(2026, 10, 1, 16, 0, tzinfo=UTC)),  # 2 October, 00:00 in China
        (3, datetime(2026, 10, 2, 15, 59, tzinfo=UTC)),  # 2 October, 23:59 in China
        (4, datetime(2026, 10, 2, 16, 0, tzinfo=UTC)),  # 3 October already
    ):
        session.add(
            SubmissionVersion(
                submission=Submission(form_id=form_version.form_id),
                form_id=form_version.form_id,
                form_version_id=form_version.id,
                instance_id=f"uuid:{n}",
                xml=SUBMISSION.format(n=n).encode(),
                xml_sha256="0" * 64,
                received_at=received,
            )
        )
    session.flush()
    october_2 = masked(date_from=date(2026, 10, 2), date_to=date(2026, 10, 2))
    tables = _tables(_zip(submissions_export(session, "visit_test", october_2)))
    assert [row[0] for row in tables["visit_test"][1:]] == ["uuid:2", "uuid:3"]


def test_xlsx_has_one_sheet_per_table_with_chinese_headers(session, county):
    out = io.BytesIO()
    list(write_xlsx(registry_export(session, masked()), out))
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    assert book.sheetnames[:2] == ["households", "members"]
    first = next(book["households"].iter_rows(values_only=True))
    assert first[0] == "户编号 Household code"
    assert sum(1 for _ in book["households"].iter_rows()) == 1 + 3
    book.close()


def test_the_zip_streams_to_an_unseekable_sink_in_pieces(session, county):
    sink = ChunkSink()
    pieces = []
    for _ in write_csv_zip(registry_export(session, masked()), sink):
        pieces.append(sink.drain())
    pieces.append(sink.drain())
    tables = _tables(b"".join(pieces))
    assert len(tables["households"]) == 4


def test_an_export_masks_as_every_page_does(session, county):
    """One set of masks (access.masks): a 7-digit landline once came out of an export with
    every digit (`761****2345` showed the whole number) while pages showed `*******` (#12)."""
    from server.access import masks

    phones = {
        "H440233100201-0001": "13812345678",
        "H440233100201-0002": "7612345",
        "H440233100200-0001": None,
    }
    for code, phone in phones.items():
        household(session, code).head_phone = phone
    session.flush()
    rows = _tables(_zip(registry_export(session, masked())))["households"]
    got = {row[0]: row[4] for row in rows[1:]}
    assert got == {code: masks.phone(phone) for code, phone in phones.items()}
    assert got["H440233100201-0002"] == "*****45"
