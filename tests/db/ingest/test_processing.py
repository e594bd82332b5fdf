"""A submission whose processing fails stays stored, needs attention, and can be re-processed."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.forms.cli import XLSFORMS_DIR
from server.forms.service import publish_form
from server.ingest.models import SubmissionIssue, SubmissionVersion
from server.ingest.processing import (
    process_pending,
    process_pending_batch,
    process_versions,
    select_versions,
)
from tests.collect import multipart_body
from tests.fixtures import make_app_user, make_household
from tests.http.openrosa.test_county_forms import INSTANCES

UNKNOWN = "H440233100201-0777"


def _visit_for_unknown_household() -> bytes:
    xml = (INSTANCES / "assistance_visit_plain.xml").read_bytes()
    xml = xml.replace(b"H440233100201-0001", UNKNOWN.encode())
    return re.sub(rb"<instanceID>[^<]*</instanceID>", b"<instanceID>uuid:p-1</instanceID>", xml)


def test_an_unknown_household_needs_attention_until_reprocessed(client, app, session, county):
    path = XLSFORMS_DIR / "assistance_visit.xlsx"
    publish_form(session, source=path.read_bytes(), source_name=path.name, attachments={})
    cadre = make_app_user(session, username="cadre", form_ids=["assistance_visit"])
    session.commit()
    body, content_type = multipart_body(_visit_for_unknown_household(), {})
    resp = client.post(f"/key/{cadre.token}/submission", data=body, content_type=content_type)
    assert resp.status_code == 201  # the raw copy is safe whatever happens next
    session.expire_all()
    assert session.scalars(select(SubmissionVersion)).one().processing_state == "pending"

    assert process_pending(app.extensions["sessionmaker"]) == {
        "processed": 0,
        "needs_attention": 1,
    }
    session.expire_all()
    version = session.scalars(select(SubmissionVersion)).one()
    assert version.processing_state == "needs_attention"
    assert UNKNOWN in version.attention_reason
    assert select_versions(session, states=["needs_attention"], form_id="assistance_visit") == [
        version.id
    ]

    make_household(session, code=UNKNOWN)
    session.commit()
    totals = process_versions(app.extensions["sessionmaker"], [version.id])
    assert totals == {"processed": 1, "needs_attention": 0}
    session.expire_all()
    assert session.get(SubmissionVersion, version.id).processing_state == "processed"
    assert session.get(SubmissionVersion, version.id).attention_reason is None


def test_a_bug_in_processing_is_recorded_not_raised(app, session, county, monkeypatch):
    from server.ingest import processing

    cadre = make_app_user(session, username="cadre")
    session.commit()
    from tests.http.openrosa.test_submission import FILES, visit

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(processing, "normalize", broken)
    body, content_type = multipart_body(visit(), FILES)
    resp = app.test_client().post(
        f"/key/{cadre.token}/submission", data=body, content_type=content_type
    )
    assert resp.status_code == 201
    process_pending(app.extensions["sessionmaker"])
    session.expire_all()
    version = session.scalars(select(SubmissionVersion)).one()
    assert version.processing_state == "needs_attention"
    assert version.attention_reason == "ZeroDivisionError: division by zero"


def test_processing_records_review_issues(client, app, session, county):
    from tests.http.openrosa.test_submission import FILES, post, visit

    cadre = make_app_user(session, username="cadre")
    session.commit()
    assert post(client, cadre, visit(), FILES).status_code == 201
    process_pending(app.extensions["sessionmaker"])
    session.expire_all()
    codes = [i.code for i in session.scalars(select(SubmissionIssue))]
    assert codes == ["form_not_mapped"]


def test_one_bad_submission_does_not_undo_its_batch(client, app, session, county):
    from tests.http.openrosa.test_submission import FILES, post, visit

    cadre = make_app_user(session, username="cadre")
    session.commit()
    assert post(client, cadre, visit(instance_id="uuid:good-1"), FILES).status_code == 201
    path = XLSFORMS_DIR / "assistance_visit.xlsx"
    publish_form(session, source=path.read_bytes(), source_name=path.name, attachments={})
    county_cadre = make_app_user(session, username="county", form_ids=["assistance_visit"])
    session.commit()
    body, content_type = multipart_body(_visit_for_unknown_household(), {})
    resp = client.post(
        f"/key/{county_cadre.token}/submission", data=body, content_type=content_type
    )
    assert resp.status_code == 201
    assert post(client, cadre, visit(instance_id="uuid:good-2"), FILES).status_code == 201

    totals = process_pending_batch(app.extensions["sessionmaker"], limit=10)

    assert totals == {"processed": 2, "needs_attention": 1}
    session.expire_all()
    states = {v.instance_id: v.processing_state for v in session.scalars(select(SubmissionVersion))}
    assert states == {
        "uuid:good-1": "processed",
        "uuid:p-1": "needs_attention",
        "uuid:good-2": "processed",
    }
    issues = session.scalars(select(SubmissionIssue.code)).all()
    assert issues == ["form_not_mapped", "form_not_mapped"]  # the failed one left nothing


def test_the_worker_yields_to_phones_while_submissions_arrive(client, app, session, county):
    from datetime import timedelta

    from sqlalchemy import update

    from server.core import clock
    from server.ingest.worker import _intake_is_busy
    from tests.http.openrosa.test_submission import FILES, post, visit

    sessions = app.extensions["sessionmaker"]
    cadre = make_app_user(session, username="cadre")
    session.commit()
    assert not _intake_is_busy(sessions, 0.5, max_backlog=10)  # nothing pending
    for n in range(3):
        assert post(client, cadre, visit(instance_id=f"uuid:b-{n}"), FILES).status_code == 201
    assert _intake_is_busy(sessions, 5.0, max_backlog=10)  # just arrived: phones first
    assert not _intake_is_busy(sessions, 5.0, max_backlog=2)  # but not with a long backlog
    session.execute(
        update(SubmissionVersion).values(received_at=clock.now() - timedelta(seconds=10))
    )
    session.commit()
    assert not _intake_is_busy(sessions, 5.0, max_backlog=10)  # arrivals paused: catch up
