"""Each page speaks one language, switched by the 'English' link (a cookie): the header, the
page's own text, the labels of roles, departments, states and audit actions, and the error
pages; and no page shows a code as it is stored (#12: 'English' switched half the pages)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.areas.models import Area
from server.i18n import COOKIE
from tests.fixtures import SETUP, make_web_user
from tests.http.web.helpers import csrf_token, login, post_form
from tests.http.web.language import chinese_runs, latin_words, raw_codes

HTML = {"Accept": "text/html"}
PEOPLE = ("ada", "Ada", "eli", "Eli", "tom", "Tom", "sam", "Sam", "dora", "Dora", "Wang")
FORMS = ("走访测试 Visit test", "图片 Image", "visit_test", "image_test")
ADMIN_PAGES = (
    "/",
    "/admin/app-users",
    "/admin/web-users",
    "/audit/",
    "/exports/",
    "/account/password",
    "/no-such-page",
)
# What each page says in each language: its chrome, and codes as their labels.
SAYS = {
    "/": (["您好，Ada", "角色：县级管理员", "审计日志", "退出"],
          ["Welcome, Ada", "Role: County administrator", "Audit log", "Log out"]),
    "/admin/app-users": (["手机端用户（ODK Collect）", "村干部", "镇干部", "有效", "新建"],
                         ["Phone app users (ODK Collect)", "Village cadre", "Town cadre",
                          "Active", "New app user"]),
    "/admin/web-users": (["县级管理员", "镇级审核员", "部门查看", "住建", "黄磜镇", "新建网页用户"],
                         ["County administrator", "Town reviewer", "Department viewer",
                          "Housing", "Area / department", "New web user"]),
    "/audit/": (["新建网页用户", "新建手机端用户", "角色：镇级审核员", "部门：住建", "登录"],
                ["Web user created", "App user created", "Role: Town reviewer",
                 "Department: Housing", "Login", "Object kind"]),
    "/exports/": (["数据导出", "登记册 CSV（ZIP）", "表单提交"],
                  ["Exports", "Registry as CSV in a ZIP", "Form submissions"]),
    "/account/password": (["修改密码", "当前密码", "至少 10 个字符"],
                          ["Change password", "Current password", "At least 10 characters"]),
    "/no-such-page": (["找不到页面", "您要找的页面不存在。", "返回首页"],
                      ["Not found", "The page you asked for does not exist.",
                       "Back to the home page"]),
}  # fmt: skip


@pytest.fixture
def office(session, ada, eli, tom, sam):  # type: ignore[no-untyped-def]
    """The county office: Ada the administrator, phone and web users of every kind."""
    dora = make_web_user(session, username="dora", role="department_viewer", department="housing")
    session.commit()
    return {"ada": ada, "sam": sam, "dora": dora}


@pytest.fixture
def data(session, office) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """What the pages show as it was entered: names of areas, people and forms."""
    areas = session.scalars(select(Area.name)).all()
    return (*areas, *PEOPLE, *FORMS, SETUP)


def _page(client, url: str, lang: str) -> str:  # type: ignore[no-untyped-def]
    client.set_cookie(COOKIE, lang)
    return client.get(url, headers=HTML).get_data(as_text=True)


def _chinese_only(page: str, data: tuple[str, ...]) -> None:
    assert '<html lang="zh-CN">' in page
    assert latin_words(page, data=data) == set()
    assert raw_codes(page) == []


def _english_only(page: str, data: tuple[str, ...]) -> None:
    assert '<html lang="en">' in page
    assert chinese_runs(page, data=data) == set()
    assert raw_codes(page) == []


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_the_administrators_pages_in_chinese_show_chinese_only(client, office, data, url):
    login(client, office["ada"])
    page = _page(client, url, "zh")
    _chinese_only(page, data)
    for text in SAYS[url][0]:
        assert text in page, text


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_the_administrators_pages_in_english_show_english_only(client, office, data, url):
    login(client, office["ada"])
    page = _page(client, url, "en")
    _english_only(page, data)
    for text in SAYS[url][1]:
        assert text in page, text


def test_the_login_page_follows_the_language(client, data):
    chinese = _page(client, "/login", "zh")
    _chinese_only(chinese, data)
    assert "<title>登录 · 防返</title>" in chinese and "用户名" in chinese
    english = _page(client, "/login", "en")
    _english_only(english, data)
    assert "<title>Log in · Fangfan</title>" in english and "Username" in english


def test_a_wrong_password_is_said_in_the_pages_language(client, office, data):
    client.set_cookie(COOKIE, "en")
    page = login(client, office["ada"], "not-her-password").get_data(as_text=True)
    _english_only(page, data)
    assert "Wrong username or password" in page


def test_a_department_viewer_reads_its_duty_and_its_limits(client, office, data):
    login(client, office["dora"])
    home, exports = _page(client, "/", "zh"), _page(client, "/exports/", "zh")
    _chinese_only(home, data)
    _chinese_only(exports, data)
    assert "角色：部门查看 · 住建" in home
    assert "将脱敏显示" in exports and "仅导出与本部门职责相关的农户" in exports
    assert "表单提交" not in exports  # raw submissions are for the area roles
    home, exports = _page(client, "/", "en"), _page(client, "/exports/", "en")
    _english_only(home, data)
    _english_only(exports, data)
    assert "Role: Department viewer · Housing" in home
    assert "masked for your role" in exports and "your department's duty concerns" in exports


def test_the_header_links_follow_the_access_policy(client, office):
    login(client, office["dora"])
    page = _page(client, "/", "zh")
    assert 'href="/review/households"' in page and 'href="/exports/"' in page
    assert 'href="/review/submissions"' not in page and 'href="/admin/web-users"' not in page
    login(client, office["ada"])
    page = _page(client, "/", "zh")
    for link in ("/review/submissions", "/admin/web-users", "/admin/app-users", "/audit/"):
        assert f'href="{link}"' in page


def test_an_access_error_page_has_its_chrome_in_the_pages_language(client, office, data):
    login(client, office["sam"])
    message = "您的角色无权访问此页面 / your role may not open this page"  # a DomainError's
    chinese = _page(client, "/admin/app-users", "zh")
    assert "无权访问" in chinese and message in chinese
    _chinese_only(chinese, (*data, message))
    english = _page(client, "/admin/app-users", "en")
    assert "Access denied" in english and message in english
    _english_only(english, (*data, message))


def test_what_the_administrator_just_did_is_said_in_the_pages_language(client, office, data):
    login(client, office["ada"])
    client.set_cookie(COOKIE, "en")
    new_cadre = {
        "username": "wang-1",
        "display_name": "Wang",
        "role": "town_cadre",
        "area_code": "440233100000",
        "form_ids": ["visit_test"],
    }
    qr = post_form(client, "/admin/app-users", "/admin/app-users", new_cadre)
    _english_only(qr.get_data(as_text=True), data)
    assert "ODK Collect QR code of Wang" in qr.get_data(as_text=True)
    revoked = post_form(client, "/admin/app-users", "/admin/app-users/wang-1/revoke", {})
    assert revoked.status_code == 302
    page = _page(client, "/admin/app-users", "en")
    _english_only(page, (*data, "wang-1"))
    assert "Wang (wang-1) disabled" in page and "Revoked" in page
    token = csrf_token(client.get("/admin/web-users", headers=HTML).data)
    new_viewer = {"csrf_token": token, "username": "zhu", "display_name": "Zhu"}
    new_viewer |= {"role": "department_viewer", "area_code": "", "department": "civil_affairs"}
    created = client.post("/admin/web-users", data=new_viewer, headers=HTML)
    page = created.get_data(as_text=True)
    _english_only(page, (*data, "zhu", "Zhu"))
    assert "Created Zhu (zhu)" in page and "Civil affairs" in page


def test_the_create_forms_offer_labelled_choices_in_the_pages_language(client, office):
    login(client, office["ada"])
    page = _page(client, "/admin/web-users", "zh")
    roles = '<select id="role" name="role"><option value="village_committee">村委会</option>'
    assert roles in page  # the narrowest role first
    assert '<option value="civil_affairs">民政</option>' in page
    assert "黄磜镇（镇）" in page
    page = _page(client, "/admin/app-users", "en")
    assert '<option value="village_cadre">Village cadre</option>' in page
    assert "(whole town)" in page


def test_a_refused_form_says_why_in_the_pages_language(client, office, data):
    login(client, office["ada"])
    bad = {"username": "X", "display_name": "", "role": "village_cadre"}
    bad |= {"area_code": "440233100201", "form_ids": ["visit_test"]}
    for lang, says in (("zh", ["3–40 位小写字母", "该字段是必填字段。"]),
                       ("en", ["3–40 of a-z", "This field is required."])):  # fmt: skip
        client.set_cookie(COOKIE, lang)
        page = post_form(client, "/admin/app-users", "/admin/app-users", bad)
        assert page.status_code == 422
        text = page.get_data(as_text=True)
        (_chinese_only if lang == "zh" else _english_only)(text, data)
        assert all(words in text for words in says), lang
