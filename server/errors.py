"""The error pages and JSON bodies people get (the errors themselves: server/core/errors.py).

OpenRosa routes render their own errors as OpenRosaResponse XML (server/openrosa/views.py);
everything else answers a browser with a readable page in the page's language (the error's own
message as it is) and anything else with JSON. Never a bare stack trace.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from server.core.errors import DomainError
from server.security_headers import add_security_headers

# The page around an error speaks the page's language; the error's own message (a DomainError's)
# stays "中文 / English": it also reaches phones, logs and the command line.
TITLES = {
    400: _l("请求有误"),
    401: _l("需要登录"),
    403: _l("无权访问"),
    404: _l("找不到页面"),
    405: _l("不支持的请求方式"),
    409: _l("数据冲突"),
    413: _l("上传内容过大"),
    422: _l("内容无法处理"),
    429: _l("尝试过于频繁，请稍后再试"),
    500: _l("服务器出错"),
}
# What a page says for an HTTP error (no DomainError to tell more); JSON clients get MESSAGES,
# or werkzeug's description.
PAGE_MESSAGES = {
    400: _l("请求无效或页面已过期，请返回重试。"),
    404: _l("您要找的页面不存在。"),
    405: _l("此页面不接受这种请求。"),
    413: _l("上传的内容超过了允许的大小。"),
    429: _l("登录尝试过多，请一分钟后再试。"),
    500: _l("服务器出错，请稍后再试；问题仍在时请联系县级管理员。"),
}
MESSAGES = {
    400: "请求无效或页面已过期，请返回重试。/ The request was invalid or the page expired.",
    429: "登录尝试过多，请一分钟后再试。/ Too many attempts: wait a minute.",
}


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _respond(
    status: int,
    code: str,
    message: str,
    details: object = None,
    retry_after: object = None,
    page_message: str | None = None,
) -> Response:
    if _wants_html():
        page = render_template(
            "error.html",
            status=status,
            title=str(TITLES.get(status, TITLES[500])),
            message=message if page_message is None else page_message,
        )
        response = make_response(page, status)
    else:
        body = {"code": code, "message": message, "details": details or {}}
        response = make_response(jsonify(body), status)
    if retry_after:  # 429 and 503 say when to come back (a throttled login, the shared state away)
        response.headers["Retry-After"] = str(retry_after)
    # A URL that matches no route belongs to no blueprint, so no blueprint's hook adds these.
    return add_security_headers(response)


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):  # type: ignore[no-untyped-def]
        retry_after = err.details.get("retry_after")
        return _respond(err.status, err.code, err.message, err.details, retry_after)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):  # type: ignore[no-untyped-def]
        status = err.code or 500
        message = MESSAGES.get(status) or err.description or ""
        return _respond(
            status,
            f"http.{status}",
            message,
            retry_after=getattr(err, "retry_after", None),
            page_message=str(PAGE_MESSAGES.get(status, "")),
        )
