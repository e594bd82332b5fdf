"""Early-warning cases (预警): one tracked case per household and month.

A case is opened for a household the rules flagged, with every reason; then a home check (with
a due date), a decision, and a measure or a closure with its reason (domain.md §6.2).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, created_at, intpk
from server.registry.models import Household

CASE_STATUSES = ("open", "checked", "measure", "closed")
DECISIONS = ("start_identification", "department_measure", "not_at_risk")


class WarningCase(Base):
    __tablename__ = "warning_cases"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'checked', 'measure', 'closed')", name="status"),
        CheckConstraint(
            "decision IS NULL OR decision IN "
            "('start_identification', 'department_measure', 'not_at_risk')",
            name="decision",
        ),
        CheckConstraint("status != 'closed' OR close_reason IS NOT NULL", name="closed_reason"),
        UniqueConstraint("household_id", "month"),
        Index("ix_warning_cases_month_status", "month", "status"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    month: Mapped[date]  # first day of the month the rules ran for
    reasons: Mapped[list[Any]] = mapped_column(default=list)  # [{"code": …, "detail": …}]
    status: Mapped[str] = mapped_column(String(10), default="open")
    check_due_on: Mapped[date]
    checked_on: Mapped[date | None]
    check_note: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(30))
    measure: Mapped[str | None] = mapped_column(Text)
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime | None]
    updated_by: Mapped[str | None] = mapped_column(String(40))

    household: Mapped[Household] = relationship()
