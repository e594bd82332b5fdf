"""A town reviewer, a village committee and the county administrator in Debian's Chromium:
filter the queue, open a submission with its photos, send it back with a comment, carry a
household through village → town → county, and see it under monitoring with its print link.

Screenshots of the main pages (1366×768 laptop and 820×1180 tablet) are saved under
build/screenshots/review/ (FANGFAN_SCREENSHOTS overrides) for review by eye.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from server.config import REPO_ROOT
from server.db import WRITE
from tests.fixtures import (
    HUANGQI,
    LIANGBA,
    SANKENG,
    make_areas,
    make_household,
    make_web_user,
)
from tests.http.review import workspace
from tests.live import migrated_app, serving

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("FANGFAN_SCREENSHOTS", REPO_ROOT / "build" / "screenshots" / "review"))
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 820, "height": 1180}


def _picture(name: str) -> bytes:
    """A real little JPEG or PNG, so the thumbnails render as pictures."""
    image = Image.new("RGB", (320, 240), (180, 200, 170) if name.endswith("jpg") else "white")
    for x in range(40, 280):
        image.putpixel((x, 120 + (x % 40) - 20), (40, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG" if name.endswith("jpg") else "PNG")
    return out.getvalue()


def _seed(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        session = app.extensions["sessionmaker"]()
        session.connection(execution_options=WRITE)
        make_areas(session)
        make_household(session, code="H440233100201-0001", head_name="张三")
        make_household(session, code="H440233100200-0001", village_code=SANKENG, head_name="王五")
        people = {
            "sam": make_web_user(session, username="sam", role="town_reviewer", area_code=HUANGQI),
            "vic": make_web_user(
                session, username="vic", role="village_committee", area_code=LIANGBA
            ),
            "ada": make_web_user(session, username="ada", role="county_admin"),
        }
        session.commit()
        _submit_with_pictures(app, session)
        passwords = {name: p.password for name, p in people.items()}
        session.close()
    return passwords


def _submit_with_pictures(app, session) -> None:  # type: ignore[no-untyped-def]
    from tests.http.openrosa import test_county_forms

    real = test_county_forms._files
    test_county_forms._files = lambda xml: {k: _picture(k) for k in real(xml)}
    try:
        workspace.submit_county_records(app, session)
    finally:
        test_county_forms._files = real


def _login(page: Page, base_url: str, username: str, password: str, path: str) -> None:
    page.goto(f"{base_url}{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _logout(page: Page) -> None:
    page.get_by_role("button", name="退出").click()


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_review_send_back_and_approve_through_three_levels(new_page, tmp_path):
    app = migrated_app(f"sqlite:///{tmp_path / 'browser.db'}", tmp_path / "instance")
    passwords = _seed(app)
    page = new_page(viewport=LAPTOP, locale="zh-CN")
    page.set_default_timeout(10_000)
    with serving(app) as base_url:
        _login(page, base_url, "sam", passwords["sam"], "/review/submissions")
        expect(page.get_by_role("heading", name="提交审核")).to_be_visible()
        expect(page.get_by_role("row")).to_have_count(4)  # header + 3 submissions
        _shot(page, "laptop-1-queue")
        page.get_by_label("表单", exact=True).select_option("household_archive")
        page.get_by_role("button", name="筛选").click()
        expect(page.get_by_role("row")).to_have_count(2)
        expect(page.get_by_role("cell", name="身份证号无效")).to_be_visible()

        page.get_by_role("link", name=re.compile("张三（梁坝村）")).click()
        expect(page.get_by_role("heading", name="户基本信息")).to_be_visible()
        photo = page.locator("img.thumb, a.thumb img").first
        expect(photo).to_be_visible()
        photo.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth === 320", arg=photo.element_handle()
        )
        expect(page.get_by_text("440233********0015").first).to_be_visible()
        _shot(page, "laptop-2-submission")

        page.get_by_label("审核状态").select_option("has_issues")
        page.get_by_label("意见", exact=True).fill("李梅的性别与身份证号不符，请核实后重新提交")
        page.get_by_role("button", name="提交审核意见").click()
        expect(page.get_by_role("status")).to_contain_text("已保存审核意见")
        expect(page.get_by_text("李梅的性别与身份证号不符，请核实后重新提交")).to_be_visible()
        page.get_by_role("link", name=re.compile(r"张三 H440233100201-")).click()
        household_url = page.url
        _logout(page)

        _login(page, base_url, "vic", passwords["vic"], household_url.removeprefix(base_url))
        page.get_by_label("公示开始").fill("2026-11-20")
        page.get_by_label("公示结束").fill("2026-11-26")
        page.get_by_label("村民主评议意见").fill("村民主评议通过，公示无异议")
        page.get_by_role("button", name=re.compile("提议")).click()
        expect(page.get_by_role("heading", name=re.compile("待镇审核"))).to_be_visible()
        _logout(page)

        for username, next_stage in (("sam", "待县确认"), ("ada", "已完成")):
            _login(
                page, base_url, username, passwords[username], household_url.removeprefix(base_url)
            )
            page.get_by_label("审核意见").fill("同意")
            page.get_by_role("button", name="同意", exact=True).click()
            expect(page.get_by_role("heading", name=re.compile(next_stage))).to_be_visible()
            if username == "sam":
                _logout(page)
        expect(page.locator(".meta .state")).to_have_text("监测中")
        archive = page.get_by_role("link", name="档案记录")
        assert re.fullmatch(
            r"/print/households/H440233100201-\d{4}/archive\.pdf",
            archive.get_attribute("href") or "",
        )
        _shot(page, "laptop-3-household")
        page.get_by_role("link", name="English").click()  # the whole page, in one language
        expect(page.locator(".meta .state")).to_have_text("Under monitoring")
        expect(page.get_by_role("heading", name=re.compile("Approval chain"))).to_be_visible()
        expect(page.get_by_role("heading", name=re.compile("Inclusion · Closed"))).to_be_visible()
        expect(page.get_by_text("审批流程")).to_have_count(0)
        _shot(page, "laptop-3-household-en")
        page.get_by_role("link", name="中文").click()
        with page.expect_download() as download_info:  # print its record: the real PDF
            archive.click()
        download = download_info.value
        assert download.suggested_filename.endswith(".pdf")
        pdf_path = download.path()
        assert pdf_path is not None and Path(pdf_path).read_bytes().startswith(b"%PDF")

        page.get_by_role("link", name="审计日志").click()
        expect(page.get_by_role("cell", name="审批", exact=True).first).to_be_visible()
        _shot(page, "laptop-4-audit")
        page.get_by_role("link", name="网页用户").click()
        _shot(page, "laptop-5-web-users")
        page.get_by_role("link", name="English").click()
        expect(page.get_by_role("heading", name="Web users")).to_be_visible()
        _shot(page, "laptop-6-web-users-en")

        tablet = new_page(viewport=TABLET, locale="zh-CN", device_scale_factor=1)
        _login(tablet, base_url, "sam", passwords["sam"], "/review/submissions")
        _shot(tablet, "tablet-1-queue")
        tablet.get_by_role("link", name=re.compile("张三（梁坝村）")).click()
        _shot(tablet, "tablet-2-submission")
        tablet.goto(household_url)
        _shot(tablet, "tablet-3-household")
        tablet.goto(f"{base_url}/review/approvals")
        _shot(tablet, "tablet-4-approvals")
