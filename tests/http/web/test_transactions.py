"""One transaction per request, decided by server.db.App: views never commit or roll back.

A success (below 400) commits what the view wrote; an error status or an exception (a domain
error, a bug) leaves nothing behind.
"""

from __future__ import annotations

from flask import Response
from sqlalchemy import func, select

from server.areas.models import Area
from server.core.errors import NotFound
from server.db import get_session
from server.extensions import csrf

CODE = "440233199999"


def _areas(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Area).where(Area.code == CODE))


def _write() -> None:
    get_session().add(
        Area(code=CODE, parent_code=None, level="village", name="测试", valid_from=2019)
    )
    get_session().flush()


def test_a_successful_write_is_committed_after_the_view(app, client, session):
    @app.post("/_t/ok")
    @csrf.exempt  # a test route: no form, no token
    def ok() -> Response:
        _write()
        return Response("done", status=201)

    assert client.post("/_t/ok").status_code == 201
    assert _areas(session) == 1


def test_an_error_status_leaves_nothing(app, client, session):
    @app.post("/_t/refused")
    @csrf.exempt  # a test route: no form, no token
    def refused() -> tuple[str, int]:
        _write()
        return "not valid", 422

    assert client.post("/_t/refused").status_code == 422
    assert _areas(session) == 0


def test_a_domain_error_after_a_write_leaves_nothing(app, client, session):
    @app.post("/_t/raises")
    @csrf.exempt  # a test route: no form, no token
    def raises() -> str:
        _write()
        raise NotFound("找不到 / not found")

    assert client.post("/_t/raises", headers={"Accept": "application/json"}).status_code == 404
    assert _areas(session) == 0


def test_a_bug_after_a_write_leaves_nothing(app, client, session):
    app.testing = False  # a real server answers a bug with its error page, not a traceback

    @app.post("/_t/bug")
    @csrf.exempt  # a test route: no form, no token
    def bug() -> str:
        _write()
        raise RuntimeError("a bug")

    assert client.post("/_t/bug").status_code == 500
    assert _areas(session) == 0
