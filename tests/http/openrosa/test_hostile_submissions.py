"""Hostile and broken input: a specific 4xx with an OpenRosa message, nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.ingest.models import Blob, Submission, SubmissionVersion
from tests.collect import instance_xml, multipart_body
from tests.http.openrosa.helpers import DEVICE, message
from tests.http.openrosa.test_submission import FILES, VISIT, post, visit

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<data id="visit_test" version="1"><village>&xxe;</village>
<meta><instanceID>uuid:xxe</instanceID></meta></data>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<data id="visit_test" version="1"><village>&lol2;</village>
<meta><instanceID>uuid:lol</instanceID></meta></data>"""


@pytest.fixture(autouse=True)
def _nothing_written(session):  # type: ignore[no-untyped-def]
    yield
    session.expire_all()
    for model in (Submission, SubmissionVersion, Blob):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (b"<data id='visit_test' version='1'><village>", 400, "格式错误"),
        (b"not xml at all", 400, "格式错误"),
        (XXE, 400, "DOCTYPE"),
        (LAUGHS, 400, "DOCTYPE"),
        (b"<data version='1'><meta><instanceID>uuid:1</instanceID></meta></data>", 400, "id"),
        (b"<data id='visit_test' version='1'><village/></data>", 400, "instanceID"),
    ],
)
def test_broken_or_dangerous_xml(client, eli, data, status, words):
    resp = post(client, eli, data, FILES)
    assert resp.status_code == status
    assert words in message(resp)


def test_absurd_repeat_sizes_are_refused(client, eli):
    members = "<member><member_name>x</member_name></member>" * 501
    resp = post(
        client,
        eli,
        visit(body=VISIT.replace("<member><member_name>张三</member_name></member>", members)),
        FILES,
    )
    assert resp.status_code == 413
    assert "member" in message(resp)


def test_too_many_elements_are_refused(client, eli):
    resp = post(client, eli, visit(body=VISIT + "<x/>" * 60_000), FILES)
    assert resp.status_code == 413


def test_a_body_over_the_limit_is_413(client, app, eli):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    resp = post(client, eli, visit(), {"1755684169123.jpg": b"x" * 20_000})
    assert resp.status_code == 413
    assert "上限" in message(resp)


def test_a_missing_xml_part_is_400(client, eli):
    body, content_type = multipart_body(b"", {})
    body = body.replace(b'name="xml_submission_file"', b'name="something_else"')
    resp = client.post(
        f"/key/{eli.token}/submission?{DEVICE}", data=body, content_type=content_type
    )
    assert resp.status_code == 400
    assert "xml_submission_file" in message(resp)


def test_a_body_that_is_not_multipart_is_415(client, eli):
    resp = client.post(f"/key/{eli.token}/submission", data=visit(), content_type="text/xml")
    assert resp.status_code == 415
    assert "multipart" in message(resp)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "a/b.jpg",
        "..\\x.jpg",
        ".hidden",
        "bad\x01name.jpg",
        "tab\tname.jpg",
        "x" * 300,
    ],
)
def test_path_tricks_and_control_characters_in_file_names(client, eli, name):
    resp = post(client, eli, visit(), {name: b"data"})
    assert resp.status_code == 400
    assert "附件文件名" in message(resp)


def test_a_submission_for_a_form_id_nobody_published_is_404(client, eli):
    data = instance_xml("<script>", "1", VISIT, instance_id="uuid:s")
    resp = post(client, eli, data.replace(b'id="<script>"', b'id="&lt;script&gt;"'), FILES)
    assert resp.status_code == 404
    assert "<script>" in message(resp)


PHOTO_PART = b'name="1755684169123.jpg"; filename="1755684169123.jpg"'


@pytest.mark.parametrize(
    ("disposition", "words"),
    [
        (b'name="a\r\nX-Injected: 1.jpg"; filename="a\r\nX-Injected: 1.jpg"', "无法解析"),
        (b'name="1755684169123.jpg"; filename="1755684169123\n.jpg"', "换行符"),
        (b'name="1755684169123.jpg"; filename="1755684169"123.jpg"', "无法解析"),
        (b'name="1755684169123.jpg"', "缺少文件名"),
    ],
)
def test_a_malformed_attachment_header_is_a_400_and_nothing_is_kept(
    client, eli, disposition, words
):
    body, content_type = multipart_body(visit(), FILES)
    assert PHOTO_PART in body
    resp = client.post(
        f"/key/{eli.token}/submission?{DEVICE}",
        data=body.replace(PHOTO_PART, disposition),
        content_type=content_type,
    )
    assert resp.status_code == 400
    assert resp.mimetype == "text/xml"
    assert "multipart" in message(resp) and words in message(resp)


def test_a_control_character_in_the_query_is_a_400_message_for_the_phone(client, eli):
    body, content_type = multipart_body(visit(), FILES)
    resp = client.post(
        f"/key/{eli.token}/submission?deviceID=collect%3Aab%00cd",
        data=body,
        content_type=content_type,
    )
    assert resp.status_code == 400
    assert "控制字符" in message(resp)
