"""The admin pages' data: codes as labels in the page's language, times in China's time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from server.admin.presenter import app_user_rows, audit_rows, web_user_rows
from server.core.labels import vocabulary

SQLITE_TIME = datetime(2026, 10, 1, 16, 30, 5, tzinfo=UTC).replace(tzinfo=None)  # naive: UTC
NAMES = {"440233100201": "梁坝村", "440233100202": "高群村", "440233100000": "黄磜镇"}


@dataclass
class AppUser:
    username: str = "eli"
    display_name: str = "Eli"
    role: str = "village_cadre"
    area_code: str = "440233100201"
    form_ids: list[str] = field(default_factory=lambda: ["visit_test", "gone"])
    is_active: bool = True


@dataclass
class WebUser:
    id: int = 1
    username: str = "dora"
    display_name: str = "Dora"
    role: str = "department_viewer"
    area_code: str | None = None
    department: str | None = "housing"
    last_login_at: datetime | None = datetime(2026, 10, 1, 16, 30, tzinfo=UTC)
    is_active: bool = True


@dataclass
class Event:
    id: int = 7
    at: datetime = SQLITE_TIME
    actor_username: str | None = "ada"
    action: str = "household_moved"
    object_kind: str = "household"
    object_id: str | None = "H440233100201-0001"
    area_code: str | None = "440233100202"
    ip: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def test_an_app_user_reads_with_its_role_area_forms_and_state():
    (zh,) = app_user_rows(
        [AppUser(is_active=False)],
        area_names=NAMES,
        form_titles={"visit_test": "走访测试"},
        labels=vocabulary(),
        lang="zh",
    )
    assert (zh.role, zh.area, zh.forms, zh.state) == (
        "村干部",
        "梁坝村",
        ("走访测试", "gone"),
        "已停用",
    )
    (en,) = app_user_rows(
        [AppUser(role="town_cadre")], area_names={}, form_titles={}, labels=vocabulary(), lang="en"
    )
    assert (en.role, en.area, en.state) == ("Town cadre", "", "Active")


def test_a_web_user_reads_with_its_duty_and_the_last_login_in_chinas_time():
    (row,) = web_user_rows(
        [WebUser()], live_sessions={1: 2}, me_id=1, area_names=NAMES, labels=vocabulary(), lang="en"
    )
    assert (row.role, row.area, row.department) == ("Department viewer", "", "Housing")
    assert (row.last_login, row.sessions, row.is_me, row.state) == (
        "2026-10-02 00:30",
        2,
        True,
        "Active",
    )
    (town,) = web_user_rows(
        [WebUser(id=2, role="town_reviewer", area_code="440233100000", department=None,
                 last_login_at=None)],
        live_sessions={}, me_id=1, area_names=NAMES, labels=vocabulary(), lang="zh",
    )  # fmt: skip
    assert (town.role, town.area, town.department, town.last_login) == (
        "镇级审核员",
        "黄磜镇",
        "",
        "",
    )
    assert (town.sessions, town.is_me) == (0, False)


def test_an_audit_event_reads_as_words_with_its_coded_details_labelled():
    moved = Event(detail={"from_village": "440233100201", "to_village": "440233100202",
                          "reason": "分户", "comment": ""})  # fmt: skip
    created = Event(
        id=8,
        action="web_user_created",
        object_kind="web_user",
        object_id="dora",
        area_code=None,
        detail={"role": "department_viewer", "department": "housing"},
    )
    exported = Event(id=9, action="export_data", object_kind="registry", object_id=None,
                     area_code="440233", detail={"format": "zip", "masked": True})  # fmt: skip
    rows = audit_rows([moved, created, exported], area_names=NAMES, labels=vocabulary(), lang="zh")
    assert rows[0].at == "2026-10-02 00:30:05"
    assert (rows[0].action, rows[0].object, rows[0].area) == (
        "迁移农户",
        "农户 H440233100201-0001",
        "高群村",
    )
    assert rows[0].detail == (("原村", "梁坝村"), ("迁入村", "高群村"), ("原因", "分户"))
    assert (rows[1].action, rows[1].object, rows[1].area) == ("新建网页用户", "网页用户 dora", "")
    assert rows[1].detail == (("角色", "部门查看"), ("部门", "住建"))
    assert (rows[2].object, rows[2].area, rows[2].detail) == (
        "登记册", "440233", (("格式", "zip"), ("脱敏", "是")),
    )  # fmt: skip
    (english,) = audit_rows([created], area_names=NAMES, labels=vocabulary(), lang="en")
    assert (english.action, english.object) == ("Web user created", "Web user dora")
    assert english.detail == (("Role", "Department viewer"), ("Department", "Housing"))
