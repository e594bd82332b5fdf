"""The county administrator's view of the audit log, filterable, newest first.

Its own blueprint (`audit.events` at /audit/), kept in admin because the log itself
(server/audit/) sits below auth so that every use case can write to it."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from server.access.views import permission_required
from server.admin.presenter import audit_rows
from server.areas.service import list_areas, this_year
from server.audit.models import ACTIONS
from server.audit.service import PAGE_SIZE, AuditFilter, list_events
from server.db import get_session
from server.i18n import code_labels, current_language
from server.web import date_arg, paging_id

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")


@bp.get("/")
@permission_required("view_audit")
def events() -> str:
    session, filters = get_session(), _filters()
    found = list_events(session, filters)
    older = None
    if len(found) == PAGE_SIZE:
        older = url_for("audit.events", **{**request.args.to_dict(), "before": found[-1].id})
    labels, lang = code_labels(), current_language()
    rows = audit_rows(
        found,
        area_names={a.code: a.name for a in list_areas(session, year=this_year())},
        labels=labels,
        lang=lang,
    )
    return render_template(
        "audit/events.html",
        events=rows,
        filters=filters,
        actions=labels.options("audit_action", lang),
        kinds=labels.options("record_kind", lang),
        older=older,
    )


def _filters() -> AuditFilter:
    args = request.args
    return AuditFilter(
        actor=args.get("actor") or None,
        action=args.get("action") if args.get("action") in ACTIONS else None,
        object_kind=args.get("object_kind") or None,
        object_id=args.get("object_id") or None,
        area_code=args.get("area_code") if (args.get("area_code") or "").isdigit() else None,
        since=date_arg("since"),
        until=date_arg("until"),
        before_id=paging_id("before"),
    )
