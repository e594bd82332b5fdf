"""Archive numbers (档号): issued once per household, never changed afterwards.

The number is `{12-digit village code}-{year of inclusion}-{4-digit sequence}` (domain.md §7.3,
the local scheme until the county archives assign their own). The sequence counts per village
and year; the unique constraints make two concurrent issuers collide instead of sharing one.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, created_at, intpk


class ArchiveNumber(Base):
    __tablename__ = "archive_numbers"
    __table_args__ = (UniqueConstraint("village_code", "year", "sequence"),)

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="RESTRICT"), unique=True
    )
    village_code: Mapped[str] = mapped_column(String(12))
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(40), unique=True)
    issued_at: Mapped[created_at]
