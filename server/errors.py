"""The error pages and JSON bodies people get (the errors themselves: server/core/errors.py).

OpenRosa routes render their own errors as OpenRosaResponse XML (server/openrosa/views.py);
everything else answers a browser with a readable Chinese/English page and anything else with
JSON. Never a bare stack trace.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from server.core.errors import DomainError
from server.security_headers import add_security_headers

TITLES = {
    400: ("请求有误", "Bad request"),
    401: ("需要登录", "Login required"),
    403: ("无权访问", "Access denied"),
    404: ("找不到页面", "Not found"),
    405: ("不支持的请求方式", "Method not allowed"),
    409: ("数据冲突", "Conflict"),
    413: ("上传内容过大", "Request too large"),
    422: ("内容无法处理", "Unprocessable"),
    429: ("尝试过于频繁，请稍后再试", "Too many attempts, try again later"),
    500: ("服务器出错", "Server error"),
}
MESSAGES = {
    400: "请求无效或页面已过期，请返回重试。/ The request was invalid or the page expired.",
    429: "登录尝试过多，请一分钟后再试。/ Too many attempts: wait a minute.",
}


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _respond(
    status: int, code: str, message: str, details: object = None, retry_after: object = None
) -> Response:
    if _wants_html():
        title_zh, title_en = TITLES.get(status, TITLES[500])
        page = render_template(
            "error.html", status=status, title_zh=title_zh, title_en=title_en, message=message
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
            status, f"http.{status}", message, retry_after=getattr(err, "retry_after", None)
        )
