"""Chinese first, English switchable: `t(zh, en)` in templates, a cookie chooses.

A message dict per language would scatter each text away from where it is shown; the pages are
few and written by the same people, so each template names both texts in place. `/lang/en`
and `/lang/zh` set the cookie and go back to where the user was.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, Response, redirect, request

from server.core import clock

LANGUAGES = ("zh", "en")
COOKIE = "lang"

bp = Blueprint("i18n", __name__)


def current_language() -> str:
    lang = request.cookies.get(COOKIE, "zh")
    return lang if lang in LANGUAGES else "zh"


def t(zh: str, en: str) -> str:
    return en if current_language() == "en" else zh


@bp.get("/lang/<lang>")
def switch(lang: str) -> Response:
    target = request.referrer or "/"
    # Only back to a page of this site (never an open redirect).
    if not target.startswith(request.host_url):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        COOKIE, lang if lang in LANGUAGES else "zh", max_age=365 * 86400, samesite="Lax"
    )
    return response


def china_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Beijing time for people; stored times are UTC (SQLite hands them back naive)."""
    return "" if value is None else clock.in_china(value).strftime(fmt)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["cntime"] = china_time
    app.jinja_env.globals["t"] = t
    app.jinja_env.globals["current_language"] = current_language
