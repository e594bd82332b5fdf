"""Accept OpenRosa submissions: store them verbatim, idempotently, in one transaction.

Each rule of openrosa.md §5.4–§5.7 lives in exactly one branch of `accept_submission`:
a new instance, an identical resend (merge any new files: retries and split uploads), a
different XML under the same instanceID (409), and an edit naming `deprecatedID`. Never commits:
the view commits once, and only then answers 201, so a phone that got 201 has its data on disk.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.areas.service import list_villages_in_scope
from server.auth.models import AppUser
from server.db import utcnow
from server.forms.errors import UnknownForm
from server.forms.models import FormVersion
from server.forms.service import get_form_version
from server.forms.xform import Field, FormSchema
from server.ingest.errors import (
    InstanceConflict,
    OutOfScope,
    SupersededInstance,
    UnknownDeprecatedInstance,
    UnknownFormVersion,
)
from server.ingest.instance import (
    Instance,
    Limits,
    check_file_name,
    check_repeats,
    declared_files,
    read_instance,
    values_at,
)
from server.ingest.models import Blob, Submission, SubmissionAttachment, SubmissionVersion
from server.registry.service import find_household

_HOUSEHOLD_CODE = re.compile(r"^H\d{12}-")


@dataclass(frozen=True, slots=True)
class IncomingFile:
    filename: str
    content_type: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    version: SubmissionVersion
    created: bool  # False for an identical resend (files merged)
    files_added: int


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def accept_submission(
    session: Session,
    *,
    xml: bytes,
    files: Sequence[IncomingFile],
    user: AppUser,
    device_id: str | None,
    year: int,
    limits: Limits,
) -> Outcome:
    """Store one POST: a new submission, an edit, or a resend. Never commits."""
    for file in files:
        check_file_name(file.filename)
    instance = read_instance(xml, limits)
    header = instance.header
    form_version = _form_version(session, header.form_id, header.version)
    check_repeats(instance, form_version.schema, limits)
    _check_scope(session, user, form_version, instance, year=year)
    existing = find_version(session, form_version.form_id, header.instance_id)
    if existing is not None:
        return _resend(session, existing, xml, files)
    try:
        with session.begin_nested():
            version = _new_version(session, form_version, instance, xml, user, device_id)
            for name in sorted(declared_files(instance, form_version.schema)):
                version.attachments.append(SubmissionAttachment(filename=name, is_declared=True))
            added = _merge_files(session, version, files)
    except IntegrityError:
        # The same instanceID raced in from another request and won: this is a resend.
        existing = find_version(session, form_version.form_id, header.instance_id)
        if existing is None:
            raise
        return _resend(session, existing, xml, files)
    return Outcome(version, created=True, files_added=added)


def find_version(session: Session, form_pk: int, instance_id: str) -> SubmissionVersion | None:
    query = select(SubmissionVersion).where(
        SubmissionVersion.form_id == form_pk, SubmissionVersion.instance_id == instance_id
    )
    return session.scalars(query).first()


def _form_version(session: Session, form_id: str, version: str) -> FormVersion:
    try:
        return get_form_version(session, form_id, version)
    except UnknownForm as err:
        raise UnknownFormVersion(
            f"服务器上没有表单 {form_id} 的版本 {version or '（无）'}，请更新表单后重新填写 / "
            f"the server has no version {version or '(none)'} of form {form_id}"
        ) from err


def _check_scope(
    session: Session, user: AppUser, form_version: FormVersion, instance: Instance, *, year: int
) -> None:
    form_id = form_version.form.xml_form_id
    if form_id not in user.form_ids:
        raise OutOfScope(f"您无权提交表单 {form_id} / you may not submit form {form_id}")
    schema = form_version.schema
    village_fields = schema.fields_choosing_from("villages")
    household_fields = schema.fields_choosing_from("households")
    if not village_fields and not household_fields:
        return
    villages = {v.code for v in list_villages_in_scope(session, user.area_code, year=year)}
    for field in village_fields:
        for code in values_at(instance, field.path):
            if code and code not in villages:
                raise OutOfScope(
                    f"村 {code} 不在您负责的范围内 / village {code} is outside your area"
                )
    for field in household_fields:
        for code in values_at(instance, field.path):
            household = find_household(session, code) if code else None
            # An unknown household is not refused: intake flags it for review instead.
            if household is not None and household.village_code not in villages:
                raise OutOfScope(
                    f"农户 {code} 不在您负责的范围内 / household {code} is outside your area"
                )


def _new_version(
    session: Session,
    form_version: FormVersion,
    instance: Instance,
    xml: bytes,
    user: AppUser,
    device_id: str | None,
) -> SubmissionVersion:
    header = instance.header
    if header.deprecated_id is not None:
        submission = _edited_submission(session, form_version.form_id, header.deprecated_id)
    else:
        submission = Submission(form_id=form_version.form_id)
        session.add(submission)
    version = SubmissionVersion(
        submission=submission,
        form_id=form_version.form_id,
        form_version_id=form_version.id,
        instance_id=header.instance_id,
        deprecated_id=header.deprecated_id,
        instance_name=header.instance_name,
        **_place(session, form_version.schema, instance),
        xml=xml,
        xml_sha256=sha256_hex(xml),
        app_user_id=user.id,
        device_id=(device_id or "")[:100] or None,
    )
    session.add(version)
    session.flush()
    return version


def _place(session: Session, schema: FormSchema, instance: Instance) -> dict[str, str | None]:
    """The village and household a record is about, for scoping supervisors' queries."""
    village = _first_value(instance, schema.fields_choosing_from("villages"))
    household_code = _first_value(instance, schema.fields_choosing_from("households"))
    if village is None and household_code is not None:
        household = find_household(session, household_code)
        if household is not None:
            village = household.village_code
        elif _HOUSEHOLD_CODE.match(household_code):
            village = household_code[1:13]  # codes embed the village: H440233100201-0001
    return {"village_code": village, "household_code": household_code}


