"""Web sessions are rows on the server: logout, a password change, disabling a user and "log
out everywhere" end them, so a cookie copied earlier opens nothing afterwards."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from server.audit.models import AuditEvent
from server.auth.models import WebSession
from server.core import clock
from tests.http.web.helpers import csrf_token, login, post_form

HTML = {"Accept": "text/html"}
PAGE = "/review/households"


def _log_in_and_copy_cookies(app, persona) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Log in with the form; return the cookies the browser got, as an attacker copies them."""
    browser = app.test_client()
    resp = login(browser, persona)
    assert resp.status_code == 302
    cookies = {}
    for header in resp.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if value := rest.split(";", 1)[0]:
            cookies[name] = value
    return cookies


def _browser_with(app, cookies: dict[str, str]):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser


def _opens(app, cookies: dict[str, str]) -> bool:  # type: ignore[no-untyped-def]
    resp = _browser_with(app, cookies).get(PAGE, headers=HTML)
    assert resp.status_code in (200, 302)
    return resp.status_code == 200 and not resp.headers.get("Location")


def _sessions(session, persona) -> list[WebSession]:  # type: ignore[no-untyped-def]
    session.expire_all()
    query = select(WebSession).where(WebSession.user_id == persona.user.id)
    return list(session.scalars(query.order_by(WebSession.id)))


def _actions(session, persona) -> list[str]:  # type: ignore[no-untyped-def]
    """What the audit log says this person did, oldest first."""
    session.expire_all()
    query = select(AuditEvent.action).where(AuditEvent.actor_username == persona.user.username)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, session, sam):
    copied = _log_in_and_copy_cookies(app, sam)
    assert _opens(app, copied)
    browser = _browser_with(app, copied)
    resp = post_form(browser, "/", "/logout", {})
    assert resp.status_code == 302
    assert "fangfan_login=;" in " ".join(resp.headers.getlist("Set-Cookie"))  # forgotten here
    assert not _opens(app, copied)
    replayed = _browser_with(app, copied).get(PAGE, headers=HTML)
    assert replayed.headers["Location"].startswith("/login?next=/review/households")
    (row,) = _sessions(session, sam)
    assert row.ended_reason == "logout" and row.ended_at is not None
    assert _actions(session, sam) == ["login", "logout"]


def test_the_cookie_carries_a_random_token_that_the_server_keeps_only_hashed(app, session, sam):
    copied = _log_in_and_copy_cookies(app, sam)
    token = copied["fangfan_login"]
    assert len(token) >= 43  # 32 random bytes
    (row,) = _sessions(session, sam)
    assert token not in row.token_sha256 and len(row.token_sha256) == 64
    assert row.expires_at - row.created_at == timedelta(hours=8)
    signed_only = {name: value for name, value in copied.items() if name != "fangfan_login"}
    assert not _opens(app, signed_only)  # Flask's signed cookie alone is no login
    assert not _opens(app, {"fangfan_login": token[:-2] + "xx"})


def test_an_expired_session_sends_the_browser_to_the_login(app, session, sam):
    copied = _log_in_and_copy_cookies(app, sam)
    assert _opens(app, copied)
    nine_hours_ago = clock.now() - timedelta(hours=9)
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == sam.user.id)
        .values(created_at=nine_hours_ago, expires_at=nine_hours_ago + timedelta(hours=8))
    )
    session.commit()
    assert not _opens(app, copied)


def test_log_out_everywhere_ends_every_session_of_that_user(app, client, session, ada, sam):
    laptop = _log_in_and_copy_cookies(app, sam)
    tablet = _log_in_and_copy_cookies(app, sam)
    login(client, ada)
    page = client.get("/admin/web-users", headers=HTML).data.decode()
    assert "全部登出" in page
    refused = client.post("/admin/web-users/sam/logout-everywhere", headers=HTML)
    assert refused.status_code == 400  # no CSRF token
    assert _opens(app, laptop)
    resp = client.post(
        "/admin/web-users/sam/logout-everywhere",
        data={"csrf_token": csrf_token(page.encode())},
        headers=HTML,
    )
    assert resp.status_code == 302
    assert "结束 2 个会话" in client.get("/admin/web-users", headers=HTML).data.decode()
    assert not _opens(app, laptop) and not _opens(app, tablet)
    assert client.get(PAGE, headers=HTML).status_code == 200  # the administrator stays
    assert [r.ended_reason for r in _sessions(session, sam)] == ["logged_out_everywhere"] * 2
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor_username, event.object_id) == (
        "web_user_logged_out_everywhere",
        "ada",
        "sam",
    )
    assert event.detail == {"sessions_ended": 2}
    assert login(app.test_client(), sam).status_code == 302  # sam may simply log in again


def test_only_the_county_administrator_logs_others_out(app, client, sam, ada):
    copied = _log_in_and_copy_cookies(app, ada)
    login(client, sam)
    token = csrf_token(client.get("/account/password").data)
    resp = client.post(
        "/admin/web-users/ada/logout-everywhere", data={"csrf_token": token}, headers=HTML
    )
    assert resp.status_code == 403
    assert _opens(app, copied)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(
    app, client, session, sam
):
    elsewhere = _log_in_and_copy_cookies(app, sam)
    login(client, sam)
    new = "Harbour-lantern-evening-77"
    resp = post_form(
        client,
        "/account/password",
        "/account/password",
        {"current": sam.password, "new": new, "repeat": new},
    )
    assert resp.status_code == 302
    assert client.get(PAGE, headers=HTML).status_code == 200
    assert not _opens(app, elsewhere)
    assert [r.ended_reason for r in _sessions(session, sam)] == ["password_changed", None]
    assert _actions(session, sam) == ["login", "login", "password_changed"]


def test_disabling_a_user_ends_their_sessions(app, client, session, ada, sam):
    copied = _log_in_and_copy_cookies(app, sam)
    login(client, ada)
    post_form(client, "/admin/web-users", "/admin/web-users/sam/disable", {})
    assert not _opens(app, copied)
    assert [r.ended_reason for r in _sessions(session, sam)] == ["disabled"]
