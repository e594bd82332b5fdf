"""What a phone may write: the access matrix of phone writes, across villages and towns.

Two towns: 黄磜镇 (梁坝村, 三坑村) and 马头镇 (红旗村, a test-only village). Phones: a village
cadre of each village, and a town cadre of each town. Every write a phone makes — a household
identification, a visit, a major-event report, an edit (`deprecatedID`) and a resend that adds
files — is tried by every phone against every village, through OpenRosa exactly as Collect
sends it, and checked against one rule: a phone writes only inside its own area, and changes
a stored submission only if it sent it or the submission is about a village of its area.
A refused write answers 403 with an OpenRosa message and writes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from itertools import count

import pytest
from sqlalchemy import func, select

from server.areas.models import Area
from server.audit.models import AuditEvent
from server.ingest.models import SubmissionAttachment, SubmissionVersion
from server.ingest.processing import process_pending
from server.registry.models import Household, Person, Visit
from tests.fixtures import HUANGQI, LIANGBA, SANKENG, make_app_user, make_web_user
from tests.http.openrosa.helpers import DEVICE, message
from tests.http.openrosa.test_county_forms import INSTANCES
from tests.http.openrosa.test_submission import post
from tests.http.review.workspace import publish_county_forms, sign_in

MATOU = "440233101000"  # 马头镇
HONGQI = "440233101201"  # 红旗村, a test-only village of 马头镇 (the area file lists none there)
COUNTY_FORMS = ("household_archive", "assistance_visit", "major_event")
HOUSEHOLDS = {
    LIANGBA: "H440233100201-0001",
    SANKENG: "H440233100200-0001",
    HONGQI: "H440233101201-0001",
}
# phone → (role, area) and the villages its area covers
PHONES = {
    "lb": ("village_cadre", LIANGBA),
    "sk": ("village_cadre", SANKENG),
    "hq": ("town_cadre", HUANGQI),
    "hg": ("village_cadre", HONGQI),
    "mt": ("town_cadre", MATOU),
}
COVERS = {
    "lb": {LIANGBA},
    "sk": {SANKENG},
    "hq": {LIANGBA, SANKENG},
    "hg": {HONGQI},
    "mt": {HONGQI},
}
TOWN_OF = {LIANGBA: HUANGQI, SANKENG: HUANGQI, HONGQI: MATOU}
HONGQI_HEAD = "440233196001010014"  # the head of the 红旗村 household, in another town
NEW_HEAD = "440233198802020019"


@dataclass
class World:
    phones: dict
    ids: count

    def instance_id(self) -> str:
        return f"uuid:scope-{next(self.ids)}"


@pytest.fixture
def world(app, client, session, county) -> World:  # type: ignore[no-untyped-def]
    session.add(
        Area(code=HONGQI, parent_code=MATOU, level="village", name="红旗村", valid_from=2019)
    )
    publish_county_forms(session)
    phones = {
        name: make_app_user(
            session, username=f"phone-{name}", role=role, area_code=area, form_ids=COUNTY_FORMS
        )
        for name, (role, area) in PHONES.items()
    }
    session.commit()
    # 红旗村's household, identified by its own cadre as any household is.
    xml = identification(HONGQI, "uuid:hongqi", head_id=HONGQI_HEAD, head_name="黄大")
    assert post(client, phones["hg"], xml).status_code == 201
    _process(app, session)
    assert _hongqi(session).head_id_number == HONGQI_HEAD
    return World(phones, count(1))


# --- instances, as Collect serialises the county forms ----------------------------------------


def _about(xml: bytes, village: str) -> bytes:
    household = HOUSEHOLDS[village]
    xml = re.sub(rb"<village>\d{12}</village>", f"<village>{village}</village>".encode(), xml)
    xml = re.sub(rb"<town>\d{12}</town>", f"<town>{TOWN_OF[village]}</town>".encode(), xml)
    return re.sub(
        rb"<household>H[^<]*</household>", f"<household>{household}</household>".encode(), xml
    )


def _with_meta(xml: bytes, instance_id: str, deprecated_id: str | None = None) -> bytes:
    meta = f"<instanceID>{instance_id}</instanceID>"
    if deprecated_id:
        meta += f"<deprecatedID>{deprecated_id}</deprecatedID>"
    return re.sub(rb"<instanceID>[^<]*</instanceID>", meta.encode(), xml)


def visit(village: str, instance_id: str, deprecated_id: str | None = None) -> bytes:
    xml = (INSTANCES / "assistance_visit_plain.xml").read_bytes()
    return _with_meta(_about(xml, village), instance_id, deprecated_id)


def event(village: str, instance_id: str) -> bytes:
    xml = (INSTANCES / "major_event.xml").read_bytes()
    return _with_meta(_about(xml, village), instance_id)


def identification(
    village: str, instance_id: str, *, head_id: str = NEW_HEAD, head_name: str = "新户主"
) -> bytes:
    """One household of one person: its head (the sample's other members are dropped)."""
    xml = (INSTANCES / "household_archive.xml").read_bytes()
    xml = re.sub(rb"<members>.*</members>", _member(head_name, head_id), xml, flags=re.S)
    xml = xml.replace(
        b"<head_id>440233197503120015</head_id>", f"<head_id>{head_id}</head_id>".encode()
    )
    xml = xml.replace(
        b"<head_name>\xe5\xbc\xa0\xe4\xb8\x89</head_name>",
        f"<head_name>{head_name}</head_name>".encode(),
    )
    return _with_meta(_about(xml, village), instance_id)


def _member(name: str, id_number: str) -> bytes:
    return (
        f"<members><member_name>{name}</member_name><member_id>{id_number}</member_id>"
        "<relation>01</relation><sex>male</sex><birth_date>1988-02-02</birth_date><age>38</age>"
        "<health>healthy</health><education>primary</education><labour>ordinary</labour>"
        "<work_status>farming</work_status><insurance>basic_medical</insurance>"
        "<benefits>none</benefits></members>"
    ).encode()


PHOTO = {"1764380000123.jpg": b"\xff\xd8\xff" + b"house" * 20}


def _versions(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(SubmissionVersion))


def _expect(resp, allowed: bool, what: str) -> None:  # type: ignore[no-untyped-def]
    if allowed:
        assert resp.status_code == 201, (what, resp.data)
    else:
        assert resp.status_code == 403, (what, resp.data)
        assert "不在您负责的范围内" in message(resp) or "不能" in message(resp), message(resp)


# --- new records ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["identification", "visit", "event"])
def test_a_phone_submits_records_only_about_villages_of_its_area(client, session, world, kind):
    make = {"identification": identification, "visit": visit, "event": event}[kind]
    for phone, persona in world.phones.items():
        for village in HOUSEHOLDS:
            before = _versions(session)
            resp = post(client, persona, make(village, world.instance_id()))
            allowed = village in COVERS[phone]
            _expect(resp, allowed, (phone, village))
            assert _versions(session) == before + allowed  # a refusal writes nothing


# --- edits (deprecatedID) -----------------------------------------------------------------------


@pytest.mark.parametrize("sender", list(PHONES))
def test_an_edit_supersedes_only_what_the_phone_sent_or_what_its_area_covers(
    client, session, world, sender
):
    """The edit itself is about the sender's own village (so it passes the area check of a new
    record); what it names in `deprecatedID` is someone's submission, maybe from elsewhere.

    Decision: a village cadre may edit a colleague's submission about its own village (one
    village is one team; a successor inherits the phone's saved forms); never one from
    elsewhere. A town cadre may edit any about a village of its town."""
    own_village = sorted(COVERS[sender])[0]
    originals = [("lb", LIANGBA), ("sk", SANKENG), ("hq", SANKENG), ("hg", HONGQI)]
    for owner, village in originals:
        original = world.instance_id()
        assert post(client, world.phones[owner], visit(village, original)).status_code == 201
        before = _versions(session)
        edit = visit(own_village, world.instance_id(), deprecated_id=original)
        resp = post(client, world.phones[sender], edit)
        allowed = sender == owner or village in COVERS[sender]
        _expect(resp, allowed, (sender, owner, village))
        assert _versions(session) == before + allowed
        current = session.scalars(
            select(SubmissionVersion.is_current).where(SubmissionVersion.instance_id == original)
        ).one()
        assert current is not allowed  # a refused edit leaves the original current


# --- resends that add files (split uploads) -----------------------------------------------------


def _attached(session, xml: bytes, filename: str) -> bool:  # type: ignore[no-untyped-def]
    session.expire_all()
    attachment = session.scalars(
        select(SubmissionAttachment)
        .join(SubmissionVersion, SubmissionVersion.id == SubmissionAttachment.version_id)
        .where(SubmissionVersion.xml == xml, SubmissionAttachment.filename == filename)
    ).one()
    return attachment.blob_sha256 is not None


@pytest.mark.parametrize("sender", list(PHONES))
def test_only_a_phone_that_may_write_a_submission_adds_files_to_it(client, session, world, sender):
    for owner, village in (("lb", LIANGBA), ("hg", HONGQI), ("hq", SANKENG)):
        xml = identification(village, world.instance_id())
        assert post(client, world.phones[owner], xml, incomplete=True).status_code == 201
        resp = post(client, world.phones[sender], xml, PHOTO)
        allowed = sender == owner or village in COVERS[sender]
        _expect(resp, allowed, (sender, owner, village))
        assert _attached(session, xml, "1764380000123.jpg") is allowed


SURVEY_MD = """
| survey   |          |          |                  |
|          | type     | name     | label            |
|          | text     | note     | 说明 Note          |
|          | image    | photo    | 照片 Photo         |
| settings |          |          |                  |
|          | form_id  | version  | form_title       |
|          | survey   | 1        | 调查 Survey        |
"""


@pytest.mark.parametrize("sender", list(PHONES))
def test_files_of_a_submission_that_names_no_village_are_added_only_by_its_sender(
    client, session, world, sender
):
    """A form that names no village (a county survey) is about no area: only its sender may
    complete it."""
    from server.auth.models import AppUserForm
    from tests.collect import instance_xml
    from tests.fixtures import make_form

    make_form(session, SURVEY_MD.encode(), name="survey.md")
    for persona in world.phones.values():
        session.add(AppUserForm(app_user_id=persona.user.id, xml_form_id="survey"))
    session.commit()
    for owner in PHONES:
        body = "<note>水渠损坏</note><photo>1764380000123.jpg</photo>"
        xml = instance_xml("survey", "1", body, instance_id=world.instance_id())
        assert post(client, world.phones[owner], xml, incomplete=True).status_code == 201
        resp = post(client, world.phones[sender], xml, PHOTO)
        _expect(resp, sender == owner, (sender, owner))
        assert _attached(session, xml, "1764380000123.jpg") is (sender == owner)


# --- identifications that name people registered elsewhere ------------------------------------


def _process(app, session) -> None:  # type: ignore[no-untyped-def]
    process_pending(app.extensions["sessionmaker"])
    session.expire_all()


def _hongqi(session) -> Household:  # type: ignore[no-untyped-def]
    return session.scalars(select(Household).where(Household.code == HOUSEHOLDS[HONGQI])).one()


def _households_csv(client, persona) -> str:  # type: ignore[no-untyped-def]
    forms = client.get(f"/key/{persona.token}/formList?{DEVICE}").data.decode()
    version = re.search(r"forms/assistance_visit/([^/]+)/form\.xml", forms).group(1)
    url = f"/key/{persona.token}/forms/assistance_visit/{version}/media/households.csv?{DEVICE}"
    return client.get(url).data.decode("utf-8-sig")


@pytest.mark.parametrize("whose", ["head", "member"])
def test_an_id_registered_in_another_town_never_moves_or_changes_that_household(
    app, client, session, world, whose
):
    xml = identification(LIANGBA, "uuid:takeover", head_id=HONGQI_HEAD, head_name="冒名")
    if whose == "member":  # the head is new; a second member is 红旗村's head
        xml = xml.replace(b"</members>", b"</members>" + _member("冒名", HONGQI_HEAD), 1)
        xml = xml.replace(
            f"<head_id>{HONGQI_HEAD}</head_id>".encode(), f"<head_id>{NEW_HEAD}</head_id>".encode()
        )
        xml = xml.replace(
            f"<member_id>{HONGQI_HEAD}</member_id>".encode(),
            f"<member_id>{NEW_HEAD}</member_id>".encode(),
            1,
        )
    assert post(client, world.phones["lb"], xml).status_code == 201  # kept: nothing is lost
    _process(app, session)

    held = session.scalars(select(SubmissionVersion).where(SubmissionVersion.xml == xml)).one()
    assert held.processing_state == "needs_attention"
    assert "此身份证号已登记在其他村的农户中" in held.attention_reason
    assert HOUSEHOLDS[HONGQI] in held.attention_reason and "红旗村" in held.attention_reason
    assert "黄大" not in held.attention_reason  # the sender's village may not see that household
    hongqi = _hongqi(session)
    assert (hongqi.village_code, hongqi.head_name) == (HONGQI, "黄大")
    head = session.scalars(select(Person).where(Person.id_number == HONGQI_HEAD)).one()
    assert head.name == "黄大"
    assert session.scalar(select(func.count()).select_from(Household)) == 4  # none created
    assert HOUSEHOLDS[HONGQI] not in _households_csv(client, world.phones["lb"])


def test_a_town_cadre_cannot_move_a_household_between_its_villages_by_a_form(
    app, client, session, world
):
    liangba = session.scalars(select(Household).where(Household.code == HOUSEHOLDS[LIANGBA])).one()
    liangba.head_id_number = "440233197503120015"
    session.commit()
    xml = identification(SANKENG, "uuid:move-by-form", head_id="440233197503120015")
    assert post(client, world.phones["hq"], xml).status_code == 201
    _process(app, session)
    held = session.scalars(select(SubmissionVersion).where(SubmissionVersion.xml == xml)).one()
    assert held.processing_state == "needs_attention"
    assert "此身份证号已登记在其他村的农户中" in held.attention_reason
    assert session.get(Household, liangba.id).village_code == LIANGBA


def test_the_county_moves_the_household_then_the_held_submission_applies(
    app, client, session, world
):
    xml = identification(LIANGBA, "uuid:moved-family", head_id=HONGQI_HEAD, head_name="黄大")
    assert post(client, world.phones["lb"], xml).status_code == 201
    _process(app, session)
    held = session.scalars(select(SubmissionVersion).where(SubmissionVersion.xml == xml)).one()
    assert held.processing_state == "needs_attention"

    ada = make_web_user(session, username="ada", role="county_admin")
    session.commit()
    token = sign_in(client, ada)
    resp = client.post(
        f"/review/households/{HOUSEHOLDS[HONGQI]}/move",
        data={"csrf_token": token, "to_village": LIANGBA, "reason": "全家迁居梁坝村"},
    )
    assert resp.status_code == 302
    moved = _hongqi(session)
    assert moved.village_code == LIANGBA
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "household_moved")).one()
    assert audit.detail == {
        "from_village": HONGQI,
        "to_village": LIANGBA,
        "reason": "全家迁居梁坝村",
    }
    assert audit.actor_username == "ada"
    assert HOUSEHOLDS[HONGQI] in _households_csv(client, world.phones["lb"])

    resp = client.post(
        f"/review/submissions/{held.submission_id}/requeue", data={"csrf_token": token}
    )
    assert resp.status_code == 302
    _process(app, session)
    held = session.get(SubmissionVersion, held.id)
    assert held.processing_state == "processed", held.attention_reason
    assert _hongqi(session).source_version_id == held.id  # the same household, updated


