"""How a phone proves who it is: a token in the URL path, HTTP Digest, or Basic over https.

openrosa.md §1: Collect sends no cookies, tries unauthenticated first and needs a 401 with a
`WWW-Authenticate` challenge it can answer. It answers Digest always and Basic only over https,
so Digest is offered first. Bad URL tokens get 403, not 401, so Collect does not prompt for a
password it does not have (as ODK Central does).

Two rules need state shared by every server process (server.shared_state), read in one round
trip per Digest request and none for a URL token:
- Digest nonce counts (RFC 7616 §3.4): each `nc` of a nonce is accepted once, in any order (a
  phone's requests may overtake each other); a replay gets 401 with a fresh `stale=true`
  challenge, which Collect answers silently (§1.4 loop guard).
- Failed logins (wrong password, unknown user, unknown URL token) are counted per user and per
  client address (server/auth/throttle.py); past `PHONE_*_FAILURE_LIMIT` the user or address is
  refused with 429, Retry-After and a message Collect shows, even with the right password, until
  the window has passed. Successes, stale nonces and replays are not failures; a revoked
  account is refused (403) without counting.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from flask import Flask, current_app, g, request
from flask_httpauth import HTTPDigestAuth
from sqlalchemy.orm import Session

from server.auth.digest import NonceState, check_nonce, make_nonce, make_opaque, nonce_count
from server.auth.errors import TooManyFailures, Unauthenticated
from server.auth.service import PhoneUser, check_password, find_phone_user
from server.auth.throttle import Throttle, Throttled, parse_limits
from server.core import clock
from server.core.errors import AccessDenied
from server.db import reader_session
from server.shared_state import Mark, shared_state

WRONG_CREDENTIALS = "用户名或密码错误 / wrong username or password"


def init_app(app: Flask) -> None:
    limits = {
        "user": parse_limits(app.config["PHONE_USER_FAILURE_LIMIT"]),
        "address": parse_limits(app.config["PHONE_ADDRESS_FAILURE_LIMIT"]),
    }
    app.extensions["phone_login_throttle"] = Throttle(shared_state(app), "phone", limits)


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
    if user is None:
        _count_failure(None, by_token=True)
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
        _secret(), auth.nonce or "", now=clock.timestamp(), realm=realm, lifetime=lifetime
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
        _count_failure(user)
        raise Unauthenticated(WRONG_CREDENTIALS)
    if state is NonceState.STALE:
        raise Unauthenticated("认证已过期 / authentication expired", stale=True)
    # The one store round trip of a Digest request: throttled? and this count of this nonce new?
    if not _check_throttle(user, mark=Mark(f"nc:{auth.nonce}", str(count), lifetime)):
        raise Unauthenticated("此认证已使用过 / this authorization was already used", stale=True)
    return user


def _basic_user(session: Session, auth: Any) -> PhoneUser:
    user = find_phone_user(session, username=auth.username or "")
    _check_throttle(user)  # first: a throttled guesser costs no password hashing
    if user is None or not check_password(user, auth.password or ""):
        _count_failure(user)
        raise Unauthenticated(WRONG_CREDENTIALS)
    return user


def _subjects(user: PhoneUser | None) -> dict[str, str]:
    """Who a login attempt counts against: the user if the name exists, always the address."""
    subjects = {"address": request.remote_addr or "unknown"}
    if user is not None:
        subjects["user"] = user.username
    return subjects


def _throttle() -> Throttle:
    return current_app.extensions["phone_login_throttle"]


def _check_throttle(user: PhoneUser | None, *, mark: Mark | None = None) -> bool:
    try:
        return _throttle().check(_subjects(user), mark=mark)
    except Throttled as refused:
        raise _too_many(refused) from None


def _count_failure(user: PhoneUser | None, *, by_token: bool = False) -> None:
    try:
        _throttle().count(_subjects(user))
    except Throttled as refused:
        raise _too_many(refused, by_token=by_token) from None


_PAUSED = {
    "user": ("此账号登录失败次数过多", "Too many failed logins for this account"),
    "address": ("此网络地址登录失败次数过多", "Too many failed logins from this network address"),
}


def _too_many(refused: Throttled, *, by_token: bool = False) -> TooManyFailures:
    minutes = math.ceil(refused.retry_after / 60)
    zh, en = _PAUSED[refused.kind]
    if by_token:
        message = (
            f"{zh}，请 {minutes} 分钟后再试，并向县扶贫办索取新的二维码 / {en}: try again in "
            f"{minutes} min, with a new QR code from the county office"
        )
    else:
        message = (
            f"{zh}，已暂停登录，请 {minutes} 分钟后再试；在此之前即使密码正确也无法登录 / {en}: "
            f"logins are paused for {minutes} min, and until then even the right password is "
            "refused"
        )
    return TooManyFailures(message, retry_after=refused.retry_after)


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
    nonce = make_nonce(_secret(), now=clock.timestamp(), realm=realm, salt=secrets.token_hex(8))
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
