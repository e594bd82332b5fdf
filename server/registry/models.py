"""The canonical register of monitored households (the model grows with ingest, issue #3)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, created_at, intpk

HOUSEHOLD_TYPES = (
    "unstable_formerly_poor",
    "marginal_at_risk",
    "sudden_severe_difficulty",
    "other",
)
HOUSEHOLD_KINDS = ("formerly_poor", "ordinary")

HOUSEHOLD_TYPE_LABELS = {
    "unstable_formerly_poor": "脱贫不稳定户",
    "marginal_at_risk": "边缘易致贫户",
    "sudden_severe_difficulty": "突发严重困难户",
    "other": "其他",
}


class Household(Base):
    """A monitored household. Issue #3 extends it with members, helpers and visits."""

    __tablename__ = "households"
    __table_args__ = (
        CheckConstraint(
            "household_type IN ('unstable_formerly_poor', 'marginal_at_risk', "
            "'sudden_severe_difficulty', 'other')",
            name="household_type",
        ),
        CheckConstraint("household_kind IN ('formerly_poor', 'ordinary')", name="household_kind"),
        Index("ix_households_village_code_code", "village_code", "code"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    village_code: Mapped[str] = mapped_column(String(12))
    head_name: Mapped[str] = mapped_column(String(100))
    household_type: Mapped[str] = mapped_column(String(32))
    household_kind: Mapped[str] = mapped_column(String(16))
    archive_no: Mapped[str | None] = mapped_column(String(40))
    head_phone: Mapped[str | None] = mapped_column(String(20))
    member_count: Mapped[int] = mapped_column(default=1)
    last_visit_on: Mapped[date | None]
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime | None]
