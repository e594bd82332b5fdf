"""A county with three villages in two towns, a cadre's visit from each, and one web user of
every role: the world the review workspace and its access matrix are tested in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.access.policy import months_before
from server.areas.models import Area
from server.core import clock
from server.ingest.models import SubmissionVersion
from server.ingest.processing import process_pending
from server.registry.models import IndicatorObservation, MajorEvent
from server.registry.queries import find_household
from server.review.approval import propose
from tests.fixtures import (
    HUANGQI,
    LIANGBA,
    SANKENG,
    WebPersona,
    make_app_user,
    make_household,
    make_web_user,
)
from tests.http.openrosa.test_submission import FILES, post, visit
from tests.http.web.helpers import csrf_token, start_test_session

SHATIAN = "440233103000"  # 沙田镇
TESTCUN = "440233103201"  # a test-only village of 沙田镇 (the area file lists none there)
VILLAGES = (LIANGBA, SANKENG, TESTCUN)
HTML = {"Accept": "text/html"}

# username → (role, area, department)
PEOPLE = {
    "ada": ("county_admin", None, None),
    "sam": ("town_reviewer", HUANGQI, None),
    "tina": ("town_reviewer", SHATIAN, None),
    "vic": ("village_committee", LIANGBA, None),
    "val": ("village_committee", SANKENG, None),
    "vera": ("village_committee", TESTCUN, None),
    "dora": ("department_viewer", None, "housing"),
    "mei": ("department_viewer", None, "medical_security"),
    "hui": ("department_viewer", None, "health"),
    "cai": ("department_viewer", None, "civil_affairs"),
}


@dataclass
class Workspace:
    users: dict[str, WebPersona] = field(default_factory=dict)
    submissions: dict[str, int] = field(default_factory=dict)  # village → submission id
    versions: dict[str, int] = field(default_factory=dict)  # village → current version id
    households: dict[str, str] = field(default_factory=dict)  # village → household in review
    proposable: dict[str, str] = field(default_factory=dict)  # village → household, no case
    cases: dict[str, int] = field(default_factory=dict)  # village → case at the town stage


def household_code(village: str, n: int) -> str:
    return f"H{village}-{n:04d}"


def visit_from(village: str, n: int = 1) -> bytes:
    body = (
        f"<village>{village}</village><household>{household_code(village, 1)}</household>"
        "<logo_note/><visited_on>2026-11-20</visited_on>"
        "<member><member_name>张三</member_name></member>"
        "<photo>1755684169123.jpg</photo><signature>1755684170456.png</signature>"
    )
    return visit(instance_id=f"uuid:{village}-{n}", body=body)


def build(app: Flask, session: Session) -> Workspace:
    world = Workspace()
    session.add(
        Area(code=TESTCUN, parent_code=SHATIAN, level="village", name="沙田测试村", valid_from=2019)
    )
    for village in (SANKENG, TESTCUN):
        if village == TESTCUN:
            make_household(session, code=household_code(village, 1), village_code=village)
        make_household(session, code=household_code(village, 2), village_code=village)
    for username, (role, area, department) in PEOPLE.items():
        world.users[username] = make_web_user(
            session, username=username, role=role, area_code=area, department=department
        )
    client = app.test_client()
    for i, village in enumerate(VILLAGES):
        cadre = make_app_user(session, username=f"cadre{i}", area_code=village)
        session.commit()
        assert post(client, cadre, visit_from(village), FILES).status_code == 201
    process_pending(app.extensions["sessionmaker"])
    session.expire_all()
    for version in session.scalars(select(SubmissionVersion)):
        world.submissions[version.village_code] = version.submission_id
        world.versions[version.village_code] = version.id
    committees = {"vic": LIANGBA, "val": SANKENG, "vera": TESTCUN}
    for username, village in committees.items():
        household = find_household(session, household_code(village, 1))
        case = propose(
            session,
            world.users[username].user,
            household.code,
            kind="inclusion",
            comment="村评议通过",
            publicity_start=date(2026, 11, 1),
            publicity_end=date(2026, 11, 7),
        )
        world.cases[village] = case.id
        world.households[village] = household.code
        world.proposable[village] = household_code(village, 2)
    record_duty_facts(session, world)
    session.commit()
    return world


def record_duty_facts(session: Session, world: Workspace) -> None:
    """What makes a household concern a department (access/policy.py DutyReach), per village:

    - 梁坝村: housing not met a month ago, and a serious illness a month ago;
    - 三坑村: housing met a month ago (only met), medical not met 13 months ago (too old);
    - 测试村: housing not met 13 months ago (too old), medical not met a month ago.

    So 住建 sees 梁坝村's household only, 医保/卫健 梁坝村's (the illness; its medical item was
    met) and 测试村's, 民政 every one; the
    proposable households (number 2) concern no duty at all."""
    today = clock.today()
    recent, old = today - timedelta(days=30), months_before(today, 13)
    facts = {
        LIANGBA: [("housing", "not_met", recent), ("medical", "met", recent)],
        SANKENG: [("housing", "met", recent), ("medical", "not_met", old)],
        TESTCUN: [("housing", "not_met", old), ("medical", "not_met", recent)],
    }
    for village, observations in facts.items():
        household = find_household(session, world.households[village])
        for code, state, observed_on in observations:
            session.add(
                IndicatorObservation(
                    household_id=household.id,
                    source_version_id=world.versions[village],
                    observed_on=observed_on,
                    code=code,
                    state=state,
                )
            )
    session.add(
        MajorEvent(
            household_id=find_household(session, world.households[LIANGBA]).id,
            source_version_id=world.versions[LIANGBA],
            event_type="serious_illness",
            occurred_on=recent,
        )
    )


@pytest.fixture
def world(app: Flask, session: Session, county: None) -> Workspace:
    return build(app, session)


def sign_in(client: FlaskClient, persona: WebPersona) -> str:
    """Log in without the login form (rate-limited); returns a CSRF token for POSTs."""
    start_test_session(client, persona.user)
    return csrf_token(client.get("/account/password").data)


def publish_county_forms(session: Session) -> None:
    from server.forms.cli import XLSFORMS_DIR
    from server.forms.service import publish_form

    for name in ("household_archive", "assistance_visit", "major_event"):
        path = XLSFORMS_DIR / f"{name}.xlsx"
        publish_form(session, source=path.read_bytes(), source_name=path.name, attachments={})


def submit_county_records(app: Flask, session: Session) -> dict[str, int]:
    """The real JavaRosa instances of the county forms from a 梁坝村 cadre, and one edit;
    returns instanceID → submission id."""
    from tests.http.openrosa.test_county_forms import _files, _instance

    publish_county_forms(session)
    cadre = make_app_user(
        session,
        username="liu",
        form_ids=["household_archive", "assistance_visit", "major_event"],
    )
    session.commit()
    client = app.test_client()
    for name, instance_id, deprecated in (
        ("household_archive", "uuid:id-1", None),
        ("assistance_visit_event", "uuid:visit-1", None),
        ("major_event", "uuid:event-1", None),
        ("assistance_visit_plain", "uuid:visit-2", "uuid:visit-1"),
    ):
        xml = _instance(name, instance_id, deprecated)
        assert post(client, cadre, xml, _files(xml)).status_code == 201
    process_pending(app.extensions["sessionmaker"])
    session.expire_all()
    return {v.instance_id: v.submission_id for v in session.scalars(select(SubmissionVersion))}
