"""The background worker: normalise stored submissions soon after their 201.

A phone's POST only stores the raw submission (one short write transaction) and answers; the
registry is brought up to date here, in batches, at a lower CPU priority than the requests.
Phones come first: while submissions are still arriving (the newest pending one is less than
`quiet_seconds` old) the worker works in short slices (`busy_slice` seconds of every
`busy_slice + busy_pause`), so its share of the CPU and of SQLite's single write lock stays
small but it keeps making progress; once arrivals pause, or if the backlog grows beyond
`max_backlog`, it works at full speed. Nothing is lost if this process stops: pending
versions stay pending in the database and are taken up by the next worker (or by
`fangfan submissions reprocess`).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from server.core import clock
from server.ingest.models import SubmissionVersion
from server.ingest.processing import process_pending_batch

log = logging.getLogger(__name__)


def run_worker(
    sessions: sessionmaker[Session],
    *,
    stop: threading.Event,
    idle_seconds: float = 0.5,
    quiet_seconds: float = 0.5,
    busy_slice: float = 0.02,
    busy_pause: float = 0.5,
    max_backlog: int = 5000,
    batch_size: int = 50,
) -> None:
    """Process pending versions until `stop` is set; poll every `idle_seconds` when idle."""
    while not stop.is_set():
        try:
            busy = _intake_is_busy(sessions, quiet_seconds, max_backlog)
            done = process_pending_batch(
                sessions, limit=batch_size, budget_seconds=busy_slice if busy else 0.1
            )
        except Exception:  # e.g. the database is away: keep the worker alive and retry
            log.exception("the submission worker failed; retrying shortly")
            stop.wait(5 * idle_seconds)
            continue
        if not any(done.values()):
            stop.wait(idle_seconds)
        elif busy:
            stop.wait(busy_pause)


def _intake_is_busy(
    sessions: sessionmaker[Session], quiet_seconds: float, max_backlog: int
) -> bool:
    """Are phones sending right now (and is the backlog still small enough to wait)?"""
    pending = SubmissionVersion.processing_state == "pending"
    with sessions() as session:
        newest = session.scalar(select(func.max(SubmissionVersion.received_at)).where(pending))
        if newest is None:
            return False
        backlog = session.scalar(
            select(func.count()).select_from(
                select(SubmissionVersion.id).where(pending).limit(max_backlog + 1).subquery()
            )
        )
    if backlog > max_backlog:
        return False
    if newest.tzinfo is None:  # SQLite returns naive datetimes (stored as UTC)
        newest = newest.replace(tzinfo=UTC)
    return clock.now() - newest < timedelta(seconds=quiet_seconds)
