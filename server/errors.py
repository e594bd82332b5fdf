"""The DomainError base class and the generic JSON/HTML handlers for people-facing routes."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """An expected failure. Subclasses set an HTTP status and a stable machine code.

    `message` is Chinese first, English second: it reaches cadres on their phones and
    supervisors in their browsers.
    """

    status: int = 400
    code: str = "error"

    def __init__(self, message: str | None = None, **details: object) -> None:
        super().__init__(message or self.__doc__ or self.code)
        self.message = str(self.args[0])
        self.details = details


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):  # type: ignore[no-untyped-def]
        body = {"code": err.code, "message": err.message, "details": err.details}
        return jsonify(body), err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):  # type: ignore[no-untyped-def]
        if request.accept_mimetypes.accept_html and not request.accept_mimetypes.accept_json:
            return err
        body = {"code": f"http.{err.code}", "message": err.description}
        return jsonify(body), err.code or 500
