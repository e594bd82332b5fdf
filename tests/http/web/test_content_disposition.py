"""A download's name reaches the browser as exactly one file name, whatever it contains: the
header is built by werkzeug (server/web.py), never by string formatting. (The attacker's export
path, `x"; filename="evil.exe.zip`, is no form id at all: tests/http/exports.)"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from server.ingest.models import SubmissionVersion
from server.web import content_disposition
from tests.http.openrosa.test_submission import SIGNATURE, VISIT, post, visit
from tests.http.web.helpers import login

# A phone may name its files anything without a path or control characters (check_file_name).
CRAFTED = '照片"; filename="evil.exe; x=.bin'


def _parameter_names(header: str) -> list[str]:
    """The parameters of a header value in order, quoted strings read as one value each."""
    return re.findall(r';\s*([^\s=;]+)\s*=\s*(?:"(?:\\.|[^"\\])*"|[^;]*)', header)


def test_a_crafted_file_name_from_a_phone_is_one_file_name(client, session, eli, ada):
    xml = visit(body=VISIT.replace("1755684169123.jpg", CRAFTED.replace('"', "&quot;")))
    assert (
        post(client, eli, xml, {CRAFTED: b"data", "1755684170456.png": SIGNATURE}).status_code
        == 201
    )
    version_id = session.scalar(select(SubmissionVersion.id))
    login(client, ada)
    response = client.get(f"/review/versions/{version_id}/files/{quote(CRAFTED)}")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert _parameter_names(header) == ["filename", "filename*"]
    assert parse_options_header(header) == (
        "attachment",
        {"filename": "照片_; filename=_evil.exe; x=.bin"},  # quotes cannot end the value
    )


def test_an_export_download_names_its_file(client, ada):
    login(client, ada)
    response = client.get("/exports/registry.zip")
    header = response.headers["Content-Disposition"]
    assert _parameter_names(header) == ["filename"]
    kind, options = parse_options_header(header)
    assert kind == "attachment" and re.fullmatch(r"registry-\d{8}\.zip", options["filename"])
    response.close()


@pytest.mark.parametrize(
    ("name", "fallback", "expected"),
    [
        ("registry-20261203.zip", None, ("registry-20261203.zip", None)),
        ('x"; filename="evil.exe.zip', None, ("x_; filename=_evil.exe.zip", None)),
        ("a\r\nX-Injected: 1.zip", None, ("a__X-Injected: 1.zip", None)),
        ("..\\..\\boot.ini", None, (".._.._boot.ini", None)),
        (
            "户档案-张三-H1.pdf",
            "household-archive-H1.pdf",
            ("household-archive-H1.pdf", "户档案-张三-H1.pdf"),
        ),
        ("梁坝村 2026年.pdf", None, ("2026.pdf", "梁坝村 2026年.pdf")),
    ],
)
def test_any_name_is_one_ascii_filename_and_at_most_one_filename_star(name, fallback, expected):
    header = content_disposition(name, fallback)
    names = _parameter_names(header)
    assert names == (["filename"] if expected[1] is None else ["filename", "filename*"])
    assert "\r" not in header and "\n" not in header and header.isascii()
    ascii_only = header.split("; filename*=")[0]
    assert parse_options_header(ascii_only)[1]["filename"] == expected[0]
    assert parse_options_header(header)[1]["filename"] == (expected[1] or expected[0])
