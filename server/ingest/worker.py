"""The background worker: normalise stored submissions soon after their 201.

A phone's POST only stores the raw submission (one short write transaction) and answers; the
registry is brought up to date here, in batches, at a lower CPU priority than the requests.
Phones come first: while submissions are still arriving (the newest pending one is less than
`quiet_seconds` old) the worker takes one version at a time with a pause between, so its share
of the CPU and of SQLite's single write lock stays small but it never stops making progress;
once arrivals pause it catches up at full speed. Nothing is lost if this process stops: pending
versions stay pending in the database and are taken up by the next worker (or by
`fangfan submissions reprocess`).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from server.db import utcnow
from server.ingest.models import SubmissionVersion
from server.ingest.processing import process_pending_batch

log = logging.getLogger(__name__)


def run_worker(
    sessions: sessionmaker[Session],
    *,
    stop: threading.Event,
    idle_seconds: float = 0.5,
    quiet_seconds: float = 0.5,
    batch_size: int = 50,
) -> None:
    """Process pending versions until `stop` is set; poll every `idle_seconds` when idle."""
    while not stop.is_set():
        try:
            busy = _intake_is_busy(sessions, quiet_seconds)
            done = process_pending_batch(
                sessions, limit=1 if busy else batch_size, budget_seconds=0.1
            )
        except Exception:  # e.g. the database is away: keep the worker alive and retry
            log.exception("the submission worker failed; retrying shortly")
            stop.wait(5 * idle_seconds)
            continue
        if busy or not any(done.values()):
            stop.wait(idle_seconds)


def _intake_is_busy(sessions: sessionmaker[Session], quiet_seconds: float) -> bool:
    with sessions() as session:
        newest = session.scalar(
            select(func.max(SubmissionVersion.received_at)).where(
                SubmissionVersion.processing_state == "pending"
            )
        )
    if newest is None:
        return False
    if newest.tzinfo is None:  # SQLite returns naive datetimes (stored as UTC)
        newest = newest.replace(tzinfo=utcnow().tzinfo)
    return utcnow() - newest < timedelta(seconds=quiet_seconds)
