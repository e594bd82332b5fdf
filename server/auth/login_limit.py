"""How often web logins may be tried: `LOGIN_RATE_LIMIT` per client address, counted in
`RATELIMIT_STORAGE_URI` (memory:// per process; redis://… shared by every worker).

Built on the `limits` library (what Flask-Limiter uses underneath) and applied to the login
view only. A Flask-Limiter extension runs a before-request hook on every request of the app,
phones' OpenRosa requests included, which cost about a quarter of a HEAD /submission.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests


def init_app(app: Flask) -> None:
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["login_limit"] = (
        MovingWindowRateLimiter(storage),
        parse_many(app.config["LOGIN_RATE_LIMIT"]),
    )


def login_rate_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count every POST to `view` against the client's address; refuse with 429 past a limit."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            limiter, limits = current_app.extensions["login_limit"]
            client = request.remote_addr or "unknown"
            if not all(limiter.hit(limit, "login", client) for limit in limits):
                raise TooManyRequests()
        return view(*args, **kwargs)

    return wrapper
