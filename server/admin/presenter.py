"""What the admin pages show, as plain values: each account and each audit event labelled in
the page's language (the one labels module) and its times as people read them (China's time).

Pure: rows in (read through the small protocols below, so the ORM stays behind the views),
frozen dataclasses out; no Flask, no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from server.core.clock import in_china
from server.core.labels import Labels

MINUTE = "%Y-%m-%d %H:%M"
SECOND = "%Y-%m-%d %H:%M:%S"


def china_time(moment: datetime | None, fmt: str = MINUTE) -> str:
    return "" if moment is None else in_china(moment).strftime(fmt)


# --- phone app users ---------------------------------------------------------------------------


class _AppUser(Protocol):
    username: str
    display_name: str
    role: str
    area_code: str

    @property
    def form_ids(self) -> list[str]: ...

    @property
    def is_active(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class AppUserRow:
    username: str
    display_name: str
    role: str
    area: str  # the village's or town's name
    area_code: str
    forms: tuple[str, ...]  # the titles of the forms it may use
    active: bool
    state: str


def app_user_rows(
    users: Iterable[_AppUser],
    *,
    area_names: Mapping[str, str],
    form_titles: Mapping[str, str],
    labels: Labels,
    lang: str,
) -> tuple[AppUserRow, ...]:
    return tuple(
        AppUserRow(
            username=user.username,
            display_name=user.display_name,
            role=labels.of("app_role", user.role, lang),
            area=area_names.get(user.area_code, ""),
            area_code=user.area_code,
            forms=tuple(form_titles.get(form_id, form_id) for form_id in user.form_ids),
            active=user.is_active,
            state=labels.of("account_state", "active" if user.is_active else "revoked", lang),
        )
        for user in users
    )


@dataclass(frozen=True, slots=True)
class QrCode:
    """A phone user's Collect settings, shown once (only a hash of the token is kept)."""

    display_name: str
    username: str
    server_url: str  # with the token: what the QR code configures
    base_url: str
    password: str
    image: str  # the QR code as base64 PNG


# --- web users ---------------------------------------------------------------------------------


class _WebUser(Protocol):
    id: int
    username: str
    display_name: str
    role: str
    area_code: str | None
    department: str | None
    last_login_at: datetime | None

    @property
    def is_active(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class WebUserRow:
    username: str
    display_name: str
    role: str
    area: str  # the town's or village's name; "" for county-wide roles
    department: str  # a department viewer's duty
    last_login: str
    sessions: int  # live sessions
    active: bool
    state: str
    is_me: bool  # the administrator looking (who may not disable themselves)


@dataclass(frozen=True, slots=True)
class CreatedWebUser:
    display_name: str
    username: str
    password: str  # shown once


def web_user_rows(
    users: Iterable[_WebUser],
    *,
    live_sessions: Mapping[int, int],
    me_id: int | None,
    area_names: Mapping[str, str],
    labels: Labels,
    lang: str,
) -> tuple[WebUserRow, ...]:
    return tuple(
        WebUserRow(
            username=user.username,
            display_name=user.display_name,
            role=labels.of("web_role", user.role, lang),
            area=area_names.get(user.area_code, user.area_code) if user.area_code else "",
            department=labels.of("duty", user.department, lang),
            last_login=china_time(user.last_login_at),
            sessions=live_sessions.get(user.id, 0),
            active=user.is_active,
            state=labels.of("account_state", "active" if user.is_active else "disabled", lang),
            is_me=user.id == me_id,
        )
        for user in users
    )


# --- the audit log -----------------------------------------------------------------------------


class _Event(Protocol):
    id: int
    at: datetime
    actor_username: str | None
    action: str
    object_kind: str
    object_id: str | None
    area_code: str | None
    ip: str | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: str
    actor: str
    action: str
    object: str  # its kind's label and its id
    area: str
    ip: str
    detail: tuple[tuple[str, str], ...]  # (label, value) of each detail kept


# The details an event keeps whose values are codes, and the list that labels each.
DETAIL_LISTS = {
    "role": "web_role",
    "department": "duty",
    "state": "review_state",
    "kind": "approval_kind",
    "level": "approval_level",
    "decision": "approval_decision",
}
AREA_DETAILS = frozenset({"from_village", "to_village"})


def audit_rows(
    events: Iterable[_Event], *, area_names: Mapping[str, str], labels: Labels, lang: str
) -> tuple[AuditRow, ...]:
    return tuple(
        AuditRow(
            id=event.id,
            at=china_time(event.at, SECOND),
            actor=event.actor_username or "",
            action=labels.of("audit_action", event.action, lang),
            object=" ".join(
                filter(None, (labels.of("record_kind", event.object_kind, lang), event.object_id))
            ),
            area=area_names.get(event.area_code, event.area_code) if event.area_code else "",
            ip=event.ip or "",
            detail=_details(event.detail or {}, area_names, labels, lang),
        )
        for event in events
    )


def _details(
    detail: Mapping[str, Any], area_names: Mapping[str, str], labels: Labels, lang: str
) -> tuple[tuple[str, str], ...]:
    return tuple(
        (labels.of("audit_detail", key, lang), _detail(key, value, area_names, labels, lang))
        for key, value in detail.items()
        if value is not None and value != ""
    )


def _detail(key: str, value: Any, area_names: Mapping[str, str], labels: Labels, lang: str) -> str:
    if isinstance(value, bool):
        return labels.of("yes_no", "true" if value else "false", lang)
    if key in DETAIL_LISTS:
        return labels.of(DETAIL_LISTS[key], str(value), lang)
    if key in AREA_DETAILS:
        return area_names.get(str(value), str(value))
    return str(value)
