"""The submission queue, a submission's detail, review states and comments. Never commits.

Every query is scoped by the user's villages (server/access): an object outside the
scope is reported exactly like a missing one (`NotInScope`, 404), so ids cannot be probed.
The queue is keyset-paged on the version id (newest first) over indexes on
(village_code, is_current, id) and (is_current, id), so page 2000 costs what page 1 costs.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, literal, select
from sqlalchemy.orm import Session

from server.access.policy import area_scope, covers, permits, scope_of
from server.access.sql import village_in_scope
from server.access.viewer import web_viewer
from server.areas.service import list_areas, this_year
from server.audit.service import record
from server.auth.models import WebUser
from server.core import clock
from server.core.clock import china_midnight
from server.forms.models import Form, FormVersion
from server.ingest.models import (
    Blob,
    SubmissionAttachment,
    SubmissionIssue,
    SubmissionVersion,
)
from server.registry.facts import HouseholdSummary
from server.registry.queries import (
    find_visible_summary,
    household_codes_of_type,
    visible_summaries,
)
from server.review.errors import InvalidDecision, NotAllowed, NotInScope
from server.review.models import ReviewComment, SubmissionReview

PAGE_SIZE = 50
# The queue's flags (labels: core/data/labels.toml, list submission_flag).
FLAGS = ("needs_attention", "invalid_id", "duplicate_person", "missing_attachment")
_ID_ISSUES = ("invalid_resident_id", "resident_id_mismatch")
# States a person sets; `edited` is set by the system when an edit arrives (as in ODK Central).
SETTABLE_STATES = ("received", "has_issues", "approved", "rejected")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    form: str | None = None
    town: str | None = None
    village: str | None = None
    since: date | None = None
    until: date | None = None
    state: str | None = None
    household_type: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)
    before_id: int | None = None


@dataclass(frozen=True, slots=True)
class QueueRow:
    version_id: int
    submission_id: int
    form_id: str
    form_title: str
    instance_name: str | None
    village_code: str | None
    household_code: str | None
    household_type: str | None
    received_at: datetime
    state: str
    processing_state: str
    flags: tuple[str, ...] = ()


def _effective_state():  # type: ignore[no-untyped-def]
    """The state a person set on this version; else `edited` for an edit; else `received`."""
    return case(
        (SubmissionReview.version_id == SubmissionVersion.id, SubmissionReview.state),
        (SubmissionVersion.deprecated_id.is_not(None), literal("edited")),
        else_=literal("received"),
    )


def _require(actor: WebUser, action: str) -> None:
    if not permits(web_viewer(actor), action):
        raise NotAllowed("您的角色无权进行此操作 / your role may not do this")


def list_queue(session: Session, actor: WebUser, filters: QueueFilter) -> list[QueueRow]:
    """One page of current submission versions in the actor's scope, newest first."""
    _require(actor, "view_submissions")
    state = _effective_state().label("state")
    query = (
        select(
            SubmissionVersion.id,
            SubmissionVersion.submission_id,
            Form.xml_form_id,
            Form.title,
            SubmissionVersion.instance_name,
            SubmissionVersion.village_code,
            SubmissionVersion.household_code,
            SubmissionVersion.received_at,
            state,
            SubmissionVersion.processing_state,
        )
        .join(Form, Form.id == SubmissionVersion.form_id)
        .outerjoin(
            SubmissionReview, SubmissionReview.submission_id == SubmissionVersion.submission_id
        )
        .where(
            SubmissionVersion.is_current.is_(True),
            village_in_scope(SubmissionVersion.village_code, web_viewer(actor)),
        )
    )
    query = _filtered(query, filters, state)
    rows = session.execute(query.order_by(SubmissionVersion.id.desc()).limit(PAGE_SIZE)).all()
    flags = _flags_of(session, [r.id for r in rows])
    types = _household_types(session, actor, {r.household_code for r in rows} - {None})
    return [
        QueueRow(
            *row[:7],
            household_type=types.get(row.household_code),
            received_at=row.received_at,
            state=row.state,
            processing_state=row.processing_state,
            flags=tuple(sorted(flags.get(row.id, set()))),
        )
        for row in rows
    ]


def _household_types(session: Session, actor: WebUser, codes: set[str]) -> dict[str, str]:
    """The type of each household a page of the queue names, in one query."""
    found = visible_summaries(session, web_viewer(actor), today=clock.today(), codes=codes)
    return {h.code: h.household_type for h in found}


