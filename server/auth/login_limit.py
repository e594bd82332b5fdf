"""How often web logins may be tried: `LOGIN_RATE_LIMIT` per client address, every attempt
counted, through the login throttle (server/auth/throttle.py) in the shared state, so every
worker process counts alike.

Applied to the login view only: an app-wide before-request hook (as Flask-Limiter installs) would
run on every request, phones' OpenRosa requests included, which cost about a quarter of a HEAD
/submission.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests

from server.auth.throttle import Throttle, Throttled, parse_limits
from server.shared_state import shared_state


def init_app(app: Flask) -> None:
    app.extensions["web_login_throttle"] = Throttle(
        shared_state(app), "login", {"address": parse_limits(app.config["LOGIN_RATE_LIMIT"])}
    )


def login_rate_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count every POST to `view` against the client's address; refuse with 429 past a limit."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            throttle: Throttle = current_app.extensions["web_login_throttle"]
            try:
                throttle.count({"address": request.remote_addr or "unknown"})
            except Throttled as refused:
                raise TooManyRequests(retry_after=refused.retry_after) from None
        return view(*args, **kwargs)

    return wrapper
