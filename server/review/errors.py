"""Errors of the review workspace."""

from server.core.errors import AccessDenied, Conflict, DomainError, NotFound


class NotInScope(NotFound):
    """Out of the user's area, or no such object: the same answer, so ids cannot be probed."""

    code = "review.not_found"


class NotAllowed(AccessDenied):
    code = "review.not_allowed"


class InvalidDecision(DomainError):
    status = 422
    code = "review.invalid_decision"


class WrongStage(Conflict):
    code = "review.wrong_stage"
