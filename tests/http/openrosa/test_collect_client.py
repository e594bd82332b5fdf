"""End to end over real HTTP: a client that behaves like ODK Collect downloads every form."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from server.db import unit_of_work
from tests.collect import CollectClient, CollectError
from tests.conftest import POSTGRES_ADMIN_URL
from tests.fixtures import (
    LIANGBA,
    PNG_BYTES,
    image_form,
    make_app_user,
    make_areas,
    make_form,
    make_household,
    markdown_form,
)
from tests.live import fresh_database, migrated_app, serving


@pytest.fixture
def live(backend: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        app = migrated_app(url, tmp_path / "instance")
        with unit_of_work(app) as session:
            make_areas(session)
            make_form(session, markdown_form(), name="visit_test.md")
            make_form(
                session, image_form(), name="image_test.md", attachments={"logo 1.png": PNG_BYTES}
            )
            make_household(session, code="H440233100201-0001", head_name="张三")
            make_household(
                session, code="H440233100200-0001", village_code="440233100200", head_name="王五"
            )
            persona = make_app_user(session, username="eli", area_code=LIANGBA)
        with serving(app) as base_url:
            yield base_url, persona, app


def _households(form) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    media = next(m for m in form.media if m.filename == "households.csv")
    return list(csv.DictReader(io.StringIO(media.content.decode("utf-8"))))


def test_collect_downloads_every_form_and_media_with_a_token_url(live):
    base_url, eli, _app = live
    phone = CollectClient(f"{base_url}/key/{eli.token}")
    forms = {form.form_id: form for form in phone.download_all()}
    assert set(forms) == {"visit_test", "image_test"}
    assert [m.filename for m in forms["image_test"].media] == ["logo 1.png"]
    assert forms["image_test"].media[0].content == PNG_BYTES
    assert [row["head_name"] for row in _households(forms["visit_test"])] == ["张三"]


def test_collect_downloads_with_digest_username_and_password(live):
    base_url, eli, _app = live
    phone = CollectClient(base_url, eli.username, eli.password)
    forms = phone.download_all()
    assert {form.form_id for form in forms} == {"visit_test", "image_test"}


def test_a_second_sync_sees_the_same_hashes(live):
    base_url, eli, _app = live
    phone = CollectClient(f"{base_url}/key/{eli.token}")
    first = {f.form_id: (f.hash, [m.hash for m in f.media]) for f in phone.download_all()}
    second = {f.form_id: (f.hash, [m.hash for m in f.media]) for f in phone.download_all()}
    assert first == second


def test_wrong_password_never_gets_the_form_list(live):
    base_url, eli, _app = live
    phone = CollectClient(base_url, eli.username, "wrong-password")
    with pytest.raises(CollectError, match="401"):
        phone.form_list()


def test_a_replayed_nonce_count_is_refused_and_collect_logs_in_again_silently(live):
    base_url, eli, _app = live
    phone = CollectClient(base_url, eli.username, eli.password)
    phone.form_list()
    phone.http.auth._thread_local.nonce_count = 0  # the next request repeats nc=00000001
    answer = phone.get(f"{base_url}/formList")
    assert [r.status_code for r in answer.history] == [401]
    assert "stale=true" in answer.history[0].headers["WWW-Authenticate"]


def test_a_guessed_password_is_paused_and_collect_shows_why(live):
    base_url, eli, _app = live
    for _ in range(10):
        with pytest.raises(CollectError, match="401"):
            CollectClient(base_url, eli.username, "wrong-password").form_list()
    phone = CollectClient(base_url, eli.username, eli.password)
    with pytest.raises(CollectError, match="429") as refused:
        phone.form_list()
    assert "即使密码正确" in str(refused.value)


def test_collect_sends_a_form_with_photos_by_token_and_by_digest(live):
    from tests.collect import instance_xml, submit
    from tests.http.openrosa.test_submission import FILES, VISIT

    base_url, eli, app = live
    for phone, instance_id in (
        (CollectClient(f"{base_url}/key/{eli.token}"), "uuid:by-token"),
        (CollectClient(base_url, eli.username, eli.password), "uuid:by-digest"),
    ):
        xml = instance_xml("visit_test", "1", VISIT, instance_id=instance_id)
        first = submit(phone, xml, FILES)
        assert first.status_code == 201
        assert submit(phone, xml, FILES).status_code == 201  # a retry after a lost answer
    from sqlalchemy import select

    from server.ingest.models import SubmissionVersion

    with unit_of_work(app) as session:
        stored = {v.instance_id: v.xml for v in session.scalars(select(SubmissionVersion))}
    assert set(stored) == {"uuid:by-token", "uuid:by-digest"}
