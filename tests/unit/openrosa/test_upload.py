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


PHOTO_HEADER = b'Content-Disposition: form-data; name="a.jpg"; filename="a.jpg"'


def _body_with_photo_header(header: bytes) -> tuple[bytes, str]:
    body, content_type = multipart_body(XML, {"a.jpg": b"abc", "b.jpg": b"def"})
    assert PHOTO_HEADER in body
    return body.replace(PHOTO_HEADER, header), content_type


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (
            b'Content-Disposition: form-data; name="a\r\nX-Injected: 1.jpg"; '
            b'filename="a\r\nX-Injected: 1.jpg"',
            "Content-Disposition 无法解析",
        ),
        (b'Content-Disposition: form-data; name="a.jpg"; filename="a\nb.jpg"', "换行符"),
        (b'Content-Disposition: form-data; name="a.jpg"; filename="a\rb.jpg"', "换行符"),
        (b'Content-Disposition: form-data; name="a.jpg"; filename="a"b.jpg"', "无法解析"),
        (b'Content-Disposition: form-data; name="a.jpg"; filename="a.jpg', "无法解析"),
        (
            b'Content-Disposition: form-data; name="a.jpg"; filename="a.jpg"; filename="x"',
            "无法解析",
        ),
        (b"Content-Disposition: form-data; name", "无法解析"),
        (b'Content-Disposition: form-data; name="a.jpg"', "缺少文件名"),
        (PHOTO_HEADER + b"\r\n" + PHOTO_HEADER, "Content-Disposition 重复"),
        (PHOTO_HEADER + b"\r\nContent-Type: image/png", "Content-Type 重复"),
    ],
)
def test_a_part_header_the_parser_could_only_guess_at_is_refused(header, words):
    body, content_type = _body_with_photo_header(header)
    with pytest.raises(MalformedSubmission, match=words) as refused:
        read_upload(content_type, [body])
    assert refused.value.status == 400
    with pytest.raises(MalformedSubmission):  # in small chunks the parser may see it first
        read_upload(content_type, chunked(body, 7))


@pytest.mark.parametrize(
    "header",
    [
        b'Content-Disposition: form-data; name="a.jpg"; filename="a.jpg"',
        b'Content-Disposition: FORM-DATA; name=a.jpg; filename="a.jpg"  ;',
        b'Content-Disposition: form-data; name="a.jpg"; filename="say \\"hi\\".jpg"',
        b'Content-Disposition: form-data; name="a.jpg"; filename="a.jpg"; size=3',
    ],
)
def test_well_formed_part_headers_are_read(header):
    body, content_type = _body_with_photo_header(header)
    assert len(read_upload(content_type, [body]).files) == 2


def test_the_is_incomplete_field_needs_no_file_name():
    body, content_type = multipart_body(XML, {"a.jpg": b"abc"}, incomplete=True)
    assert [f.filename for f in read_upload(content_type, [body]).files] == ["a.jpg"]
