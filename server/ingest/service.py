"""Accept OpenRosa submissions: store them verbatim, idempotently, in one short transaction.

Two steps, so that the write transaction (one writer at a time on SQLite) holds nothing but the
writes. `prepare_submission` reads and checks: file names, the XML (safe parse, limits), the
form version, the user's forms, villages and households. `store_submission` then applies each
rule of openrosa.md §5.4–§5.7 in exactly one branch: a new instance, an identical resend (merge
any new files: retries and split uploads), a different XML under the same instanceID (409), and
an edit naming `deprecatedID`. Both are prebuilt Core statements run on the session's
connection (this is the hot path of every phone); neither commits: the view commits once, and
only then answers 201, so a phone that got 201 has its data on disk.

Two identical POSTs at the same moment: on SQLite the write lock is taken before the duplicate
check, so the second one simply finds the first. On PostgreSQL both may pass the check; the
second one's insert then waits on the unique index for the first to commit and inserts nothing
(ON CONFLICT DO NOTHING), and `store_submission` answers it as the first one's resend, in the
same transaction: no exception, no retry by the caller.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.access.policy import may_change_submission
from server.access.sql import village_codes
from server.access.viewer import Viewer, phone_viewer
from server.auth.service import PhoneUser
from server.core import clock
from server.forms.service import SubmissionTarget, find_submission_target
from server.forms.xform import Field
from server.ingest.errors import (
    InstanceConflict,
    OutOfScope,
    SupersededInstance,
    UnknownDeprecatedInstance,
    UnknownFormVersion,
)
from server.ingest.instance import (
    InstanceHeader,
    InstanceTree,
    Limits,
    check_file_name,
    check_repeats,
    declared_files,
    read_instance,
    read_tree,
    values_at,
)
from server.ingest.models import Blob, Submission, SubmissionAttachment, SubmissionVersion
from server.registry.service import household_villages

VERSIONS = SubmissionVersion.__table__
ATTACHMENTS = SubmissionAttachment.__table__
# The statements of every new submission, built once (constructing them costs more than the
# SQL itself on SQLite).
_FIND_VERSION = select(
    VERSIONS.c.id,
    VERSIONS.c.submission_id,
    VERSIONS.c.instance_id,
    VERSIONS.c.instance_name,
    VERSIONS.c.xml_sha256,
    VERSIONS.c.is_current,
    VERSIONS.c.app_user_id,
    VERSIONS.c.village_code,
).where(VERSIONS.c.form_id == bindparam("form_pk"), VERSIONS.c.instance_id == bindparam("iid"))
_INSERT_SUBMISSION = insert(Submission.__table__).returning(Submission.__table__.c.id)
# An instanceID stored meanwhile by a concurrent transaction inserts nothing (see the doc).
_INSERT_VERSION = {
    dialect: make_insert(VERSIONS)
    .on_conflict_do_nothing(index_elements=["form_id", "instance_id"])
    .returning(VERSIONS.c.id)
    for dialect, make_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_DELETE_SUBMISSION = delete(Submission.__table__).where(
    Submission.__table__.c.id == bindparam("submission_id")
)
_INSERT_ATTACHMENT = insert(ATTACHMENTS)
_INSERT_BLOB = {
    dialect: make_insert(Blob.__table__).on_conflict_do_nothing(index_elements=["sha256"])
    for dialect, make_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_HOUSEHOLD_CODE = re.compile(r"^H\d{12}-")


@dataclass(frozen=True, slots=True)
class IncomingFile:
    filename: str
    content_type: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class PreparedSubmission:
    """A POST that passed every check and only needs storing."""

    xml: bytes
    xml_sha256: str
    header: InstanceHeader
    target: SubmissionTarget
    declared: frozenset[str]
    files: tuple[IncomingFile, ...]
    # The village and household the record is about, for scoping supervisors' queries.
    village_code: str | None
    household_code: str | None
    # Who sends it: an edit or a resend may only touch a stored submission this sender may
    # change (access.policy.may_change_submission).
    sender: Viewer


@dataclass(frozen=True, slots=True)
class Outcome:
    version_id: int
    instance_id: str
    instance_name: str | None
    created: bool  # False for an identical resend (files merged)
    files_added: int


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepare_submission(
    session: Session,
    *,
    xml: bytes,
    files: Sequence[IncomingFile],
    user: PhoneUser,
    year: int,
    limits: Limits,
) -> PreparedSubmission:
    """Parse and check one POST (reads only); raises a DomainError for anything refused."""
    for file in files:
        check_file_name(file.filename)
    instance = read_instance(xml, limits)
    header = instance.header
    target = _target(session, header.form_id, header.version)
    tree = read_tree(instance, target.schema)
    check_repeats(tree, limits)
    sender = phone_viewer(user)
    villages = village_codes(session, sender, year=year)
    household_villages_found = _check_scope(session, user, villages, target, tree)
    village_code, household_code = _place(target, tree, household_villages_found)
    return PreparedSubmission(
        xml=xml,
        xml_sha256=sha256_hex(xml),
        header=header,
        target=target,
        declared=frozenset(declared_files(tree, target.schema)),
        files=tuple(files),
        village_code=village_code,
        household_code=household_code,
        sender=sender,
    )


def store_submission(
    session: Session, prepared: PreparedSubmission, *, device_id: str | None
) -> Outcome:
    """Store a prepared POST: a new submission, an edit, or a resend. Never commits.

    A concurrent POST of the same instanceID that committed first makes this one its resend."""
    connection = session.connection()
    form_pk, header = prepared.target.form_pk, prepared.header
    existing = _find_version(connection, form_pk, header.instance_id)
    if existing is not None:
        return _resend(connection, existing, prepared)
    version_id = _insert_version(connection, prepared, device_id=device_id)
    if version_id is None:  # the race of the module doc: the winner is committed and visible
        winner = _find_version(connection, form_pk, header.instance_id)
        return _resend(connection, winner, prepared)
    added = _attach_files(connection, version_id, prepared)
    return Outcome(version_id, header.instance_id, header.instance_name, True, added)


def _find_version(connection: Connection, form_pk: int, instance_id: str):  # type: ignore[no-untyped-def]
    return connection.execute(_FIND_VERSION, {"form_pk": form_pk, "iid": instance_id}).first()


def _target(session: Session, form_id: str, version: str) -> SubmissionTarget:
    target = find_submission_target(session, form_id, version)
    if target is None:
        raise UnknownFormVersion(
            f"服务器上没有表单 {form_id} 的版本 {version or '（无）'}，请更新表单后重新填写 / "
            f"the server has no version {version or '(none)'} of form {form_id}"
        )
    return target


def _check_scope(
    session: Session,
    user: PhoneUser,
    villages: frozenset[str],
    target: SubmissionTarget,
    tree: InstanceTree,
) -> dict[str, str]:
    """Refuse forms, villages and known households outside the user's area; returns the
    village of each known household named."""
    form_id = target.xml_form_id
    if form_id not in user.form_ids:
        raise OutOfScope(f"您无权提交表单 {form_id} / you may not submit form {form_id}")
    schema = target.schema
    village_codes = {
        code
        for field in schema.fields_choosing_from("villages")
        for code in values_at(tree, field)
        if code
    }
    household_codes = {
        code
        for field in schema.fields_choosing_from("households")
        for code in values_at(tree, field)
        if code
    }
    if not village_codes and not household_codes:
        return {}
    for code in sorted(village_codes - villages):
        raise OutOfScope(f"村 {code} 不在您负责的范围内 / village {code} is outside your area")
    # An unknown household is not refused: intake flags it for review instead.
    known = household_villages(session, household_codes)
    for code, village in sorted(known.items()):
        if village not in villages:
            raise OutOfScope(
                f"农户 {code} 不在您负责的范围内 / household {code} is outside your area"
            )
    return known


def _place(
    target: SubmissionTarget, tree: InstanceTree, household_villages_found: dict[str, str]
) -> tuple[str | None, str | None]:
    """The village and household a record is about (the first of each the instance names)."""
    village = _first_value(tree, target.schema.fields_choosing_from("villages"))
    household_code = _first_value(tree, target.schema.fields_choosing_from("households"))
    if village is None and household_code is not None:
        village = household_villages_found.get(household_code)
        if village is None and _HOUSEHOLD_CODE.match(household_code):
            village = household_code[1:13]  # codes embed the village: H440233100201-0001
    return village, household_code


def _first_value(tree: InstanceTree, fields: Sequence[Field]) -> str | None:
    for field in fields:
        for value in values_at(tree, field):
            if value and len(value) <= 32:
                return value
    return None


def _insert_version(
    connection: Connection, prepared: PreparedSubmission, *, device_id: str | None
) -> int | None:
    """The new version's id; None if a concurrent transaction stored this instanceID first."""
    header, form_pk = prepared.header, prepared.target.form_pk
    new_submission = header.deprecated_id is None
    if new_submission:
        submission_id = connection.execute(
            _INSERT_SUBMISSION, {"form_id": form_pk, "created_at": clock.now()}
        ).scalar_one()
    else:
        submission_id = _retire_edited_version(connection, prepared, header.deprecated_id)
    version_id = connection.execute(
        _INSERT_VERSION[connection.dialect.name],
        {
            "submission_id": submission_id,
            "form_id": form_pk,
            "form_version_id": prepared.target.form_version_id,
            "instance_id": header.instance_id,
            "deprecated_id": header.deprecated_id,
            "instance_name": header.instance_name,
            "village_code": prepared.village_code,
            "household_code": prepared.household_code,
            "xml": prepared.xml,
            "xml_sha256": prepared.xml_sha256,
            "is_current": True,
            "app_user_id": prepared.sender.user_id,
            "device_id": (device_id or "")[:100] or None,
            "received_at": clock.now(),
            "processing_state": "pending",
        },
    ).scalar_one_or_none()
    if version_id is None and new_submission:  # lost the race: its submission holds nothing
        connection.execute(_DELETE_SUBMISSION, {"submission_id": submission_id})
    return version_id


