"""Every password a person chooses follows one rule (server/auth/passwords.py)."""

from __future__ import annotations

import pytest

from server.auth.passwords import password_problems
from tests.http.web.helpers import csrf_token, login, post_form

HTML = {"Accept": "text/html"}
PAGE = "/account/password"


@pytest.mark.parametrize(
    ("new", "zh", "en"),
    [
        ("aaaaaaaaaa", "密码太容易被猜到", "repeated characters"),
        ("1234567890", "密码太容易被猜到", "a common password"),
        ("ada2026123456", "密码不能包含用户名", "must not contain the username"),
        ("short-pw", "密码至少 10 个字符", "at least 10 characters"),
    ],
)
def test_a_weak_new_password_is_refused_and_the_page_says_why(client, ada, new, zh, en):
    login(client, ada)
    resp = post_form(client, PAGE, PAGE, {"current": ada.password, "new": new, "repeat": new})
    assert resp.status_code == 200
    page = resp.data.decode()
    assert zh in page and en in page
    assert login(client.application.test_client(), ada, password=new).status_code == 200  # no


def test_a_long_passphrase_with_spaces_and_chinese_is_accepted(client, app, ada):
    new = "梁坝村 春天的 油菜花 开得早 " * 4
    login(client, ada)
    resp = post_form(client, PAGE, PAGE, {"current": ada.password, "new": new, "repeat": new})
    assert resp.status_code == 302
    assert login(app.test_client(), ada, password=new).status_code == 302


def test_the_admin_page_hands_out_a_password_the_rule_accepts(client, ada):
    login(client, ada)
    token = csrf_token(client.get("/admin/web-users", headers=HTML).data)
    form = {"csrf_token": token, "username": "wang", "display_name": "王主任"}
    form |= {"role": "town_reviewer", "area_code": "440233100000", "department": ""}
    page = client.post("/admin/web-users", data=form, headers=HTML).data.decode()
    password = page.split("<code>")[1].split("</code>")[0]
    assert password_problems(password, username="wang", names=["王主任"]) == []
