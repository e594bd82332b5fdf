"""Export pages: the registry or a form's submissions as a streamed CSV-in-ZIP or XLSX, and
the monthly report (XLSX, PDF). Personal data is masked unless the role may see it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from server.access.policy import EXPORT, duty_reach, masker, narrowed, permits, scope_of
from server.access.views import current_viewer, permission_required
from server.auth.decorators import current_web_user
from server.core import clock
from server.db import get_session, writes
from server.exports import report as report_service
from server.exports.service import (
    ExportFilter,
    record_export,
    registry_export,
    submissions_export,
)
from server.exports.writers import ChunkSink, write_csv_zip, write_xlsx
from server.forms.service import list_forms
from server.monitoring.views import user_duty, user_prefix
from server.web import content_disposition, date_arg, month_value

bp = Blueprint("exports", __name__, url_prefix="/exports", template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class ExportForm:
    title: str
    form_id: str


@dataclass(frozen=True, slots=True)
class ExportsPage:
    """What the export page tells this viewer, from the one access policy."""

    masked: bool  # ID numbers, phones, names and locations come masked
    duty_limited: bool  # only the households a department's duty concerns
    area_hint: str  # the area filter's placeholder: the viewer's own area
    forms: tuple[ExportForm, ...]  # whose submissions it may export (none for departments)


@bp.get("/")
@permission_required("export_registry")
def index() -> str:
    viewer = current_viewer()
    forms = list_forms(get_session()) if permits(viewer, "export_submissions") else ()
    page = ExportsPage(
        masked=not masker(viewer, EXPORT).full_ids,
        duty_limited=duty_reach(viewer, clock.today()) is not None,
        area_hint=viewer.area_code or "440233",
        forms=tuple(ExportForm(f.title, f.xml_form_id) for f in forms),
    )
    return render_template("exports/index.html", page=page)


@bp.get("/registry.<fmt>")
@writes  # the audit row
@permission_required("export_registry")
def registry(fmt: str) -> Response:
    export_filter = _checked_filter(fmt)
    tables = registry_export(get_session(), export_filter)
    _audit("registry", None, fmt, export_filter)
    return _download(tables, f"registry-{clock.today():%Y%m%d}", fmt)


@bp.get("/submissions/<form_id>.<fmt>")
@writes  # the audit row
@permission_required("export_submissions")
def submissions(form_id: str, fmt: str) -> Response:
    export_filter = _checked_filter(fmt)
    tables = submissions_export(get_session(), form_id, export_filter)  # an unknown form: 404
    _audit("submissions", form_id, fmt, export_filter)
    return _download(tables, f"{form_id}-{clock.today():%Y%m%d}", fmt)


@bp.get("/report-<month>.<fmt>")
@writes  # the audit row
@permission_required("monthly_report")
def report(month: str, fmt: str) -> Response:
    period = month_value(month)
    if fmt not in ("xlsx", "pdf") or period is None:
        abort(404)
    _audit("monthly_report", month, fmt, _filter())
    context = report_service.monthly_report(
        get_session(),
        month=period.first,
        prefix=user_prefix(),
        today=clock.today(),
        duty=user_duty(),
    )
    if fmt == "pdf":
        body, mimetype = report_service.render_pdf(context), "application/pdf"
    else:
        body, mimetype = report_service.render_xlsx(context), XLSX
    disposition = content_disposition(f"monthly-report-{month}.{fmt}")
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _audit(kind: str, what: str | None, fmt: str, export_filter: ExportFilter) -> None:
    """Every export is on record, committed before the first byte is streamed."""
    session = get_session()
    record_export(
        session,
        current_web_user(),
        kind=kind,
        what=what,
        fmt=fmt,
        export_filter=export_filter,
        ip=request.remote_addr,
    )


def _checked_filter(fmt: str) -> ExportFilter:
    """The filter of a table export, once its format is known to be one we write (else 404)."""
    if fmt not in STREAMED:
        abort(404)
    return _filter()


def _filter() -> ExportFilter:
    viewer, area = current_viewer(), request.args.get("area") or None
    scope = narrowed(viewer, area)
    return ExportFilter(
        scope=scope,
        masker=masker(viewer, EXPORT),
        area_code=area if area and scope != scope_of(viewer) else None,
        date_from=date_arg("from"),
        date_to=date_arg("to"),
        duty=user_duty(),
    )


def _download(tables, name: str, fmt: str) -> Response:  # type: ignore[no-untyped-def]
    chunks, mimetype = STREAMED[fmt]
    body = stream_with_context(chunks(tables))
    disposition = content_disposition(f"{name}.{fmt}")
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _zip_chunks(tables) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    """The ZIP as it is written: each batch of rows goes out before the next is read."""
    sink = ChunkSink()
    for _ in write_csv_zip(tables, sink):
        yield sink.drain()
    yield sink.drain()


def _xlsx_chunks(tables) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    """XLSX is a ZIP written at the end: build it in a temporary file, then send the file."""
    with tempfile.TemporaryFile() as spool:
        for _ in write_xlsx(tables, spool):
            pass
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            yield chunk


STREAMED = {"zip": (_zip_chunks, "application/zip"), "xlsx": (_xlsx_chunks, XLSX)}