@pytest.mark.parametrize(
    ("mover", "target", "status"),
    [
        ("sam", SANKENG, 302),  # a town reviewer, between two villages of its town
        ("sam", HONGQI, 403),  # …but not into another town
        ("vic", SANKENG, 403),  # a village committee never moves households
        ("tina", SANKENG, 404),  # another town's reviewer does not see the household
    ],
)
def test_who_may_move_a_household(client, session, world, mover, target, status):
    people = {
        "sam": ("town_reviewer", HUANGQI),
        "vic": ("village_committee", LIANGBA),
        "tina": ("town_reviewer", MATOU),
    }
    role, area = people[mover]
    persona = make_web_user(session, username=mover, role=role, area_code=area)
    session.commit()
    token = sign_in(client, persona)
    resp = client.post(
        f"/review/households/{HOUSEHOLDS[LIANGBA]}/move",
        data={"csrf_token": token, "to_village": target, "reason": "迁居"},
        headers={"Accept": "text/html"},
    )
    assert resp.status_code == status
    session.expire_all()
    moved = session.scalars(select(Household).where(Household.code == HOUSEHOLDS[LIANGBA])).one()
    assert moved.village_code == (target if status == 302 else LIANGBA)


def test_a_visit_is_held_when_its_household_left_the_senders_area(app, client, session, world):
    """Applied when the worker gets to it, under the area rule of that moment."""
    assert post(client, world.phones["lb"], visit(LIANGBA, "uuid:late")).status_code == 201
    liangba = session.scalars(select(Household).where(Household.code == HOUSEHOLDS[LIANGBA])).one()
    liangba.village_code = SANKENG  # moved before the worker applied the visit
    session.commit()
    _process(app, session)
    held = session.scalars(
        select(SubmissionVersion).where(SubmissionVersion.instance_id == "uuid:late")
    ).one()
    assert held.processing_state == "needs_attention"
    assert "不在发送者负责的范围内" in held.attention_reason
    assert session.scalar(select(func.count()).select_from(Visit)) == 0


def test_households_csv_is_the_area_as_the_phone_reads_it(client, world):
    rows = {
        phone: {r["name"] for r in csv.DictReader(io.StringIO(_households_csv(client, persona)))}
        for phone, persona in world.phones.items()
    }
    for phone, villages in COVERS.items():
        assert rows[phone] == {HOUSEHOLDS[v] for v in villages} | (
            {"H440233100201-0002"} if LIANGBA in villages else set()
        )
