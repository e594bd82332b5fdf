"""The background worker: normalise stored submissions soon after their 201.

A phone's POST only stores the raw submission (one short write transaction) and answers; the
registry is brought up to date here, in batches, at a lower CPU priority than the requests, so
that phones are answered first and normalisation catches up whenever the server has a moment.
Nothing is lost if this process stops: pending versions stay pending in the database and are
taken up by the next worker (or by `fangfan submissions reprocess`).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from server.ingest.processing import process_pending_batch

log = logging.getLogger(__name__)


def run_worker(
    sessions: sessionmaker[Session],
    *,
    stop: threading.Event,
    idle_seconds: float = 0.5,
    batch_size: int = 50,
) -> None:
    """Process pending versions until `stop` is set; poll every `idle_seconds` when idle."""
    while not stop.is_set():
        try:
            done = process_pending_batch(sessions, limit=batch_size)
        except Exception:  # e.g. the database is away: keep the worker alive and retry
            log.exception("the submission worker failed; retrying shortly")
            stop.wait(5 * idle_seconds)
            continue
        if not any(done.values()):
            stop.wait(idle_seconds)
