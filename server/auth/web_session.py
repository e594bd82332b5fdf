"""Flask's signed-cookie session (the CSRF secret and flashed messages; who is logged in is a
server-side row, auth/sessions.py), with its signer built once per app.

Flask's SecureCookieSessionInterface builds a new itsdangerous serializer for every request,
even one without a cookie (every phone request): about a sixth of a HEAD /submission. The
serializer depends only on the secret key and the salt, so one per app is enough.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class WebSessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = app.extensions.get("session_serializer")
        if cached is None or cached[0] != key:
            cached = (key, super().get_signing_serializer(app))
            app.extensions["session_serializer"] = cached
        return cached[1]
