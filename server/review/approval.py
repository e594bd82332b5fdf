"""The approval chain: village proposal → town review → county confirmation (domain.md §1.3–1.4).

For inclusion under monitoring (识别纳入) and for risk elimination (风险消除). Each decision is
an `ApprovalStep` row (decision, person, time, comment). Only the role of the stage may act,
only inside its scope. Approval moves the case one level up; rejection returns it one level
down (town → village, county → town); the household's status changes only at county
confirmation, which for an inclusion also issues the household's archive number (档号). The
village records the publicity (公示) dates when it proposes. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from server.access.policy import STAGE_ROLE, covers
from server.access.sql import village_in_scope
from server.access.viewer import web_viewer
from server.audit.service import record
from server.auth.models import WebUser
from server.core import clock
from server.core.labels import vocabulary
from server.printing.service import issue_archive_number
from server.registry.facts import HouseholdSummary
from server.registry.queries import find_visible_summary, visible_summaries
from server.registry.service import change_household_status
from server.review.errors import InvalidDecision, NotAllowed, NotInScope, WrongStage
from server.review.models import CASE_KINDS, ApprovalCase, ApprovalStep

_UP = {"town": "county", "county": "closed"}
_DOWN = {"town": "village", "county": "town"}
# The household status a kind needs before it starts, and the one county confirmation sets.
_BEFORE = {"inclusion": ("pending_review", "rejected"), "elimination": ("monitored",)}
_AFTER = {"inclusion": "monitored", "elimination": "risk_eliminated"}


def open_case(session: Session, household_id: int) -> ApprovalCase | None:
    return session.scalars(
        select(ApprovalCase).where(
            ApprovalCase.household_id == household_id, ApprovalCase.stage != "closed"
        )
    ).first()


def list_cases(session: Session, household_id: int) -> Sequence[ApprovalCase]:
    """A household's cases, newest first, with their steps (loaded in one more query)."""
    return session.scalars(
        select(ApprovalCase)
        .options(selectinload(ApprovalCase.steps))
        .where(ApprovalCase.household_id == household_id)
        .order_by(ApprovalCase.id.desc())
    ).all()


def list_awaiting(session: Session, actor: WebUser) -> list[tuple[ApprovalCase, HouseholdSummary]]:
    """Open cases in the actor's scope, those waiting for the actor's own level first."""
    if actor.role not in STAGE_ROLE.values():
        raise NotAllowed("您的角色不参与审批 / your role takes no part in approvals")
    viewer = web_viewer(actor)
    cases = session.scalars(
        select(ApprovalCase)
        .where(ApprovalCase.stage != "closed", village_in_scope(ApprovalCase.village_code, viewer))
        .order_by(ApprovalCase.opened_at)
        .limit(500)
    ).all()
    found = visible_summaries(
        session, viewer, today=clock.today(), ids={c.household_id for c in cases}
    )
    households = {h.id: h for h in found}
    rows = [(c, households[c.household_id]) for c in cases if c.household_id in households]
    mine = [(c, h) for c, h in rows if STAGE_ROLE.get(c.stage) == actor.role]
    return mine + [(c, h) for c, h in rows if STAGE_ROLE.get(c.stage) != actor.role]


