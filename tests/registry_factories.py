"""Registry rows inserted directly, for bulk print fixtures (12 visits, a 200-household binder).

Each visit gets the submission version it would have come from (registry rows must name one)
with its photos and signatures as stored attachments, so printing reads exactly what it reads
for real submissions. The real-submission path is tested in tests/http/printing.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from server.forms.models import FormVersion
from server.ingest.models import Blob, Submission, SubmissionAttachment, SubmissionVersion
from server.registry.models import AssistanceMeasure, Household, IndicatorObservation, Visit

INDICATORS = (
    ("food", "met", None),
    ("clothing", "met", None),
    ("education", "not_applicable", None),
    ("medical", "not_met", "慢性病门诊报销比例低，每月自付药费约八百元"),
    ("housing", "met", None),
    ("water_quantity", "met", None),
    ("water_quality", "met", None),
    ("water_convenience", "met", None),
    ("water_reliability", "met", None),
    ("bayou:all", "met", None),
)


def photo_jpeg(seed: int, size: tuple[int, int] = (1280, 960)) -> bytes:
    img = Image.new("RGB", size, (100 + seed % 120, 150, 210 - seed % 90))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((w // 5, h // 3, w * 4 // 5, h - 40), fill=(170, 90 + seed % 60, 60))
    draw.polygon([(w // 6, h // 3), (w // 2, 40), (w * 5 // 6, h // 3)], fill=(90, 40, 30))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()


def signature_png(seed: int = 0) -> bytes:
    img = Image.new("RGBA", (800, 300), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    points = [(60 + i * 45, 150 + ((i * 37 + seed) % 90) - 45) for i in range(16)]
    draw.line(points, fill=(10, 10, 60, 255), width=9)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _blob(session: Session, content: bytes) -> str:
    sha = hashlib.sha256(content).hexdigest()
    if session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, size=len(content), content=content))
    return sha


def add_version(session: Session, form_version: FormVersion, xml: bytes) -> SubmissionVersion:
    """A processed submission version of `form_version` with this XML."""
    submission = Submission(form_id=form_version.form_id)
    session.add(submission)
    session.flush()
    version = SubmissionVersion(
        submission_id=submission.id,
        form_id=form_version.form_id,
        form_version_id=form_version.id,
        instance_id=f"uuid:{uuid.uuid4()}",
        xml=xml,
        xml_sha256=hashlib.sha256(xml).hexdigest(),
        processing_state="processed",
    )
    session.add(version)
    session.flush()
    return version


def attach(session: Session, version: SubmissionVersion, name: str, content: bytes | None) -> None:
    """An attachment the version declared; `None`: named, but it never arrived."""
    sha = _blob(session, content) if content is not None else None
    session.add(
        SubmissionAttachment(
            version_id=version.id, filename=name, blob_sha256=sha, is_declared=True
        )
    )


def add_visit(
    session: Session,
    household: Household,
    form_version: FormVersion,
    *,
    visited_on: date,
    photos: list[bytes | None],
    signature: bytes | None,
    number: int = 1,
) -> Visit:
    """A visit with its source version; a `None` photo is named but never arrived."""
    xml = f"<data id='assistance_visit'><n>{uuid.uuid4()}</n></data>".encode()
    version = add_version(session, form_version, xml)
    names = []
    for n, content in enumerate(photos):
        name = f"17649{version.id:05d}{n:03d}.jpg"
        names.append(name)
        attach(session, version, name, content)
    signature_name = None
    if signature is not None:
        signature_name = f"17649{version.id:05d}900.png"
        attach(session, version, signature_name, signature)
    visit = Visit(
        household_id=household.id,
        source_version_id=version.id,
        visited_on=visited_on,
        visitor_name="刘干部",
        visitor_role="contact_helper",
        mode="in_home",
        met_person="head",
        met_name=household.head_name,
        change_categories=["health", "income"],
        change_detail=f"第{number}次走访：户主慢性病复查，务工收入较上月减少约三百元。",
        risk_trend="unchanged",
        new_risks=[],
        difficulties="药费负担较重，希望落实门诊慢特病待遇。",
        earlier_measures="公益岗位已落实，每月工资一千元。",
        files={
            "photos": names,
            "member_signature": signature_name,
            "visitor_signature": signature_name,
        },
    )
    session.add(visit)
    session.flush()
    for code, state, detail in INDICATORS:
        session.add(
            IndicatorObservation(
                household_id=household.id,
                visit_id=visit.id,
                source_version_id=version.id,
                observed_on=visited_on,
                code=code,
                state=state,
                detail=detail,
            )
        )
    session.add(
        AssistanceMeasure(
            household_id=household.id,
            visit_id=visit.id,
            source_version_id=version.id,
            recorded_on=visited_on,
            family="social_protection",
            detail="协助申请门诊慢特病待遇",
            status="in_progress",
        )
    )
    return visit
