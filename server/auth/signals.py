"""Signals the auth views send, so that higher layers (the audit log) can record logins
without auth importing them (tests/unit/test_layering.py)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Each is sent with keyword arguments: session, user (or None), username, ip.
logged_in = _signals.signal("web-logged-in")
login_failed = _signals.signal("web-login-failed")
logged_out = _signals.signal("web-logged-out")
password_changed = _signals.signal("web-password-changed")
