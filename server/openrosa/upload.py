"""Read a Collect upload (multipart/form-data) into its instance XML and attachments.

Pure: the Content-Type header and the body's chunks in, an `Upload` out, or a DomainError that
says what is wrong. Collect sends the instance as the part named `xml_submission_file` and each
attachment as a part whose name and file name are the attachment's file name (openrosa.md §5.3).

The parsing itself is the `multipart` library's push parser: werkzeug's form parser compiles a
regular expression for every new boundary, and every OkHttp request has a new one, which cost
about 0.5 ms of a 3 KB submission; this parser does the same work in about 20 µs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from multipart import (
    MultipartError,
    MultipartSegment,
    ParserLimitReached,
    PushMultipartParser,
    parse_options_header,
)

from server.ingest.errors import MalformedSubmission, TooLarge, UnsupportedMediaType
from server.ingest.service import IncomingFile

XML_PART = "xml_submission_file"
# A visit has a few photos and a signature; thousands of parts is an attack or a broken client.
MAX_PARTS = 1_000


@dataclass(frozen=True, slots=True)
class Upload:
    xml: bytes
    files: tuple[IncomingFile, ...]


def read_upload(
    content_type: str, chunks: Iterable[bytes], *, max_parts: int = MAX_PARTS
) -> Upload:
    """The instance and the attachments of one POST /submission body."""
    mimetype, options = parse_options_header(content_type or "")
    if mimetype != "multipart/form-data":
        raise UnsupportedMediaType()
    boundary = options.get("boundary")
    if not boundary:
        raise MalformedSubmission(
            "multipart 请求缺少 boundary / the multipart Content-Type has no boundary"
        )
    xml: bytes | None = None
    files: list[IncomingFile] = []
    try:
        with PushMultipartParser(boundary, max_segment_count=max_parts) as parser:
            for part in _parts(parser, chunks):
                name, filename, part_type, data = part
                if name == XML_PART:
                    if xml is None:  # by name, not by position; a repeated part is ignored
                        xml = data
                elif filename is not None:  # Collect sends no plain fields; ignore any
                    files.append(IncomingFile(filename, part_type, data))
    except ParserLimitReached as exc:
        raise TooLarge(
            f"提交包含的部分过多（超过 {max_parts}）/ the upload has too many parts: {exc}"
        ) from exc
    except MultipartError as exc:
        raise MalformedSubmission(
            f"multipart 内容格式错误 / the multipart body is malformed: {exc}"
        ) from exc
    if xml is None:
        raise MalformedSubmission(
            "缺少 xml_submission_file 部分 / the xml_submission_file part is missing"
        )
    return Upload(xml, tuple(files))


def _parts(
    parser: PushMultipartParser, chunks: Iterable[bytes]
) -> Iterable[tuple[str | None, str | None, str | None, bytes]]:
    """(name, file name, content type, content) of each complete part, in order."""
    segment: MultipartSegment | None = None
    content: list[bytes] = []
    for chunk in chunks:
        for event in parser.parse(chunk):
            if event is None and segment is not None:  # the end of the current part
                yield segment.name, segment.filename, segment.content_type, b"".join(content)
                segment, content = None, []
            elif isinstance(event, MultipartSegment):
                segment = event
            elif event is not None:
                content.append(bytes(event))
    # Leaving the parser's `with` block closes it: a body that stopped early raises there.
