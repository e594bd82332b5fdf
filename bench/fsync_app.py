"""Baseline WSGI app for bench/ingest.py: the least a durable OpenRosa submission endpoint does.

`POST` (any path): read the request body, write it to a new file in the directory named by
`BENCH_FSYNC_DIR`, fsync the file and the directory (so the new name is durable too), then answer
`201` with a tiny OpenRosaResponse. `HEAD` answers `204` with the OpenRosa headers, as Collect
expects before each POST (openrosa.md §5.2). Anything else is 404. No framework, no parsing, no
database: what remains is Granian (same workers and threads as `fangfan serve`) plus one fsync'd
file per submission — the floor that Fangfan's own submission handling is compared with.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

FSYNC_DIR = Path(os.environ.get("BENCH_FSYNC_DIR", "."))
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
RESPONSE = (
    b'<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
    b'<message nature="submit_success">ok</message></OpenRosaResponse>'
)
HEADERS = [("X-OpenRosa-Version", "1.0"), ("X-OpenRosa-Accept-Content-Length", "50000000")]
_counter = itertools.count()


def _store(body: bytes) -> None:
    name = FSYNC_DIR / f"{os.getpid()}-{next(_counter)}.bin"
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(body)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    dir_fd = os.open(FSYNC_DIR, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    method = environ.get("REQUEST_METHOD")
    if method == "HEAD":
        start_response("204 No Content", HEADERS)
        return [b""]
    if method != "POST":
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    chunks, remaining = [], length
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    _store(b"".join(chunks))
    start_response(
        "201 Created",
        [
            ("Content-Type", "text/xml; charset=utf-8"),
            ("Content-Length", str(len(RESPONSE))),
            *HEADERS,
        ],
    )
    return [RESPONSE]
