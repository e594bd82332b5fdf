"""Baseline WSGI app for bench/formlist.py: serve static files, read from disk on every request.

`GET /<name>` answers the bytes of `<name>` in the directory named by `BENCH_STATIC_DIR`, with
`Content-Type: text/xml; charset=utf-8`; anything else is 404. No framework, no database, no
auth: what remains is the cost of the WSGI server itself (Granian, same workers and threads as
`fangfan serve`), which is the floor Fangfan's own responses are compared with.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

STATIC_DIR = Path(os.environ.get("BENCH_STATIC_DIR", "."))
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    name = environ.get("PATH_INFO", "").lstrip("/")
    path = STATIC_DIR / name
    if environ.get("REQUEST_METHOD") != "GET" or "/" in name or not name or not path.is_file():
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    body = path.read_bytes()
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/xml; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("X-OpenRosa-Version", "1.0"),
        ],
    )
    return [body]
