"""Benchmark: the review queue over 100,000 submissions (service call, no HTTP).

Seeds a throwaway database (SQLite in a temp dir, or a fresh PostgreSQL database with
--database-url) with one form, 10 towns × 20 villages, and N current submission versions spread
over the villages (a tenth with issues or missing files), then times `review.service.list_queue`
for a county administrator, a town reviewer and a village committee: the first page, a page
deep in the keyset (`before_id` near the oldest), and filtered pages. Prints median times in
milliseconds; asserts nothing about timings.

    .venv/bin/python bench/review_queue.py --count 100000
    .venv/bin/python bench/review_queue.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server import migrate
from server.auth.models import WebUser
from server.db import make_engine
from server.forms.models import Form, FormVersion
from server.ingest.models import (
    Submission,
    SubmissionAttachment,
    SubmissionIssue,
    SubmissionVersion,
)
from server.review.service import QueueFilter, list_queue

TOWNS = [f"440233{100 + t:03d}" for t in range(10)]
VILLAGES = [f"{town}{200 + v:03d}" for town in TOWNS for v in range(20)]


def seed(session: Session, count: int) -> None:
    form = Form(xml_form_id="assistance_visit", title="帮扶工作表")
    session.add(form)
    session.flush()
    version = FormVersion(
        form_id=form.id,
        version="1",
        title="帮扶工作表",
        xform=b"<h:html/>",
        xform_md5="0" * 32,
        schema_json={},
        media_files=[],
        source_name="x",
        source_sha256="0" * 64,
        warnings=[],
    )
    session.add(version)
    session.flush()
    batch = 5000
    for start in range(0, count, batch):
        n = min(batch, count - start)
        session.execute(insert(Submission), [{"form_id": form.id} for _ in range(n)])
    ids = [row[0] for row in session.execute(text("SELECT id FROM submissions ORDER BY id"))]
    rows = [
        {
            "submission_id": sid,
            "form_id": form.id,
            "form_version_id": version.id,
            "instance_id": f"uuid:{sid}",
            "xml": b"<data/>",
            "xml_sha256": "0" * 64,
            "village_code": VILLAGES[i % len(VILLAGES)],
            "household_code": None,
            "processing_state": "processed",
        }
        for i, sid in enumerate(ids)
    ]
    for start in range(0, len(rows), batch):
        session.execute(insert(SubmissionVersion), rows[start : start + batch])
    version_ids = [r[0] for r in session.execute(text("SELECT id FROM submission_versions"))]
    session.execute(
        insert(SubmissionIssue),
        [{"version_id": v, "code": "duplicate_person", "message": "x"} for v in version_ids[::10]],
    )
    session.execute(
        insert(SubmissionAttachment),
        [{"version_id": v, "filename": "a.jpg", "is_declared": True} for v in version_ids[5::10]],
    )
    for role, area in (
        ("county_admin", None),
        ("town_reviewer", TOWNS[3] + "000"),
        ("village_committee", VILLAGES[77]),
    ):
        session.add(
            WebUser(
                username=role,
                display_name=role,
                role=role,
                area_code=area,
                password_hash="unusable",  # noqa: S106 - nobody logs in here
            )
        )
    session.commit()


def timed(session: Session, user: WebUser, filters: QueueFilter, repeat: int = 7) -> float:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        list_queue(session, user, filters)
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url, admin, name = f"sqlite:///{tmp.name}/bench.db", None, None
    if args.database_url:
        name = f"fangfan_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            began = time.perf_counter()
            seed(session, args.count)
            print(f"seeded {args.count} submissions in {time.perf_counter() - began:.1f} s")
            if engine.dialect.name == "postgresql":
                session.execute(text("ANALYZE"))
            users = {u.role: u for u in session.query(WebUser)}
            oldest = args.count // 50
            cases = {
                "first page": QueueFilter(),
                "deep page": QueueFilter(before_id=oldest),
                "missing files": QueueFilter(flags=frozenset({"missing_attachment"})),
                "state=approved (none)": QueueFilter(state="approved"),
            }
            for role, user in users.items():
                times = " | ".join(
                    f"{label} {timed(session, user, query):6.1f} ms"
                    for label, query in cases.items()
                )
                print(f"{role:18} {times}")
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        tmp.cleanup()


if __name__ == "__main__":
    main()
