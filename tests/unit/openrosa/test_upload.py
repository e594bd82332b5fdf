"""Reading Collect's multipart bodies: pure, so every quirk is checked without a server."""

from __future__ import annotations

import pytest

from server.ingest.errors import MalformedSubmission, TooLarge, UnsupportedMediaType
from server.openrosa.upload import read_upload
from tests.collect import multipart_body

XML = b"<data id='x'><meta><instanceID>uuid:1</instanceID></meta></data>"


def chunked(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize("size", [1, 7, 64 * 1024])
def test_instance_and_attachments_whatever_the_chunk_size(size):
    files = {"1755684169123.jpg": b"\xff\xd8" + bytes(range(256)) * 40, "签名 sig.png": b"png"}
    body, content_type = multipart_body(XML, files)
    upload = read_upload(content_type, chunked(body, size))
    assert upload.xml == XML
    assert [(f.filename, f.content_type, f.data) for f in upload.files] == [
        ("1755684169123.jpg", "image/jpeg", files["1755684169123.jpg"]),
        ("签名 sig.png", "application/octet-stream", b"png"),
    ]


def test_per_part_content_length_as_older_collect_wrote_it():
    body, content_type = multipart_body(XML, {"a.jpg": b"abc"}, part_lengths=True)
    upload = read_upload(content_type, [body])
    assert upload.xml == XML and upload.files[0].data == b"abc"


def test_a_per_part_content_length_that_lies_is_malformed():
    body, content_type = multipart_body(XML, {"a.jpg": b"abc"}, part_lengths=True)
    body = body.replace(b"Content-Length: 3", b"Content-Length: 2")
    with pytest.raises(MalformedSubmission, match="multipart"):
        read_upload(content_type, [body])


def test_quotes_in_file_names_are_percent_decoded_as_okhttp_encodes_them():
    body, content_type = multipart_body(XML, {'say "hi".jpg': b"x"})
    assert b"%22hi%22" in body
    assert read_upload(content_type, [body]).files[0].filename == 'say "hi".jpg'


def test_the_xml_part_is_found_by_name_not_position():
    body, content_type = multipart_body(XML, {"a.jpg": b"abc"})
    first, rest = body.split(b"\r\n--", 1)
    parts = rest.split(b"\r\n--")
    reordered = b"\r\n--".join([first, parts[1], parts[0], *parts[2:]])
    assert read_upload(content_type, [reordered]).xml == XML


def test_a_body_cut_short_is_malformed():
    body, content_type = multipart_body(XML, {"a.jpg": b"abc" * 100})
    with pytest.raises(MalformedSubmission, match="multipart"):
        read_upload(content_type, [body[: len(body) // 2]])


def test_no_xml_part():
    body, content_type = multipart_body(XML, {})
    body = body.replace(b'name="xml_submission_file"', b'name="other"')
    with pytest.raises(MalformedSubmission, match="xml_submission_file"):
        read_upload(content_type, [body])


def test_not_multipart_or_no_boundary():
    with pytest.raises(UnsupportedMediaType):
        read_upload("text/xml", [XML])
    with pytest.raises(MalformedSubmission, match="boundary"):
        read_upload("multipart/form-data", [XML])


def test_too_many_parts_is_413():
    body, content_type = multipart_body(XML, {f"{n}.jpg": b"x" for n in range(20)})
    with pytest.raises(TooLarge):
        read_upload(content_type, [body], max_parts=10)