def _retire_edited_version(
    connection: Connection, prepared: PreparedSubmission, deprecated_id: str
) -> int:
    """The submission an edit belongs to; the version it replaces stops being current."""
    previous = _find_version(connection, prepared.target.form_pk, deprecated_id)
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
    _check_may_write(prepared, previous, "修改 / edit")
    connection.execute(
        update(VERSIONS).where(VERSIONS.c.id == previous.id).values(is_current=False)
    )
    return previous.submission_id


def _attach_files(connection: Connection, version_id: int, prepared: PreparedSubmission) -> int:
    """The attachment rows of a new version: every declared file (missing until it arrives)
    and every file sent, declared or not, in one statement."""
    now = clock.now()
    sent = {file.filename: file for file in prepared.files}
    rows = []
    for name in sorted(prepared.declared | sent.keys()):
        file = sent.get(name)
        rows.append(
            {
                "version_id": version_id,
                "filename": name,
                "is_declared": name in prepared.declared,
                "blob_sha256": _store_blob(connection, file.data) if file else None,
                "content_type": _content_type(file) if file else None,
                "received_at": now if file else None,
            }
        )
    if rows:
        connection.execute(_INSERT_ATTACHMENT, rows)
    return len(sent)


def _check_may_write(prepared: PreparedSubmission, stored, action: str) -> None:  # type: ignore[no-untyped-def]
    if may_change_submission(
        prepared.sender, sender_id=stored.app_user_id, village_code=stored.village_code
    ):
        return
    zh, en = action.split(" / ")
    raise OutOfScope(
        f"此提交不是您发送的，也不属于您负责的村，不能{zh} / this submission was neither sent by "
        f"you nor is it about a village of your area: you may not {en} it"
    )


