"""Form registry use-cases: publish XLSForms, look up versions and media. Never commits."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from server.core.labels import LANGUAGES, Labels, vocabulary
from server.forms.compile import CompiledForm, compile_xlsform, md5_hex
from server.forms.errors import InvalidXLSForm, UnknownForm, UnknownMedia, VersionConflict
from server.forms.models import Form, FormAttachment, FormVersion, cached_schema
from server.forms.xform import FormSchema, pick_label
from server.memo import Memo

# Media the server generates per app user from the registry, instead of storing them.
DYNAMIC_MEDIA = frozenset({"towns.csv", "villages.csv", "households.csv"})


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    version: FormVersion
    created: bool
    warnings: tuple[str, ...]


def publish_form(
    session: Session,
    *,
    source: bytes,
    source_name: str,
    attachments: Mapping[str, bytes],
    validate: Callable[[CompiledForm], None] | None = None,
) -> PublishOutcome:
    """Compile and store one XLSForm version. Same version + same XForm is a no-op.

    A failure (compile error, ODK Validate error, missing media, version conflict) raises and
    stores nothing, so phones keep getting the last good version.
    """
    static = {name: data for name, data in attachments.items() if name not in DYNAMIC_MEDIA}
    compiled = compile_xlsform(source, file_name=source_name, files=static)
    form = session.scalars(select(Form).where(Form.xml_form_id == compiled.form_id)).first()
    existing = find_form_version(session, compiled.form_id, compiled.version)
    if existing is not None:
        if existing.xform_md5 != compiled.md5:
            raise VersionConflict(
                f"{source_name}: 表单 {compiled.form_id} 的版本 {compiled.version} "
                "已发布且内容不同，请在 settings 表中提高 version / "
                f"version {compiled.version} of {compiled.form_id} is already published "
                "with different content: raise the version",
                form_id=compiled.form_id,
                version=compiled.version,
            )
        return PublishOutcome(existing, created=False, warnings=compiled.warnings)
    static_media = _static_media(compiled, attachments, source_name)
    if validate is not None:
        validate(compiled)
    if form is None:
        form = Form(xml_form_id=compiled.form_id, title=compiled.schema.title)
        session.add(form)
    form.title = compiled.schema.title
    version = FormVersion(
        form=form,
        version=compiled.version,
        title=compiled.schema.title,
        xform=compiled.xform,
        xform_md5=compiled.md5,
        schema_json=compiled.schema.to_dict(),
        media_files=list(compiled.schema.media),
        source_name=source_name,
        source_sha256=hashlib.sha256(source).hexdigest(),
        warnings=list(compiled.warnings),
    )
    for filename, content in static_media.items():
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        version.attachments.append(
            FormAttachment(
                filename=filename, content=content, md5=md5_hex(content), content_type=content_type
            )
        )
    session.add(version)
    session.flush()
    return PublishOutcome(version, created=True, warnings=compiled.warnings)


def _static_media(
    compiled: CompiledForm, attachments: Mapping[str, bytes], source_name: str
) -> dict[str, bytes]:
    needed = [name for name in compiled.schema.media if name not in DYNAMIC_MEDIA]
    missing = [name for name in needed if name not in attachments]
    if missing:
        raise InvalidXLSForm(
            f"{source_name}: 表单引用的媒体文件缺失 / media files referenced by the form are "
            f"missing: {', '.join(missing)}",
            missing=missing,
        )
    return {name: attachments[name] for name in needed}


def list_current_versions(
    session: Session, *, xml_form_ids: Sequence[str] | None = None
) -> Sequence[FormVersion]:
    """The newest version of each form (of the given forms), ordered by form id."""
    newest = select(func.max(FormVersion.id)).group_by(FormVersion.form_id)
    query = (
        select(FormVersion)
        .join(FormVersion.form)
        .where(FormVersion.id.in_(newest))
        .order_by(Form.xml_form_id)
    )
    if xml_form_ids is not None:
        query = query.where(Form.xml_form_id.in_(list(xml_form_ids)))
    return session.scalars(query).all()


def list_forms(session: Session) -> Sequence[Form]:
    return session.scalars(select(Form).order_by(Form.xml_form_id)).all()


def find_form_version(session: Session, xml_form_id: str, version: str) -> FormVersion | None:
    query = (
        select(FormVersion)
        .join(FormVersion.form)
        .where(Form.xml_form_id == xml_form_id, FormVersion.version == version)
    )
    return session.scalars(query).first()


@dataclass(frozen=True, slots=True)
class SubmissionTarget:
    """The form version a submission names: what intake needs of it, without an ORM object."""

    form_version_id: int
    form_pk: int
    xml_form_id: str
    schema: FormSchema


# Plain table columns, not ORM attributes: intake runs this for every submission and a Core
# statement skips the ORM's compile and result machinery.
_VERSIONS, _FORMS = FormVersion.__table__, Form.__table__
_TARGET = (
    select(_VERSIONS.c.id, _VERSIONS.c.form_id, _VERSIONS.c.xform_md5)
    .join(_FORMS, _FORMS.c.id == _VERSIONS.c.form_id)
    .where(
        _FORMS.c.xml_form_id == bindparam("form_id"), _VERSIONS.c.version == bindparam("version")
    )
)
_SCHEMA_JSON = select(_VERSIONS.c.schema_json).where(_VERSIONS.c.id == bindparam("id"))


# A published version never changes; remembering it spares every submission a query.
_TARGETS: Memo[SubmissionTarget] = Memo("submission targets", watch=[Form, FormVersion])


def find_submission_target(
    session: Session, xml_form_id: str, version: str
) -> SubmissionTarget | None:
    """The form version a submission names (remembered for a few seconds, server.memo)."""

    def load() -> SubmissionTarget | None:
        row = session.execute(_TARGET, {"form_id": xml_form_id, "version": version}).first()
        if row is None:
            return None
        schema = cached_schema(
            row.id, row.xform_md5, lambda: session.scalar(_SCHEMA_JSON, {"id": row.id})
        )
        return SubmissionTarget(row.id, row.form_id, xml_form_id, schema)

    return _TARGETS.get(session, (xml_form_id, version), load)


def get_form_version(session: Session, xml_form_id: str, version: str) -> FormVersion:
    found = find_form_version(session, xml_form_id, version)
    if found is None:
        raise UnknownForm(
            f"找不到表单 {xml_form_id} 的版本 {version} / "
            f"Unknown version {version} of {xml_form_id}"
        )
    return found


def get_attachment(session: Session, version: FormVersion, filename: str) -> FormAttachment:
    query = select(FormAttachment).where(
        FormAttachment.form_version_id == version.id, FormAttachment.filename == filename
    )
    attachment = session.scalars(query).first()
    if attachment is None:
        raise UnknownMedia(f"表单没有媒体文件 {filename} / the form has no media file {filename}")
    return attachment


_LABELS: Memo[Labels] = Memo("code labels", watch=[Form, FormVersion])


def code_labels(session: Session) -> Labels:
    """Every code's labels (core.labels): the server's vocabulary, with the choice lists of the
    newest version of each form (stored at publish) merged in — a form's list wins, and of two
    forms with a list of the same name, the later form id. Remembered a few seconds (memo)."""

    def load() -> Labels:
        lists: dict[str, dict[str, dict[str, str]]] = {}
        for version in list_current_versions(session):
            for name, items in version.schema.choices.items():
                lists[name] = {
                    code: {lang: pick_label(labels, lang) or code for lang in LANGUAGES}
                    for code, labels in items.items()
                }
        return vocabulary().with_lists(lists)

    return _LABELS.get(session, "all", load) or vocabulary()
