"""HTTP routes of printing: PDF downloads (login, area rules) and the public verify page."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
)

from server.auth.decorators import current_web_user, login_required
from server.db import get_session, writes
from server.i18n import label
from server.printing import binder, render, service
from server.web import content_disposition

bp = Blueprint("printing", __name__, template_folder="templates")
CHUNK = 256 * 1024


def _base_url() -> str:
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def _pdf(write_pdf: Callable[[IO[bytes]], None], filename: str, ascii_filename: str) -> Response:
    """A PDF rendered when the response is sent, after the request's transaction (the print's
    audit row) committed: on SQLite the one write lock is never held while WeasyPrint works.
    The whole PDF is written before its first byte goes out, so a failure is still an error
    page, never half a file."""

    def chunks() -> Iterator[bytes]:
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            write_pdf(spool)
            spool.seek(0)
            while block := spool.read(CHUNK):
                yield block

    response = Response(stream_with_context(chunks()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(filename, ascii_filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _send(job: service.PrintJob) -> Response:
    def write(spool: IO[bytes]) -> None:
        html = render.render_html(job.template, **job.context)
        render.render_pdf(html, job.attachments.get, spool)

    return _pdf(write, job.filename, job.ascii_filename)


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
    workers = current_app.config["PRINT_WORKERS"]

    def write(spool: IO[bytes]) -> None:
        blobs = service.load_blobs(session, job.image_shas)
        binder.render_binder(job.cover, job.forms, blobs, spool, meta=job.meta, workers=workers)

    return _pdf(write, job.filename, job.ascii_filename)


# The kinds of record a printed verification code names (its URL), as the labels know them.
VERIFIED_RECORDS = {
    "household": "household_archive",
    "work-form": "work_form",
    "event": "event_report",
}


@dataclass(frozen=True, slots=True)
class Verification:
    document: str  # the kind of record, labelled in the page's language
    ident: str
    matches: bool


@bp.get("/verify/<kind>/<ident>")
def verify(kind: str, ident: str) -> tuple[str, int] | str:
    result = service.verify(
        get_session(),
        kind=kind,
        ident=ident,
        digest=request.args.get("d", ""),
        base_url=_base_url(),
    )  # an unknown kind is a 404
    document = label("record_kind", VERIFIED_RECORDS.get(kind, kind))
    page = Verification(document, result.ident, result.matches)
    return render_template("printing/verify.html", result=page)
