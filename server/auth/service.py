"""User use-cases: phone app users (create, rotate, revoke, authenticate) and web users
(create, disable, log out everywhere, change a password). Each change records its audit event
(`actor` the web user who made it, or None and `operator` naming the command line's).
Never commits."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from server.areas.service import get_area
from server.audit.service import record
from server.auth.errors import AppUserExists, InvalidAppUser, UnknownAppUser, WeakPassword
from server.auth.models import AppUser, AppUserForm, WebUser
from server.auth.passwords import password_problems
from server.auth.roles import APP_USER_ROLES, DEPARTMENTS, WEB_USER_ROLES
from server.auth.sessions import end_sessions
from server.core import clock
from server.memo import Memo

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,39}$")
# No look-alike characters: cadres may have to type a password from paper.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class AppUserSecrets:
    """Shown once, when an app user is created or its secrets are rotated."""

    token: str
    password: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def digest_ha1(username: str, realm: str, password: str) -> str:
    return hashlib.md5(f"{username}:{realm}:{password}".encode(), usedforsecurity=False).hexdigest()


def create_app_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    area_code: str,
    form_ids: Sequence[str],
    realm: str,
    year: int,
    password: str | None = None,
    actor: WebUser | None,
    ip: str | None = None,
    operator: str | None = None,
) -> tuple[AppUser, AppUserSecrets]:
    """Create a phone account bound to one village (village cadre) or one town (town cadre)."""
    if not _USERNAME.match(username):
        raise InvalidAppUser(
            "用户名须为 3–40 位小写字母、数字或 _.- / username must be 3–40 of a-z 0-9 _ . -"
        )
    if role not in APP_USER_ROLES:
        raise InvalidAppUser(
            f"未知角色 {role} / unknown role; use one of {', '.join(APP_USER_ROLES)}"
        )
    area = get_area(session, area_code, year=year)
    expected_level = "village" if role == "village_cadre" else "town"
    if area.level != expected_level:
        raise InvalidAppUser(
            f"{role} 须绑定到{'村' if expected_level == 'village' else '镇'}级区划 / "
            f"a {role} must be bound to a {expected_level}, {area_code} is a {area.level}"
        )
    if session.scalars(select(AppUser).where(AppUser.username == username)).first():
        raise AppUserExists(f"用户名 {username} 已存在 / username {username} is taken")
    secrets_ = _new_secrets(username, display_name, password)
    user = AppUser(
        username=username,
        display_name=display_name,
        role=role,
        area_code=area_code,
        token_sha256=token_digest(secrets_.token),
        password_hash=_hasher.hash(secrets_.password),
        digest_ha1=digest_ha1(username, realm, secrets_.password),
        form_grants=[AppUserForm(xml_form_id=form_id) for form_id in sorted(set(form_ids))],
    )
    session.add(user)
    session.flush()
    _record(session, "app_user_created", user, actor=actor, ip=ip, operator=operator)
    return user, secrets_


def rotate_secrets(
    session: Session,
    username: str,
    *,
    realm: str,
    actor: WebUser | None,
    ip: str | None = None,
    operator: str | None = None,
) -> tuple[AppUser, AppUserSecrets]:
    """Issue a new token and password (e.g. a lost phone); the old ones stop working at once."""
    user = get_app_user(session, username)
    secrets_ = _new_secrets(user.username, user.display_name, None)
    user.token_sha256 = token_digest(secrets_.token)
    user.password_hash = _hasher.hash(secrets_.password)
    user.digest_ha1 = digest_ha1(user.username, realm, secrets_.password)
    session.flush()
    _record(session, "app_user_rotated", user, actor=actor, ip=ip, operator=operator)
    return user, secrets_


def _record(
    session: Session,
    action: str,
    user: AppUser | WebUser,
    *,
    actor: WebUser | None,
    ip: str | None,
    operator: str | None,
    **detail: Any,
) -> None:
    kind = "app_user" if isinstance(user, AppUser) else "web_user"
    record(
        session,
        actor,
        action,
        object_kind=kind,
        object_id=user.username,
        area_code=user.area_code,
        ip=ip,
        username=operator,
        **detail,
    )


def _new_secrets(username: str, display_name: str, password: str | None) -> AppUserSecrets:
    # Collect encodes Digest credentials as US-ASCII (openrosa.md §1.4).
    if password is None:
        password = _generated_password(22, username=username)
    else:
        _require_good_password(password, username=username, names=[display_name], ascii_only=True)
    return AppUserSecrets(token=secrets.token_urlsafe(32), password=password)


def _require_good_password(
    password: str, *, username: str, names: Sequence[str] = (), ascii_only: bool = False
) -> None:
    """Refuse a password that the policy (auth/passwords.py) refuses, saying why."""
    problems = password_problems(password, username=username, names=names, ascii_only=ascii_only)
    if problems:
        raise WeakPassword(problems)


def _generated_password(length: int, *, username: str) -> str:
    """Random characters from an unambiguous alphabet, which the policy accepts (a random
    draw that happens to look like a word or contain the username is drawn again)."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if not password_problems(password, username=username, ascii_only=True):
            return password


