"""A village whose records came in through real submissions: the county's three forms, the
JavaRosa-serialised instances in tests/data/instances, posted over OpenRosa like Collect does,
then normalised into the registry (process_pending)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.forms.cli import XLSFORMS_DIR
from server.forms.service import publish_form
from server.ingest.processing import process_pending
from tests.collect import multipart_body
from tests.fixtures import (
    HUANGQI,
    LIANGBA,
    SANKENG,
    make_app_user,
    make_areas,
    make_household,
    make_web_user,
)
from tests.http.openrosa.helpers import DEVICE
from tests.registry_factories import photo_jpeg, signature_png

INSTANCES = Path(__file__).resolve().parents[2] / "data" / "instances"
COUNTY_FORMS = ("household_archive", "assistance_visit", "major_event")
VISIT_PHOTO_MISSING = "1764900000222.jpg"  # named by the visit, never uploaded


def instance(name: str, instance_id: str) -> bytes:
    xml = (INSTANCES / f"{name}.xml").read_bytes()
    return re.sub(
        rb"<instanceID>[^<]*</instanceID>", f"<instanceID>{instance_id}</instanceID>".encode(), xml
    )


def files_for(xml: bytes) -> dict[str, bytes]:
    files = {}
    for n, name in enumerate(sorted(set(re.findall(rb">(\d{13}\.(?:jpg|png))<", xml)))):
        filename = name.decode()
        if filename == VISIT_PHOTO_MISSING:
            continue
        files[filename] = signature_png(n) if filename.endswith(".png") else photo_jpeg(n)
    return files


@dataclass
class Village:
    archive_household: str  # identified through the household_archive form
    visited_household: str  # visited, with a major event, made by a factory
    event_id: int
    users: dict


@pytest.fixture
def village(app, client, session) -> Village:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from server.ingest.models import SubmissionVersion
    from server.registry.models import Household, MajorEvent

    make_areas(session)
    for name in COUNTY_FORMS:
        path = XLSFORMS_DIR / f"{name}.xlsx"
        publish_form(session, source=path.read_bytes(), source_name=path.name, attachments={})
    make_household(
        session,
        code="H440233100201-0001",
        head_name="张三",
        address="广东省韶关市新丰县黄磜镇梁坝村第三村民小组大塘背路十二号之一（旧村委会斜对面）",
    )
    cadre = make_app_user(session, username="liangba", area_code=LIANGBA, form_ids=COUNTY_FORMS)
    users = {
        "ada": make_web_user(session, username="ada", role="county_admin"),
        "sam": make_web_user(session, username="sam", role="town_reviewer", area_code=HUANGQI),
        "vic": make_web_user(session, username="vic", role="village_committee", area_code=LIANGBA),
        "ozzy": make_web_user(
            session, username="ozzy", role="village_committee", area_code=SANKENG
        ),
        "dee": make_web_user(
            session, username="dee", role="department_viewer", department="housing"
        ),
    }
    session.commit()
    for name, instance_id in (
        ("household_archive", "uuid:print-id-1"),
        ("assistance_visit_event", "uuid:print-visit-1"),
        ("major_event", "uuid:print-event-1"),
    ):
        xml = instance(name, instance_id)
        body, content_type = multipart_body(xml, files_for(xml))
        response = client.post(
            f"/key/{cadre.token}/submission?{DEVICE}", data=body, content_type=content_type
        )
        assert response.status_code == 201, response.data
    process_pending(app.extensions["sessionmaker"])  # normalisation may run after the 201
    session.expire_all()
    states = set(session.scalars(select(SubmissionVersion.processing_state)))
    assert states == {"processed"}, states
    identified = session.scalars(
        select(Household).where(Household.source_version_id.is_not(None))
    ).one()
    event = session.scalars(select(MajorEvent).where(MajorEvent.visit_id.is_(None))).one()
    return Village(identified.code, "H440233100201-0001", event.id, users)
