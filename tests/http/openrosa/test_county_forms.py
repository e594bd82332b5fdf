"""The county's own forms, published from xlsforms/, downloaded by a Collect-like phone."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.db import unit_of_work
from server.forms.cli import XLSFORMS_DIR
from server.forms.service import publish_form
from server.ingest.models import SubmissionVersion
from server.registry.models import Household, MajorEvent, Membership, Visit
from server.registry.phone_lists import HOUSEHOLD_COLUMNS
from tests.collect import CollectClient, submit
from tests.conftest import POSTGRES_ADMIN_URL
from tests.fixtures import LIANGBA, make_app_user, make_areas, make_household
from tests.live import fresh_database, migrated_app, serving, wait_until_processed

COUNTY_FORMS = {"household_archive", "assistance_visit", "major_event"}


@pytest.fixture
def county_server(backend: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        app = migrated_app(url, tmp_path / "instance")
        with unit_of_work(app) as session:
            make_areas(session)
            for path in sorted(XLSFORMS_DIR.glob("*.xlsx")):
                publish_form(
                    session, source=path.read_bytes(), source_name=path.name, attachments={}
                )
            make_household(session, code="H440233100201-0001", head_name="张三")
            make_household(
                session, code="H440233100200-0001", village_code="440233100200", head_name="王五"
            )
            cadre = make_app_user(
                session, username="liangba", area_code=LIANGBA, form_ids=sorted(COUNTY_FORMS)
            )
        with serving(app) as base_url:
            yield base_url, cadre, app


def test_a_cadre_scans_the_qr_code_and_gets_the_three_forms_with_their_media(county_server):
    base_url, cadre, _app = county_server
    phone = CollectClient(f"{base_url}/key/{cadre.token}")
    forms = {form.form_id: form for form in phone.download_all()}
    assert set(forms) == COUNTY_FORMS
    media = {
        form_id: {m.filename: m.content for m in form.media} for form_id, form in forms.items()
    }
    assert set(media["household_archive"]) == {"towns.csv", "villages.csv"}
    assert set(media["assistance_visit"]) == {"villages.csv", "households.csv"}
    households = list(csv.DictReader(io.StringIO(media["major_event"]["households.csv"].decode())))
    assert list(households[0]) == list(HOUSEHOLD_COLUMNS)
    assert [h["head_name"] for h in households] == ["张三"]
    villages = media["assistance_visit"]["villages.csv"].decode().splitlines()
    assert villages == ["name,label,town", "440233100201,梁坝村,440233100000"]
    assert media["household_archive"]["towns.csv"].decode().splitlines()[1] == (
        "440233100000,黄磜镇"
    )


def test_the_same_forms_download_with_digest_login(county_server):
    base_url, cadre, _app = county_server
    phone = CollectClient(base_url, cadre.username, cadre.password)
    assert {form.form_id for form in phone.download_all()} == COUNTY_FORMS


INSTANCES = Path(__file__).resolve().parents[2] / "data" / "instances"


def _instance(name: str, instance_id: str, deprecated_id: str | None = None) -> bytes:
    """A JavaRosa-serialised instance of a county form, with a fresh instanceID."""
    xml = (INSTANCES / f"{name}.xml").read_bytes()
    meta = f"<instanceID>{instance_id}</instanceID>"
    if deprecated_id:
        meta += f"<deprecatedID>{deprecated_id}</deprecatedID>"
    return re.sub(rb"<instanceID>[^<]*</instanceID>", meta.encode(), xml)


def _files(xml: bytes) -> dict[str, bytes]:
    names = re.findall(rb">(\d{13}\.(?:jpg|png))<", xml)
    return {name.decode(): b"\xff\xd8\xff" + name for name in names}


def test_identification_visit_event_and_an_edit_reach_the_registry(county_server):
    base_url, cadre, app = county_server
    phone = CollectClient(f"{base_url}/key/{cadre.token}")
    for name, instance_id in (
        ("household_archive", "uuid:id-1"),
        ("assistance_visit_event", "uuid:visit-1"),
        ("major_event", "uuid:event-1"),
    ):
        xml = _instance(name, instance_id)
        assert submit(phone, xml, _files(xml)).status_code == 201
    edited = _instance("assistance_visit_plain", "uuid:visit-2", deprecated_id="uuid:visit-1")
    assert submit(phone, edited, _files(edited)).status_code == 201
    wait_until_processed(app)  # the submission worker, as `fangfan serve` runs it

    forms = {form.form_id: form for form in phone.download_all()}
    households = csv.DictReader(
        io.StringIO(
            next(
                m.content.decode()
                for m in forms["assistance_visit"].media
                if m.filename == "households.csv"
            )
        )
    )
    codes = {row["name"] for row in households}
    assert codes == {"H440233100201-0001", "H440233100201-0002"}  # the new one is listed

    with unit_of_work(app) as session:
        versions = {v.instance_id: v for v in session.scalars(select(SubmissionVersion))}
        assert {v.processing_state for v in versions.values()} == {"processed"}, [
            (v.instance_id, v.attention_reason) for v in versions.values()
        ]
        new = session.scalars(
            select(Household).where(Household.source_version_id == versions["uuid:id-1"].id)
        ).one()
        assert new.status == "pending_review"
        assert new.village_code == LIANGBA
        assert (
            session.scalar(
                select(func.count())
                .select_from(Membership)
                .where(Membership.household_id == new.id)
            )
            >= 1
        )
        visited = session.scalars(
            select(Household).where(Household.code == "H440233100201-0001")
        ).one()
        visits = list(session.scalars(select(Visit).where(Visit.household_id == visited.id)))
        assert [v.source_version_id for v in visits] == [versions["uuid:visit-2"].id]
        events = list(
            session.scalars(select(MajorEvent).where(MajorEvent.household_id == visited.id))
        )
        assert [e.source_version_id for e in events] == [versions["uuid:event-1"].id]
