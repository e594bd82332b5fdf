"""Who is logged in to the web pages, and the login cookie (the permission gate on views is
`access.views.permission_required`).

The login cookie holds only a random token; the session it opens is a row in `web_sessions`
(auth/sessions.py), so ending the row (logout, a password change, disabling the user, "log out
everywhere") ends the session in every server process at once. Flask's own signed cookie
carries nothing about the login any more: only the CSRF secret and flashed messages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, g, redirect, request, url_for

from server.auth.models import WebSession, WebUser
from server.auth.next_page import safe_next_path
from server.auth.sessions import find_session
from server.db import get_session

COOKIE = "fangfan_login"


def current_web_user() -> WebUser | None:
    if "web_user" not in g:
        token = request.cookies.get(COOKIE)
        found = find_session(get_session(), token) if token else None
        g.web_session, g.web_user = found or (None, None)
    return g.web_user


def current_web_session() -> WebSession | None:
    current_web_user()
    return g.web_session


def set_login_cookie(response: Response, token: str) -> None:
    """The cookie lives as long as the session (the row decides; the cookie only carries)."""
    config = current_app.config
    response.set_cookie(
        COOKIE,
        token,
        max_age=current_app.permanent_session_lifetime,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=config["SESSION_COOKIE_SAMESITE"],
    )


def delete_login_cookie(response: Response) -> None:
    config = current_app.config
    response.delete_cookie(
        COOKIE,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=config["SESSION_COOKIE_SAMESITE"],
    )


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_web_user() is None:
            return redirect(url_for("auth.login", next=safe_next_path(_this_page())))
        return view(*args, **kwargs)

    return wrapper


def _this_page() -> str:
    """The requested path and query, percent-encoded again as the browser sent them (Flask's
    `full_path` has the path decoded: `/%09/x` would become a tab)."""
    query = request.query_string.decode("latin-1")
    return quote(request.path) + (f"?{query}" if query else "")
