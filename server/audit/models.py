"""The audit log: one row per thing a person did or saw. Rows are never changed or deleted.

The database enforces it: the migration adds triggers that refuse UPDATE and DELETE on
`audit_events` (SQLite and PostgreSQL), so not even a bug in this code can rewrite history.
The actor is copied by name as well as id, so the row stays readable whatever happens to users.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, created_at, intpk

ACTIONS = {
    "login": "登录 Login",
    "login_failed": "登录失败 Failed login",
    "logout": "退出 Logout",
    "password_changed": "修改密码 Password changed",
    "web_user_created": "新建网页用户 Web user created",
    "web_user_disabled": "停用网页用户 Web user disabled",
    "web_user_logged_out_everywhere": "全部登出网页用户 Web user logged out everywhere",
    "app_user_created": "新建手机端用户 App user created",
    "app_user_revoked": "停用手机端用户 App user revoked",
    "app_user_rotated": "更换手机端二维码 App user QR rotated",
    "review_state_set": "审核状态 Review state set",
    "review_commented": "审核意见 Review comment",
    "approval_decided": "审批 Approval decision",
    "reveal_id_number": "查看完整证件号 ID number revealed",
    "reveal_health": "查看健康信息 Health detail revealed",
    "export_xml": "导出原始数据 Raw XML exported",
    "print_archive": "打印档案 Archive printed",
    "export_data": "导出数据 Data exported",
    "household_moved": "迁移农户 Household moved",
    "submission_requeued": "重新处理提交 Submission processed again",
}


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_action_id", "action", "id"),
        Index("ix_audit_events_actor_id", "actor_username", "id"),
    )

    id: Mapped[intpk]
    at: Mapped[created_at]
    actor_id: Mapped[int | None]  # web_users.id, deliberately no foreign key: history outlives
    actor_username: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    object_kind: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(64))
    area_code: Mapped[str | None] = mapped_column(String(12), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
