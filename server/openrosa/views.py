"""OpenRosa routes. Views adapt HTTP only: authenticate, call one service, render XML."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from flask import Response, current_app, g, request, url_for
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date

from server.areas.service import this_year
from server.auth.errors import Unauthenticated
from server.core import clock
from server.core.errors import AccessDenied, DomainError
from server.db import get_session, read_transaction
from server.forms.models import FormVersion
from server.forms.service import get_form_version, list_current_versions
from server.ingest.instance import Limits
from server.ingest.service import Outcome, prepare_submission, store_submission
from server.openrosa import bp
from server.openrosa.media import get_media, list_media
from server.openrosa.phone_auth import challenge_headers, current_app_user, phone_login_required
from server.openrosa.upload import read_upload

XML = "text/xml; charset=utf-8"


def route(rule: str, **options: object):  # type: ignore[no-untyped-def]
    """Register a view at `rule` and at `/key/<token>` + `rule` (token-in-URL app users)."""

    def decorator(view):  # type: ignore[no-untyped-def]
        bp.add_url_rule(f"/key/<token>{rule}", view_func=view, **options)  # type: ignore[arg-type]
        bp.add_url_rule(rule, view_func=view, **options)  # type: ignore[arg-type]
        return view

    return decorator


@route("/formList", methods=["GET"])
@phone_login_required
def form_list() -> Response:
    user = current_app_user()
    versions = list_current_versions(get_session(), xml_form_ids=user.form_ids)
    items = [_form_list_item(version) for version in versions]
    return _xml("openrosa/form_list.xml", items=items)


@route("/forms/<form_id>/<version>/form.xml", methods=["GET"])
@phone_login_required
def form_xml(form_id: str, version: str) -> Response:
    found = _permitted_version(form_id, version)
    response = Response(found.xform, content_type=XML)
    return _conditional(response, found.xform_md5)


@route("/forms/<form_id>/<version>/manifest", methods=["GET"])
@phone_login_required
def manifest(form_id: str, version: str) -> Response:
    found = _permitted_version(form_id, version)
    media = list_media(get_session(), current_app_user(), found, year=_year())
    items = [
        {
            "filename": m.filename,
            "md5": m.md5,
            "download_url": _absolute_url(
                "openrosa.media", form_id=form_id, version=version, filename=m.filename
            ),
        }
        for m in media
    ]
    return _xml("openrosa/manifest.xml", items=items)


@route("/forms/<form_id>/<version>/media/<filename>", methods=["GET"])
@phone_login_required
def media(form_id: str, version: str, filename: str) -> Response:
    found = _permitted_version(form_id, version)
    item = get_media(get_session(), current_app_user(), found, filename, year=_year())
    response = Response(item.content, content_type=item.content_type)
    return _conditional(response, item.md5)


@route("/submission", methods=["HEAD"])
@phone_login_required
def submission_head() -> Response:
    # Collect reads the upload limit from a 204 only (openrosa.md §5.2); never answer 200 here.
    return Response(status=204)


@route("/submission", methods=["POST"])
@phone_login_required
def submit() -> Response:
    # request.stream enforces MAX_CONTENT_LENGTH (413) as the body is read.
    upload = read_upload(request.content_type or "", _chunks(request.stream))
    user = current_app_user()
    # Reads and checks first, outside the write transaction (one writer at a time on SQLite).
    with read_transaction() as reader:
        prepared = prepare_submission(
            reader, xml=upload.xml, files=upload.files, user=user, year=_year(), limits=_limits()
        )
    outcome = store_submission(get_session(), prepared, device_id=request.args.get("deviceID"))
    # The 201 leaves only after the request's transaction committed (server.db.App): a phone
    # told "received" has its submission on disk. The submission worker (ingest.worker)
    # normalises it into the registry later.
    return _xml(
        "openrosa/message.xml",
        status=201,
        nature="submit_success",
        message=_success_message(outcome),
    )


def _chunks(stream: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    return iter(lambda: stream.read(size), b"")


def _success_message(outcome: Outcome) -> str:
    name = outcome.instance_name or outcome.instance_id
    if outcome.created:
        return f"提交成功：{name} / Received: {name}"
    return f"已收到（此前已提交）：{name} / Already received: {name}"


def _limits() -> Limits:
    config = current_app.config
    return Limits(
        max_xml_bytes=config["OPENROSA_MAX_XML_BYTES"],
        max_repeat_items=config["OPENROSA_MAX_REPEAT_ITEMS"],
    )


def _permitted_version(form_id: str, version: str) -> FormVersion:
    if form_id not in current_app_user().form_ids:
        raise AccessDenied(f"您无权使用表单 {form_id} / you may not use form {form_id}")
    return get_form_version(get_session(), form_id, version)


def _form_list_item(version: FormVersion) -> dict[str, str | None]:
    form_id = version.form.xml_form_id
    values = {"form_id": form_id, "version": version.version}
    return {
        "form_id": form_id,
        "name": version.title,
        "version": version.version,
        "md5": version.xform_md5,
        "download_url": _absolute_url("openrosa.form_xml", **values),
        "manifest_url": _absolute_url("openrosa.manifest", **values)
        if version.schema.media
        else None,
    }


def _absolute_url(endpoint: str, **values: str) -> str:
    """An absolute URL on the host the phone used (openrosa.md §1.1).

    url_for percent-encodes each path segment (spaces, Chinese file names), as Collect's
    `new URL(s).toURI()` requires (§2.3).
    """
    token = g.get("url_token")
    path = url_for(endpoint, token=token, **values) if token else url_for(endpoint, **values)
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def _year() -> int:
    return this_year()


def _xml(template: str, *, status: int = 200, **context: object) -> Response:
    # Rendered from the app's Jinja environment (autoescaped .xml) with exactly this context:
    # these documents need no request, session or context processors.
    body = current_app.jinja_env.get_template(template).render(context).encode("utf-8")
    response = Response(body, status=status, content_type=XML)
    return _conditional(response, None) if status == 200 else response


def _conditional(response: Response, etag: str | None) -> Response:
    # No max-age: a cached list would hide new forms (openrosa.md §0.5). Revalidation with the
    # ETag lets OkHttp's cache answer unchanged lists and forms with a cheap 304.
    response.headers["Cache-Control"] = "private, no-cache"
    if etag:
        response.set_etag(etag)
    else:
        response.add_etag()
    return response.make_conditional(request)


@bp.after_request
def _openrosa_headers(response: Response) -> Response:
    response.headers["X-OpenRosa-Version"] = "1.0"
    response.headers["X-OpenRosa-Accept-Content-Length"] = str(
        current_app.config["OPENROSA_MAX_BYTES"]
    )
    response.headers["Date"] = http_date(clock.now())
    return response


@bp.errorhandler(HTTPException)
def _http_as_openrosa(err: HTTPException) -> Response:
    """Werkzeug's own refusals (413 body too large, 405…) as messages Collect can show."""
    status = err.code or 500
    message = {
        413: f"提交内容超过服务器上限 {current_app.config['OPENROSA_MAX_BYTES']} 字节 / the "
        "upload is larger than the server accepts",
    }.get(status, f"{err.name}: {err.description}")
    return _xml("openrosa/message.xml", status=status, message=message, nature="error")


@bp.errorhandler(OperationalError)
def _database_busy(_err: OperationalError) -> Response:
    """A database that is busy or away: the phone keeps the form and retries later."""
    response = _xml(
        "openrosa/message.xml",
        status=503,
        nature="error",
        message="服务器繁忙，请稍后重试 / the server is busy, try again later",
    )
    response.headers["Retry-After"] = "60"
    return response


@bp.errorhandler(DomainError)
def _as_openrosa(err: DomainError) -> Response:
    response = _xml("openrosa/message.xml", status=err.status, message=err.message, nature="error")
    if "retry_after" in err.details:  # 429 throttled, 503 shared state away
        response.headers["Retry-After"] = str(err.details["retry_after"])
    if isinstance(err, Unauthenticated):
        for name, value in challenge_headers(stale=err.stale):
            response.headers.add(name, value)
    return response
