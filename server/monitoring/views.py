"""Monitoring pages: the month's dashboard with drill-down (county → town → village →
household), warning cases and major-event handling. Views parse, gate, call the service,
present its results for the viewer (`monitoring.pages`) and render; who may see and do what is
the access policy's (`access.policy`), asked through `access.views`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import ColumnElement
from werkzeug.wrappers import Response

from server.access.policy import sections
from server.access.views import current_viewer, permission_required
from server.core import clock
from server.core.clock import Month
from server.db import get_session
from server.i18n import code_labels, current_language
from server.monitoring import cases as case_service
from server.monitoring import pages, service, signals, trend
from server.monitoring.household import household_detail, list_cases
from server.monitoring.loading import area_name
from server.monitoring.scope import area_code_of, area_prefix
from server.registry.queries import concerns_duty
from server.web import page_before

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring", template_folder="templates")


def month_arg() -> Month:
    """`?month=YYYY-MM`, default: this month in China; anything else is a 400."""
    raw = request.args.get("month") or request.form.get("month")
    return Month.parse(raw) if raw else Month.of(clock.today())


def user_prefix(requested: str | None = None) -> str:
    """The viewer's villages as a code prefix (access.policy's scope), or the area it asked
    for inside them; a viewer whose account reaches no village is refused."""
    try:
        return area_prefix(current_viewer(), requested)
    except ValueError:
        abort(403)


def user_duty() -> ColumnElement[bool] | None:
    """A department viewer's duty over households (access.policy); None for everyone whose
    area alone decides. Every household this blueprint lists or opens goes through it."""
    return concerns_duty(current_viewer(), today=clock.today())


@bp.get("/")
@permission_required("view_monitoring")
def dashboard() -> str:
    month, viewer, session = month_arg(), current_viewer(), get_session()
    prefix, duty, today = user_prefix(request.args.get("area")), user_duty(), clock.today()
    overview = service.monthly_overview(
        session, month=month.first, prefix=prefix, today=today, duty=duty
    )
    # Authenticity signals are about the visits: per town or village, for those who see visits.
    shows_signals = len(prefix) > 6 and "visits" in sections(viewer)
    page = pages.present_dashboard(
        overview,
        trend.trend(session, month=month.first, prefix=prefix, duty=duty),
        signals.visit_signals(session, month=month.first, prefix=prefix, duty=duty)
        if shows_signals
        else None,
        viewer=viewer,
        month=month,
        area_name=area_name(session, area_code_of(prefix)),
        labels=code_labels(),
        lang=current_language(),
        gettext=_,
    )
    return render_template("monitoring/dashboard.html", page=page)


@bp.get("/household/<code>")
@permission_required("view_monitoring")
def household(code: str) -> str:
    month, viewer = month_arg(), current_viewer()
    detail = household_detail(
        get_session(), viewer, code=code, month=month.first, today=clock.today()
    )
    if detail is None:
        abort(404)
    page = pages.present_household(
        detail,
        viewer=viewer,
        month=month,
        labels=code_labels(),
        lang=current_language(),
        gettext=_,
    )
    return render_template("monitoring/household.html", page=page)


@bp.get("/cases")
@permission_required("view_monitoring")
def cases() -> str:
    month = month_arg() if request.args.get("month") else None
    found = list_cases(
        get_session(), prefix=user_prefix(), month=month.first if month else None, duty=user_duty()
    )
    page = pages.present_cases(
        found,
        viewer=current_viewer(),
        month=month,
        labels=code_labels(),
        lang=current_language(),
        gettext=_,
    )
    return render_template("monitoring/cases.html", page=page)


@bp.post("/cases/open")
@permission_required("open_warning_cases")
def open_cases() -> Response:
    month = month_arg()
    report = case_service.open_warning_cases(
        get_session(), month=month.first, prefix=user_prefix(), today=clock.today()
    )
    flash(
        _(
            "新建预警 %(opened)s 件，更新 %(refreshed)s 件",
            opened=report.opened,
            refreshed=report.refreshed,
        )
    )
    return redirect(url_for("monitoring.cases", month=str(month)))


@bp.post("/cases/<int:case_id>")
@permission_required("work_warning_cases")
def case_step(case_id: int) -> Response:
    session = get_session()
    case = case_service.get_case(session, case_id, prefix=user_prefix())
    case_service.record_step(
        session,
        case,
        step=request.form.get("step", ""),
        text=request.form.get("text", ""),
        decision=request.form.get("decision") or None,
        by=current_viewer().username or "",
        today=clock.today(),
    )
    flash(_("已更新预警 #%(id)s", id=case_id))
    return redirect(url_for("monitoring.cases"))


@bp.post("/events/<int:event_id>")
@permission_required("work_warning_cases")
def event_step(event_id: int) -> Response:
    case_service.advance_event(
        get_session(),
        event_id,
        prefix=user_prefix(),
        measure=request.form.get("measure", ""),
        by=current_viewer().username or "",
    )
    flash(_("已更新重大变故 #%(id)s", id=event_id))
    return redirect(page_before(url_for("monitoring.dashboard")))