def _filtered(query, filters: QueueFilter, state):  # type: ignore[no-untyped-def]
    v = SubmissionVersion
    if filters.form:
        query = query.where(Form.xml_form_id == filters.form)
    if filters.village or filters.town:
        # A filter inside the viewer's scope (the queue's query is already scoped).
        query = query.where(
            village_in_scope(v.village_code, area_scope(filters.village or filters.town))
        )
    if filters.since:
        query = query.where(v.received_at >= china_midnight(filters.since))
    if filters.until:
        query = query.where(v.received_at < china_midnight(filters.until) + timedelta(days=1))
    if filters.state:
        query = query.where(state == filters.state)
    if filters.household_type:
        query = query.where(v.household_code.in_(household_codes_of_type(filters.household_type)))
    if filters.before_id:
        query = query.where(v.id < filters.before_id)
    for flag in filters.flags:
        query = query.where(_flag_condition(flag))
    return query


def _flag_condition(flag: str):  # type: ignore[no-untyped-def]
    v = SubmissionVersion
    issue = SubmissionIssue
    if flag == "needs_attention":
        return v.processing_state == "needs_attention"
    if flag == "invalid_id":
        return exists().where(issue.version_id == v.id, issue.code.in_(_ID_ISSUES))
    if flag == "duplicate_person":
        return exists().where(issue.version_id == v.id, issue.code == "duplicate_person")
    if flag == "missing_attachment":
        a = SubmissionAttachment
        return exists().where(a.version_id == v.id, a.blob_sha256.is_(None))
    raise InvalidDecision(f"未知标记 {flag} / unknown flag")


def _flags_of(session: Session, version_ids: Sequence[int]) -> dict[int, set[str]]:
    """The flags of one page of versions, in two small queries."""
    flags: dict[int, set[str]] = {}
    if not version_ids:
        return flags
    issues = session.execute(
        select(SubmissionIssue.version_id, SubmissionIssue.code).where(
            SubmissionIssue.version_id.in_(version_ids)
        )
    )
    for version_id, code in issues:
        if code in _ID_ISSUES:
            flags.setdefault(version_id, set()).add("invalid_id")
        elif code == "duplicate_person":
            flags.setdefault(version_id, set()).add("duplicate_person")
    missing = session.scalars(
        select(SubmissionAttachment.version_id).where(
            SubmissionAttachment.version_id.in_(version_ids),
            SubmissionAttachment.blob_sha256.is_(None),
        )
    )
    for version_id in missing:
        flags.setdefault(version_id, set()).add("missing_attachment")
    return flags


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """(value, name) pairs: forms by form id, towns and villages by code."""

    forms: tuple[tuple[str, str], ...]
    towns: tuple[tuple[str, str], ...]
    villages: tuple[tuple[str, str], ...]


def filter_choices(session: Session, actor: WebUser) -> FilterChoices:
    """The forms, towns and villages the actor can filter by (only those in scope)."""
    scope = scope_of(web_viewer(actor))
    areas = list_areas(session, year=this_year())
    villages = [a for a in areas if a.level == "village" and scope.covers(a.code)]
    town_codes = {v.parent_code for v in villages}
    towns = [a for a in areas if a.level == "town" and a.code in town_codes]
    forms = session.execute(select(Form.xml_form_id, Form.title).order_by(Form.title)).all()
    return FilterChoices(
        tuple((f.xml_form_id, f.title) for f in forms),
        tuple((a.code, a.name) for a in towns),
        tuple((a.code, a.name) for a in villages),
    )


def area_names(session: Session) -> dict[str, str]:
    return {a.code: a.name for a in list_areas(session, year=this_year())}


# --- one submission ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmissionDetail:
    current: SubmissionVersion
    versions: list[SubmissionVersion]  # oldest first
    form_version: FormVersion
    form: Form
    state: str
    comments: Sequence[ReviewComment]
    issues: Sequence[SubmissionIssue]
    household: HouseholdSummary | None


def get_version_in_scope(session: Session, actor: WebUser, version_id: int) -> SubmissionVersion:
    _require(actor, "view_submissions")
    version = session.get(SubmissionVersion, version_id)
    if version is None or not covers(web_viewer(actor), version.village_code):
        raise NotInScope("找不到该提交 / no such submission")
    return version


def get_submission_detail(session: Session, actor: WebUser, submission_id: int) -> SubmissionDetail:
    """A submission (by id) with all its versions, if in the actor's scope."""
    _require(actor, "view_submissions")
    versions = list(
        session.scalars(
            select(SubmissionVersion)
            .where(SubmissionVersion.submission_id == submission_id)
            .order_by(SubmissionVersion.id)
        )
    )
    current = next((v for v in versions if v.is_current), versions[-1] if versions else None)
    if current is None or not covers(web_viewer(actor), current.village_code):
        raise NotInScope("找不到该提交 / no such submission")
    form_version = session.get_one(FormVersion, current.form_version_id)
    review = session.get(SubmissionReview, submission_id)
    if review is not None and review.version_id == current.id:
        state = review.state
    else:
        state = "edited" if current.deprecated_id else "received"
    comments = session.scalars(
        select(ReviewComment)
        .where(ReviewComment.submission_id == submission_id)
        .order_by(ReviewComment.id)
    ).all()
    issues = session.scalars(
        select(SubmissionIssue).where(SubmissionIssue.version_id == current.id)
    ).all()
    household = None
    if current.household_code:  # a visit names it; processing names the one an identification made
        household = find_visible_summary(
            session, web_viewer(actor), current.household_code, today=clock.today()
        )
    return SubmissionDetail(
        current, versions, form_version, form_version.form, state, comments, issues, household
    )


