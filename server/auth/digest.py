"""Stateless HTTP Digest nonces and the nonce count rule. Pure: secret, clock and salt are
passed in.

A nonce is `<issued-at hex>.<salt>.<HMAC>`: any worker process can verify it without shared
state, and the random salt makes each challenge's nonce unique, so one phone's nonce counts
never collide with another's. Collect reuses a nonce preemptively with an increasing `nc`
(openrosa.md §1.4); we accept that until the nonce is older than its lifetime, then answer
`stale=true`, which Collect follows by silently re-authenticating with the new nonce. Which
counts were already used is shared state (server/openrosa/phone_auth.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from enum import Enum

_NONCE_COUNT = re.compile(r"[0-9a-fA-F]{8}")


class NonceState(Enum):
    VALID = "valid"
    STALE = "stale"
    INVALID = "invalid"


def _sign(secret: bytes, issued_at: int, salt: str, realm: str) -> str:
    message = f"{issued_at:x}.{salt}:{realm}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def make_nonce(secret: bytes, *, now: float, realm: str, salt: str) -> str:
    issued_at = int(now)
    return f"{issued_at:x}.{salt}.{_sign(secret, issued_at, salt, realm)}"


def check_nonce(secret: bytes, nonce: str, *, now: float, realm: str, lifetime: int) -> NonceState:
    parts = nonce.split(".")
    if len(parts) == 2:
        return _check_unsalted(secret, parts, realm)
    if len(parts) != 3:
        return NonceState.INVALID
    issued_hex, salt, signature = parts
    try:
        issued_at = int(issued_hex, 16)
    except ValueError:
        return NonceState.INVALID
    if not hmac.compare_digest(signature, _sign(secret, issued_at, salt, realm)):
        return NonceState.INVALID
    if issued_at > now + 5:
        return NonceState.INVALID
    return NonceState.STALE if now - issued_at > lifetime else NonceState.VALID


def _check_unsalted(secret: bytes, parts: list[str], realm: str) -> NonceState:
    """Nonces issued before they had a salt (`<issued-at hex>.<HMAC>`) are stale: phones
    holding one when the server is upgraded log in again silently, not through a dialog."""
    issued_hex, signature = parts
    expected = hmac.new(secret, f"{issued_hex}:{realm}".encode(), hashlib.sha256).hexdigest()
    return NonceState.STALE if hmac.compare_digest(signature, expected[:32]) else NonceState.INVALID


def nonce_count(*, qop: str | None, nc: str | None, cnonce: str | None) -> int | None:
    """The count of a response to our `qop="auth"` challenge, or None if it is not one.

    RFC 7616 §3.4: with qop=auth the client sends `nc` (8 hex digits) and a `cnonce`; without
    them (or without qop, RFC 2069 style) the server could not tell a replay."""
    if qop != "auth" or not cnonce or nc is None or not _NONCE_COUNT.fullmatch(nc):
        return None
    return int(nc, 16)


def make_opaque(secret: bytes, *, realm: str) -> str:
    return hmac.new(secret, f"opaque:{realm}".encode(), hashlib.sha256).hexdigest()[:32]