def _first_value(instance: Instance, fields: Sequence[Field]) -> str | None:
    for field in fields:
        for value in values_at(instance, field.path):
            if value and len(value) <= 32:
                return value
    return None


def _edited_submission(session: Session, form_pk: int, deprecated_id: str) -> Submission:
    """The submission an edit belongs to; the version it replaces stops being current."""
    previous = find_version(session, form_pk, deprecated_id)
    if previous is None:
        raise UnknownDeprecatedInstance(
            f"找不到要修改的原提交 {deprecated_id} / the submission this edit replaces "
            f"({deprecated_id}) is not on the server"
        )
    if not previous.is_current:
        raise SupersededInstance(
            f"原提交 {deprecated_id} 已被修改过，请在最新版本上修改 / {deprecated_id} was "
            "already edited: edit the newest version"
        )
    previous.is_current = False
    return previous.submission


def _resend(
    session: Session, existing: SubmissionVersion, xml: bytes, files: Sequence[IncomingFile]
) -> Outcome:
    if existing.xml_sha256 != sha256_hex(xml):
        raise InstanceConflict(
            f"服务器上已有 instanceID 为 {existing.instance_id} 但内容不同的提交 / a submission "
            f"with instanceID {existing.instance_id} exists with different XML"
        )
    return Outcome(existing, created=False, files_added=_merge_files(session, existing, files))


def _merge_files(
    session: Session, version: SubmissionVersion, files: Sequence[IncomingFile]
) -> int:
    """Link each file to the version by name; a file already there is left as it is."""
    by_name = {a.filename: a for a in version.attachments}
    added = 0
    for file in files:
        attachment = by_name.get(file.filename)
        if attachment is not None and attachment.blob_sha256 is not None:
            continue  # a retry or the next part of a split upload sent it again
        sha = _store_blob(session, file.data)
        if attachment is None:
            attachment = SubmissionAttachment(filename=file.filename, is_declared=False)
            version.attachments.append(attachment)
            by_name[file.filename] = attachment
        attachment.blob_sha256 = sha
        attachment.content_type = (file.content_type or "")[:100] or None
        attachment.received_at = utcnow()
        added += 1
    session.flush()
    return added


def _store_blob(session: Session, data: bytes) -> str:
    """Insert the content once per hash; concurrent uploads of the same bytes are fine."""
    sha = sha256_hex(data)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Blob).values(sha256=sha, size=len(data), content=data, created_at=utcnow())
    session.execute(statement.on_conflict_do_nothing(index_elements=["sha256"]))
    return sha
