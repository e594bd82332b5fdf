"""Errors of authentication and app-user management."""

from server.core.errors import Conflict, DomainError, NotFound


class InvalidAppUser(DomainError):
    status = 422
    code = "auth.invalid_app_user"


class WeakPassword(InvalidAppUser):
    """密码不符合要求 / the password is not acceptable (auth/passwords.py)."""

    code = "auth.weak_password"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems), problems=problems)
        self.problems = problems


class AppUserExists(Conflict):
    code = "auth.app_user_exists"


class UnknownAppUser(NotFound):
    code = "auth.unknown_app_user"


class Unauthenticated(DomainError):
    """需要登录 / Authentication required."""

    status = 401
    code = "auth.unauthenticated"

    def __init__(self, message: str | None = None, *, stale: bool = False) -> None:
        super().__init__(message)
        self.stale = stale


class TooManyFailures(DomainError):
    """登录失败次数过多 / Too many failed logins. Carries `retry_after` (seconds) in details."""

    status = 429
    code = "auth.too_many_failures"
