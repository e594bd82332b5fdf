"""How a phone proves who it is: a token in the URL path, HTTP Digest, or Basic over https.

openrosa.md §1: Collect sends no cookies, tries unauthenticated first and needs a 401 with a
`WWW-Authenticate` challenge it can answer. It answers Digest always and Basic only over https,
so Digest is offered first. Bad URL tokens get 403, not 401, so Collect does not prompt for a
password it does not have (as ODK Central does).

Digest nonce counts (RFC 7616 §3.4) are state shared by every server process
(server.shared_state), read in one round trip per Digest request and none for a URL token: each
`nc` of a nonce is accepted once, in any order (a phone's requests may overtake each other); a
replay gets 401 with a fresh `stale=true` challenge, which Collect answers silently (§1.4 loop
guard).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from flask import current_app, g, request
from flask_httpauth import HTTPDigestAuth
from sqlalchemy.orm import Session

from server.auth.digest import NonceState, check_nonce, make_nonce, make_opaque, nonce_count
from server.auth.errors import AccessDenied, Unauthenticated
from server.auth.service import PhoneUser, check_password, find_phone_user
from server.db import reader_session
from server.shared_state import Mark, shared_state

WRONG_CREDENTIALS = "用户名或密码错误 / wrong username or password"


def phone_login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, token: str | None = None, **kwargs: Any) -> Any:
        lookup = reader_session()
        user = _user_from_token(lookup, token) if token is not None else _user_from_header(lookup)
        g.app_user = user
        g.url_token = token
        return view(*args, **kwargs)

    return wrapper


def current_app_user() -> PhoneUser:
    return g.app_user


def _user_from_token(session: Session, token: str) -> PhoneUser:
    user = find_phone_user(session, token=token)
    if user is None or not user.is_active:
        raise AccessDenied(
            "此链接无效或已停用，请向县扶贫办索取新的二维码 / "
            "this link is invalid or revoked; ask the county office for a new QR code"
        )
    return user


def _user_from_header(session: Session) -> PhoneUser:
    auth = request.authorization
    if auth is None:
        raise Unauthenticated("请登录 / please log in")
    if auth.type == "digest":
        user = _digest_user(session, auth)
    elif auth.type == "basic" and request.is_secure:
        user = _basic_user(session, auth)
    else:
        raise Unauthenticated("请使用 Digest 认证 / please authenticate with Digest")
    if not user.is_active:
        raise AccessDenied("此账号已停用 / this account has been revoked")
    return user


def _digest_user(session: Session, auth: Any) -> PhoneUser:
    realm = current_app.config["DIGEST_REALM"]
    lifetime = current_app.config["DIGEST_NONCE_SECONDS"]
    state = check_nonce(
        _secret(), auth.nonce or "", now=time.time(), realm=realm, lifetime=lifetime
    )
    user = find_phone_user(session, username=auth.username or "")
    count = nonce_count(qop=auth.qop, nc=auth.nc, cnonce=auth.cnonce)
    verifier = HTTPDigestAuth(realm=realm, use_ha1_pw=True, qop="auth")
    verifier.verify_nonce(lambda _nonce: state is not NonceState.INVALID)
    verifier.verify_opaque(lambda opaque: opaque == make_opaque(_secret(), realm=realm))
    # The digest covers the URI as the client sent it (with ?deviceID=…); check that it is this
    # request's URI, so a captured response cannot be replayed against another URL.
    if (
        user is None
        or count is None
        or auth.realm != realm
        or auth.uri not in _request_uris()
        or not verifier.authenticate(auth, user.digest_ha1)
    ):
        raise Unauthenticated(WRONG_CREDENTIALS)
    if state is NonceState.STALE:
        raise Unauthenticated("认证已过期 / authentication expired", stale=True)
    # The one store round trip of a Digest request: is this count of this nonce new?
    new, _ = shared_state().read([], mark=Mark(f"nc:{auth.nonce}", str(count), lifetime))
    if not new:
        raise Unauthenticated("此认证已使用过 / this authorization was already used", stale=True)
    return user


def _basic_user(session: Session, auth: Any) -> PhoneUser:
    user = find_phone_user(session, username=auth.username or "")
    if user is None or not check_password(user, auth.password or ""):
        raise Unauthenticated(WRONG_CREDENTIALS)
    return user


def _request_uris() -> set[str]:
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    rebuilt = quote(request.path, safe="/:@!$&'()*+,;=-._~%")
    query = request.query_string.decode("latin-1")
    uris = {rebuilt + (f"?{query}" if query else "")}
    if raw:
        uris.add(raw)
    return uris


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def challenge_headers(*, stale: bool) -> list[tuple[str, str]]:
    """`WWW-Authenticate` values for a 401: Digest (MD5, qop=auth), plus Basic over https."""
    realm = current_app.config["DIGEST_REALM"]
    nonce = make_nonce(_secret(), now=time.time(), realm=realm, salt=secrets.token_hex(8))
    digest = (
        f'Digest realm="{realm}", qop="auth", nonce="{nonce}", '
        f'opaque="{make_opaque(_secret(), realm=realm)}", algorithm=MD5'
    )
    if stale:
        digest += ", stale=true"
    headers = [("WWW-Authenticate", digest)]
    if request.is_secure:
        headers.append(("WWW-Authenticate", f'Basic realm="{realm}"'))
    return headers
