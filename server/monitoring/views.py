"""Monitoring pages: the month's dashboard with drill-down (county → town → village →
household), warning cases and major-event handling. Views parse, gate, call one service
function, commit (writes only) and render."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import ColumnElement
from werkzeug.wrappers import Response

from server.access.policy import PAGE, masker, permits, sections
from server.access.viewer import web_viewer
from server.access.views import current_viewer, permission_required
from server.areas.service import CHINA
from server.auth.decorators import current_web_user
from server.db import get_session
from server.errors import BadArgument
from server.monitoring import cases as case_service
from server.monitoring import service
from server.monitoring.charts import bar_chart
from server.monitoring.rules import shortfalls_by
from server.monitoring.scope import area_code_of, area_prefix, narrow
from server.registry.models import HOUSEHOLD_STATUS_LABELS, HOUSEHOLD_TYPE_LABELS
from server.registry.queries import concerns_duty
from server.web import month_value

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


def today() -> date:
    return datetime.now(CHINA).date()


def month_arg() -> date:
    """`?month=YYYY-MM`, default: the current month."""
    raw = request.args.get("month") or request.form.get("month")
    if not raw:
        return today().replace(day=1)
    first = month_value(raw)
    if first is None:
        raise BadArgument("月份 month 无效，应为 YYYY-MM / the month is invalid: YYYY-MM")
    return first


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
    return concerns_duty(web_viewer(user), today=today())


@bp.get("/")
@permission_required("view_monitoring")
def dashboard() -> str:
    month = month_arg()
    prefix = narrow(user_prefix(), request.args.get("area"))
    duty = user_duty()
    session = get_session()
    view = service.monthly_overview(session, month=month, prefix=prefix, today=today(), duty=duty)
    history = service.trend(session, month=month, prefix=prefix, duty=duty)
    signals = (
        service.visit_signals(session, month=month, prefix=prefix, duty=duty)
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
        get_session(), code=code, prefix=user_prefix(), month=month, duty=user_duty()
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
        get_session(), prefix=user_prefix(), month=month, duty=user_duty()
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
        session, month=month, prefix=user_prefix(), today=today()
    )
    session.commit()
    flash(
        f"新建预警 {report.opened} 件，更新 {report.refreshed} 件 / opened {report.opened}, "
        f"refreshed {report.refreshed}"
    )
    return redirect(url_for("monitoring.cases", month=f"{month:%Y-%m}"))


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
        today=today(),
    )
    session.commit()
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
        now=datetime.now(CHINA),
    )
    session.commit()
    flash(f"已更新重大变故 #{event_id} / event #{event_id} updated")
    return redirect(request.referrer or url_for("monitoring.dashboard"))
