"""Submissions (openrosa.md §5–§6, checklist §9.5–9.8) through the Flask test client."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.forms.service import publish_form
from server.ingest.models import Blob, SubmissionAttachment, SubmissionVersion
from tests.collect import instance_xml, multipart_body
from tests.fixtures import make_app_user, markdown_form
from tests.http.openrosa.helpers import DEVICE, digest_challenge, message, xml

JPEG = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 100
SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"signature" * 50
VISIT = (
    "<village>440233100201</village><household>H440233100201-0001</household>"
    "<logo_note/><visited_on>2026-11-20</visited_on>"
    "<member><member_name>张三</member_name></member>"
    "<photo>1755684169123.jpg</photo><signature>1755684170456.png</signature>"
)


def visit(
    instance_id: str = "uuid:6f1c5a52-1b0f-4e55-9d0e-0a3d2f7b8c11", body: str = VISIT, **kwargs
) -> bytes:  # type: ignore[no-untyped-def]
    return instance_xml(
        "visit_test", kwargs.pop("version", "1"), body, instance_id=instance_id, **kwargs
    )


def post(client, persona, xml_bytes: bytes, files=None, **kwargs):  # type: ignore[no-untyped-def]
    body, content_type = multipart_body(xml_bytes, files, **kwargs)
    return client.post(
        f"/key/{persona.token}/submission?{DEVICE}", data=body, content_type=content_type
    )


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def versions(session) -> list[SubmissionVersion]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(SubmissionVersion).order_by(SubmissionVersion.id)))


def attachments(session, version) -> dict[str, SubmissionAttachment]:  # type: ignore[no-untyped-def]
    rows = session.scalars(
        select(SubmissionAttachment).where(SubmissionAttachment.version_id == version.id)
    )
    return {a.filename: a for a in rows}


FILES = {"1755684169123.jpg": JPEG, "1755684170456.png": SIGNATURE}


# --- HEAD -------------------------------------------------------------------------------------


def test_head_is_204_with_the_accepted_content_length(client, app, eli):
    resp = client.head(f"/key/{eli.token}/submission?{DEVICE}")
    assert resp.status_code == 204
    assert resp.headers["X-OpenRosa-Accept-Content-Length"] == str(app.config["OPENROSA_MAX_BYTES"])
    assert resp.headers["X-OpenRosa-Version"] == "1.0"


def test_head_without_credentials_is_a_digest_challenge(client, eli):
    resp = client.head(f"/submission?{DEVICE}")
    assert resp.status_code == 401
    assert digest_challenge(resp).startswith("Digest ")


# --- accepting --------------------------------------------------------------------------------


def test_a_new_submission_is_201_with_a_chinese_message_and_stored_verbatim(client, session, eli):
    data = visit()
    resp = post(client, eli, data, FILES)
    assert resp.status_code == 201, resp.data
    assert xml(resp).tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    assert message(resp).startswith("提交成功")
    (version,) = versions(session)
    assert version.xml == data
    assert version.device_id == "collect:Xb3kT0aa9QmZr2Lc"
    assert version.processing_state == "pending"  # the worker normalises it after the 201
    stored = attachments(session, version)
    assert set(stored) == set(FILES)
    assert session.get(Blob, stored["1755684169123.jpg"].blob_sha256).content == JPEG
    assert all(a.is_declared for a in stored.values())


def test_an_identical_resend_is_201_and_stored_once(client, session, eli):
    data = visit()
    assert post(client, eli, data, FILES).status_code == 201
    again = post(client, eli, data, FILES)
    assert again.status_code == 201
    assert "已收到" in message(again)
    assert len(versions(session)) == 1
    assert count(session, Blob) == 2


def test_a_split_upload_merges_its_files(client, session, eli):
    data = visit()
    first = post(client, eli, data, {"1755684169123.jpg": JPEG}, incomplete=True)
    assert first.status_code == 201
    (version,) = versions(session)
    assert attachments(session, version)["1755684170456.png"].is_missing
    assert post(client, eli, data, {"1755684170456.png": SIGNATURE}).status_code == 201
    stored = attachments(session, version)
    assert not any(a.is_missing for a in stored.values())


def test_files_the_form_does_not_name_are_kept_and_flagged(client, session, eli):
    assert post(client, eli, visit(), {**FILES, "audit.csv": b"event,start\n"}).status_code == 201
    stored = attachments(session, versions(session)[0])
    assert stored["audit.csv"].is_declared is False
    assert stored["audit.csv"].blob_sha256 is not None


def test_the_same_bytes_under_two_names_are_stored_once(client, session, eli):
    files = {"1755684169123.jpg": JPEG, "1755684170456.png": JPEG}
    assert post(client, eli, visit(), files).status_code == 201
    assert count(session, Blob) == 1


def test_utf8_spaces_and_per_part_lengths_in_file_names(client, session, eli):
    body = VISIT.replace("1755684169123.jpg", "照片 一.jpg")
    files = {"照片 一.jpg": JPEG, "1755684170456.png": SIGNATURE}
    resp = post(client, eli, visit(body=body), files, part_lengths=True)
    assert resp.status_code == 201, resp.data
    assert "照片 一.jpg" in attachments(session, versions(session)[0])


def test_the_same_instance_id_with_other_xml_is_409(client, session, eli):
    assert post(client, eli, visit(), FILES).status_code == 201
    other = visit(body=VISIT.replace("2026-11-20", "2026-11-21"))
    resp = post(client, eli, other, FILES)
    assert resp.status_code == 409
    assert "内容不同" in message(resp)
    assert len(versions(session)) == 1


def test_an_edit_becomes_the_current_version_of_the_same_submission(client, session, eli):
    assert post(client, eli, visit("uuid:first"), FILES).status_code == 201
    edit = visit(
        "uuid:second", body=VISIT.replace("2026-11-20", "2026-11-21"), deprecated_id="uuid:first"
    )
    assert post(client, eli, edit, FILES).status_code == 201
    first, second = versions(session)
    assert first.submission_id == second.submission_id
    assert (first.is_current, second.is_current) == (False, True)
    assert second.deprecated_id == "uuid:first"


def test_editing_an_unknown_or_superseded_instance_is_refused(client, session, eli):
    unknown = post(client, eli, visit("uuid:x", deprecated_id="uuid:nowhere"), FILES)
    assert unknown.status_code == 404
    assert post(client, eli, visit("uuid:a"), FILES).status_code == 201
    assert post(client, eli, visit("uuid:b", deprecated_id="uuid:a"), FILES).status_code == 201
    superseded = post(client, eli, visit("uuid:c", deprecated_id="uuid:a"), FILES)
    assert superseded.status_code == 409
    assert len(versions(session)) == 2


def test_an_older_published_version_still_receives(client, session, eli):
    publish_form(session, source=markdown_form(version="2"), source_name="v2.md", attachments={})
    session.commit()
    assert post(client, eli, visit(version="1"), FILES).status_code == 201
    assert post(client, eli, visit("uuid:v2", version="2"), FILES).status_code == 201


@pytest.mark.parametrize(("form_id", "version"), [("no_such_form", "1"), ("visit_test", "99")])
def test_unknown_form_or_version_is_404(client, session, eli, form_id, version):
    data = instance_xml(form_id, version, VISIT, instance_id="uuid:u")
    resp = post(client, eli, data, FILES)
    assert resp.status_code == 404
    assert form_id in message(resp)
    assert versions(session) == []


# --- scope ------------------------------------------------------------------------------------


def test_a_form_not_granted_is_403(client, session, county):
    limited = make_app_user(session, username="only-image", form_ids=["image_test"])
    session.commit()
    resp = post(client, limited, visit(), FILES)
    assert resp.status_code == 403
    assert "visit_test" in message(resp)


def test_a_village_or_household_outside_the_users_area_is_403(client, session, eli):
    other_village = VISIT.replace("<village>440233100201", "<village>440233100200")
    assert post(client, eli, visit("uuid:v", body=other_village), FILES).status_code == 403
    other_household = VISIT.replace("H440233100201-0001", "H440233100200-0001")
    resp = post(client, eli, visit("uuid:h", body=other_household), FILES)
    assert resp.status_code == 403
    assert "H440233100200-0001" in message(resp)
    assert versions(session) == []


def test_a_town_cadre_may_submit_for_any_village_of_the_town(client, session, tom):
    body = VISIT.replace("440233100201", "440233100200").replace(
        "H440233100200-0001", "H440233100200-0001"
    )
    assert post(client, tom, visit(body=body), FILES).status_code == 201


def test_an_unknown_household_is_accepted_for_review(client, session, eli):
    body = VISIT.replace("H440233100201-0001", "H440233100201-9999")
    assert post(client, eli, visit(body=body), FILES).status_code == 201
