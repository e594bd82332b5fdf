"""A county officer opens the month in a real browser, drills down to a village, opens the
warning cases, downloads the monthly report, and reads the month again in English."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from server.db import unit_of_work
from tests.db.monitoring.factories import household, make_visit
from tests.fixtures import make_areas, make_form, make_household, make_web_user, markdown_form
from tests.live import migrated_app, serving

pytestmark = pytest.mark.browser


def test_a_county_officer_drills_down_and_opens_the_warning_cases(browser_page, tmp_path):
    app = migrated_app(f"sqlite:///{tmp_path / 'browser.db'}", tmp_path / "instance")
    with unit_of_work(app) as session:
        make_areas(session)
        make_form(session, markdown_form(), name="visit_test.md")
        make_household(session, code="H440233100201-0001", head_name="张三", status="monitored")
        make_household(session, code="H440233100201-0002", head_name="李四", status="monitored")
        make_visit(session, household(session, "H440233100201-0001"), date(2026, 10, 5))
        admin = make_web_user(session, username="ada", role="county_admin")
    page = browser_page
    with serving(app) as base_url:
        page.goto(f"{base_url}/monitoring/?month=2026-10")
        page.get_by_label("用户名").fill("ada")
        page.get_by_label("密码").fill(admin.password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="动态监测 2026年10月")).to_be_visible()
        expect(page.get_by_role("img", name="走访完成情况")).to_be_visible()

        page.get_by_role("link", name="黄磜镇").click()
        page.get_by_role("link", name="梁坝村").click()
        row = page.get_by_role("row").filter(has_text="H440233100201-0002")
        expect(row).to_contain_text("0/2")
        expect(row).to_contain_text("走访次数不足")

        page.get_by_role("link", name="本月预警案例").click()
        page.get_by_role("button", name="为本月预警建立案例").click()
        expect(page.get_by_role("status")).to_contain_text("新建预警 2 件")
        case = page.get_by_role("row", name="李四")
        case.get_by_label("步骤").select_option("close")
        case.get_by_label("说明").fill("电话核实：外出务工，月底回家")
        case.get_by_role("button", name="保存").click()
        expect(page.get_by_role("row", name="李四")).to_contain_text("已关闭")

        page.goto(f"{base_url}/monitoring/?month=2026-10")
        with page.expect_download() as download:
            page.get_by_role("link", name="月报 XLSX").click()
        assert download.value.suggested_filename == "monthly-report-2026-10.xlsx"

        page.get_by_role("link", name="English").click()
        expect(page.get_by_role("heading", name="Monitoring October 2026")).to_be_visible()
        expect(page.get_by_role("img", name="Visits done vs required")).to_be_visible()
        page.goto(f"{base_url}/monitoring/?month=2026-10&area=440233100201")
        row = page.get_by_role("row").filter(has_text="H440233100201-0001")
        expect(row).to_contain_text("Too few visits 1/2")
        page.get_by_role("link", name="This month's warning cases").click()
        expect(page.get_by_role("row", name="李四")).to_contain_text("Closed")
        expect(page.get_by_role("row", name="李四")).to_contain_text("电话核实：外出务工，月底回家")
