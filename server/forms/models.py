"""Published forms: each version keeps the exact XForm bytes served to Collect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, created_at, intpk
from server.forms.xform import FormSchema


class Form(Base):
    __tablename__ = "forms"

    id: Mapped[intpk]
    xml_form_id: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]

    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="form", order_by="FormVersion.id"
    )


_SCHEMAS: dict[tuple[int, str], FormSchema] = {}


class FormVersion(Base):
    """One published version. The newest version of a form is the one offered to phones.

    The XForm bytes and the field schema are deferred: the form list and manifests need only
    the hash, title and media names, and load nothing else.
    """

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[intpk]
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="RESTRICT"), index=True)
    version: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    # Exactly the bytes served to Collect; never re-serialised.
    xform: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    xform_md5: Mapped[str] = mapped_column(String(32))
    schema_json: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    media_files: Mapped[list[Any]]  # every file the form references, static or generated
    source_name: Mapped[str] = mapped_column(String(200))
    source_sha256: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[list[Any]]
    published_at: Mapped[created_at]

    form: Mapped[Form] = relationship(back_populates="versions", lazy="joined")
    attachments: Mapped[list[FormAttachment]] = relationship(
        back_populates="form_version", order_by="FormAttachment.filename"
    )

    @property
    def schema(self) -> FormSchema:
        return cached_schema(self.id, self.xform_md5, lambda: self.schema_json)


def cached_schema(
    version_id: int, xform_md5: str, load_json: Callable[[], dict[str, Any]]
) -> FormSchema:
    """A version's field schema, decoded once per process: a published version never changes
    (the XForm hash is part of the key, so a reused id after a rollback cannot mislead)."""
    key = (version_id, xform_md5)
    schema = _SCHEMAS.get(key)
    if schema is None:
        schema = FormSchema.from_dict(load_json())
        if len(_SCHEMAS) >= 256:
            _SCHEMAS.clear()
        _SCHEMAS[key] = schema
    return schema


class FormAttachment(Base):
    """A static media file (image, fixed CSV) shipped with one form version."""

    __tablename__ = "form_attachments"
    __table_args__ = (UniqueConstraint("form_version_id", "filename"),)

    id: Mapped[intpk]
    form_version_id: Mapped[int] = mapped_column(
        ForeignKey("form_versions.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    md5: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[created_at]

    form_version: Mapped[FormVersion] = relationship(back_populates="attachments")
