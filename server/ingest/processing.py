"""Turn stored submissions into registry facts, after their raw copy is safe.

Runs as a job: one transaction per submission version. If normalising or applying fails for
any reason (a value the registry refuses, an unknown household, a bug), that transaction is
rolled back and the version is marked `needs_attention` with the reason, in its own transaction.
The raw submission is never touched; `fangfan submissions reprocess` runs this again later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from server.access.sql import village_codes
from server.access.viewer import phone_viewer
from server.audit.service import record
from server.auth.models import AppUser
from server.core import clock
from server.core.clock import china_date, china_midnight
from server.core.errors import DomainError
from server.db import WRITE
from server.forms.models import Form, FormVersion
from server.ingest.models import SubmissionIssue, SubmissionVersion
from server.ingest.normalize import normalize
from server.registry.apply import apply_submission
from server.registry.queries import household_code_from

log = logging.getLogger(__name__)


def process_versions(
    sessions: sessionmaker[Session],
    version_ids: Iterable[int],
    *,
    on_done: Callable[[int, str], None] | None = None,
) -> dict[str, int]:
    """Process each version in its own transaction; returns how many ended in each state."""
    totals = {"processed": 0, "needs_attention": 0}
    for version_id in version_ids:
        state = _process_one(sessions, version_id)
        totals[state] += 1
        if on_done is not None:
            on_done(version_id, state)
    return totals


def process_pending(sessions: sessionmaker[Session], *, batch_size: int = 50) -> dict[str, int]:
    """Process every version still waiting for normalisation, oldest first, batch by batch."""
    totals = {"processed": 0, "needs_attention": 0}
    while True:
        batch = process_pending_batch(sessions, limit=batch_size)
        if not any(batch.values()):
            return totals
        for state, count in batch.items():
            totals[state] += count


def process_pending_batch(
    sessions: sessionmaker[Session], *, limit: int = 50, budget_seconds: float = 0.25
) -> dict[str, int]:
    """Normalise up to `limit` waiting versions in ONE transaction (one fsync for the batch).

    Each version runs in its own savepoint, so one bad submission is marked needs_attention
    without undoing its neighbours. Versions are taken in arrival order whether or not they are
    still current: an edit must find what the version it replaces produced. On PostgreSQL the
    rows are claimed with SKIP LOCKED, so several workers never take the same version; on
    SQLite the write lock makes workers take turns, and `budget_seconds` bounds how long one
    batch holds that lock (phones' POSTs wait behind it).
    """
    totals = {"processed": 0, "needs_attention": 0}
    started = time.monotonic()
    try:
        with sessions() as session, session.begin():
            session.connection(execution_options=WRITE)
            claimed = session.scalars(
                select(SubmissionVersion.id)
                .where(SubmissionVersion.processing_state == "pending")
                .order_by(SubmissionVersion.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for version_id in claimed:
                totals[_process_in_savepoint(session, version_id)] += 1
                if time.monotonic() - started > budget_seconds:
                    break
    except Exception:
        # The batch as a whole failed (a lost connection, a deadlock): nothing of it was
        # committed. Fall back to one transaction per version so the cause is pinned down.
        log.exception("batch processing failed; retrying version by version")
        with sessions() as session:
            ids = session.scalars(
                select(SubmissionVersion.id)
                .where(SubmissionVersion.processing_state == "pending")
                .order_by(SubmissionVersion.id)
                .limit(limit)
            ).all()
        return process_versions(sessions, ids)
    return totals


def _process_in_savepoint(session: Session, version_id: int) -> str:
    try:
        with session.begin_nested():
            process_version(session, version_id)
        return "processed"
    except Exception as exc:  # anything at all: the submission must stay visible, not lost
        _mark_needs_attention(session, version_id, exc)
        return "needs_attention"


def _mark_needs_attention(session: Session, version_id: int, exc: Exception) -> None:
    reason = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    if not isinstance(exc, DomainError):
        log.exception("processing submission version %s failed", version_id)
    version = session.get(SubmissionVersion, version_id)
    if version is not None:
        version.processing_state = "needs_attention"
        version.attention_reason = reason[:2000]
        version.processed_at = clock.now()


def _process_one(sessions: sessionmaker[Session], version_id: int) -> str:
    try:
        with sessions() as session, session.begin():
            session.connection(execution_options=WRITE)
            process_version(session, version_id)
        return "processed"
    except Exception as exc:  # anything at all: the submission must stay visible, not lost
        with sessions() as session, session.begin():
            session.connection(execution_options=WRITE)
            _mark_needs_attention(session, version_id, exc)
        return "needs_attention"


def process_version(session: Session, version_id: int) -> None:
    """Normalise one version and apply it to the registry. Never commits."""
    version = session.get(SubmissionVersion, version_id)
    if version is None:
        raise LookupError(f"no submission version {version_id}")
    form_version = session.get(FormVersion, version.form_version_id)
    if form_version is None:  # a foreign key prevents it; say so plainly if it ever happens
        raise LookupError(f"submission version {version_id} has no form version")
    normalized = normalize(version.xml, form_version.schema)
    replaces = _replaced_version_id(session, version)
    received_on = china_date(version.received_at)
    registry_issues = apply_submission(
        session,
        normalized,
        version_id=version.id,
        replaces_version_id=replaces,
        received_on=received_on,
        sender_villages=_sender_villages(session, version, received_on.year),
    )
    session.execute(delete(SubmissionIssue).where(SubmissionIssue.version_id == version.id))
    for issue in (*normalized.issues, *registry_issues):
        session.add(
            SubmissionIssue(
                version_id=version.id, code=issue.code, message=issue.message, path=issue.path
            )
        )
    if version.household_code is None:
        # An identification creates its household: name it, so supervisors find the record by it.
        version.household_code = household_code_from(session, version.id)
    version.processing_state = "processed"
    version.attention_reason = None
    version.processed_at = clock.now()


def _sender_villages(session: Session, version: SubmissionVersion, year: int) -> frozenset[str]:
    """The villages the app user who sent this version works in today (none if it is gone):
    what a phone may write is decided again whenever its submission is (re)processed."""
    sender = session.get(AppUser, version.app_user_id) if version.app_user_id else None
    if sender is None:
        return frozenset()
    return village_codes(session, phone_viewer(sender), year=year)


def _replaced_version_id(session: Session, version: SubmissionVersion) -> int | None:
    if version.deprecated_id is None:
        return None
    return session.scalar(
        select(SubmissionVersion.id).where(
            SubmissionVersion.form_id == version.form_id,
            SubmissionVersion.instance_id == version.deprecated_id,
        )
    )


def select_versions(
    session: Session,
    *,
    states: Sequence[str],
    form_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[int]:
    """Ids of current versions to (re)process, oldest first, in the given processing states."""
    query = select(SubmissionVersion.id).where(
        SubmissionVersion.is_current.is_(True), SubmissionVersion.processing_state.in_(states)
    )
    if form_id is not None:
        query = query.join(Form, Form.id == SubmissionVersion.form_id).where(
            Form.xml_form_id == form_id
        )
    if since is not None:
        query = query.where(SubmissionVersion.received_at >= china_midnight(since))
    if until is not None:
        query = query.where(
            SubmissionVersion.received_at < china_midnight(until) + timedelta(days=1)
        )
    return list(session.scalars(query.order_by(SubmissionVersion.id)))


def requeue_versions(
    session: Session,
    *,
    states: Sequence[str],
    form_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    operator: str,
) -> list[int]:
    """The versions the operator processes again (as `select_versions` finds them), on record
    as one event for the lot (the web's "process again" records one per submission)."""
    ids = select_versions(session, states=states, form_id=form_id, since=since, until=until)
    if ids:
        record(
            session,
            None,
            "submission_requeued",
            object_kind="submissions",
            object_id=form_id,
            username=operator,
            states=list(states),
            since=str(since or ""),
            until=str(until or ""),
            count=len(ids),
        )
    return ids


def list_attention(session: Session, *, limit: int = 200) -> list[tuple[SubmissionVersion, str]]:
    """Current versions that need attention, newest first, with their form id."""
    query = (
        select(SubmissionVersion, Form.xml_form_id)
        .join(Form, Form.id == SubmissionVersion.form_id)
        .where(
            SubmissionVersion.is_current.is_(True),
            SubmissionVersion.processing_state == "needs_attention",
        )
        .order_by(SubmissionVersion.received_at.desc())
        .limit(limit)
    )
    return [(version, form_id) for version, form_id in session.execute(query)]
