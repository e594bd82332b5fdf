"""Who is logged in to the web pages, and the role gate on views.

The session cookie holds the user id and a stamp taken from the password hash, so changing a
password (or disabling the user) ends every other session of that user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from flask import g, redirect, request, session, url_for

from server.auth.errors import AccessDenied
from server.auth.models import WebUser
from server.auth.next_page import safe_next_path
from server.auth.service import find_web_user
from server.db import get_session


def session_stamp(user: WebUser) -> str:
    return user.password_hash[-16:]


def current_web_user() -> WebUser | None:
    if "web_user" not in g:
        user_id = session.get("web_user_id")
        user = find_web_user(get_session(), user_id) if isinstance(user_id, int) else None
        valid = user is not None and user.is_active and session.get("stamp") == session_stamp(user)
        g.web_user = user if valid else None
    return g.web_user


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


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @login_required
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_web_user()
            if user is None or user.role not in roles:
                raise AccessDenied("您的角色无权访问此页面 / your role may not open this page")
            return view(*args, **kwargs)

        return wrapper

    return decorator
