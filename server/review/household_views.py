"""Household pages and the approval chain (village → town → county)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from server.access.policy import STAGE_ROLE
from server.areas.service import this_year
from server.auth.decorators import login_required
from server.auth.roles import DEPARTMENTS
from server.core.errors import DomainError
from server.db import get_session
from server.i18n import current_language
from server.registry.models import HOUSEHOLD_TYPE_LABELS
from server.review import approval, household, moves, service
from server.review.forms import DecisionForm, MoveForm, ProposalForm, RevealForm
from server.review.views import _code, _me, bp
from server.web import paging_id

STATUS_LABELS = {
    "pending_review": "待审核 Pending review",
    "monitored": "监测中 Under monitoring",
    "risk_eliminated": "风险已消除 Risk eliminated",
    "rejected": "未纳入 Not included",
}
LEVEL_LABELS = {"village": "村 Village", "town": "镇 Town", "county": "县 County"}
INDICATOR_LABELS = {
    "food": "不愁吃 Food",
    "clothing": "不愁穿 Clothing",
    "education": "义务教育有保障 Compulsory education",
    "medical": "基本医疗有保障 Basic medical care",
    "housing": "住房安全有保障 Safe housing",
    "water_quantity": "饮水：水量 Water quantity",
    "water_quality": "饮水：水质 Water quality",
    "water_convenience": "饮水：方便 Water convenience",
    "water_reliability": "饮水：保证率 Water reliability",
    "bayou:all": "八有：全部达到 All eight",
}
HELPER_LABELS = {
    "party_secretary": "村支书 Party secretary",
    "first_secretary": "驻村第一书记 First secretary",
    "team_leader": "驻村队长 Work-team leader",
    "contact": "帮扶联系人 Contact helper",
}
OUTCOME_LABELS = {"confirmed": "县已确认 Confirmed", "withdrawn": "已撤回 Withdrawn"}
DECISION_LABELS = {
    "proposed": "提议 Proposed",
    "approved": "同意 Approved",
    "rejected": "退回 Returned",
    "withdrawn": "撤回 Withdrawn",
}


@bp.get("/households")
@login_required
def households() -> str:
    session = get_session()
    status = request.args.get("status") if request.args.get("status") in STATUS_LABELS else None
    rows = household.list_households(
        session,
        _me(),
        status=status,
        village=_code(request.args.get("village")),
        after_id=paging_id("after"),
    )
    return render_template(
        "review/households.html",
        rows=rows,
        status=status,
        statuses=STATUS_LABELS,
        types=HOUSEHOLD_TYPE_LABELS,
        names=service.area_names(session),
        page_size=household.PAGE_SIZE,
    )


@bp.get("/households/<code>")
@login_required
def household_page(code: str, *, revealed: frozenset[str] = frozenset(), status: int = 200):
    session = get_session()
    page = household.get_household_page(session, _me(), code, lang=current_language())
    me = _me()
    case = next((c for c in page.cases if c.stage != "closed"), None)
    return render_template(
        "review/household.html",
        p=page,
        h=page.household,
        revealed=revealed,
        case=case,
        my_stage=case is not None and STAGE_ROLE.get(case.stage) == me.role,
        can_propose=me.role == "village_committee",
        reveal_form=RevealForm(),
        proposal=ProposalForm(),
        decision=DecisionForm(),
        move_form=MoveForm(),
        move_to=moves.destinations(session, me, page.household, year=this_year()),
        names=service.area_names(session),
        statuses=STATUS_LABELS,
        types=HOUSEHOLD_TYPE_LABELS,
        kinds=approval.KIND_LABELS,
        stages=approval.STAGE_LABELS,
        levels=LEVEL_LABELS,
        decisions=DECISION_LABELS,
        departments=DEPARTMENTS,
        indicator_labels=INDICATOR_LABELS,
        helper_labels=HELPER_LABELS,
        outcomes=OUTCOME_LABELS,
    ), status


@bp.post("/households/<code>/reveal")
@login_required
def household_reveal(code: str):  # type: ignore[no-untyped-def]
    form = RevealForm()
    if not form.validate_on_submit():
        return redirect(url_for("review.household_page", code=code))
    session = get_session()
    household.reveal(session, _me(), code, form.what.data or "", ip=request.remote_addr)
    return household_page(code, revealed=frozenset({form.what.data or ""}))


@bp.post("/households/<code>/propose")
@login_required
def propose(code: str) -> Response:
    form = ProposalForm()
    session = get_session()
    target = household.get_household_in_scope(session, _me(), code)
    if form.validate_on_submit():
        _try(
            lambda: approval.propose(
                session,
                _me(),
                target,
                kind=form.kind.data or "",
                comment=form.comment.data or "",
                publicity_start=form.publicity_start.data,
                publicity_end=form.publicity_end.data,
                ip=request.remote_addr,
            ),
            "已提交镇审核 / sent to the town for review",
        )
    return redirect(url_for("review.household_page", code=code))


@bp.post("/households/<code>/decide")
@login_required
def decide_case(code: str) -> Response:
    form = DecisionForm()
    session = get_session()
    household.get_household_in_scope(session, _me(), code)
    if form.validate_on_submit() and (form.case_id.data or "").isdigit():
        case_id, comment, ip = (
            int(form.case_id.data or 0),
            form.comment.data or "",
            request.remote_addr,
        )
        if form.decision.data == "withdraw":
            _try(
                lambda: approval.withdraw(session, _me(), case_id, comment=comment, ip=ip),
                "已撤回 / withdrawn",
            )
            return redirect(url_for("review.household_page", code=code))
        approve = form.decision.data == "approve"
        _try(
            lambda: approval.decide(
                session, _me(), case_id, approve=approve, comment=comment, ip=ip
            ),
            "已同意 / approved" if approve else "已退回下一级 / returned one level down",
        )
    return redirect(url_for("review.household_page", code=code))


def _try(action, done: str) -> None:  # type: ignore[no-untyped-def]
    """Run one action and say so, or undo what it wrote and say why (403/404 raise). The page
    then redirects (a success for the request's transaction), so the undo is a savepoint."""
    try:
        with get_session().begin_nested():
            action()
    except DomainError as err:
        if err.status in {403, 404}:
            raise
        flash(f"未完成 / not done: {err.message}")
        return
    flash(done)


@bp.post("/households/<code>/move")
@login_required
def move(code: str) -> Response:
    form = MoveForm()
    if form.validate_on_submit():
        _try(
            lambda: moves.move_household(
                get_session(),
                _me(),
                code,
                to_village=form.to_village.data or "",
                reason=form.reason.data or "",
                year=this_year(),
                ip=request.remote_addr,
            ),
            "已迁移 / moved",
        )
    return redirect(url_for("review.household_page", code=code))


@bp.get("/approvals")
@login_required
def approvals() -> str:
    session = get_session()
    rows = approval.list_awaiting(session, _me())
    return render_template(
        "review/approvals.html",
        rows=rows,
        kinds=approval.KIND_LABELS,
        stages=approval.STAGE_LABELS,
        names=service.area_names(session),
        stage_role=STAGE_ROLE,
    )
