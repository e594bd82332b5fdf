"""Pages and exports read a submission once into its tree and label it with the labels stored
at publish: choice labels, named towns and villages, a repeat's labels that show an answer,
Central's export layout; and nothing parses the XForm while a page or an export is served."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from sqlalchemy import event, select

from server.ingest.models import SubmissionVersion
from server.registry.models import Household
from tests.fixtures import HUANGQI, make_web_user
from tests.http.review.workspace import HTML, sign_in, submit_county_records


@pytest.fixture
def records(app, session, county):  # type: ignore[no-untyped-def]
    return submit_county_records(app, session)


@pytest.fixture
def sam(session, county):  # type: ignore[no-untyped-def]
    persona = make_web_user(session, username="sam", role="town_reviewer", area_code=HUANGQI)
    session.commit()
    return persona


def _tables(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.reader(io.TextIOWrapper(archive.open(name), "utf-8-sig", newline=""))
            )
            for name in archive.namelist()
        }


def test_the_detail_names_the_town_and_labels_each_gap_with_its_item(client, records, sam):
    sign_in(client, sam)
    page = client.get(f"/review/submissions/{records['uuid:id-1']}", headers=HTML).data.decode()
    assert "<dt>镇（街道）</dt><dd>黄磜镇</dd>" in page  # was the code 440233100000
    assert "<dt>行政村</dt><dd>梁坝村</dd>" in page
    assert "<th>情况说明</th>" in page and "：情况说明</th>" not in page  # the 八有 gaps table
    assert "<small>有电视看：情况说明</small> 无有线电视信号" in page  # each row: its own item
    assert "有路通自然村、有电视看" in page  # a select_multiple under its choice labels


def _identified(session) -> str:  # type: ignore[no-untyped-def]
    """The household the identification instance created."""
    version = select(SubmissionVersion.id).where(SubmissionVersion.instance_id == "uuid:id-1")
    query = select(Household.code).where(Household.source_version_id == version.scalar_subquery())
    return session.scalars(query).one()


def test_the_household_page_labels_coded_answers_in_the_pages_language(
    client, session, records, sam
):
    sign_in(client, sam)
    url = f"/review/households/{_identified(session)}"
    assert "01 本人（户主）" in client.get(url, headers=HTML).data.decode()
    client.get("/lang/en")
    assert "01 Self (household head)" in client.get(url, headers=HTML).data.decode()


def test_the_submissions_export_keeps_centrals_layout(client, records, session):
    admin = make_web_user(session, username="ada", role="county_admin")
    session.commit()
    sign_in(client, admin)
    tables = _tables(client.get("/exports/submissions/household_archive.zip").get_data())
    assert set(tables) == {
        "household_archive",
        "household_archive-members",
        "household_archive-bayou_gaps",
    }
    header, row = tables["household_archive"]
    assert header[:4] == ["KEY", "提交时间 SubmissionDate", "提交人 SubmitterID", "start"]
    town = header.index("镇（街道） area-town")  # label, then Central's column name
    assert (row[0], row[town]) == ("uuid:id-1", "440233100000")
    members = tables["household_archive-members"]
    assert members[0][-2:] == ["PARENT_KEY", "KEY"]
    assert [r[-1] for r in members[1:]] == [f"uuid:id-1/members[{n}]" for n in (1, 2, 3)]
    gaps_header, *gaps = tables["household_archive-bayou_gaps"]
    assert "情况说明 bayou_item_detail" in gaps_header
    # a repeat inside a group is keyed with the group's name, as ODK Central keys it
    assert [r[-2:] for r in gaps] == [
        ["uuid:id-1", "uuid:id-1/bayou/bayou_gaps[1]"],
        ["uuid:id-1", "uuid:id-1/bayou/bayou_gaps[2]"],
    ]


def test_no_xform_is_read_while_pages_and_exports_are_served(
    client, app, records, session, sam, monkeypatch
):
    """The labels come from the stored schema: neither the XForm parser nor the XForm's
    bytes are touched by a page view or an export."""

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("an XForm was parsed at view time")

    monkeypatch.setattr("server.forms.xform.parse_xform", refuse)
    monkeypatch.setattr("server.forms.xform.ElementTree.fromstring", refuse)
    selected: list[str] = []
    xform_column = re.compile(r"form_versions\.xform\b(?!_)")

    def watch(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if xform_column.search(statement):
            selected.append(statement)

    engine = app.extensions["sessionmaker"].kw["bind"]
    event.listen(engine, "before_cursor_execute", watch)
    try:
        household = _identified(session)
        sign_in(client, sam)
        for url in (
            f"/review/submissions/{records['uuid:id-1']}",
            f"/review/submissions/{records['uuid:visit-2']}",  # an edit: two versions
            f"/review/households/{household}",
            "/exports/submissions/assistance_visit.zip",
            "/exports/submissions/household_archive.xlsx",
        ):
            assert client.get(url, headers=HTML).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert selected == []
