"""Visit-authenticity signals over a month's visits (per village or town, on demand): flags
for a person to look at, never verdicts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.ingest.models import SubmissionAttachment, SubmissionVersion
from server.monitoring import rules
from server.monitoring.loading import Duty, household_facts, in_scope, settings_for
from server.monitoring.rules import (
    VisitFacts,
)
from server.registry.models import (
    Household,
    Visit,
)


def visit_signals(
    session: Session, *, month: date, prefix: str, duty: Duty = None
) -> tuple[rules.Flag, ...]:
    """Flags for a person to look at over the month's visits in scope (never verdicts)."""
    first, last = rules.month_bounds(month)
    homes, _ = household_facts(session, prefix, duty, with_helpers=True)
    rows = session.execute(
        select(
            Visit.id,
            Visit.household_id,
            Visit.visited_on,
            Visit.visitor_name,
            Visit.mode,
            Visit.met_person,
            Visit.met_name,
            Visit.latitude,
            Visit.longitude,
            Visit.started_at,
            Visit.ended_at,
            SubmissionVersion.device_id,
            Visit.difficulties,
            Visit.change_detail,
            Visit.source_version_id,
            Visit.files,
        )
        .join(Household, Household.id == Visit.household_id)
        .join(SubmissionVersion, SubmissionVersion.id == Visit.source_version_id)
        .where(in_scope(prefix, duty), Visit.visited_on.between(first, last))
    ).all()
    hashes = _photo_hashes(session, {r.source_version_id: r.files for r in rows})
    visits = [
        VisitFacts(
            r.id,
            r.household_id,
            r.visited_on,
            r.visitor_name,
            r.mode,
            r.met_person,
            r.met_name,
            r.latitude,
            r.longitude,
            r.started_at,
            r.ended_at,
            r.device_id,
            tuple(t for t in (r.difficulties, r.change_detail) if t),
            hashes.get(r.source_version_id, ()),
        )
        for r in rows
    ]
    return rules.authenticity_flags(list(homes.values()), visits, settings_for(month))


def _photo_hashes(session: Session, files: dict[int, dict]) -> dict[int, tuple[str, ...]]:
    wanted = {vid: set((f or {}).get("photos") or ()) for vid, f in files.items()}
    found: dict[int, list[str]] = defaultdict(list)
    ids = [vid for vid, names in wanted.items() if names]
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for version_id, filename, digest in session.execute(
            select(
                SubmissionAttachment.version_id,
                SubmissionAttachment.filename,
                SubmissionAttachment.blob_sha256,
            ).where(
                SubmissionAttachment.version_id.in_(chunk),
                SubmissionAttachment.blob_sha256.is_not(None),
            )
        ):
            if filename in wanted[version_id]:
                found[version_id].append(digest)
    return {k: tuple(v) for k, v in found.items()}
