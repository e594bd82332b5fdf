"""The monitoring dashboard, warning cases, exports and the monthly report over HTTP."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.access.policy import months_before
from server.core import clock
from server.monitoring.models import WarningCase
from tests import pdf as pdf_tools
from tests.db.monitoring.factories import household, make_event, make_visit
from tests.fixtures import LIANGBA, make_web_user
from tests.http.web.helpers import csrf_token, login

OCTOBER = "2026-10"


@pytest.fixture
def history(session, county):  # type: ignore[no-untyped-def]
    zhang = household(session, "H440233100201-0001")
    zhang.head_id_number = "440524188001010014"
    li = household(session, "H440233100201-0002")
    make_visit(session, zhang, date(2026, 10, 5))
    make_visit(session, li, date(2026, 9, 10), indicators={"food": "met"})
    make_visit(session, li, date(2026, 10, 2), indicators={"food": "not_met"})
    make_visit(session, li, date(2026, 10, 20), indicators={"food": "not_met"})
    make_event(session, household(session, "H440233100200-0001"), datetime(2026, 10, 1, tzinfo=UTC))
    session.commit()


def test_the_county_dashboard_drills_down_to_households(client, ada, history):
    login(client, ada)
    page = client.get(f"/monitoring/?month={OCTOBER}").get_data(as_text=True)
    assert "黄磜镇" in page
    assert "<svg" in page and "走访完成情况" in page
    assert "3/6" in page  # visits done / required in the county
    town = client.get(f"/monitoring/?month={OCTOBER}&area=440233100000").get_data(as_text=True)
    assert "梁坝村" in town and "三坑村" in town
    village = client.get(f"/monitoring/?month={OCTOBER}&area={LIANGBA}").get_data(as_text=True)
    assert "张三" in village and "李四" in village
    assert "指标由达标变为未达标" in village
    assert "帮扶人走访不足" in village and "张三 (1/2)" in village


def test_the_dashboard_opens_on_this_month_in_china(client, ada, county, freeze_clock):
    freeze_clock(datetime(2026, 3, 31, 16, 30, tzinfo=UTC))  # 1 April, 00:30 in China
    login(client, ada)
    page = client.get("/monitoring/").get_data(as_text=True)
    assert "动态监测 2026年4月" in page
    assert 'value="2026-04"' in page and "month=2026-04" in page
    cases = client.get("/monitoring/cases?month=2026-03").get_data(as_text=True)
    assert "预警案例 2026年3月" in cases


def test_a_village_committee_sees_only_its_village(client, session, history):
    clerk = make_web_user(
        session, username="vic", role="village_committee", area_code="440233100200"
    )
    session.commit()
    login(client, clerk)
    page = client.get(f"/monitoring/?month={OCTOBER}&area=440233").get_data(as_text=True)
    assert "王五" in page
    assert "张三" not in page


def test_cases_are_opened_checked_and_closed_with_a_reason(client, session, sam, history):
    login(client, sam)
    listing = client.get(f"/monitoring/cases?month={OCTOBER}")
    response = client.post(
        "/monitoring/cases/open", data={"csrf_token": csrf_token(listing.data), "month": OCTOBER}
    )
    assert response.status_code == 302
    case = (
        session.query(WarningCase)
        .filter_by(household_id=household(session, "H440233100201-0002").id)
        .one()
    )
    token = csrf_token(client.get("/monitoring/cases").data)
    client.post(
        f"/monitoring/cases/{case.id}",
        data={"csrf_token": token, "step": "check", "text": "入户核实"},
    )
    refused = client.post(
        f"/monitoring/cases/{case.id}", data={"csrf_token": token, "step": "close", "text": ""}
    )
    assert refused.status_code == 422
    client.post(
        f"/monitoring/cases/{case.id}",
        data={"csrf_token": token, "step": "close", "text": "已落实临时救助"},
    )
    session.refresh(case)
    assert (case.status, case.check_note, case.close_reason) == (
        "closed",
        "入户核实",
        "已落实临时救助",
    )


def _zip_tables(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            n: list(csv.reader(io.TextIOWrapper(archive.open(n), "utf-8-sig")))
            for n in archive.namelist()
        }


def test_the_registry_export_streams_and_masks_for_a_department_viewer(client, session, history):
    viewer = make_web_user(
        session, username="dora", role="department_viewer", department="civil_affairs"
    )
    session.commit()
    login(client, viewer)
    response = client.get("/exports/registry.zip?from=2026-10-01&to=2026-10-31")
    assert response.is_streamed
    tables = _zip_tables(response.get_data())
    assert "440524********0014" in tables["households.csv"][1]
    assert len(tables["visits.csv"]) == 1 + 3


def test_a_department_viewer_sees_only_the_households_its_duty_concerns(client, session, county):
    today = clock.today()
    recent = today - timedelta(days=20)
    leaking = household(session, "H440233100201-0001")  # 梁坝村 张三: unsafe housing lately
    make_visit(
        session,
        leaking,
        recent,
        indicators={"housing": "not_met"},
        difficulties="妻子电话13812345678，想要危房改造",
    )
    sound = household(session, "H440233100201-0002")  # 梁坝村 李四: met now, failed long ago
    make_visit(session, sound, recent, indicators={"housing": "met"})
    make_visit(session, sound, months_before(today, 13), indicators={"housing": "not_met"})
    ill = household(session, "H440233100200-0001")  # 三坑村: a serious illness, reported lately
    make_event(session, ill, datetime.combine(recent, time(), UTC))
    housing = make_web_user(
        session, username="dora", role="department_viewer", department="housing"
    )
    health = make_web_user(session, username="hui", role="department_viewer", department="health")
    session.commit()
    month = f"{recent:%Y-%m}"
    login(client, housing)
    page = client.get(f"/monitoring/household/{leaking.code}?month={month}")
    assert page.status_code == 200
    # the access policy: no visits section for a department, so not what the family said
    assert "危房改造" not in page.get_data(as_text=True)
    assert "住房安全有保障" in page.get_data(as_text=True)  # its indicator not met, by its label
    assert client.get(f"/monitoring/household/{sound.code}?month={month}").status_code == 404
    assert client.get(f"/monitoring/household/{ill.code}?month={month}").status_code == 404
    village = client.get(f"/monitoring/?month={month}&area={LIANGBA}").get_data(as_text=True)
    assert f"/monitoring/household/{leaking.code}" in village
    assert f"/monitoring/household/{sound.code}" not in village
    tables = _zip_tables(client.get("/exports/registry.zip").get_data())
    assert [row[0] for row in tables["households.csv"][1:]] == [leaking.code]
    # Free text is masked in an export as on every page (access.masks.text).
    difficulties = {row[9] for row in tables["visits.csv"][1:]}
    assert "妻子电话138****5678，想要危房改造" in difficulties
    assert not any("13812345678" in text for text in difficulties)
    assert client.get("/exports/submissions/visit_test.zip").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").data)})
    login(client, health)
    assert client.get(f"/monitoring/household/{ill.code}?month={month}").status_code == 200
    assert client.get(f"/monitoring/household/{leaking.code}?month={month}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").data)})
    login(client, make_web_user(session, username="ada", role="county_admin"))
    text = client.get(f"/monitoring/household/{leaking.code}?month={month}").get_data(True)
    assert "妻子电话138****5678，想要危房改造" in text  # free text, masked as on every page


def test_an_admin_gets_personal_data_and_xlsx(client, ada, history):
    login(client, ada)
    tables = _zip_tables(client.get("/exports/registry.zip").get_data())
    assert "440524188001010014" in tables["households.csv"][1]
    book = load_workbook(io.BytesIO(client.get("/exports/registry.xlsx").get_data()))
    assert book["visits"].max_row == 1 + 4


def test_the_monthly_report_as_xlsx_and_pdf(client, ada, history, tmp_path):
    login(client, ada)
    xlsx = client.get(f"/exports/report-{OCTOBER}.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames[0] == "汇总 Summary"
    towns = list(book["各镇 Towns"].iter_rows(values_only=True))
    assert towns[0][0] == "区域 Area"
    assert towns[1][:3] == ("黄磜镇", "440233100000", 3)
    helpers = list(book["帮扶人 Helpers"].iter_rows(values_only=True))
    assert helpers[1] == ("（未指定）", 2, "王五、张三")  # no helper yet; by village code
    pdf = client.get(f"/exports/report-{OCTOBER}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    # Read back as text, as the archive prints are checked: the CJK font is embedded and the
    # warnings are printed.
    (tmp_path / "report.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "黄磜镇防止返贫动态监测月报" not in text  # the county, not a town, is the area
    assert "新丰县防止返贫动态监测月报" in text
    assert "指标由达标变为未达标" in text and "李四" in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, check=True, text=True
    ).stdout
    assert "CJK" in fonts
    # The same print pipeline as the archive: PDF/A with its metadata.
    meta = pdf_tools.info(pdf.data)
    assert 'pdfaid:part="3"' in meta["_xmp"] and 'pdfaid:conformance="B"' in meta["_xmp"]


def test_pages_need_a_login(client, county):
    assert client.get("/monitoring/").status_code == 302
    assert client.get("/exports/registry.zip").status_code == 302


def test_a_household_page_ends_the_drill_down_within_scope(client, session, sam, history):
    login(client, sam)
    page = client.get(f"/monitoring/household/H440233100201-0002?month={OCTOBER}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2026-10-20" in text and "不愁吃" in text  # the item not met, by its label
    village = client.get(f"/monitoring/?month={OCTOBER}&area={LIANGBA}").get_data(as_text=True)
    assert "/monitoring/household/H440233100201-0002?month=2026-10" in village
    clerk = make_web_user(
        session, username="vic", role="village_committee", area_code="440233100200"
    )
    session.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").data)})
    login(client, clerk)
    assert client.get("/monitoring/household/H440233100201-0002").status_code == 404


def test_every_export_is_in_the_audit_log(client, session, ada, history):
    from sqlalchemy import select

    from server.audit.models import AuditEvent

    login(client, ada)
    assert client.get("/exports/registry.zip").data.startswith(b"PK")  # streamed to the end
    assert client.get(f"/exports/report-{OCTOBER}.xlsx").data.startswith(b"PK")
    session.expire_all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export_data").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_username, e.object_kind, e.detail["masked"]) for e in events] == [
        ("ada", "registry", False),
        ("ada", "monthly_report", False),
    ]


def test_after_an_event_step_the_browser_goes_back_only_to_a_page_of_this_site(
    client, session, sam, history
):
    from server.registry.models import MajorEvent

    (event_id,) = session.scalars(select(MajorEvent.id)).all()
    login(client, sam)
    token = csrf_token(client.get(f"/monitoring/?month={OCTOBER}").data)
    foreign = client.post(
        f"/monitoring/events/{event_id}",
        data={"csrf_token": token},
        headers={"Referer": "https://evil.example/monitoring/"},
    )
    assert foreign.status_code == 302
    assert urlsplit(foreign.headers["Location"]).netloc in ("", "localhost")
    assert urlsplit(foreign.headers["Location"]).path == "/monitoring/"
    own = client.post(
        f"/monitoring/events/{event_id}",
        data={"csrf_token": token, "measure": "临时救助 3000 元"},
        headers={"Referer": f"http://localhost/monitoring/?month={OCTOBER}&area={LIANGBA}"},
    )
    assert own.headers["Location"].endswith(f"/monitoring/?month={OCTOBER}&area={LIANGBA}")
