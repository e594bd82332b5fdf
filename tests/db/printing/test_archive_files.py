"""The archive record prints the house photo and the head's signature its identification named,
as the registry stored them when the identification was applied (`households.files`): printing
never reads the identification's XML again, and the verify page agrees with the print."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from server.forms.models import FormVersion
from server.printing import render, service
from server.printing.digest import content_digest
from tests import pdf
from tests.fixtures import SETUP, make_household
from tests.registry_factories import add_version, attach, photo_jpeg


def _print(session, code: str):  # type: ignore[no-untyped-def]
    return service.print_household_archive(
        session, user=None, code=code, base_url="http://fangfan.test", operator=SETUP
    )


def test_the_archive_shows_the_house_photo_the_registry_stored(session, county):
    form_version = session.scalars(select(FormVersion)).first()
    # The stored XML names no file: only the registry's facts can say what to print.
    version = add_version(session, form_version, b"<data id='household_archive'><n/></data>")
    photo = photo_jpeg(1, (320, 240))
    attach(session, version, "house.jpg", photo)
    attach(session, version, "sign.png", None)  # named by the form, never uploaded
    household = make_household(
        session,
        code="H440233100201-0201",
        source_version_id=version.id,
        files={"house_photo": "house.jpg", "head_signature": "sign.png"},
    )
    session.commit()
    job = _print(session, household.code)
    record = job.context["record"]
    sha = hashlib.sha256(photo).hexdigest()
    assert record["house_photo"] == {
        "missing": False,
        "name": "house.jpg",
        "src": f"attachment:photo/{sha}",
    }
    assert record["head_signature"] == {"missing": True, "name": "sign.png", "src": None}
    assert job.attachments == {sha: photo}
    text = pdf.text(
        render.render_pdf(render.render_html(job.template, **job.context), job.attachments.get)
    )
    assert "未采集住房照片" not in text
    result = service.verify(
        session,
        kind="household",
        ident=household.code,
        digest=content_digest(record),
        base_url="http://fangfan.test",
    )
    assert result.matches


def test_a_household_without_an_identification_has_no_house_photo(session, county):
    job = _print(session, "H440233100201-0001")
    assert job.context["record"]["house_photo"] is None
    assert job.context["record"]["head_signature"] is None
    assert "未采集住房照片" in pdf.text(
        render.render_pdf(render.render_html(job.template, **job.context), job.attachments.get)
    )
