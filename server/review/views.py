"""The supervisors' pages: submission queue, submission detail, review decisions.

Views are adapters: parse the request, call one service, commit once for a write, render.
The services check role and scope; an out-of-scope id answers 404 like a missing one.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from server.access.policy import permits
from server.access.viewer import web_viewer
from server.auth.decorators import current_web_user, login_required
from server.auth.models import WebUser
from server.core.errors import AccessDenied, DomainError
from server.db import get_session
from server.i18n import code_labels, current_language
from server.review import service
from server.review.forms import ExportForm, RevealForm, ReviewForm
from server.review.models import REVIEW_STATES
from server.review.pages import present_queue
from server.review.presenter import present
from server.web import content_disposition, date_arg, paging_id

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")


def _me() -> WebUser:
    user = current_web_user()
    if user is None:  # login_required ran first; never reached
        raise AccessDenied()
    return user


@bp.get("/submissions")
@login_required
def queue() -> str:
    filters = _queue_filter()
    session = get_session()
    rows = service.list_queue(session, _me(), filters)
    older = None
    if len(rows) == service.PAGE_SIZE:
        args = request.args.to_dict(flat=False) | {"before": [str(rows[-1].version_id)]}
        older = url_for("review.queue", **args)
    page = present_queue(
        rows,
        service.filter_choices(session, _me()),
        viewer=web_viewer(_me()),
        labels=code_labels(),
        lang=current_language(),
        area_names=service.area_names(session),
    )
    return render_template("review/queue.html", page=page, filters=filters, older=older)


def _queue_filter() -> service.QueueFilter:
    args = request.args
    types = code_labels().of_list("household_type")
    return service.QueueFilter(
        form=args.get("form") or None,
        town=_code(args.get("town")),
        village=_code(args.get("village")),
        since=date_arg("since"),
        until=date_arg("until"),
        state=args.get("state") if args.get("state") in REVIEW_STATES else None,
        household_type=args.get("type") if args.get("type") in types else None,
        flags=frozenset(f for f in args.getlist("flag") if f in service.FLAGS),
        before_id=paging_id("before"),
    )


def _code(value: str | None) -> str | None:
    return value if value and value.isdigit() and len(value) == 12 else None


@bp.get("/submissions/<int:submission_id>")
@login_required
def detail(submission_id: int, *, revealed: bool = False, form: ReviewForm | None = None) -> str:
    session = get_session()
    viewer = web_viewer(_me())
    page = present(
        service.get_submission_detail(session, _me(), submission_id),
        viewer=viewer,
        revealed=revealed,
        labels=code_labels(),
        lang=current_language(),
        area_names=service.area_names(session),
    )
    return render_template(
        "review/detail.html",
        page=page,
        form=form or ReviewForm(),
        reveal_form=RevealForm(),
        export_form=ExportForm(),
        can_set_state=permits(viewer, "set_review_state"),
        can_requeue=permits(viewer, "requeue_submission"),
    )


@bp.post("/submissions/<int:submission_id>/review")
@login_required
def decide(submission_id: int) -> Response | tuple[str, int]:
    form = ReviewForm()
    if not form.validate_on_submit():
        return detail(submission_id, form=form), 400
    session = get_session()
    try:
        service.review_submission(
            session,
            _me(),
            submission_id,
            state=form.state.data or None,
            comment=form.comment.data or "",
            ip=request.remote_addr,
        )
    except DomainError as err:
        if err.status in {403, 404}:
            raise
        form.comment.errors = [*form.comment.errors, err.message]
        return detail(submission_id, form=form), err.status  # rolled back: an error status
    flash("已保存审核意见 / review saved")
    return redirect(url_for("review.detail", submission_id=submission_id))


@bp.post("/submissions/<int:submission_id>/requeue")
@login_required
def requeue(submission_id: int) -> Response:
    if ExportForm().validate_on_submit():
        session = get_session()
        service.requeue_submission(session, _me(), submission_id, ip=request.remote_addr)
        flash("已交给后台重新处理 / sent to the submission worker again")
    return redirect(url_for("review.detail", submission_id=submission_id))


@bp.post("/submissions/<int:submission_id>/reveal")
@login_required
def reveal(submission_id: int) -> str | Response:
    if not RevealForm().validate_on_submit():
        return redirect(url_for("review.detail", submission_id=submission_id))
    session = get_session()
    service.reveal_submission(session, _me(), submission_id, ip=request.remote_addr)
    return detail(submission_id, revealed=True)


@bp.get("/versions/<int:version_id>/files/<path:filename>")
@login_required
def attachment(version_id: int, filename: str) -> Response:
    content, content_type = service.get_attachment(get_session(), _me(), version_id, filename)
    # Only pictures are shown inline; anything else a phone sent is a download, never a page.
    inline = (content_type or "").startswith("image/") and "svg" not in (content_type or "")
    response = Response(content, mimetype=content_type if inline else "application/octet-stream")
    if not inline:
        response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/versions/<int:version_id>/raw.xml")
@login_required
def raw_xml(version_id: int) -> Response:
    if not ExportForm().validate_on_submit():
        return redirect(url_for("review.queue"))
    session = get_session()
    xml = service.export_xml(session, _me(), version_id, ip=request.remote_addr)
    response = Response(xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = content_disposition(f"version-{version_id}.xml")
    return response
