"""An export that cannot be made is refused before anything happens: a 4xx error page instead
of a download that breaks midway, and no audit row (an audit row says an export happened)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditEvent
from tests.http.web.helpers import login

REFUSED = [
    ("/exports/submissions/no_such_form.zip", 404),
    ("/exports/submissions/no_such_form.xlsx", 404),
    ("/exports/submissions/" + quote('x"; filename="evil.exe') + ".zip", 404),
    ("/exports/submissions/" + quote("a\r\nX-Injected: 1") + ".zip", 404),
    ("/exports/submissions/" + "x" * 65 + ".zip", 404),
    ("/exports/submissions/visit_test.csv", 404),
    ("/exports/registry.csv", 404),
    ("/exports/registry.zip?from=2026-13-01", 400),
    ("/exports/registry.xlsx?to=9999-12-31", 400),
    ("/exports/submissions/visit_test.zip?from=yesterday", 400),
    ("/exports/submissions/visit_test.xlsx?to=0001-01-01", 400),
    ("/exports/report-2026-13.xlsx", 404),
    ("/exports/report-0001-01.xlsx", 404),
    ("/exports/report-2026-10.xlsx?from=2026-02-30", 400),
]


def _exports_on_record(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    query = select(func.count()).where(AuditEvent.action == "export_data")
    return session.scalar(query.select_from(AuditEvent))


@pytest.mark.parametrize(("url", "status"), REFUSED)
def test_a_refused_export_streams_nothing_and_is_not_on_record(client, session, ada, url, status):
    login(client, ada)
    response = client.get(url, headers={"Accept": "text/html"})
    assert (response.status_code, response.mimetype) == (status, "text/html")  # the error page
    assert "Content-Disposition" not in response.headers
    assert _exports_on_record(session) == 0


def test_a_known_form_with_nothing_submitted_is_an_empty_export_on_record(client, session, ada):
    login(client, ada)
    response = client.get("/exports/submissions/visit_test.zip")
    assert (response.status_code, response.get_data()[:2]) == (200, b"PK")
    assert _exports_on_record(session) == 1
