"""Driving the web pages through the test client as a browser would: CSRF tokens included."""

from __future__ import annotations

import re

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
