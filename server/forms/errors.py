"""Errors of the form registry."""

from server.core.errors import Conflict, DomainError, NotFound


class InvalidXLSForm(DomainError):
    """The XLSForm could not be compiled."""

    status = 422
    code = "forms.invalid_xlsform"


class VersionConflict(Conflict):
    """This form version is already published with different content."""

    code = "forms.version_conflict"


class UnknownForm(NotFound):
    """找不到该表单 / Unknown form."""

    code = "forms.unknown_form"


class UnknownMedia(NotFound):
    """找不到该媒体文件 / Unknown media file."""

    code = "forms.unknown_media"
