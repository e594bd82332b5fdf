"""A county administrator in a real browser (Debian's Chromium) creates a phone user, then
reads the page in English."""

from __future__ import annotations

import base64
import io
import json
import zlib

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from server.db import unit_of_work
from tests.fixtures import make_areas, make_form, make_web_user, markdown_form
from tests.live import migrated_app, serving

pytestmark = pytest.mark.browser


def test_admin_logs_in_creates_a_cadre_and_gets_a_scannable_qr_code(browser_page, tmp_path):
    app = migrated_app(f"sqlite:///{tmp_path / 'browser.db'}", tmp_path / "instance")
    with unit_of_work(app) as session:
        make_areas(session)
        make_form(session, markdown_form(), name="visit_test.md")
        admin = make_web_user(session, username="ada", role="county_admin")
    page = browser_page
    with serving(app) as base_url:
        page.goto(f"{base_url}/admin/app-users")
        page.get_by_label("用户名").fill("ada")
        page.get_by_label("密码").fill(admin.password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="手机端用户（ODK Collect）")).to_be_visible()

        page.get_by_label("登录名").fill("gaoqun-1")
        page.get_by_label("干部姓名").fill("刘干部")
        page.get_by_label("所在村或镇").select_option("440233100202")
        page.get_by_role("button", name="创建并生成二维码").click()
        expect(page.get_by_role("heading", name="刘干部 的 ODK Collect 二维码")).to_be_visible()

        source = page.get_by_alt_text("ODK Collect 二维码").get_attribute("src") or ""
        image = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        (code,) = zxingcpp.read_barcodes(image)
        settings = json.loads(zlib.decompress(base64.b64decode(code.text)))
        assert settings["general"]["server_url"].startswith(f"{base_url}/key/")

        page.get_by_role("link", name="返回用户列表").click()
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        row = page.get_by_role("row", name="gaoqun-1")
        row.get_by_role("button", name="停用").click()
        expect(page.get_by_role("status")).to_contain_text("已停用 刘干部")
        assert asked == ["停用后该手机立即无法使用，确定吗？"]
        expect(row).to_contain_text("村干部")

        page.get_by_role("link", name="English").click()
        expect(page.get_by_role("heading", name="Phone app users (ODK Collect)")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        row = page.get_by_role("row", name="gaoqun-1")
        expect(row).to_contain_text("Village cadre")
        expect(row).to_contain_text("Revoked")
        page.get_by_role("link", name="Web users").click()
        expect(page.get_by_role("row", name="ada")).to_contain_text("County administrator")
        page.get_by_role("link", name="中文").click()
        expect(page.get_by_role("heading", name="网页用户", exact=True)).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
