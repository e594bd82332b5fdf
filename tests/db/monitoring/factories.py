"""Crafted registry histories for the monitoring tests: rows inserted directly."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.forms.service import list_current_versions
from server.ingest.models import Blob, Submission, SubmissionAttachment, SubmissionVersion
from server.registry.models import (
    HelperAssignment,
    Household,
    IndicatorObservation,
    MajorEvent,
    Visit,
)

_ids = itertools.count(1)


def make_version(session: Session, *, device_id: str | None = None) -> int:
    form_version = list_current_versions(session)[0]
    row = SubmissionVersion(
        submission=Submission(form_id=form_version.form_id),
        form_id=form_version.form_id,
        form_version_id=form_version.id,
        instance_id=f"uuid:crafted-{next(_ids)}",
        xml=b"<data/>",
        xml_sha256="0" * 64,
        device_id=device_id,
    )
    session.add(row)
    session.flush()
    return row.id


def household(session: Session, code: str) -> Household:
    return session.scalars(select(Household).where(Household.code == code)).one()


def make_helper(session: Session, home: Household, name: str) -> None:
    session.add(
        HelperAssignment(
            household_id=home.id, role="contact", name=name, source_version_id=make_version(session)
        )
    )
    session.flush()


def make_visit(
    session: Session,
    home: Household,
    day: date,
    *,
    mode: str = "in_home",
    indicators: dict[str, str] | None = None,
    device_id: str | None = None,
    minutes: tuple[int, int] | None = None,  # start/end minute past 09:00
    location: tuple[float, float] | None = None,
    difficulties: str | None = None,
    photo: bytes | None = None,
) -> Visit:
    version_id = make_version(session, device_id=device_id)
    start = end = None
    if minutes:
        start = datetime(day.year, day.month, day.day, 9, minutes[0], tzinfo=UTC)
        end = datetime(day.year, day.month, day.day, 9, minutes[1], tzinfo=UTC)
    files = {"photos": [], "member_signature": None, "visitor_signature": None}
    if photo is not None:
        files["photos"] = ["photo.jpg"]
        _attach(session, version_id, "photo.jpg", photo)
    visit = Visit(
        household_id=home.id,
        source_version_id=version_id,
        visited_on=day,
        mode=mode,
        visitor_name="刘帮扶",
        started_at=start,
        ended_at=end,
        latitude=location[0] if location else None,
        longitude=location[1] if location else None,
        difficulties=difficulties,
        files=files,
    )
    session.add(visit)
    session.flush()
    for code, state in (indicators or {}).items():
        session.add(
            IndicatorObservation(
                household_id=home.id,
                visit_id=visit.id,
                code=code,
                state=state,
                observed_on=day,
                source_version_id=version_id,
            )
        )
    session.flush()
    return visit


def _attach(session: Session, version_id: int, filename: str, data: bytes) -> None:
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(Blob(sha256=digest, size=len(data), content=data))
    session.add(
        SubmissionAttachment(
            version_id=version_id,
            filename=filename,
            blob_sha256=digest,
            content_type="image/jpeg",
            is_declared=True,
            received_at=datetime.now(UTC),
        )
    )
    session.flush()


def make_event(
    session: Session, home: Household, reported: datetime, status: str = "open"
) -> MajorEvent:
    event = MajorEvent(
        household_id=home.id,
        source_version_id=make_version(session),
        event_type="serious_illness",
        status=status,
        reported_at=reported,
    )
    session.add(event)
    session.flush()
    return event