def revoke_app_user(
    session: Session,
    username: str,
    *,
    actor: WebUser | None,
    ip: str | None = None,
    operator: str | None = None,
) -> AppUser:
    user = get_app_user(session, username)
    if user.revoked_at is None:
        user.revoked_at = clock.now()
    session.flush()
    _record(session, "app_user_revoked", user, actor=actor, ip=ip, operator=operator)
    return user


def get_app_user(session: Session, username: str) -> AppUser:
    user = session.scalars(select(AppUser).where(AppUser.username == username)).first()
    if user is None:
        raise UnknownAppUser(f"找不到用户 {username} / no app user {username}")
    return user


def list_app_users(session: Session) -> Sequence[AppUser]:
    return session.scalars(select(AppUser).order_by(AppUser.area_code, AppUser.username)).all()


@dataclass(frozen=True, slots=True)
class PhoneUser:
    """The app user a phone request is made by: a plain snapshot read with one query, so that
    authenticating a phone (every OpenRosa request) costs no ORM work."""

    id: int
    username: str
    role: str
    area_code: str
    password_hash: str
    digest_ha1: str
    is_active: bool
    form_ids: tuple[str, ...]


def _phone_user_query(match_column: str):  # type: ignore[no-untyped-def]
    users, grants = AppUser.__table__, AppUserForm.__table__
    return (
        select(
            users.c.id,
            users.c.username,
            users.c.role,
            users.c.area_code,
            users.c.password_hash,
            users.c.digest_ha1,
            users.c.revoked_at,
            grants.c.xml_form_id,
        )
        .outerjoin(grants, grants.c.app_user_id == users.c.id)
        .where(users.c[match_column] == bindparam("value"))
    )


# Built once: every phone request runs one of these (statement construction is not free).
_PHONE_USER_BY_TOKEN = _phone_user_query("token_sha256")
_PHONE_USER_BY_USERNAME = _phone_user_query("username")


# Every phone request authenticates; a phone sending a week of forms does so dozens of times.
_PHONE_USERS: Memo[PhoneUser] = Memo("phone users", watch=[AppUser, AppUserForm])


def find_phone_user(
    session: Session, *, token: str | None = None, username: str | None = None
) -> PhoneUser | None:
    """The app user with this URL token or this username (exactly one of them).

    Remembered for a few seconds (server.memo): a revocation made in this process applies at
    once, one made elsewhere within that time."""
    if token is not None:
        key = ("token", token_digest(token))
        query = _PHONE_USER_BY_TOKEN
    else:
        key = ("username", username or "")
        query = _PHONE_USER_BY_USERNAME
    return _PHONE_USERS.get(
        session, key, lambda: _phone_user(session.execute(query, {"value": key[1]}).all())
    )


def _phone_user(rows: Sequence[Any]) -> PhoneUser | None:
    if not rows:
        return None
    first = rows[0]
    return PhoneUser(
        id=first.id,
        username=first.username,
        role=first.role,
        area_code=first.area_code,
        password_hash=first.password_hash,
        digest_ha1=first.digest_ha1,
        is_active=first.revoked_at is None,
        form_ids=tuple(sorted(row.xml_form_id for row in rows if row.xml_form_id)),
    )


def find_app_user_by_token(session: Session, token: str) -> AppUser | None:
    query = select(AppUser).where(AppUser.token_sha256 == token_digest(token))
    return session.scalars(query).first()


def find_app_user_by_username(session: Session, username: str) -> AppUser | None:
    return session.scalars(select(AppUser).where(AppUser.username == username)).first()


