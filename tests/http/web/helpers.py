"""Driving the web pages through the test client as a browser would: CSRF tokens included."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.orm import object_session

from server.auth.decorators import COOKIE
from server.auth.sessions import start_session

_TOKEN = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(page: bytes) -> str:
    match = _TOKEN.search(page)
    assert match, "the page has no CSRF token"
    return (match.group(1) or match.group(2)).decode()


def login(client, persona, password: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/login").data)
    return client.post(
        "/login",
        data={
            "csrf_token": token,
            "username": persona.user.username,
            "password": password or persona.password,
        },
        headers={"Accept": "text/html"},
    )


def post_form(client, page_url: str, action: str, data: dict):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(page_url).data)
    return client.post(action, data={"csrf_token": token, **data}, headers={"Accept": "text/html"})


def start_test_session(client, user) -> str:  # type: ignore[no-untyped-def]
    """A committed session of `user` (its row), and its cookie in `client`; returns the token."""
    session = object_session(user)
    assert session is not None, "the user must belong to the test's session"
    token = start_session(session, user, lifetime=timedelta(hours=8), ip=None, user_agent=None)
    session.commit()
    client.set_cookie(COOKIE, token)
    return token
