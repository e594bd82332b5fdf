"""The four archive documents, printed over HTTP from records that came in through real
submissions, checked in the real PDF with poppler (pdftotext, pdffonts, pdfinfo)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select
from werkzeug.http import parse_options_header

from server.i18n import COOKIE
from server.printing.models import ArchiveNumber
from server.registry.queries import find_household
from server.review.approval import decide, propose
from tests import pdf
from tests.http.web.helpers import login
from tests.http.web.language import chinese_runs, latin_words

KEEP = os.environ.get("FANGFAN_KEEP_PDFS")  # a folder: keep the PDFs to look at them
# A stored code as it would print unlabelled: `marginal_at_risk`, `bayou:road`, or one of the
# one-word codes the test submissions answer.
SNAKE_CODE = re.compile(r"\b[a-z]+(?:[_:][a-z0-9]+)+\b")
WORD_CODES = re.compile(
    r"\b(male|female|head|ordinary|illness|disability|chronic|healthy|primary|weak|farming|"
    r"spring|open|handling|closed|planned|completed|monitored|met|yes|no|none|phone)\b"
)


def _get(client, url: str, name: str):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "application/pdf"
    if KEEP:
        Path(KEEP).mkdir(exist_ok=True)
        pdf.save(response.data, Path(KEEP) / name)
    return response


def _assert_no_codes(text: str) -> None:
    assert not SNAKE_CODE.findall(text) and not WORD_CODES.findall(text), text


def _assert_archival(data: bytes, title_part: str) -> None:
    cjk = [f for f in pdf.fonts(data) if "Noto-Sans-CJK-SC" in f["name"]]
    assert cjk, pdf.fonts(data)
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in cjk)
    assert {"Bold" in f["name"] for f in cjk} == {True, False}  # real bold next to regular
    meta = pdf.info(data)
    assert 'pdfaid:part="3"' in meta["_xmp"] and 'pdfaid:conformance="B"' in meta["_xmp"]
    assert title_part in meta["Title"]


def _confirm_inclusion(session, village) -> None:  # type: ignore[no-untyped-def]
    """The approval chain: the county's confirmation issues the household's 档号."""
    household = find_household(session, village.archive_household)
    users = village.users
    case = propose(
        session,
        users["vic"].user,
        household.code,
        kind="inclusion",
        comment="",
        publicity_start=date(2026, 11, 21),
        publicity_end=date(2026, 11, 27),
    )
    decide(session, users["sam"].user, case.id, approve=True, comment="")
    decide(session, users["ada"].user, case.id, approve=True, comment="")
    session.commit()


def test_household_archive_record_prints_the_identification_in_full(client, session, village):
    login(client, village.users["ada"])
    url = f"/print/households/{village.archive_household}/archive.pdf"
    unnumbered = pdf.text(_get(client, url, "archive-unnumbered.pdf").data)
    assert "档号：未编号" in unnumbered  # a print (a GET) never issues the number
    assert session.scalars(select(ArchiveNumber)).all() == []
    _confirm_inclusion(session, village)
    response = _get(client, url, "archive.pdf")
    text = pdf.text(response.data)
    archive_no = re.search(r"440233100201-2026-\d{4}", text)
    assert archive_no, text
    for value in (
        "张三",
        "440233197503120015",
        "李梅",
        "边缘易致贫户",
        "梁坝村三组12号",
        "6,566.83",
        "因病",
        "王书记",
        "新丰县农业农村局",
    ):
        assert value in text, value
    assert re.search(r"第\s*1\s*页\s*共\s*2\s*页", text)
    assert "未采集住房照片" not in text and "照片未上传" not in text  # the house photo, stored
    _assert_no_codes(text)
    _assert_archival(response.data, "户档案")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=household-archive-H440233100201-")
    assert parse_options_header(disposition)[1]["filename"].startswith("户档案-张三-")  # filename*

    again = client.get(f"/print/households/{village.archive_household}/archive.pdf")
    assert archive_no.group(0) in pdf.text(again.data)  # stable once issued


def test_work_form_prints_each_visit_with_a_missing_photo_marked(client, village):
    login(client, village.users["vic"])
    url = f"/print/households/{village.visited_household}/work-forms/2026-11.pdf"
    text = pdf.text(_get(client, url, "work-form.pdf").data)
    for value in (
        "帮扶工作表",
        "2026年11月",
        "刘干部、陈队长",
        "入户走访",
        "户主住院，自付费用高",
        "申请临时救助",
        "医疗费用缺口约3万元",
        "照片未上传",
        "1764900000222.jpg",
        "1 次（计入 1 次，应走访 2 次）",
        "走访次数不足",
        "村委会归档（盖章）",
    ):
        assert value in text, value
    _assert_no_codes(text)


def test_event_report_prints_the_reported_event(client, village):
    login(client, village.users["sam"])
    response = _get(client, f"/print/events/{village.event_id}/report.pdf", "event.pdf")
    text = pdf.text(response.data)
    for value in (
        "重大变故事项报告单",
        "重大意外伤害",
        "务农时摔伤致腿部骨折",
        "25,000.75",
        "民政",
    ):
        assert value in text, value
    _assert_no_codes(text)
    _assert_archival(response.data, "重大变故")


def test_village_binder_numbers_pages_across_the_whole_binder(client, village):
    login(client, village.users["ada"])
    response = _get(client, "/print/villages/440233100201/binders/2026-11.pdf", "binder.pdf")
    pages = pdf.page_texts(response.data)
    total = len(pages)
    assert total == pdf.pages(response.data) >= 4
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"第\s*{number}\s*页\s*共\s*{total}\s*页", page), page[-200:]
    assert "帮扶工作表汇编" in pages[0] and "监测户数" in pages[0]
    assert "目" in pages[1] and "录" in pages[1]
    _assert_archival(response.data, "帮扶工作表汇编")


ACCESS = [
    (None, "/print/households/{archive}/archive.pdf", 302),
    # Another village's committee: not found, as for any code outside one's area.
    ("ozzy", "/print/households/{archive}/archive.pdf", 404),
    ("ozzy", "/print/villages/440233100201/binders/2026-11.pdf", 404),
    ("ozzy", "/print/events/{event}/report.pdf", 404),
    ("dee", "/print/households/{archive}/archive.pdf", 403),  # departments print nothing
    ("dee", "/print/households/{visited}/work-forms/2026-11.pdf", 403),
    ("sam", "/print/households/H440233100299-0001/archive.pdf", 404),
    ("sam", "/print/households/{visited}/work-forms/2026-13.pdf", 404),
    ("sam", "/print/events/999999/report.pdf", 404),
    ("ada", "/print/villages/440233199999/binders/2026-11.pdf", 404),
    ("ada", "/verify/household/H-NONE?d=0", 404),
    ("ada", "/verify/nonsense/1?d=0", 404),
]


def test_who_may_print_what_and_unknown_records_are_404_pages(app, village):
    for persona, url, status in ACCESS:
        client = app.test_client()
        if persona:
            login(client, village.users[persona])
        target = url.format(
            archive=village.archive_household,
            visited=village.visited_household,
            event=village.event_id,
        )
        response = client.get(target, headers={"Accept": "text/html"})
        assert response.status_code == status, (persona, target)
        if status in (403, 404):
            assert "text/html" in response.content_type


def test_verify_page_says_whether_the_paper_matches(client, village):
    login(client, village.users["ada"])
    url = f"/print/events/{village.event_id}/report.pdf"
    printed = client.get(url).data
    digest = re.search(r"核验码\s*([0-9a-f]{12})", pdf.text(printed)).group(1)
    scanned = pdf.qr_codes(printed)  # what a phone reads off the paper
    assert scanned == [f"http://localhost/verify/event/{village.event_id}?d={digest}"]
    client.get("/logout")
    match = client.get(f"/verify/event/{village.event_id}?d={digest}")
    assert match.status_code == 200
    assert "一致" in match.get_data(as_text=True) and "不一致" not in match.get_data(as_text=True)
    stale = client.get(f"/verify/event/{village.event_id}?d=000000000000")
    assert "不一致" in stale.get_data(as_text=True)
    assert f"重大变故事项报告单：{village.event_id}" in match.get_data(as_text=True)
    assert latin_words(match.get_data(as_text=True), data=["Ada"]) == set()
    client.set_cookie(COOKIE, "en")
    english = client.get(f"/verify/event/{village.event_id}?d={digest}").get_data(as_text=True)
    assert f"Major event report: {village.event_id}" in english and "Match" in english
    assert chinese_runs(english) == set()
    assert (
        client.get("/verify/event/123456?d=x", headers={"Accept": "text/html"}).status_code == 404
    )


def test_every_print_is_in_the_audit_log(client, session, village):
    from sqlalchemy import select

    from server.audit.models import AuditEvent

    login(client, village.users["ada"])
    _get(client, f"/print/households/{village.archive_household}/archive.pdf", "archive.pdf")
    session.expire_all()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "print_archive")).one()
    assert (event.actor_username, event.object_kind, event.object_id) == (
        "ada",
        "household_archive",
        village.archive_household,
    )