def check_password(user: AppUser | PhoneUser, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except VerificationError:
        return False


# --- web users -------------------------------------------------------------------------------

_AREA_LEVEL_OF_ROLE = {"town_reviewer": "town", "village_committee": "village"}


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the username is unknown, so a login takes as long."""
    return _hasher.hash("fangfan-no-such-user")


def create_web_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    year: int,
    area_code: str | None = None,
    password: str | None = None,
    department: str | None = None,
    actor: WebUser | None,
    ip: str | None = None,
    operator: str | None = None,
) -> tuple[WebUser, str]:
    """Create a web user; returns the user and its password (generated unless given)."""
    if not _USERNAME.match(username):
        raise InvalidAppUser(
            "用户名须为 3–40 位小写字母、数字或 _.- / username must be 3–40 of a-z 0-9 _ . -"
        )
    if role not in WEB_USER_ROLES:
        raise InvalidAppUser(f"未知角色 {role} / unknown role {role}")
    level = _AREA_LEVEL_OF_ROLE.get(role)
    if level is not None:
        if area_code is None or get_area(session, area_code, year=year).level != level:
            raise InvalidAppUser(
                f"{role} 须绑定到{level}级区划 / a {role} must be bound to a {level}"
            )
    elif area_code is not None:
        get_area(session, area_code, year=year)
    if (role == "department_viewer") != (department is not None) or (
        department is not None and department not in DEPARTMENTS
    ):
        raise InvalidAppUser(
            "部门查看用户须选择一个部门（且仅限部门查看用户）/ a department viewer needs one "
            f"department ({', '.join(DEPARTMENTS)}), other roles none"
        )
    if session.scalars(select(WebUser).where(WebUser.username == username)).first():
        raise AppUserExists(f"用户名 {username} 已存在 / username {username} is taken")
    if password is None:
        password = _generated_password(16, username=username)
    else:
        _require_good_password(password, username=username, names=[display_name])
    user = WebUser(
        username=username,
        display_name=display_name,
        role=role,
        area_code=area_code,
        department=department,
        password_hash=_hasher.hash(password),
    )
    session.add(user)
    session.flush()
    _record(
        session,
        "web_user_created",
        user,
        actor=actor,
        ip=ip,
        operator=operator,
        role=user.role,
        department=user.department,
    )
    return user, password


def authenticate_web_user(session: Session, username: str, password: str) -> WebUser | None:
    """The active user with these credentials, or None. Records the login time."""
    user = session.scalars(select(WebUser).where(WebUser.username == username)).first()
    try:
        ok = _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except VerificationError:
        ok = False
    if not ok or user is None or not user.is_active:
        return None
    user.last_login_at = clock.now()
    session.flush()
    return user


def find_web_user_by_name(session: Session, username: str) -> WebUser | None:
    return session.scalars(select(WebUser).where(WebUser.username == username)).first()


def change_web_password(
    session: Session,
    user: WebUser,
    *,
    current: str,
    new: str,
    keep_session: int | None,
    ip: str | None,
) -> None:
    """Set a new password; every other session of the user ends (`keep_session` stays)."""
    try:
        _hasher.verify(user.password_hash, current)
    except VerificationError as exc:
        raise InvalidAppUser("当前密码不正确 / the current password is wrong") from exc
    _require_good_password(new, username=user.username, names=[user.display_name])
    user.password_hash = _hasher.hash(new)
    end_sessions(session, user, reason="password_changed", keep=keep_session)
    session.flush()
    record(
        session,
        user,
        "password_changed",
        object_kind="web_user",
        object_id=user.id,
        area_code=user.area_code,
        ip=ip,
    )


def disable_web_user(
    session: Session,
    username: str,
    *,
    actor: WebUser | None,
    ip: str | None = None,
    operator: str | None = None,
) -> WebUser:
    """Revoke a web user: every session of theirs ends at once."""
    user = _web_user_named(session, username)
    if user.disabled_at is None:
        user.disabled_at = clock.now()
    end_sessions(session, user, reason="disabled")
    session.flush()
    _record(session, "web_user_disabled", user, actor=actor, ip=ip, operator=operator)
    return user


def log_out_everywhere(
    session: Session, username: str, *, actor: WebUser | None, ip: str | None
) -> tuple[WebUser, int]:
    """End every session of a web user (a lost laptop, a shared computer); how many ended."""
    user = _web_user_named(session, username)
    ended = end_sessions(session, user, reason="logged_out_everywhere")
    _record(
        session,
        "web_user_logged_out_everywhere",
        user,
        actor=actor,
        ip=ip,
        operator=None,
        sessions_ended=ended,
    )
    return user, ended


def _web_user_named(session: Session, username: str) -> WebUser:
    user = find_web_user_by_name(session, username)
    if user is None:
        raise UnknownAppUser(f"找不到用户 {username} / no web user {username}")
    return user


def list_web_users(session: Session) -> Sequence[WebUser]:
    return session.scalars(select(WebUser).order_by(WebUser.role, WebUser.username)).all()
