"""Web login: hashed passwords, CSRF, rate limiting, logout, password change."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from server import create_app
from tests.conftest import SHARED_STATES
from tests.fixtures import make_web_user
from tests.http.web.helpers import csrf_token, login, post_form

HTML = {"Accept": "text/html"}


def test_pages_need_a_login(client, ada):
    resp = client.get("/admin/app-users", headers=HTML)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=/admin/app-users")


def test_login_page_is_chinese_first(client):
    page = client.get("/login").data.decode()
    assert '<html lang="zh-CN">' in page
    assert "登录" in page and "Log in" not in page  # English is a click away (test_languages)


def test_right_password_logs_in_and_goes_to_next(client, ada):
    token = csrf_token(client.get("/login").data)
    resp = client.post(
        "/login?next=/admin/app-users",
        data={"csrf_token": token, "username": "ada", "password": ada.password},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/admin/app-users"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_next_never_leads_to_another_site(client, ada):
    token = csrf_token(client.get("/login").data)
    resp = client.post(
        "/login?next=//evil.example/x",
        data={"csrf_token": token, "username": "ada", "password": ada.password},
    )
    assert resp.headers["Location"] == "/"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, ada):
    wrong = login(client, ada, password="not-the-password")
    assert wrong.status_code == 200
    assert "用户名或密码错误" in wrong.data.decode()
    ada.user.username = "nobody"
    unknown = login(client, ada)
    assert "用户名或密码错误" in unknown.data.decode()


def test_a_post_without_csrf_token_is_refused(client, ada):
    resp = client.post("/login", data={"username": "ada", "password": ada.password}, headers=HTML)
    assert resp.status_code == 400
    assert "请求无效或页面已过期" in resp.data.decode()


def test_login_attempts_are_rate_limited(client, ada):
    for _ in range(10):
        assert login(client, ada, password="wrong-password-x").status_code == 200
    blocked = login(client, ada, password="wrong-password-x")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    assert "尝试过于频繁" in blocked.data.decode()


@pytest.mark.parametrize("shared_state", SHARED_STATES, indirect=True)
def test_login_attempts_are_counted_across_server_processes(session_factory, app_config, ada):
    """Two apps from one configuration are two `fangfan serve` workers."""
    clients = []
    for _ in range(2):
        app = create_app(app_config)
        app.extensions["sessionmaker"] = session_factory
        clients.append(app.test_client())
    for number in range(10):
        assert login(clients[number % 2], ada, password="wrong-password-x").status_code == 200
    assert login(clients[0], ada).status_code == 429
    assert login(clients[1], ada).status_code == 429


def test_logout_ends_the_session(client, ada):
    login(client, ada)
    assert client.get("/", headers=HTML).status_code == 200
    post_form(client, "/", "/logout", {})
    assert client.get("/", headers=HTML).status_code == 302


def test_changing_the_password_ends_other_sessions(client, app, ada):
    other = app.test_client()
    login(other, ada)
    login(client, ada)
    resp = post_form(
        client,
        "/account/password",
        "/account/password",
        {"current": ada.password, "new": "a-new-password-1", "repeat": "a-new-password-1"},
    )
    assert resp.status_code == 302
    assert client.get("/", headers=HTML).status_code == 200
    assert other.get("/", headers=HTML).status_code == 302
    assert login(app.test_client(), ada, password="a-new-password-1").status_code == 302


def test_password_change_needs_the_current_password(client, ada):
    login(client, ada)
    resp = post_form(
        client,
        "/account/password",
        "/account/password",
        {"current": "wrong-one-123", "new": "a-new-password-1", "repeat": "a-new-password-1"},
    )
    assert resp.status_code == 200
    assert "当前密码不正确" in resp.data.decode()


# `next` as an attacker writes it in a link (percent-encoded in the query string). Browsers
# drop tabs, CR and LF anywhere and leading spaces or control characters, and read `\` as `/`.
HOSTILE_NEXT = [
    "/%09/evil.example/",
    "/%0A/evil.example/",
    "/%0D/evil.example/",
    "%0D%0A//evil.example/",
    "//evil.example/%0D%0ALocation:%20x",
    "/%09%09/evil.example/",
    "%20//evil.example/",
    "%01//evil.example/",
    "%00/evil.example/",
    "%5C%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%5Cevil.example",
    "%5C/evil.example",
    "https:evil.example",
    "https://evil.example/",
    "http:%2F%2Fevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(1)",
    "//evil.example",
    "///evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "evil.example",
    "",
]


@pytest.fixture
def admin(session):
    persona = make_web_user(session, username="ada", role="county_admin")
    session.commit()
    return persona


@pytest.mark.parametrize("raw_next", HOSTILE_NEXT)
def test_next_never_leads_to_another_site_however_it_is_written(client, admin, raw_next):
    token = csrf_token(client.get("/login").data)
    resp = client.post(
        f"/login?next={raw_next}",
        data={"csrf_token": token, "username": "ada", "password": admin.password},
    )
    if re.search(r"%(0[0-9A-F]|1[0-9A-F]|7F)", raw_next):
        # A control character in any query argument is refused before any view (server/web.py)
        assert resp.status_code == 400
        assert "Location" not in resp.headers
        return
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("raw_next", "location"),
    [
        ("/review/submissions%3Fstate%3Dx", "/review/submissions?state=x"),
        ("/review/submissions?state=x", "/review/submissions?state=x"),
        ("/admin/app-users", "/admin/app-users"),
        ("/review/households%3Fq%3D%25E5%25BC%25A0", "/review/households?q=%E5%BC%A0"),
    ],
)
def test_next_on_this_site_is_followed(client, admin, raw_next, location):
    token = csrf_token(client.get("/login").data)
    resp = client.post(
        f"/login?next={raw_next}",
        data={"csrf_token": token, "username": "ada", "password": admin.password},
    )
    assert resp.headers["Location"] == location


def test_the_page_asked_for_is_passed_on_as_the_browser_sent_it(client, admin):
    asked = "/review/households/%E5%BC%A0%20x?q=%E5%BC%A0%20x%2F"
    resp = client.get(asked, headers=HTML)
    assert resp.status_code == 302
    next_path = parse_qs(urlsplit(resp.headers["Location"]).query)["next"]
    assert next_path == [asked]
    token = csrf_token(client.get(resp.headers["Location"]).data)
    logged_in = client.post(
        resp.headers["Location"],
        data={"csrf_token": token, "username": "ada", "password": admin.password},
    )
    assert logged_in.headers["Location"] == asked
