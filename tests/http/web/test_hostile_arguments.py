"""Every page of the web app, probed with hostile path and query values as a county
administrator: bad input is a 4xx (or the value is ignored), never a 5xx.

The query parameters are not listed by hand: a first request to each page records the
arguments its view reads (a recording `request.args`), then each one is probed in turn.
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import quote

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from tests.fixtures import LIANGBA
from tests.http.web.helpers import login

HUGE = "99999999999999999999999"
HOSTILE = [
    HUGE,
    "-1",
    f"-{HUGE}",
    "1 OR 1=1",
    "'; DROP TABLE x;--",
    "a\r\nX-Injected: 1",
    "a\nb",
    "a\x00b",
    "x" * 10_000,
    "１２３",  # full-width digits: str.isdigit() says yes, int() agrees
    "1e999",
    "2026-13",
    "9999-12-31",
    "0001-01-01",
    "0001-01",
    "9999-12",
    "440233100201' OR '1'='1",
    "4402331002019999999999999",
]
RAW_HOSTILE = ["%ff%fe", "%c0%af", "%00"]  # percent-escapes that are not UTF-8 text, and NUL

# A valid value for each path argument, so that the page reaches the code that reads its query.
PATH_VALUES = {
    "code": "H440233100201-0001",
    "household_code": "H440233100201-0001",
    "form_id": "visit_test",
    "fmt": "zip",
    "month": "2026-10",
    "village_code": LIANGBA,
    "submission_id": "1",
    "version_id": "1",
    "event_id": "1",
    "filename": "a.jpg",
    "kind": "household",
    "ident": "x",
    "lang": "zh",
}
PER_ENDPOINT = {"exports.report": {"fmt": "xlsx"}}
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


class RecordingArgs(ImmutableMultiDict):
    """`request.args` that remembers every key a view asks for."""

    asked: ClassVar[set[str]] = set()

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        RecordingArgs.asked.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # type: ignore[no-untyped-def]
        RecordingArgs.asked.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # type: ignore[no-untyped-def]
        RecordingArgs.asked.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):  # type: ignore[no-untyped-def]
        RecordingArgs.asked.add(key)
        return super().__contains__(key)


def _pages(app):  # type: ignore[no-untyped-def]
    """(endpoint, rule) of every GET page outside OpenRosa and the static files."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        blueprint = rule.endpoint.partition(".")[0]
        if "GET" in (rule.methods or ()) and blueprint not in ("openrosa", "static"):
            yield rule.endpoint, rule.rule


def _path(endpoint: str, rule: str, **overrides: str) -> str:
    values = PATH_VALUES | PER_ENDPOINT.get(endpoint, {}) | overrides
    return _ARGUMENT.sub(lambda m: quote(values[m.group(1)], safe=""), rule)


def _asked(client, path: str) -> set[str]:  # type: ignore[no-untyped-def]
    RecordingArgs.asked = set()
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code < 500, (path, response.status_code)
    response.close()
    return set(RecordingArgs.asked)


def _status(client, url: str) -> int | str | None:  # type: ignore[no-untyped-def]
    """The 5xx status, or the exception, of a request that failed on the server's side."""
    try:
        response = client.get(url, headers={"Accept": "text/html"})
        response.get_data()  # a streamed body fails while it is read
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:120]
    return response.status_code if response.status_code >= 500 else None


@pytest.fixture
def probing(app, client, ada):  # type: ignore[no-untyped-def]
    app.request_class = type("Recording", (app.request_class,), {})
    app.request_class.parameter_storage_class = RecordingArgs
    app.config["PROPAGATE_EXCEPTIONS"] = False  # an unexpected error answers 500, as deployed
    login(client, ada)
    return client


def test_no_page_answers_hostile_values_with_a_server_error(app, probing):
    failures = []
    probed: dict[str, set[str]] = {}
    for endpoint, rule in _pages(app):
        names = _asked(probing, _path(endpoint, rule))
        probed[endpoint] = names
        requests = [
            f"{_path(endpoint, rule)}?{quote(n)}={quote(v)}" for n in names for v in HOSTILE
        ]
        requests += [f"{_path(endpoint, rule)}?{quote(n)}={v}" for n in names for v in RAW_HOSTILE]
        for name in _ARGUMENT.findall(rule):
            requests += [_path(endpoint, rule, **{name: v}) for v in HOSTILE]
        failures += [(status, url[:160]) for url in requests if (status := _status(probing, url))]
    # The recording works: the pages known to read arguments were probed with them.
    assert {"before", "state", "flag"} <= probed["review.queue"]
    assert {"after", "status"} <= probed["review.households"]
    assert {"before", "actor", "area_code"} <= probed["audit.events"]
    assert {"area", "from", "to"} <= probed["exports.registry"]
    assert failures == [], "\n".join(map(str, failures))


@pytest.mark.parametrize(
    "url",
    [
        f"/review/submissions?before={HUGE}",
        "/review/submissions?before=1%20OR%201%3D1",
        "/review/households?after=-1",
        f"/audit/?before={HUGE}",
    ],
)
def test_a_bad_paging_cursor_is_a_readable_400(probing, url):
    response = probing.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert "翻页参数" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/audit/?actor=a%00b", 400, "控制字符"),
        ("/review/submissions?form=%0D%0Ax", 400, "控制字符"),
        ("/audit/?until=9999-12-31", 400, "日期 until"),
        ("/monitoring/?month=0001-01", 400, "月份"),
        ("/monitoring/household/H440233100201-0001%00", 404, "找不到"),
        (f"/review/submissions/{HUGE}", 404, "找不到"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(probing, url, status, words):
    response = probing.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