def _resend(connection: Connection, existing, prepared: PreparedSubmission) -> Outcome:  # type: ignore[no-untyped-def]
    _check_may_write(prepared, existing, "补充或重发 / resend or add files to")
    if existing.xml_sha256 != prepared.xml_sha256:
        raise InstanceConflict(
            f"服务器上已有 instanceID 为 {existing.instance_id} 但内容不同的提交 / a submission "
            f"with instanceID {existing.instance_id} exists with different XML"
        )
    added = _merge_files(connection, existing.id, prepared.files)
    return Outcome(existing.id, existing.instance_id, existing.instance_name, False, added)


def _merge_files(connection: Connection, version_id: int, files: Sequence[IncomingFile]) -> int:
    """Link each file to an existing version by name; a file already there is left as it is."""
    have = dict(
        connection.execute(
            select(ATTACHMENTS.c.filename, ATTACHMENTS.c.blob_sha256).where(
                ATTACHMENTS.c.version_id == version_id
            )
        ).all()
    )
    added = 0
    for file in files:
        if have.get(file.filename) is not None:
            continue  # a retry or the next part of a split upload sent it again
        values = {
            "blob_sha256": _store_blob(connection, file.data),
            "content_type": _content_type(file),
            "received_at": clock.now(),
        }
        if file.filename in have:
            connection.execute(
                update(ATTACHMENTS)
                .where(
                    ATTACHMENTS.c.version_id == version_id,
                    ATTACHMENTS.c.filename == file.filename,
                )
                .values(**values)
            )
        else:
            connection.execute(
                insert(ATTACHMENTS).values(
                    version_id=version_id, filename=file.filename, is_declared=False, **values
                )
            )
        have[file.filename] = values["blob_sha256"]
        added += 1
    return added


def _content_type(file: IncomingFile) -> str | None:
    return (file.content_type or "")[:100] or None


def _store_blob(connection: Connection, data: bytes) -> str:
    """Insert the content once per hash; concurrent uploads of the same bytes are fine."""
    sha = sha256_hex(data)
    connection.execute(
        _INSERT_BLOB[connection.dialect.name],
        {"sha256": sha, "size": len(data), "content": data, "created_at": clock.now()},
    )
    return sha
