"""The domain errors: expected failures, each with an HTTP status and a stable machine code.

Every feature raises these (or its own subclasses, in its `errors.py`); each adapter renders
them in its format (`server/errors.py`: HTML or JSON pages; `server/openrosa/views.py`:
OpenRosa XML; `server/cli.py`: one line). Pure: no Flask, no werkzeug, so a pure module that
raises them stays pure (tests/unit/test_layering.py).
"""

from __future__ import annotations


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


class BadArgument(DomainError):
    """A query argument that is malformed or out of range (server/web.py reads them)."""

    status = 400
    code = "bad_argument"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class AccessDenied(DomainError):
    """无权访问 / Access denied."""

    status = 403
    code = "auth.access_denied"  # the code it had under server/auth/errors.py: clients read it
