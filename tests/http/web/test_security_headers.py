"""Every web response carries the browser-hardening headers; phones' OpenRosa answers do not
pay for them (server/security_headers.py)."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from tests.http.web.helpers import login

HTML = {"Accept": "text/html"}
EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def assert_hardened(resp) -> None:  # type: ignore[no-untyped-def]
    for name, value in EXPECTED.items():
        assert resp.headers.get(name) == value, (resp.request.path, name)
    policy = dict(
        [*part.strip().split(" ", 1), ""][:2]
        for part in resp.headers["Content-Security-Policy"].split(";")
    )
    for directive, value in CSP.items():
        assert policy.get(directive) == value, (resp.request.path, directive)
    assert "unsafe-inline" not in resp.headers["Content-Security-Policy"]


def _web_rules(app) -> list[Rule]:  # type: ignore[no-untyped-def]
    return [r for r in app.url_map.iter_rules() if not r.endpoint.startswith("openrosa.")]


def _url(app, rule: Rule) -> str:  # type: ignore[no-untyped-def]
    """The rule's URL with "1" for every argument (a valid int, string or path alike)."""
    return app.url_map.bind("localhost").build(rule.endpoint, dict.fromkeys(rule.arguments, "1"))


def test_every_web_route_answers_with_the_headers_even_to_a_stranger(app, client):
    rules = _web_rules(app)
    assert len(rules) > 40
    for rule in rules:
        method = "GET" if "GET" in rule.methods else "POST"
        resp = client.open(_url(app, rule), method=method, headers=HTML)
        assert resp.status_code < 500, rule
        assert_hardened(resp)


@pytest.mark.parametrize(
    "page",
    [
        "/",
        "/review/submissions",
        "/review/households",
        "/review/approvals",
        "/monitoring/",
        "/monitoring/cases",
        "/exports/",
        "/audit/",
        "/admin/web-users",
        "/admin/app-users",
        "/account/password",
        "/review/households/H440233100201-0001",
    ],
)
def test_every_page_of_a_logged_in_user_has_the_headers(client, ada, page):
    login(client, ada)
    resp = client.get(page, headers=HTML)
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    assert_hardened(resp)


def test_error_pages_and_static_files_have_them_too(client, ada):
    assert_hardened(client.get("/no/such/page", headers=HTML))
    assert_hardened(client.get("/no/such/page", headers={"Accept": "application/json"}))
    assert_hardened(client.post("/", headers=HTML))  # 405
    for static in ("/static/fangfan.css", "/static/fangfan.js"):
        with client.get(static) as resp:
            assert resp.status_code == 200
            assert_hardened(resp)
    login(client, ada)
    assert_hardened(client.get("/review/households/H440233999999-0001", headers=HTML))  # 404


def test_phones_get_no_web_headers_and_the_app_has_no_hook_for_every_request(app, client, eli):
    resp = client.get(f"/key/{eli.token}/formList")
    assert resp.status_code == 200
    assert "Content-Security-Policy" not in resp.headers
    assert app.after_request_funcs.get(None, []) == []


def test_pages_carry_no_inline_script_or_style(client, ada, sam):
    login(client, ada)
    for page in ("/", "/admin/web-users", "/admin/app-users", "/monitoring/", "/account/password"):
        body = client.get(page, headers=HTML).data.decode()
        assert "<script>" not in body and " style=" not in body and " onsubmit=" not in body, page
