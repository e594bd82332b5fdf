"""Why a submission is refused. Messages reach the cadre's phone: Chinese first."""

from server.core.errors import Conflict, DomainError, NotFound


class MalformedSubmission(DomainError):
    """提交的内容无法识别 / The submission could not be read."""

    status = 400
    code = "ingest.malformed"


class UnsafeXML(DomainError):
    """提交的 XML 含有 DOCTYPE 或实体定义，已拒绝 / XML with a DOCTYPE or entities is refused."""

    status = 400
    code = "ingest.unsafe_xml"


class TooLarge(DomainError):
    """提交的内容过大 / The submission is too large."""

    status = 413
    code = "ingest.too_large"


class UnsupportedMediaType(DomainError):
    """提交须为 multipart/form-data / A submission must be multipart/form-data."""

    status = 415
    code = "ingest.unsupported_media_type"


class UnknownFormVersion(NotFound):
    code = "ingest.unknown_form_version"


class InstanceConflict(Conflict):
    """已有相同 instanceID 但内容不同的提交 / A submission with this instanceID exists with
    different XML."""

    code = "ingest.instance_conflict"


class UnknownDeprecatedInstance(NotFound):
    """找不到要修改的原提交 / The submission this edit replaces is not on the server."""

    code = "ingest.unknown_deprecated_instance"


class SupersededInstance(Conflict):
    """要修改的提交已被另一次修改取代 / The submission this edit replaces was already edited."""

    code = "ingest.superseded_instance"


class OutOfScope(DomainError):
    """不在您负责的范围内 / Outside your area or forms."""

    status = 403
    code = "ingest.out_of_scope"
