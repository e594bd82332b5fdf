"""Web login: hashed passwords, CSRF, rate limiting, logout, password change."""

from __future__ import annotations

import pytest

from server import create_app
from tests.conftest import SHARED_STATES
from tests.http.web.helpers import csrf_token, login, post_form

HTML = {"Accept": "text/html"}


def test_pages_need_a_login(client, ada):
    resp = client.get("/admin/app-users", headers=HTML)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=/admin/app-users")


def test_login_page_is_chinese_first(client):
    page = client.get("/login").data.decode()
    assert '<html lang="zh-CN">' in page
    assert page.index("登录") < page.index("Log in")


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
