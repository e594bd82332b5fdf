"""Stateless HTTP Digest nonces. Pure: the secret and the clock are passed in.

A nonce is `<issued-at hex>.<HMAC>`, so any worker process can verify it without shared state.
Collect reuses a nonce preemptively with an increasing `nc` (openrosa.md §1.4); we accept that
until the nonce is older than its lifetime, then answer `stale=true`, which Collect follows by
silently re-authenticating with the new nonce.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import Enum


class NonceState(Enum):
    VALID = "valid"
    STALE = "stale"
    INVALID = "invalid"


def _sign(secret: bytes, issued_at: int, realm: str) -> str:
    message = f"{issued_at:x}:{realm}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def make_nonce(secret: bytes, *, now: float, realm: str) -> str:
    issued_at = int(now)
    return f"{issued_at:x}.{_sign(secret, issued_at, realm)}"


def check_nonce(secret: bytes, nonce: str, *, now: float, realm: str, lifetime: int) -> NonceState:
    issued_hex, _, signature = nonce.partition(".")
    try:
        issued_at = int(issued_hex, 16)
    except ValueError:
        return NonceState.INVALID
    if not hmac.compare_digest(signature, _sign(secret, issued_at, realm)):
        return NonceState.INVALID
    if issued_at > now + 5:
        return NonceState.INVALID
    return NonceState.STALE if now - issued_at > lifetime else NonceState.VALID


def make_opaque(secret: bytes, *, realm: str) -> str:
    return hmac.new(secret, f"opaque:{realm}".encode(), hashlib.sha256).hexdigest()[:32]