def propose(
    session: Session,
    actor: WebUser,
    household_code: str,
    *,
    kind: str,
    comment: str,
    publicity_start: date | None,
    publicity_end: date | None,
    ip: str | None = None,
) -> ApprovalCase:
    """The village committee proposes (or, after a return, proposes again)."""
    household = find_visible_summary(
        session, web_viewer(actor), household_code, today=clock.today()
    )
    if household is None:
        raise NotInScope("找不到该户 / no such household")
    _check_actor(actor, "village", household.village_code)
    if kind not in CASE_KINDS:
        raise InvalidDecision(f"未知审批类型 {kind} / unknown kind")
    if publicity_start is None or publicity_end is None or publicity_end < publicity_start:
        raise InvalidDecision("请填写公示起止日期 / the publicity (公示) dates are required")
    case = open_case(session, household.id)
    if case is None:
        if household.status not in _BEFORE[kind]:
            raise WrongStage(
                f"该户当前状态不能发起{vocabulary().of('approval_kind', kind)} / not possible "
                "in this household status"
            )
        case = ApprovalCase(
            household_id=household.id,
            village_code=household.village_code,
            kind=kind,
            stage="village",
        )
        session.add(case)
    elif case.stage != "village" or case.kind != kind:
        raise WrongStage("该户已有进行中的审批 / an approval is already under way")
    case.publicity_start, case.publicity_end = publicity_start, publicity_end
    _step(session, actor, case, "village", "proposed", comment, ip)
    case.stage = "town"
    session.flush()
    return case


def decide(
    session: Session,
    actor: WebUser,
    case_id: int,
    *,
    approve: bool,
    comment: str,
    ip: str | None = None,
) -> ApprovalCase:
    """The town or the county approves (one level up) or rejects (one level down)."""
    case = session.get(ApprovalCase, case_id)
    if case is None or not covers(web_viewer(actor), case.village_code):
        raise NotInScope("找不到该审批 / no such approval")
    if case.stage not in _UP:
        raise WrongStage("该审批当前不在审核环节 / this approval is not awaiting a review")
    _check_actor(actor, case.stage, case.village_code)
    if not approve and not comment.strip():
        raise InvalidDecision("退回时必须填写意见 / a return needs a comment")
    level = case.stage
    _step(session, actor, case, level, "approved" if approve else "rejected", comment, ip)
    case.stage = _UP[level] if approve else _DOWN[level]
    if case.stage == "closed":
        case.outcome = "confirmed"
        case.closed_at = clock.now()
        household = change_household_status(
            session, case.household_id, _AFTER[case.kind], case_id=case.id, actor=actor.username
        )
        if case.kind == "inclusion":
            # The archive (建档) begins when the county includes the household: its 档号 is
            # issued here, in the confirmation's transaction, never as a side effect of a print.
            issue_archive_number(session, household)
    session.flush()
    return case


def withdraw(
    session: Session, actor: WebUser, case_id: int, *, comment: str, ip: str | None = None
) -> ApprovalCase:
    """The village withdraws a case the town returned to it; the household keeps its status."""
    case = session.get(ApprovalCase, case_id)
    if case is None or not covers(web_viewer(actor), case.village_code):
        raise NotInScope("找不到该审批 / no such approval")
    _check_actor(actor, "village", case.village_code)
    if case.stage != "village":
        raise WrongStage("只有退回到村的审批可以撤回 / only a case returned to the village")
    _step(session, actor, case, "village", "withdrawn", comment, ip)
    case.stage, case.outcome, case.closed_at = "closed", "withdrawn", clock.now()
    session.flush()
    return case


def _check_actor(actor: WebUser, stage: str, village_code: str) -> None:
    if not covers(web_viewer(actor), village_code):
        raise NotInScope("找不到该户 / no such household")
    if STAGE_ROLE.get(stage) != actor.role:
        raise NotAllowed("此环节不由您的角色处理 / this step belongs to another role")


def _step(
    session: Session,
    actor: WebUser,
    case: ApprovalCase,
    level: str,
    decision: str,
    comment: str,
    ip: str | None,
) -> None:
    case.steps.append(
        ApprovalStep(
            level=level,
            decision=decision,
            actor_id=actor.id,
            actor_name=actor.display_name,
            comment=comment.strip()[:4000],
        )
    )
    session.flush()
    record(
        session,
        actor,
        "approval_decided",
        object_kind="approval_case",
        object_id=case.id,
        area_code=case.village_code,
        ip=ip,
        kind=case.kind,
        level=level,
        decision=decision,
        household_id=case.household_id,
        comment=comment.strip()[:200],
    )
