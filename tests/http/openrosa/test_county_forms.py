"""The county's own forms, published from xlsforms/, downloaded by a Collect-like phone."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from server.db import unit_of_work
from server.forms.cli import XLSFORMS_DIR
from server.forms.service import publish_form
from server.registry.phone_lists import HOUSEHOLD_COLUMNS
from tests.collect import CollectClient
from tests.conftest import POSTGRES_ADMIN_URL
from tests.fixtures import LIANGBA, make_app_user, make_areas, make_household
from tests.live import fresh_database, migrated_app, serving

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
            yield base_url, cadre


def test_a_cadre_scans_the_qr_code_and_gets_the_three_forms_with_their_media(county_server):
    base_url, cadre = county_server
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
    base_url, cadre = county_server
    phone = CollectClient(base_url, cadre.username, cadre.password)
    assert {form.form_id for form in phone.download_all()} == COUNTY_FORMS
