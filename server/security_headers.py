"""The browser-hardening headers of every web response; never on phones' OpenRosa answers.

One constant set: a strict Content-Security-Policy (scripts, styles, images and forms from this
site only, no inline script or style, no plugins, no <base>, never inside a frame), the same
framing rule for old browsers, no MIME sniffing, and the referrer only within the site (the
language switch goes back to the page it came from by its referrer).

Applied per blueprint, to every blueprint except `openrosa`, plus static files and the error
pages of URLs that match no route. Not an app-wide after-request hook: phones' requests are
the server's load and pay for none of this (docs/architecture.md, "the phone path is kept
lean"). Not Flask-Talisman: it installs exactly such app-wide hooks, and by default redirects
http to https, which phones on the county LAN must never get (TLS ends at the proxy).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # the Collect QR code is a data: PNG (shown once, never stored)
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PHONE_BLUEPRINTS = frozenset({"openrosa"})


def add_security_headers(response: Response) -> Response:
    """The headers above, unless the view set its own value of one."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Call once every blueprint is registered: a blueprint added later gets no headers, which
    tests/http/web/test_security_headers.py would catch."""
    for name in app.blueprints:
        if name not in PHONE_BLUEPRINTS:
            app.after_request_funcs.setdefault(name, []).append(add_security_headers)
    static = app.view_functions["static"]

    @wraps(static)
    def static_with_headers(**kwargs: Any) -> Response:
        return add_security_headers(static(**kwargs))

    app.view_functions["static"] = static_with_headers
