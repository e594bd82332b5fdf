"""Review states and comments of submissions, and the approval chain of households.

Review states follow ODK Central: received, has_issues, edited, approved, rejected. A state is
set on one version; when an edit (a newer version) arrives, the submission reads as `edited`
again until someone reviews it (`effective_state` in service.py).

An approval case carries one household through village proposal → town review → county
confirmation, for inclusion (识别纳入) or risk elimination (风险消除), domain.md §1.3–§1.4.
`stage` is who must act next; every decision is an `ApprovalStep` row, never overwritten.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, created_at, intpk

REVIEW_STATES = ("received", "has_issues", "edited", "approved", "rejected")
CASE_KINDS = ("inclusion", "elimination")
STAGES = ("village", "town", "county", "closed")
DECISIONS = ("proposed", "approved", "rejected", "withdrawn")


class SubmissionReview(Base):
    """The review state a person set on a submission (on its then-current version)."""

    __tablename__ = "submission_reviews"
    __table_args__ = (
        CheckConstraint(
            "state IN ('received', 'has_issues', 'edited', 'approved', 'rejected')", name="state"
        ),
    )

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(12))
    updated_at: Mapped[created_at]
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="RESTRICT"))


class ReviewComment(Base):
    """A reviewer's comment, with the state set at the same time (if any)."""

    __tablename__ = "review_comments"

    id: Mapped[intpk]
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="CASCADE")
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="RESTRICT"))
    author_name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]


class ApprovalCase(Base):
    __tablename__ = "approval_cases"
    __table_args__ = (
        CheckConstraint("kind IN ('inclusion', 'elimination')", name="kind"),
        CheckConstraint("stage IN ('village', 'town', 'county', 'closed')", name="stage"),
        CheckConstraint("outcome IN ('confirmed', 'withdrawn')", name="outcome"),
        Index("ix_approval_cases_stage_village", "stage", "village_code"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    village_code: Mapped[str] = mapped_column(String(12))  # copied: scope filters on it
    kind: Mapped[str] = mapped_column(String(12))
    stage: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str | None] = mapped_column(String(10))
    publicity_start: Mapped[date | None]  # 村内公示 (domain.md §1.3 step 5)
    publicity_end: Mapped[date | None]
    opened_at: Mapped[created_at]
    closed_at: Mapped[datetime | None]

    steps: Mapped[list[ApprovalStep]] = relationship(
        back_populates="case", order_by="ApprovalStep.id", cascade="all, delete-orphan"
    )


class ApprovalStep(Base):
    __tablename__ = "approval_steps"
    __table_args__ = (
        CheckConstraint("level IN ('village', 'town', 'county')", name="level"),
        CheckConstraint(
            "decision IN ('proposed', 'approved', 'rejected', 'withdrawn')", name="decision"
        ),
    )

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(
        ForeignKey("approval_cases.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(8))
    decision: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="RESTRICT"))
    actor_name: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[created_at]
    comment: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[ApprovalCase] = relationship(back_populates="steps")
