"""Factories and personas: plain functions with keyword overrides, the session passed in."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from server.areas.codes import XINFENG_FILE, parse_area_file
from server.areas.service import load_areas, this_year
from server.auth.models import AppUser
from server.auth.service import AppUserSecrets, create_app_user
from server.core import clock
from server.forms.models import FormVersion
from server.forms.service import publish_form
from server.registry.models import Household
from server.registry.service import add_household

REALM = "Fangfan"
SETUP = "测试准备 test setup"  # who the audit log says set up a test's users
LIANGBA = "440233100201"  # 梁坝村, 黄磜镇
SANKENG = "440233100200"  # 三坑村, 黄磜镇
# When crafted households enter the registry (and their status history): before every month
# a test computes, so a past month sees them.
REGISTERED = datetime(2021, 1, 1, tzinfo=UTC)
HUANGQI = "440233100000"  # 黄磜镇

# A small form that uses what the county forms use: the generated village and household lists,
# a repeat, and file questions.
VISIT_MD = """
| survey   |                                  |           |                  |                   |
|          | type                             | name      | label            | choice_filter     |
|          | select_one_from_file villages.csv | village   | 村 Village        |                   |
|          | select_one_from_file households.csv | household | 户 Household   | village=${village} |
|          | note                             | logo_note | Logo             |                   |
|          | date                             | visited_on | 走访日期          |                   |
|          | begin repeat                     | member    | 成员 Member       |                   |
|          | text                             | member_name | 姓名 Name       |                   |
|          | end repeat                       | member    |                  |                   |
|          | image                            | photo     | 照片 Photo        |                   |
|          | image                            | signature | 签名 Signature    |                   |
| settings |                                  |           |                  |                   |
|          | form_id                          | version   | form_title       |                   |
|          | {form_id}                        | {version} | 走访测试 Visit test |               |
"""


def markdown_form(form_id: str = "visit_test", version: str = "1") -> bytes:
    source = textwrap.dedent(VISIT_MD).replace("{form_id}", form_id).replace("{version}", version)
    return source.encode("utf-8")


def image_form(form_id: str = "image_test", version: str = "1") -> bytes:
    source = f"""
    | survey   |          |        |              |           |
    |          | type     | name   | label        | media::image |
    |          | note     | intro  | 介绍 Intro    | logo 1.png |
    | settings |          |        |              |           |
    |          | form_id  | version | form_title  |           |
    |          | {form_id} | {version} | 图片 Image |         |
    """
    return textwrap.dedent(source).encode("utf-8")


PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def make_areas(session: Session) -> None:
    load_areas(session, parse_area_file(XINFENG_FILE.read_text(encoding="utf-8")))


def make_form(
    session: Session, source: bytes, *, name: str = "form.md", attachments: dict | None = None
) -> FormVersion:
    return publish_form(
        session, source=source, source_name=name, attachments=attachments or {}
    ).version


@dataclass
class Persona:
    user: AppUser
    secrets: AppUserSecrets

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def token(self) -> str:
        return self.secrets.token

    @property
    def password(self) -> str:
        return self.secrets.password


def make_app_user(
    session: Session,
    *,
    username: str = "eli",
    area_code: str = LIANGBA,
    role: str = "village_cadre",
    form_ids: Iterable[str] = ("visit_test", "image_test"),
) -> Persona:
    user, secrets_ = create_app_user(
        session,
        username=username,
        display_name=username.title(),
        role=role,
        area_code=area_code,
        form_ids=list(form_ids),
        realm=REALM,
        year=this_year(),
        actor=None,
        operator=SETUP,
    )
    return Persona(user, secrets_)


def make_household(
    session: Session, *, code: str, village_code: str = LIANGBA, **overrides
) -> Household:
    values = {
        "head_name": "张三",
        "household_type": "marginal_at_risk",
        "household_kind": "ordinary",
        "member_count": 3,
        "head_phone": "13812345678",
        "created_at": REGISTERED,
    } | overrides
    return add_household(session, code=code, village_code=village_code, **values)


@pytest.fixture
def freeze_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Stop the server's clock (server/core/clock.py) at an aware moment, for this test."""

    def freeze(moment: datetime) -> None:
        monkeypatch.setattr(clock, "_now", lambda: moment.astimezone(UTC))

    return freeze


@pytest.fixture
def county(session: Session) -> None:
    """The Xinfeng area tree, two published test forms and a few households."""
    make_areas(session)
    make_form(session, markdown_form(), name="visit_test.md")
    make_form(session, image_form(), name="image_test.md", attachments={"logo 1.png": PNG_BYTES})
    make_household(session, code="H440233100201-0001", head_name="张三")
    make_household(
        session,
        code="H440233100201-0002",
        head_name="李四",
        household_type="unstable_formerly_poor",
        household_kind="formerly_poor",
    )
    make_household(session, code="H440233100200-0001", village_code=SANKENG, head_name="王五")
    session.commit()


@pytest.fixture
def eli(session: Session, county: None) -> Persona:
    """Eli, the cadre of 梁坝村, with a phone set up from a QR code."""
    persona = make_app_user(session, username="eli")
    session.commit()
    return persona


@pytest.fixture
def tom(session: Session, county: None) -> Persona:
    """Tom, a cadre of the whole town 黄磜镇."""
    persona = make_app_user(session, username="tom", area_code=HUANGQI, role="town_cadre")
    session.commit()
    return persona


@dataclass
class WebPersona:
    user: object
    password: str


def make_web_user(  # type: ignore[no-untyped-def]
    session: Session,
    *,
    username: str,
    role: str,
    area_code: str | None = None,
    department: str | None = None,
):
    from server.auth.service import create_web_user

    user, password = create_web_user(
        session,
        username=username,
        display_name=username.title(),
        role=role,
        area_code=area_code,
        year=this_year(),
        department=department,
        actor=None,
        operator=SETUP,
    )
    return WebPersona(user, password)


@pytest.fixture
def ada(session: Session, county: None) -> WebPersona:
    """Ada, the county administrator."""
    persona = make_web_user(session, username="ada", role="county_admin")
    session.commit()
    return persona


@pytest.fixture
def sam(session: Session, county: None) -> WebPersona:
    """Sam, the reviewer of the town 黄磜镇."""
    persona = make_web_user(session, username="sam", role="town_reviewer", area_code=HUANGQI)
    session.commit()
    return persona
