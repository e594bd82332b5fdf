"""Monitoring pages: the month's dashboard with drill-down (county → town → village →
household), warning cases and major-event handling. Views parse, gate, call one service
function, commit (writes only) and render."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import ColumnElement
from werkzeug.wrappers import Response

from server.access.policy import PAGE, masker, permits, sections
from server.access.viewer import web_viewer
from server.access.views import current_viewer, permission_required
from server.auth.decorators import current_web_user
from server.core import clock
from server.core.clock import Month
from server.db import get_session
from server.monitoring import cases as case_service
from server.monitoring import service
from server.monitoring.charts import bar_chart
from server.monitoring.rules import shortfalls_by
from server.monitoring.scope import area_code_of, area_prefix, narrow
from server.registry.models import HOUSEHOLD_STATUS_LABELS, HOUSEHOLD_TYPE_LABELS
from server.registry.queries import concerns_duty

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring", template_folder="templates")

TYPE_LABELS = HOUSEHOLD_TYPE_LABELS
STATUS_LABELS = HOUSEHOLD_STATUS_LABELS
FLAG_LABELS = {
    "gps_far": "定位远离住户 GPS far from the home",
    "too_short": "走访时间过短 very short visit",
    "device_burst": "同一设备短时多次走访 many visits from one device",
    "same_text": "文字与其他走访相同 same text as other visits",
    "same_photo": "照片与其他走访相同 same photo as other visits",
    "absent_member": "见到已故/外出成员 met a member recorded deceased/away",
}


def month_arg() -> Month:
    """`?month=YYYY-MM`, default: this month in China; anything else is a 400."""
    raw = request.args.get("month") or request.form.get("month")
    return Month.parse(raw) if raw else Month.of(clock.today())


def user_prefix() -> str:
    user = current_web_user()
    if user is None:  # permission_required ran first; kept for the type checker
        abort(401)
    try:
        return area_prefix(user.role, user.area_code)
    except ValueError:
        abort(403)


def user_duty() -> ColumnElement[bool] | None:
    """A department viewer's duty over households (access.policy); None for everyone whose
    area alone decides. Every household this blueprint lists or opens goes through it."""
    user = current_web_user()
    if user is None:
        abort(401)
    return concerns_duty(web_viewer(user), today=clock.today())


@bp.get("/")
@permission_required("view_monitoring")
def dashboard() -> str:
    month = month_arg()
    prefix = narrow(user_prefix(), request.args.get("area"))
    duty = user_duty()
    session = get_session()
    view = service.monthly_overview(
        session, month=month.first, prefix=prefix, today=clock.today(), duty=duty
    )
    history = service.trend(session, month=month.first, prefix=prefix, duty=duty)
    signals = (
        service.visit_signals(session, month=month.first, prefix=prefix, duty=duty)
        if len(prefix) > 6
        else ()
    )
    helpers = shortfalls_by(view.shortfalls, "helper") if view.level == "village" else {}
    charts = [
        bar_chart(
            "走访完成情况 Visits done vs required",
            history.labels,
            [("已走访 done", history.visits_done), ("应走访 required", history.visits_required)],
        ),
        bar_chart(
            "新纳入与重大变故 New inclusions and major events",
            history.labels,
            [("新纳入 new", history.new), ("重大变故 events", history.events)],
        ),
    ]
    return render_template(
        "monitoring/dashboard.html",
        view=view,
        charts=charts,
        signals=signals,
        helpers=helpers,
        area_name=service.area_name(session, area_code_of(prefix)),
        month=month,
        type_labels=TYPE_LABELS,
        status_labels=STATUS_LABELS,
        flag_labels=FLAG_LABELS,
        reason_labels=case_service.REASON_LABELS,
    )


@bp.get("/household/<code>")
@permission_required("view_monitoring")
def household(code: str) -> str:
    month = month_arg()
    detail = service.household_detail(
        get_session(), code=code, prefix=user_prefix(), month=month.first, duty=user_duty()
    )
    if detail is None:
        abort(404)
    viewer = current_viewer()
    return render_template(
        "monitoring/household.html",
        detail=detail,
        month=month,
        # the access policy: a viewer without the visits section (a department) sees the
        # indicators not met, not who visited or what the family said; free text is masked
        show_visits="visits" in sections(viewer),
        mask=masker(viewer, PAGE),
        flag_labels=FLAG_LABELS,
        reason_labels=case_service.REASON_LABELS,
        type_labels=TYPE_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.get("/cases")
@permission_required("view_monitoring")
def cases() -> str:
    month = month_arg() if request.args.get("month") else None
    found = case_service.list_cases(
        get_session(), prefix=user_prefix(), month=month.first if month else None, duty=user_duty()
    )
    return render_template(
        "monitoring/cases.html",
        cases=found,
        month=month,
        reason_labels=case_service.REASON_LABELS,
        may_work=permits(current_viewer(), "work_warning_cases"),
    )


@bp.post("/cases/open")
@permission_required("open_warning_cases")
def open_cases() -> Response:
    month = month_arg()
    session = get_session()
    report = case_service.open_warning_cases(
        session, month=month.first, prefix=user_prefix(), today=clock.today()
    )
    flash(
        f"新建预警 {report.opened} 件，更新 {report.refreshed} 件 / opened {report.opened}, "
        f"refreshed {report.refreshed}"
    )
    return redirect(url_for("monitoring.cases", month=str(month)))


@bp.post("/cases/<int:case_id>")
@permission_required("work_warning_cases")
def case_step(case_id: int) -> Response:
    session = get_session()
    user = current_web_user()
    case = case_service.get_case(session, case_id, prefix=user_prefix())
    case_service.record_step(
        session,
        case,
        step=request.form.get("step", ""),
        text=request.form.get("text", ""),
        decision=request.form.get("decision") or None,
        by=user.username if user else "",
        today=clock.today(),
    )
    flash(f"已更新预警 #{case_id} / case #{case_id} updated")
    return redirect(url_for("monitoring.cases"))


@bp.post("/events/<int:event_id>")
@permission_required("work_warning_cases")
def event_step(event_id: int) -> Response:
    session = get_session()
    user = current_web_user()
    case_service.advance_event(
        session,
        event_id,
        prefix=user_prefix(),
        measure=request.form.get("measure", ""),
        by=user.username if user else "",
    )
    flash(f"已更新重大变故 #{event_id} / event #{event_id} updated")
    return redirect(request.referrer or url_for("monitoring.dashboard"))
