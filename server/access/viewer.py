"""Who is asking: a web user, a phone (app user) or the operator at the command line.

Pure: a frozen value built from the user record the request authenticated, so the policy
(`access.policy`) decides from plain values and never touches Flask, the session or the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

WEB, PHONE, OPERATOR_KIND = "web", "phone", "operator"


@dataclass(frozen=True, slots=True)
class Viewer:
    kind: str  # web | phone | operator
    role: str
    area_code: str | None = None
    department: str | None = None
    user_id: int | None = None
    username: str | None = None


class _WebUser(Protocol):
    id: int
    username: str
    role: str
    area_code: str | None
    department: str | None


class _AppUser(Protocol):
    id: int
    username: str
    role: str
    area_code: str


def web_viewer(user: _WebUser) -> Viewer:
    return Viewer(WEB, user.role, user.area_code, user.department, user.id, user.username)


def phone_viewer(user: _AppUser) -> Viewer:
    return Viewer(PHONE, user.role, user.area_code, None, user.id, user.username)


# The operator at the command line acts for the county (it holds the server itself).
OPERATOR = Viewer(OPERATOR_KIND, "operator", username="命令行 command line")
