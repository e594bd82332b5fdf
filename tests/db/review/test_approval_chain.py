"""Village proposal → town review → county confirmation, returns one level down, audit rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from server.areas.service import this_year
from server.audit.models import AuditEvent
from server.audit.service import AuditFilter, list_events, record
from server.registry.status import history
from server.review.approval import decide, list_awaiting, propose, withdraw
from server.review.errors import InvalidDecision, NotAllowed, NotInScope, WrongStage
from tests.fixtures import HUANGQI, LIANGBA, SANKENG, make_household, make_web_user

NOV_1, NOV_7 = date(2026, 11, 1), date(2026, 11, 7)


@pytest.fixture
def people(session, county):  # type: ignore[no-untyped-def]
    made = {
        "vic": make_web_user(session, username="vic", role="village_committee", area_code=LIANGBA),
        "sam": make_web_user(session, username="sam", role="town_reviewer", area_code=HUANGQI),
        "ada": make_web_user(session, username="ada", role="county_admin"),
        "val": make_web_user(session, username="val", role="village_committee", area_code=SANKENG),
    }
    session.commit()
    return {name: persona.user for name, persona in made.items()}


def _household(session):  # type: ignore[no-untyped-def]
    return make_household(session, code="H440233100201-0100", head_name="赵六")


def _propose(session, people, household, kind="inclusion"):  # type: ignore[no-untyped-def]
    return propose(
        session,
        people["vic"],
        household.code,
        kind=kind,
        comment="村民主评议通过",
        publicity_start=NOV_1,
        publicity_end=NOV_7,
    )


def test_a_household_is_monitored_only_after_county_confirmation(session, people):
    household = _household(session)
    case = _propose(session, people, household)
    assert (case.stage, household.status) == ("town", "pending_review")
    decide(session, people["sam"], case.id, approve=True, comment="镇审核同意")
    assert (case.stage, household.status) == ("county", "pending_review")
    assert household.archive_no is None  # the archive begins with the county's confirmation
    decide(session, people["ada"], case.id, approve=True, comment="县确认")
    assert (case.stage, case.outcome, household.status) == ("closed", "confirmed", "monitored")
    trail = [(h.status, h.case_id, h.actor) for h in history(session, household.id)]
    assert trail == [("pending_review", None, None), ("monitored", case.id, "ada")]
    year = this_year()  # the fixture household has no identification date
    assert household.archive_no == f"440233100201-{year}-0001"
    steps = [(s.level, s.decision, s.actor_name) for s in case.steps]
    assert steps == [
        ("village", "proposed", "Vic"),
        ("town", "approved", "Sam"),
        ("county", "approved", "Ada"),
    ]
    assert (case.publicity_start, case.publicity_end) == (NOV_1, NOV_7)
    audited = list_events(session, AuditFilter(action="approval_decided"))
    assert [e.detail["decision"] for e in reversed(audited)] == ["proposed", "approved", "approved"]

    # Then risk elimination runs the same chain and ends in risk_eliminated.
    elimination = _propose(session, people, household, kind="elimination")
    decide(session, people["sam"], elimination.id, approve=True, comment="")
    decide(session, people["ada"], elimination.id, approve=True, comment="")
    assert household.status == "risk_eliminated"
    assert household.archive_no == f"440233100201-{year}-0001"  # never changes


def test_a_rejected_step_returns_the_case_one_level_down(session, people):
    household = _household(session)
    case = _propose(session, people, household)
    decide(session, people["sam"], case.id, approve=True, comment="")
    decide(session, people["ada"], case.id, approve=False, comment="收入核算有误，请镇复核")
    assert case.stage == "town"
    decide(session, people["sam"], case.id, approve=False, comment="请村里重新入户核实")
    assert case.stage == "village"
    assert household.status == "pending_review"
    _propose(session, people, household)  # the village proposes again, same case
    assert case.stage == "town"
    assert [s.decision for s in case.steps] == [
        "proposed",
        "approved",
        "rejected",
        "rejected",
        "proposed",
    ]
    with pytest.raises(WrongStage):
        withdraw(session, people["vic"], case.id, comment="")  # only once it is back at the village
    decide(session, people["sam"], case.id, approve=False, comment="不符合条件")
    withdraw(session, people["vic"], case.id, comment="经核实不符合纳入条件")
    assert (case.stage, case.outcome, household.status) == ("closed", "withdrawn", "pending_review")


def test_only_the_role_of_the_stage_acts_inside_its_scope(session, people):
    household = _household(session)
    with pytest.raises(NotInScope):
        propose(
            session,
            people["val"],
            household.code,
            kind="inclusion",
            comment="",
            publicity_start=NOV_1,
            publicity_end=NOV_7,
        )
    with pytest.raises(InvalidDecision):
        propose(
            session,
            people["vic"],
            household.code,
            kind="inclusion",
            comment="",
            publicity_start=NOV_7,
            publicity_end=NOV_1,
        )
    case = _propose(session, people, household)
    with pytest.raises(WrongStage):
        _propose(session, people, household)
    with pytest.raises(NotAllowed):
        decide(session, people["ada"], case.id, approve=True, comment="")  # town first
    with pytest.raises(InvalidDecision):
        decide(session, people["sam"], case.id, approve=False, comment=" ")  # a return says why
    with pytest.raises(WrongStage):
        _propose(session, people, household, kind="elimination")  # not monitored yet
    awaiting = list_awaiting(session, people["sam"])
    assert [c.id for c, _h in awaiting] == [case.id]
    assert list_awaiting(session, people["val"]) == []


def test_the_audit_log_refuses_updates_and_deletes(session, people):
    event = record(session, people["ada"], "login", object_kind="web_user", object_id=1)
    session.commit()
    for statement in ("UPDATE audit_events SET action = 'logout'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
            session.execute(text(statement))
    session.expire_all()
    assert (
        session.scalars(select(AuditEvent.action).where(AuditEvent.id == event.id)).one() == "login"
    )
