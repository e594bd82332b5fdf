"""Record the auth signals (login, failed login, logout, password change) in the audit log."""

from __future__ import annotations

from typing import Any

from flask import Flask

from server.audit.service import record
from server.auth import signals

_ACTIONS = {
    signals.logged_in: "login",
    signals.login_failed: "login_failed",
    signals.logged_out: "logout",
    signals.password_changed: "password_changed",
}


def init_app(app: Flask) -> None:
    for signal, action in _ACTIONS.items():
        signal.connect(_recorder(action), sender=app, weak=False)


def _recorder(action: str):  # type: ignore[no-untyped-def]
    def receive(_sender: Any, *, session: Any, user: Any, username: str, ip: str | None) -> None:
        record(
            session,
            user,
            action,
            object_kind="web_user",
            object_id=user.id if user else None,
            area_code=user.area_code if user else None,
            ip=ip,
            username=username[:40],
        )

    return receive
