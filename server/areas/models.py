"""The area tree: county → towns/sub-districts → villages, versioned by year."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, intpk


class Area(Base):
    """One statistical area code with the name it had during [valid_from, valid_to] (years)."""

    __tablename__ = "areas"
    __table_args__ = (
        UniqueConstraint("code", "valid_from"),
        CheckConstraint("level IN ('county', 'town', 'village')", name="level"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(12), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    alt_names: Mapped[str] = mapped_column(String(200), default="")  # ';'-separated spellings
    urban_rural_class: Mapped[str | None] = mapped_column(String(3))
    valid_from: Mapped[int]
    valid_to: Mapped[int | None]