def get_attachment(
    session: Session, actor: WebUser, version_id: int, filename: str
) -> tuple[bytes, str | None]:
    """The bytes of one stored file of a version in scope."""
    version = get_version_in_scope(session, actor, version_id)
    row = session.execute(
        select(Blob.content, SubmissionAttachment.content_type)
        .join(Blob, Blob.sha256 == SubmissionAttachment.blob_sha256)
        .where(
            and_(
                SubmissionAttachment.version_id == version.id,
                SubmissionAttachment.filename == filename,
            )
        )
    ).first()
    if row is None:
        raise NotInScope("找不到该文件 / no such file")
    generic = {None, "", "application/octet-stream"}
    content_type = row.content_type if row.content_type not in generic else None
    return row.content, content_type or mimetypes.guess_type(filename)[0]


def export_xml(session: Session, actor: WebUser, version_id: int, *, ip: str | None) -> bytes:
    """The verbatim XML of a version, the export recorded in the audit log."""
    _require(actor, "export_xml")
    version = get_version_in_scope(session, actor, version_id)
    record(
        session,
        actor,
        "export_xml",
        object_kind="submission_version",
        object_id=version.id,
        area_code=version.village_code,
        ip=ip,
        instance_id=version.instance_id,
    )
    return version.xml


def reveal_submission(
    session: Session, actor: WebUser, submission_id: int, *, ip: str | None
) -> None:
    """Record that the actor chose to see a submission's ID, phone and health details."""
    detail = get_submission_detail(session, actor, submission_id)
    for action in ("reveal_id_number", "reveal_health"):
        record(
            session,
            actor,
            action,
            object_kind="submission",
            object_id=submission_id,
            area_code=detail.current.village_code,
            ip=ip,
        )


def requeue_submission(
    session: Session, actor: WebUser, submission_id: int, *, ip: str | None = None
) -> SubmissionDetail:
    """Send a submission that needs attention back to the submission worker (after the cause
    was fixed: a household moved or added, an app user's area corrected). The worker applies
    it again under the same rules, as `fangfan submissions reprocess` does."""
    detail = get_submission_detail(session, actor, submission_id)
    _require(actor, "requeue_submission")
    current = detail.current
    if current.processing_state != "needs_attention":
        raise InvalidDecision("此提交不需要重新处理 / this submission does not need attention")
    current.processing_state = "pending"
    record(
        session,
        actor,
        "submission_requeued",
        object_kind="submission",
        object_id=submission_id,
        area_code=current.village_code,
        ip=ip,
        reason=(current.attention_reason or "")[:200],
    )
    session.flush()
    return detail


def review_submission(
    session: Session,
    actor: WebUser,
    submission_id: int,
    *,
    state: str | None,
    comment: str,
    ip: str | None = None,
) -> SubmissionDetail:
    """Set a review state and/or add a comment. Sending back (has_issues, rejected) needs a
    comment: it is what tells the cadre what to fix."""
    detail = get_submission_detail(session, actor, submission_id)
    comment = comment.strip()
    if state:
        _require(actor, "set_review_state")
        if state not in SETTABLE_STATES:
            raise InvalidDecision(f"无效的审核状态 {state} / invalid review state")
        if state in {"has_issues", "rejected"} and not comment:
            raise InvalidDecision("退回或驳回时必须填写意见 / sending back needs a comment")
        _set_state(session, actor, detail.current, state)
    elif not comment:
        raise InvalidDecision("请填写意见或选择审核状态 / write a comment or choose a state")
    _require(actor, "comment")
    if comment:
        session.add(
            ReviewComment(
                submission_id=submission_id,
                version_id=detail.current.id,
                author_id=actor.id,
                author_name=actor.display_name,
                state=state or None,
                body=comment[:4000],
            )
        )
    action = "review_state_set" if state else "review_commented"
    record(
        session,
        actor,
        action,
        object_kind="submission",
        object_id=submission_id,
        area_code=detail.current.village_code,
        ip=ip,
        state=state,
        comment=comment[:200],
    )
    session.flush()
    return detail


def _set_state(session: Session, actor: WebUser, version: SubmissionVersion, state: str) -> None:
    review = session.get(SubmissionReview, version.submission_id)
    if review is None:
        review = SubmissionReview(submission_id=version.submission_id)
        session.add(review)
    review.version_id = version.id
    review.state = state
    review.updated_by_id = actor.id
    review.updated_at = clock.now()
