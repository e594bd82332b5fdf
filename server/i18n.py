"""Chinese first, English on request: Flask-Babel for the pages' text, `label()` for codes.

- Page text is gettext: templates write `{{ _("待审核") }}`, the Chinese text itself being the
  message id (zh-CN is the source language); `server/translations/en/LC_MESSAGES/messages.po`
  holds the English. The catalogs are compiled when the app is built (into the instance folder),
  so there is no compiled file to keep in step by hand.
- A code a person sees (a status, a visit mode, a relation…) is `label("household_status",
  code)`: the one labels module (`core.labels`, with the forms' own choice lists merged in by
  `forms.service.code_labels`), in the page's language.
- `/lang/en` and `/lang/zh` set the cookie and go back to where the user was.
- Text a view or a form writes (a flash, a form's label or its validation message) is gettext
  too (`flask_babel.gettext`, `lazy_gettext` where it is defined before a request), so the
  whole page is in one language; tests/unit/test_translations.py reads templates and Python.

The messages of domain errors (`server.core.errors`) stay bilingual in one string
("中文 / English"): they also reach phones, logs and the command line, which have no language
setting. An error page translates its own title and chrome, and shows that message as it is.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, Response, g, redirect, request
from flask_babel import Babel

from server.core import clock
from server.core.labels import Labels
from server.web import page_before

LANGUAGES = ("zh", "en")
COOKIE = "lang"
CATALOGS = Path(__file__).parent / "translations"

bp = Blueprint("i18n", __name__)


def current_language() -> str:
    lang = request.cookies.get(COOKIE, "zh")
    return lang if lang in LANGUAGES else "zh"


def _locale() -> str:
    return "en" if current_language() == "en" else "zh_Hans_CN"


def code_labels() -> Labels:
    """This request's labels of every code (read once per request)."""
    if "code_labels" not in g:
        from server.db import get_session
        from server.forms.service import code_labels as load

        g.code_labels = load(get_session())
    return g.code_labels


def label(list_name: str, code: str | None) -> str:
    return code_labels().of(list_name, code, current_language())


@bp.get("/lang/<lang>")
def switch(lang: str) -> Response:
    response = redirect(page_before("/"))
    response.set_cookie(
        COOKIE, lang if lang in LANGUAGES else "zh", max_age=365 * 86400, samesite="Lax"
    )
    return response


def china_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Beijing time for people; stored times are UTC (SQLite hands them back naive)."""
    return "" if value is None else clock.in_china(value).strftime(fmt)


def compile_catalogs(source: Path, target: Path) -> Path:
    """Each `<lang>/LC_MESSAGES/messages.po` under `source` as a `.mo` under `target`, written
    only when the catalog changed, atomically (several server processes start at once)."""
    for po_path in source.glob("*/LC_MESSAGES/messages.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po:
            catalog = read_po(po)
        descriptor, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo")
        with os.fdopen(descriptor, "wb") as mo:
            write_mo(mo, catalog)
        os.replace(temporary, mo_path)
    return target


def init_app(app: Flask) -> None:
    compiled = compile_catalogs(CATALOGS, Path(app.instance_path) / "translations")
    Babel(
        app,
        locale_selector=_locale,
        default_locale="zh_Hans_CN",
        default_translation_directories=str(compiled),
    )
    app.register_blueprint(bp)
    app.jinja_env.filters["cntime"] = china_time
    app.jinja_env.globals.update(current_language=current_language)
