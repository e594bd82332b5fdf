"""How every web route reads its request: the one home of the rules no feature owns.

- `Request`: a query argument (name or value) with a control character is a 400. NUL cannot
  even be stored in PostgreSQL, and CR/LF would reach response headers; no page needs them.
- URL converters: a path segment with a control character, or an `<int:…>` beyond the largest
  64-bit integer (which no row id can be, on SQLite or PostgreSQL), matches no route: 404.
- `paging_id()`, `date_arg()` and `month_value()`: the one reading of keyset-paging cursors,
  date filters and months. A bad one is a 400 with a readable page (a 404 for a month in a
  path), never a silently different page of results.
- `content_disposition()`: every download's header, built by werkzeug as its `send_file`
  does (RFC 6266: a quoted ASCII `filename`, the real name as RFC 5987 `filename*`).

Views call these; services never see a raw argument.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import quote

from flask import Flask, request
from flask import Request as FlaskRequest
from werkzeug.datastructures import MultiDict
from werkzeug.http import dump_options_header
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter
from werkzeug.utils import cached_property

from server.core.clock import FIRST_YEAR, LAST_YEAR, Month
from server.core.errors import BadArgument

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NO_CONTROL = r"\x00-\x1f\x7f-\x9f"
ROW_ID_MAX = 2**63 - 1  # SQLite's INTEGER and PostgreSQL's bigint
_ROW_ID = re.compile(r"[0-9]{1,19}")
# Dates people filter by; beyond these a date is a typo, and date.max + 1 day overflows.
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)


class Request(FlaskRequest):
    @cached_property
    def args(self) -> MultiDict[str, str]:  # type: ignore[override]
        parsed = FlaskRequest.args.fget(self)  # parsed, not cached until it passes
        if any(_CONTROL.search(key) or _CONTROL.search(value) for key, value in parsed.items(True)):
            raise BadArgument("查询参数含有控制字符 / a query argument contains control characters")
        return parsed


class _Segment(UnicodeConverter):
    """`<name>`: one path segment, without control characters."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.regex = self.regex.replace("[^/]", f"[^/{_NO_CONTROL}]", 1)


class _Path(PathConverter):
    """`<path:name>`: several segments, without control characters."""

    regex = f"[^/{_NO_CONTROL}][^{_NO_CONTROL}]*?"


class _RowId(IntegerConverter):
    """`<int:name>`: a row id, at most ROW_ID_MAX (a larger one would crash the query)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("max", ROW_ID_MAX)
        super().__init__(*args, **kwargs)


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converters are bound when rules are added."""
    app.request_class = Request
    app.url_map.converters.update(default=_Segment, string=_Segment, path=_Path, int=_RowId)


def paging_id(name: str) -> int | None:
    """A keyset-paging cursor (`?before=<id>`): absent → None; anything but a row id → 400."""
    raw = request.args.get(name)
    if not raw:
        return None
    if not _ROW_ID.fullmatch(raw) or int(raw) > ROW_ID_MAX:
        raise BadArgument(f"翻页参数 {name} 无效 / the paging argument {name} is invalid")
    return int(raw)


def date_arg(name: str) -> date | None:
    """A date filter (`?since=2026-10-01`): absent → None; not a date in range → 400."""
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise BadArgument(
            f"日期 {name} 无效，应为 YYYY-MM-DD（{FIRST_DAY.year}–{LAST_DAY.year} 年）/ "
            f"the date {name} is invalid: YYYY-MM-DD, years {FIRST_DAY.year}–{LAST_DAY.year}"
        )
    return day


def month_value(raw: str) -> Month | None:
    """A month in a path (`YYYY-MM`, as `Month.parse` reads it); None for anything else, which
    the view answers with a 404. A month in a query argument is `Month.parse`'s 400."""
    try:
        return Month.parse(raw)
    except BadArgument:
        return None


# Characters a saved file name must not carry: controls, and what quoting or paths would mangle.
_NOT_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f-\x9f"\\/]')
_ATTR_CHARS = "!#$&+-.^_`|~"  # RFC 5987 attr-char, beside letters and digits (as send_file)


def content_disposition(filename: str, ascii_filename: str | None = None) -> str:
    """`attachment; filename="…"` with the name as one parameter, whatever it contains.

    A non-ASCII name also goes as `filename*=UTF-8''…` (percent-encoded), with `ascii_filename`
    (or the name with its accents and CJK dropped) as the fallback for old clients."""
    name = _NOT_IN_FILE_NAMES.sub("_", filename)
    fallback = ascii_filename if ascii_filename is not None else name
    fallback = unicodedata.normalize("NFKD", fallback).encode("ascii", "ignore").decode("ascii")
    fallback = _NOT_IN_FILE_NAMES.sub("_", fallback).strip() or "download"
    options = {"filename": fallback}
    if name != fallback:
        options["filename*"] = "UTF-8''" + quote(name, safe=_ATTR_CHARS)
    return dump_options_header("attachment", options)


def page_before(default: str) -> str:
    """The page the browser came from, if it is one of this site's; else `default` (never
    another host: a Referer is the browser's to send)."""
    target = request.referrer or ""
    return target if target.startswith(request.host_url) else default
