"""Submissions exactly as phones sent them. Rows here are never changed in content, only in state.

A *submission* is one logical record (a visit, an identification…); each POST with a new
instanceID is a *version* of it: the first one, or an edit that names the one it replaces in
`meta/deprecatedID`. The instance XML is stored verbatim in the version row; files are stored
once per content hash (`blobs`) and linked by their file name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, created_at, intpk

PROCESSING_STATES = ("pending", "processed", "needs_attention")


class Blob(Base):
    """File content, stored once per SHA-256 however often it is uploaded."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[created_at]


class Submission(Base):
    """One logical record and the chain of its versions."""

    __tablename__ = "submissions"

    id: Mapped[intpk]
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[created_at]

    versions: Mapped[list[SubmissionVersion]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.id"
    )


class SubmissionVersion(Base):
    __tablename__ = "submission_versions"
    __table_args__ = (
        # The idempotency key of OpenRosa: one instanceID per form, whatever happens.
        UniqueConstraint("form_id", "instance_id"),
        CheckConstraint(
            "processing_state IN ('pending', 'processed', 'needs_attention')",
            name="processing_state",
        ),
        Index("ix_submission_versions_state_received", "processing_state", "received_at"),
        # The review queue: newest first within a village range, keyset-paged on the id.
        Index("ix_submission_versions_village_current", "village_code", "is_current", "id"),
        Index("ix_submission_versions_current_id", "is_current", "id"),
    )

    id: Mapped[intpk]
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="RESTRICT"), index=True
    )
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="RESTRICT"))
    form_version_id: Mapped[int] = mapped_column(
        ForeignKey("form_versions.id", ondelete="RESTRICT"), index=True
    )
    instance_id: Mapped[str] = mapped_column(String(100))
    deprecated_id: Mapped[str | None] = mapped_column(String(100))
    instance_name: Mapped[str | None] = mapped_column(String(255))
    # Where the record belongs, read at intake from the form's village/household questions:
    # every supervisor query is scoped by village (server/access).
    village_code: Mapped[str | None] = mapped_column(String(12))
    household_code: Mapped[str | None] = mapped_column(String(32), index=True)
    xml: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # verbatim, as received
    xml_sha256: Mapped[str] = mapped_column(String(64))
    is_current: Mapped[bool] = mapped_column(default=True)
    app_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_users.id", ondelete="RESTRICT"), index=True
    )
    device_id: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[created_at]
    processing_state: Mapped[str] = mapped_column(String(20), default="pending")
    attention_reason: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]

    submission: Mapped[Submission] = relationship(back_populates="versions")
    attachments: Mapped[list[SubmissionAttachment]] = relationship(
        back_populates="version",
        order_by="SubmissionAttachment.filename",
        cascade="all, delete-orphan",
    )


class SubmissionAttachment(Base):
    """A file of a version: declared by the form (maybe not arrived yet) or sent anyway."""

    __tablename__ = "submission_attachments"
    __table_args__ = (UniqueConstraint("version_id", "filename"),)

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    # None while a file the instance names has not arrived (Collect may split an upload).
    blob_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("blobs.sha256", ondelete="RESTRICT"), index=True
    )
    content_type: Mapped[str | None] = mapped_column(String(100))
    is_declared: Mapped[bool]  # named by a file question of the instance
    received_at: Mapped[datetime | None]

    version: Mapped[SubmissionVersion] = relationship(back_populates="attachments")

    @property
    def is_missing(self) -> bool:
        return self.blob_sha256 is None


class SubmissionIssue(Base):
    """Something a reviewer should look at in a processed version (invalid ID, duplicate…)."""

    __tablename__ = "submission_issues"

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40), index=True)
    message: Mapped[str] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(String(200))
