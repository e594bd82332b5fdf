"""HTTP routes of printing: PDF downloads (login, area rules) and the public verify page."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

from flask import Blueprint, Response, current_app, render_template, request

from server.auth.decorators import current_web_user, login_required
from server.db import get_session, writes
from server.printing import binder, render, service
from server.web import content_disposition

bp = Blueprint("printing", __name__, template_folder="templates")
CHUNK = 256 * 1024


def _base_url() -> str:
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def _stream(spool: IO[bytes], filename: str, ascii_filename: str) -> Response:
    size = spool.tell()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(CHUNK):
                yield block

    response = Response(chunks(), mimetype="application/pdf", direct_passthrough=True)
    response.headers["Content-Disposition"] = content_disposition(filename, ascii_filename)
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _send(job: service.PrintJob) -> Response:
    get_session().commit()  # the print's audit row
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by the stream
    render.render_pdf(render.render_html(job.template, **job.context), job.attachments.get, spool)
    return _stream(spool, job.filename, job.ascii_filename)


@bp.get("/print/households/<household_code>/archive.pdf")
@writes  # the audit row
@login_required
def household_archive(household_code: str) -> Response:
    return _send(
        service.print_household_archive(
            get_session(), user=current_web_user(), code=household_code, base_url=_base_url()
        )
    )


@bp.get("/print/households/<household_code>/work-forms/<month>.pdf")
@writes  # the audit row
@login_required
def work_form(household_code: str, month: str) -> Response:
    return _send(
        service.print_work_form(
            get_session(),
            user=current_web_user(),
            code=household_code,
            month=month,
            base_url=_base_url(),
        )
    )


@bp.get("/print/events/<int:event_id>/report.pdf")
@writes  # the audit row
@login_required
def event_report(event_id: int) -> Response:
    return _send(
        service.print_event_report(
            get_session(), user=current_web_user(), event_id=event_id, base_url=_base_url()
        )
    )


@bp.get("/print/villages/<village_code>/binders/<month>.pdf")
@writes  # the audit row
@login_required
def village_binder(village_code: str, month: str) -> Response:
    session = get_session()
    job = service.prepare_binder(
        session,
        user=current_web_user(),
        village_code=village_code,
        month=month,
        base_url=_base_url(),
    )
    session.commit()
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by the stream
    binder.render_binder(
        job.cover,
        job.forms,
        service.load_blobs(session, job.image_shas),
        spool,
        meta=job.meta,
        workers=current_app.config["PRINT_WORKERS"],
    )
    return _stream(spool, job.filename, job.ascii_filename)


@bp.get("/verify/<kind>/<ident>")
def verify(kind: str, ident: str) -> tuple[str, int] | str:
    result = service.verify(
        get_session(),
        kind=kind,
        ident=ident,
        digest=request.args.get("d", ""),
        base_url=_base_url(),
    )
    return render_template("printing/verify.html", result=result)
