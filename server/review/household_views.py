"""Household pages and the approval chain (village → town → county)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from server.access.policy import duty_reach
from server.access.viewer import web_viewer
from server.areas.service import this_year
from server.auth.decorators import login_required
from server.core import clock
from server.core.errors import DomainError
from server.db import get_session
from server.i18n import code_labels, current_language
from server.monitoring.household import visit_tallies
from server.review import approval, household, moves, service
from server.review.forms import DecisionForm, MoveForm, ProposalForm, RevealForm
from server.review.household_page import present_household
from server.review.pages import household_statuses, present_approvals, present_households
from server.review.views import _code, _me, bp
from server.web import paging_id


@bp.get("/households")
@login_required
def households() -> str:
    session = get_session()
    statuses = household_statuses(code_labels(), current_language())
    status = request.args.get("status")
    status = status if status in dict(statuses) else None
    rows = household.list_households(
        session,
        _me(),
        status=status,
        village=_code(request.args.get("village")),
        after_id=paging_id("after"),
    )
    return render_template(
        "review/households.html",
        rows=present_households(
            rows,
            labels=code_labels(),
            lang=current_language(),
            area_names=service.area_names(session),
        ),
        status=status,
        statuses=statuses,
        narrowed_by_duty=duty_reach(web_viewer(_me()), clock.today()) is not None,
        page_size=household.PAGE_SIZE,
    )


@bp.get("/households/<code>")
@login_required
def household_page(code: str, *, revealed: frozenset[str] = frozenset(), status: int = 200):
    session = get_session()
    record, cases = household.get_household(session, _me(), code)
    months = {v.visited_on.replace(day=1) for v in record.visits if v.visited_on}
    page = present_household(
        record,
        cases,
        tallies={
            month: tally
            for (_, month), tally in visit_tallies(session, [record.household.id], months).items()
        },
        viewer=web_viewer(_me()),
        revealed=revealed,
        labels=code_labels(),
        lang=current_language(),
        village_names=service.area_names(session),
    )
    return render_template(
        "review/household.html",
        p=page,
        reveal_form=RevealForm(),
        proposal=ProposalForm(),
        decision=DecisionForm(),
        move_form=MoveForm(),
        move_to=moves.destinations(session, _me(), record.household, year=this_year()),
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
    household.get_household_in_scope(session, _me(), code)  # 404 before anything else
    if form.validate_on_submit():
        _try(
            lambda: approval.propose(
                session,
                _me(),
                code,
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
    rows = present_approvals(
        approval.list_awaiting(session, _me()),
        viewer=web_viewer(_me()),
        labels=code_labels(),
        lang=current_language(),
        area_names=service.area_names(session),
    )
    return render_template("review/approvals.html", rows=rows)
