"""Benchmark: submission intake (HEAD + multipart POST, as ODK Collect sends them) under load.

Builds a throwaway instance like bench/formlist.py (SQLite in a temp dir, or a fresh PostgreSQL
database), seeds the Xinfeng area tree, publishes xlsforms/assistance_visit.xlsx, adds a few
households in village 440233100201 and one village cadre, then starts the real server
(`fangfan serve`: Granian) on loopback. `--clients` threads (default 8), each with its
own keep-alive session like OkHttp, send distinct visit submissions: HEAD then POST for each, to
`/key/<token>/submission?deviceID=collect%3A…`, in two variants:

  (a) the visit alone;   (b) the visit plus one 50 KB JPEG-like photo named in photos/photo.

The visit instance is derived from tests/data/instances/assistance_visit_plain.xml (a real
JavaRosa serialisation): a new `uuid:` instanceID each, the household rotating over the seeded
ones, a visitor phone, earlier measures, and 4 `measures` repeat rows (family, detail, status,
amount); `describe_instance` prints the exact field counts at start. Variant (b) replaces the
empty photos row with one naming `<epoch millis>.jpg`, and each submission gets its own random
photo bytes (so blob de-duplication cannot make it cheaper).

In the same run, a baseline is measured with the same load: Granian with the same workers and
threads on bench/fsync_app.py, which writes each request body to a new file and fsyncs it and
its directory before answering 201. For each database and variant the script prints
submissions/s, p50/p95/p99 latency of a whole submission (HEAD + POST) and of the POST alone,
errors by status, the ratio to the baseline and to ODK Central's figures (174/s without a
photo, 153/s with one, same kind of 2-core machine, 8 clients), the CPU time of the server
(Granian's main process + workers, and PostgreSQL's processes), of the client, machine CPU
busy, disk flushes and I/O pressure, and a one-line verdict on what saturates first (rules in
`verdict`).
Afterwards it counts the submission versions by processing state; if any are still pending
(normalisation deferred after the 201), it polls until none are and reports the end-to-end rate.
Before each timed run, the warm-up submissions are sent and (for Fangfan) normalised, so the
timed run starts in a steady state with the submission worker up. Each target and variant is
measured `--repeat` times (default 3) and the median is reported
with the range: on this kind of machine one run differs from the next by up to ±20 %.

    .venv/bin/python bench/ingest.py --quick
    .venv/bin/python bench/ingest.py --quick --both
    .venv/bin/python bench/ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/ingest.py --profile 200       # cProfile, in-process test client
    # the very same load against any OpenRosa server that has the assistance_visit form:
    .venv/bin/python bench/ingest.py --url https://central.example/v1/key/<token>/projects/1
    .venv/bin/python bench/ingest.py --url http://host:8000 --username u --password p

With --database-url, the URL names the server and a maintenance database (trust auth): the
script creates `fangfan_bench_<random>` there and drops it at the end. It asserts nothing about
timings.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import os
import pstats
import resource
import secrets
import shutil
import signal
import statistics
import string
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

# bench/ is not a package: running `python bench/ingest.py` puts this directory on sys.path.
import formlist
import requests
from formlist import (
    bench_database,
    fangfan_command,
    free_port,
    percentile,
    running,
    server_env,
)
from lxml import etree
from requests.auth import HTTPDigestAuth
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from server import create_app, migrate
from server.areas.codes import XINFENG_FILE, parse_area_file
from server.areas.service import load_areas, this_year
from server.auth.service import create_app_user
from server.config import REPO_ROOT, Config
from server.db import unit_of_work
from server.forms.service import publish_form
from server.registry.service import add_household

REPO = REPO_ROOT
BENCH_DIR = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
CORES = os.cpu_count() or 1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

FORM_ID = "assistance_visit"
VILLAGE = "440233100201"
HOUSEHOLDS = 8  # H440233100201-0001 … -0008
TEMPLATE = REPO / "tests" / "data" / "instances" / "assistance_visit_plain.xml"
PHOTO_BYTES = 50 * 1024
REQUEST_TIMEOUT = 60  # Collect's read timeout (openrosa.md §0.4)
CENTRAL = {"a": 174.0, "b": 153.0}  # ODK Central submissions/s, 8 clients, 2 cores (the issue)
VARIANTS = {"a": "visit, no photo", "b": "visit + 50 KB photo"}
SURNAMES = "张李王陈黄刘林何"


# ---------------------------------------------------------------------------------------------
# Seeding


@dataclass(frozen=True, slots=True)
class Seeded:
    username: str
    token: str
    password: str
    form_version: str


def seed(app) -> Seeded:  # type: ignore[no-untyped-def]
    migrate.upgrade(app.extensions["engine"])
    with unit_of_work(app) as session:
        load_areas(session, parse_area_file(XINFENG_FILE.read_text(encoding="utf-8")))
    with unit_of_work(app) as session:
        path = REPO / "xlsforms" / f"{FORM_ID}.xlsx"
        version = publish_form(
            session, source=path.read_bytes(), source_name=path.name, attachments={}, validate=None
        ).version.version
    with unit_of_work(app) as session:
        for n in range(1, HOUSEHOLDS + 1):
            add_household(
                session,
                code=household_code(n),
                village_code=VILLAGE,
                head_name=f"{SURNAMES[n - 1]}三",
                household_type="marginal_at_risk",
                household_kind="ordinary",
                member_count=1 + n % 5,
                head_phone=f"1380000{n:04d}",
                archive_no=f"{VILLAGE}-2020-{n:03d}",
                last_visit_on=date(2026, 11, 1),
            )
        _user, secrets_ = create_app_user(
            session,
            username="bench-visit",
            display_name="bench-visit",
            role="village_cadre",
            area_code=VILLAGE,
            form_ids=[FORM_ID],
            realm=app.config["DIGEST_REALM"],
            year=this_year(),
            actor=None,
            operator="bench",
        )
    return Seeded("bench-visit", secrets_.token, secrets_.password, version)


def household_code(n: int) -> str:
    return f"H{VILLAGE}-{n:04d}"


# ---------------------------------------------------------------------------------------------
# Submissions


MEASURES = (
    ("social_protection", "申请临时救助", "in_progress", "3000.0"),
    ("employment", "推荐妻子到扶贫车间就业", "planned", ""),
    ("industry", "发放鸡苗200只并安排技术指导", "completed", "1200.0"),
    ("motivation", "参加村里的电商技能培训", "planned", ""),
)


def _element(name: str, value: str) -> str:
    return f"<{name}>{value}</{name}>" if value else f"<{name} />"


def _replace_once(xml: str, old: str, new: str) -> str:
    if xml.count(old) != 1:
        raise ValueError(f"template changed: {old!r} found {xml.count(old)} times")
    return xml.replace(old, new)


class Instances:
    """Distinct visit instances from the JavaRosa template (string edits keep its exact form)."""

    def __init__(self, form_version: str | None = None) -> None:
        xml = TEMPLATE.read_text(encoding="utf-8")
        if form_version is not None:
            xml = _replace_once(xml, 'version="2026112901"', f'version="{form_version}"')
        xml = _replace_once(xml, "<visitor_phone />", "<visitor_phone>13600003333</visitor_phone>")
        measures = "".join(
            "<measures>"
            + "".join(
                _element(n, v)
                for n, v in zip(
                    ("measure_family", "measure_detail", "measure_status", "measure_amount"),
                    row,
                    strict=True,
                )
            )
            + "</measures>"
            for row in MEASURES
        )
        xml = _replace_once(
            xml,
            "<measures><measure_family /><measure_detail /><measure_status /><measure_amount />"
            "</measures>",
            measures,
        )
        xml = _replace_once(
            xml,
            "<earlier_measures />",
            "<earlier_measures>小额信贷已发放，公益岗位已落实</earlier_measures>",
        )
        self.template = xml
        self._millis = int(time.time() * 1000)
        self._lock = threading.Lock()

    def make(self, i: int, *, photo: bool) -> tuple[bytes, dict[str, bytes]]:
        """The i-th instance (household i mod 8) and its files."""
        n = i % HOUSEHOLDS + 1
        head = f"{SURNAMES[n - 1]}三"
        day = (date(2026, 11, 10) - timedelta(days=i % 30)).isoformat()
        xml = self.template
        xml = xml.replace("H440233100201-0001", household_code(n))
        xml = xml.replace("<head_name>张三</head_name>", f"<head_name>{head}</head_name>")
        xml = xml.replace("<visit_date>2026-11-10</visit_date>", f"<visit_date>{day}</visit_date>")
        xml = xml.replace(
            "<archive_no>440233100201-2020-001</archive_no>",
            f"<archive_no>{VILLAGE}-2020-{n:03d}</archive_no>",
        )
        xml = xml.replace(
            "<instanceID>uuid:fab99907-1442-4ace-a048-d017fb129217</instanceID>",
            f"<instanceID>uuid:{uuid.uuid4()}</instanceID>",
        )
        xml = xml.replace(
            "<instanceName>张三 2026-11-10 刘干部</instanceName>",
            f"<instanceName>{head} {day} 刘干部</instanceName>",
        )
        files: dict[str, bytes] = {}
        if photo:
            with self._lock:
                self._millis += 1
                name = f"{self._millis}.jpg"
            xml = xml.replace(
                "<photos><photo /><photo_caption /></photos>",
                f"<photos><photo>{name}</photo><photo_caption>入户走访</photo_caption></photos>",
            )
            files[name] = jpeg_like(PHOTO_BYTES)
        return xml.encode("utf-8"), files


def jpeg_like(size: int) -> bytes:
    """SOI + JFIF APP0 header, random (incompressible) bytes, EOI: `size` bytes in all."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
    return head + os.urandom(size - len(head) - 2) + b"\xff\xd9"


def describe_instance(xml: bytes, files: dict[str, bytes]) -> str:
    root = etree.fromstring(xml)
    leaves = [e for e in root.iter() if isinstance(e.tag, str) and len(e) == 0]
    answered = [e for e in leaves if (e.text or "").strip()]
    meta = {"instanceID", "instanceName"}
    repeats = Counter(
        etree.QName(e).localname
        for e in root.iter()
        if isinstance(e.tag, str) and etree.QName(e).localname in {"measures", "photos"}
    )
    return (
        f"{len(xml)} bytes of XML, {len(leaves)} leaf elements, "
        f"{len([e for e in answered if etree.QName(e).localname not in meta])} answered "
        f"(+ instanceID, instanceName), repeat rows: {repeats['measures']} measures "
        f"× 4 fields, {repeats['photos']} photos"
        + (f"; files: {', '.join(f'{k} ({len(v)} B)' for k, v in files.items())}" if files else "")
    )


def multipart_body(xml: bytes, files: dict[str, bytes], boundary: str) -> bytes:
    """OkHttp's exact layout in Collect (openrosa.md §5.3; as tests/collect.py builds it)."""

    def part(headers: list[str], content: bytes) -> bytes:
        head = f"--{boundary}\r\n" + "".join(f"{h}\r\n" for h in headers) + "\r\n"
        return head.encode() + content + b"\r\n"

    chunks = [
        part(
            [
                'Content-Disposition: form-data; name="xml_submission_file"; '
                'filename="帮扶工作表 Assistance visit_2026-11-10_10-02-49.xml"',
                "Content-Type: text/xml",
            ],
            xml,
        )
    ]
    for name, content in files.items():
        chunks.append(
            part(
                [
                    f'Content-Disposition: form-data; name="{name}"; filename="{name}"',
                    "Content-Type: image/jpeg",
                ],
                content,
            )
        )
    return b"".join(chunks) + f"--{boundary}--\r\n".encode()


# ---------------------------------------------------------------------------------------------
# Resource counters (all from /proc: no extra tools)


def _proc_ticks(pid: int) -> tuple[int, int, str] | None:
    """(ppid, utime+stime ticks, comm) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw.rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[11]) + int(fields[12]), comm


def cpu_by_process() -> dict[int, tuple[int, int, str]]:
    found = {}
    for stat in Path("/proc").glob("[0-9]*"):
        info = _proc_ticks(int(stat.name))
        if info is not None:
            found[int(stat.name)] = info
    return found


@dataclass
class Snapshot:
    at: float
    procs: dict[int, tuple[int, int, str]]
    rusage: float  # this process (the client), user + system seconds
    machine: tuple[int, int]  # (busy, total) jiffies from /proc/stat
    disk: tuple[int, int, int, int]  # writes, io ms, flushes, flush ms (all block devices)
    io_pressure: tuple[int, int]  # some, full (µs)
    cpu_pressure: int  # some (µs)


def _machine_cpu() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return total - idle, total


def _disk() -> tuple[int, int, int, int]:
    writes = io_ms = flushes = flush_ms = 0
    for line in Path("/proc/diskstats").read_text().splitlines():
        f = line.split()
        name = f[2]
        if name.startswith(("loop", "ram", "dm-", "md")) or not Path(f"/sys/block/{name}").exists():
            continue  # whole disks only: partitions would count twice
        writes += int(f[7])
        io_ms += int(f[12])
        if len(f) >= 20:
            flushes += int(f[18])
            flush_ms += int(f[19])
    return writes, io_ms, flushes, flush_ms


def _pressure(kind: str) -> tuple[int, int]:
    try:
        lines = Path(f"/proc/pressure/{kind}").read_text().splitlines()
    except OSError:
        return 0, 0
    totals = [int(line.rsplit("total=", 1)[1]) for line in lines]
    return totals[0], totals[1] if len(totals) > 1 else 0


def snapshot() -> Snapshot:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return Snapshot(
        time.perf_counter(),
        cpu_by_process(),
        usage.ru_utime + usage.ru_stime,
        _machine_cpu(),
        _disk(),
        _pressure("io"),
        _pressure("cpu")[0],
    )


def _tree(procs: dict[int, tuple[int, int, str]], root: int) -> set[int]:
    members, grew = {root}, True
    while grew:
        more = {pid for pid, (ppid, *_rest) in procs.items() if ppid in members} - members
        members |= more
        grew = bool(more)
    return members


@dataclass
class Usage:
    wall: float
    server_cpu: float  # seconds: the server's main process and workers (web requests)
    worker_cpu: float  # seconds: the submission worker beside them (deferred normalisation)
    db_cpu: float  # seconds: PostgreSQL's processes (0 for SQLite, which is in the workers)
    client_cpu: float
    machine_busy: float  # fraction of all cores
    disk_writes: int
    disk_util: float  # fraction of wall time the disks were busy
    flushes: int
    flush_ms: int
    io_some: float  # fraction of wall time some task waited on I/O
    io_full: float
    cpu_some: float  # fraction of wall time some runnable task waited for a CPU


def _is_submission_worker(pid: int) -> bool:
    try:
        return b"submissions\x00work" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def usage_between(before: Snapshot, after: Snapshot, server_pid: int | None) -> Usage:
    wall = after.at - before.at

    def delta(pids: set[int]) -> float:
        ticks = sum(
            after.procs[p][1] - (before.procs[p][1] if p in before.procs else 0)
            for p in pids
            if p in after.procs
        )
        return ticks / CLOCK_TICKS

    tree = _tree(after.procs, server_pid) if server_pid else set()
    worker = {p for p in tree if _is_submission_worker(p)}
    server = delta(tree - worker)
    postgres = {p for p, (_pp, _t, comm) in after.procs.items() if comm.startswith("postgres")}
    busy = after.machine[0] - before.machine[0]
    total = after.machine[1] - before.machine[1]
    return Usage(
        wall=wall,
        server_cpu=server,
        worker_cpu=delta(worker),
        db_cpu=delta(postgres),
        client_cpu=after.rusage - before.rusage,
        machine_busy=busy / total if total else 0.0,
        disk_writes=after.disk[0] - before.disk[0],
        disk_util=(after.disk[1] - before.disk[1]) / 1000 / wall,
        flushes=after.disk[2] - before.disk[2],
        flush_ms=after.disk[3] - before.disk[3],
        io_some=(after.io_pressure[0] - before.io_pressure[0]) / 1e6 / wall,
        io_full=(after.io_pressure[1] - before.io_pressure[1]) / 1e6 / wall,
        cpu_some=(after.cpu_pressure - before.cpu_pressure) / 1e6 / wall,
    )


class PgWaitSampler:
    """Samples pg_stat_activity every 50 ms: what the database's sessions are waiting for."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url, pool_size=1)
        self.samples: Counter[str] = Counter()
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PgWaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.engine.dispose()

    def _run(self) -> None:
        query = text(
            "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        with self.engine.connect() as connection:
            while not self._stop.wait(0.05):
                self.rounds += 1
                for state, kind, event in connection.execute(query):
                    if state == "idle":
                        continue
                    key = f"{kind}:{event}" if kind else "CPU (running)"
                    self.samples[f"{state}/{key}"] += 1
                connection.rollback()

    def summary(self) -> str:
        if not self.rounds:
            return ""
        top = ", ".join(f"{k} {v / self.rounds:.2f}" for k, v in self.samples.most_common(5))
        return f"busy PG sessions per sample (avg over {self.rounds}): {top or 'none'}"


# ---------------------------------------------------------------------------------------------
# Load


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    submission_url: str  # without the query
    digest: tuple[str, str] | None = None
    database_url: str | None = None  # to count processing states and sample waits afterwards
    server_pid: int | None = None
    baseline: bool = False


@dataclass
class Result:
    target: Target
    variant: str
    latencies: list[float] = field(default_factory=list)  # HEAD + POST, successful only
    post_latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    head_statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    usage: Usage | None = None
    waits: str = ""
    states: dict[str, int] = field(default_factory=dict)
    end_to_end: float | None = None  # submissions/s until all normalised, if deferred
    run: int = 1  # of --repeat runs of the same target and variant

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, p: float, *, post: bool = False) -> float:
        return percentile(self.post_latencies if post else self.latencies, p) * 1000


def device_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "collect%3A" + "".join(secrets.choice(alphabet) for _ in range(16))


class LightClient:
    """A keep-alive HTTP/1.1 connection like OkHttp's, on the standard library's http.client.

    The load generator shares the 2 cores with the server, so it must cost little: this client
    takes a fraction of requests' CPU per request, which leaves more of the machine to the
    server under test (and to the baseline alike). With Digest credentials the client is
    requests' Session with its HTTPDigestAuth instead (it reuses the nonce, as Collect does).
    """

    HEADERS: ClassVar[dict[str, str]] = {"X-OpenRosa-Version": "1.0", "Accept-Encoding": "gzip"}

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._netloc = parts.netloc
        self._connection: http.client.HTTPConnection | None = None

    def _request(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> int:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for attempt in (1, 2):  # a kept-alive connection the server closed: reconnect once
            if self._connection is None:
                factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
                self._connection = factory(self._netloc, timeout=REQUEST_TIMEOUT)
            try:
                self._connection.request(
                    method, path, body=body, headers={**self.HEADERS, **headers}
                )
                response = self._connection.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def head(self, url: str) -> int:
        return self._request("HEAD", url, None, {})

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        return self._request("POST", url, body, headers)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class DigestClient:
    def __init__(self, digest: tuple[str, str]) -> None:
        self._session = requests.Session()
        self._session.headers.update(LightClient.HEADERS)
        self._session.auth = HTTPDigestAuth(*digest)

    def head(self, url: str) -> int:
        return self._session.head(url, timeout=REQUEST_TIMEOUT).status_code

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        return self._session.post(
            url, data=body, headers=headers, timeout=REQUEST_TIMEOUT
        ).status_code

    def close(self) -> None:
        self._session.close()


def new_client(target: Target) -> LightClient | DigestClient:
    return DigestClient(target.digest) if target.digest else LightClient(target.submission_url)


def run_load(
    target: Target,
    variant: str,
    instances: Instances,
    *,
    count: int,
    warmup: int,
    clients: int,
    first: int,
) -> Result:
    """`warmup` untimed then `count` timed submissions (HEAD + POST), shared by `clients`.

    Every request body is built before the clock starts, so the timed part of the client only
    sends and reads.
    """
    result = Result(target, variant)
    lock = threading.Lock()
    photo = variant == "b"
    bodies = []
    for i in range(first, first + warmup + count):
        xml, files = instances.make(i, photo=photo)
        boundary = str(uuid.uuid4())
        bodies.append((multipart_body(xml, files, boundary), boundary))
    numbers = iter(range(warmup + count))
    warm_left = [warmup]
    warmed = threading.Barrier(clients + 1)
    start = threading.Barrier(clients + 1)

    def submit(client: LightClient | DigestClient, url: str, i: int, *, timed: bool) -> None:
        body, boundary = bodies[i]
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        began = time.perf_counter()
        try:
            head = client.head(url)
            posted = time.perf_counter()
            status = client.post(url, body, headers)
        except (OSError, http.client.HTTPException, requests.RequestException) as err:
            client.close()
            if timed:
                with lock:
                    result.errors[type(err).__name__] += 1
            return
        ended = time.perf_counter()
        if not timed:
            return
        with lock:
            result.head_statuses[head] += 1
            if status in (201, 202):
                result.latencies.append(ended - began)
                result.post_latencies.append(ended - posted)
            else:
                result.errors[f"HTTP {status}"] += 1

    def worker() -> None:
        url = f"{target.submission_url}?deviceID={device_id()}"
        client = new_client(target)
        try:
            while True:  # warm-up: shared budget, untimed
                with lock:
                    if warm_left[0] <= 0:
                        break
                    warm_left[0] -= 1
                    i = next(numbers)
                submit(client, url, i, timed=False)
            warmed.wait()
            start.wait()
            while True:
                with lock:
                    i = next(numbers, None)
                if i is None:
                    break
                submit(client, url, i, timed=True)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    sampler = (
        PgWaitSampler(target.database_url)
        if target.database_url and target.database_url.startswith("postgresql")
        else None
    )
    warmed.wait(timeout=REQUEST_TIMEOUT * max(warmup, 2))
    if target.database_url:
        # Steady state: the submission worker has started (imports, first batch) and has
        # normalised the warm-up, so its start-up is not charged to the timed load.
        settle_until = time.monotonic() + 60
        while processing_states(target.database_url).get("pending", 0):
            if time.monotonic() > settle_until:
                break
            time.sleep(0.1)
    start.wait()
    before = snapshot()
    with sampler or nullcontext():
        for thread in threads:
            thread.join()
        after = snapshot()
    result.seconds = after.at - before.at
    result.usage = usage_between(before, after, target.server_pid)
    if sampler is not None:
        result.waits = sampler.summary()
    return result


def processing_states(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT processing_state, count(*) FROM submission_versions "
                    "GROUP BY processing_state"
                )
            )
            return dict(rows.all())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def wait_for_processing(result: Result, began: float, timeout: float = 600) -> None:
    """Count states; if some are pending (deferred normalisation), poll until none are."""
    assert result.target.database_url
    states = processing_states(result.target.database_url)
    if states.get("pending", 0):
        deadline = time.monotonic() + timeout
        while states.get("pending", 0) and time.monotonic() < deadline:
            time.sleep(0.2)
            states = processing_states(result.target.database_url)
        if not states.get("pending", 0):
            result.end_to_end = len(result.latencies) / (time.perf_counter() - began)
    result.states = states


# ---------------------------------------------------------------------------------------------
# Report


def verdict(result: Result) -> str:
    """What saturates first, by these rules, in this order:

    1. machine CPU busy ≥ 85 % of all cores, or runnable tasks waiting for a CPU (PSI cpu some)
       ≥ 50 % of the time → CPU; "server" if the server + PostgreSQL used more CPU than the
       client, else "client";
    2. tasks stalled on I/O (PSI io some) ≥ 30 % of the time, or a disk busy ≥ 80 % → disk;
    3. otherwise, for a Fangfan target → database lock (requests wait on each other: SQLite's
       single writer lock, or row/commit locks in PostgreSQL; see the sampled waits); for the
       baseline or an external server → client concurrency (neither CPU nor disk is full).
    """
    u = result.usage
    assert u is not None
    if u.machine_busy >= 0.85 or u.cpu_some >= 0.5:
        side = "server" if u.server_cpu + u.db_cpu >= u.client_cpu else "client"
        return f"CPU ({side})"
    if u.io_some >= 0.30 or u.disk_util >= 0.80:
        return "disk"
    if result.target.database_url:
        return "database lock"
    return "client concurrency (no resource full)"


def print_results(results: Sequence[Result], args: argparse.Namespace) -> None:
    # Each run is compared with the baseline run of the same number (same variant).
    baselines = {(r.variant, r.run): r for r in results if r.target.baseline}
    header = (
        f"{'target':<28} {'var':<3} {'run':>3} {'ok':>5} {'subm/s':>7} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'POST p50':>8} {'POST p99':>8} {'×base':>6} {'×Central':>8}  errors"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        base = baselines.get((r.variant, r.run))
        ratio = (
            f"{r.rate / base.rate:>6.2f}" if base and base.rate and not r.target.baseline else ""
        )
        errors = ", ".join(f"{k}×{v}" for k, v in r.errors.items()) or "0"
        heads = {s: n for s, n in r.head_statuses.items() if s != 204}
        if heads:
            errors += f"; HEAD not 204: {heads}"
        print(
            f"{r.target.name:<28} {r.variant:<3} {r.run:>3} {len(r.latencies):>5} {r.rate:>7.1f} "
            f"{r.ms(50):>6.1f} {r.ms(95):>6.1f} {r.ms(99):>6.1f} {r.ms(50, post=True):>8.1f} "
            f"{r.ms(99, post=True):>8.1f} {ratio:>6} {r.rate / CENTRAL[r.variant]:>8.2f}  {errors}"
        )
    print(
        "\nlatency in ms of one submission (HEAD + POST) unless POST; ×base = rate / baseline "
        f"rate for the same variant and run; ×Central = rate / {CENTRAL['a']:.0f} (a) or "
        f"{CENTRAL['b']:.0f} (b)\n"
    )
    print_medians(results)
    for r in results:
        u = r.usage
        assert u is not None
        capacity = u.wall * CORES
        flush = f", {u.flush_ms / u.flushes:.2f} ms each" if u.flushes else ""
        print(f"{r.target.name} ({r.variant}) run {r.run}: {u.wall:.1f} s wall × {CORES} cores")
        print(
            f"  CPU s: server {u.server_cpu:.1f} ({u.server_cpu / capacity:.0%} of capacity, "
            f"{u.server_cpu / max(len(r.latencies), 1) * 1000:.2f} ms/submission)"
            + (
                f", submission worker {u.worker_cpu:.1f} ({u.worker_cpu / capacity:.0%})"
                if u.worker_cpu
                else ""
            )
            + (
                f", PostgreSQL {u.db_cpu:.1f} ({u.db_cpu / capacity:.0%}, "
                f"{u.db_cpu / max(len(r.latencies), 1) * 1000:.2f} ms/subm)"
                if r.target.database_url and r.target.database_url.startswith("postgresql")
                else ""
            )
            + f", client {u.client_cpu:.1f} ({u.client_cpu / capacity:.0%}); "
            f"machine busy {u.machine_busy:.0%}, CPU pressure {u.cpu_some:.0%}"
        )
        print(
            f"  disk: {u.disk_writes} writes, {u.flushes} flushes{flush}, busy {u.disk_util:.0%}; "
            f"I/O pressure some {u.io_some:.0%} full {u.io_full:.0%}"
        )
        if r.waits:
            print(f"  {r.waits}")
        if r.states:
            states = ", ".join(f"{k} {v}" for k, v in sorted(r.states.items()))
            print(f"  submission versions in the database (warm-up included): {states}")
        if r.end_to_end is not None:
            print(f"  end-to-end (until every submission is normalised): {r.end_to_end:.1f}/s")
        print(f"  saturated: {verdict(r)}")


def print_medians(results: Sequence[Result]) -> None:
    """Median and range over the runs of each target and variant: this kind of machine varies
    by ±20 % from run to run (the baseline too), so one run proves little."""
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        groups.setdefault((r.target.name, r.variant), []).append(r)
    if all(len(runs) == 1 for runs in groups.values()):
        return
    print(
        f"{'median of runs (min–max)':<32} {'subm/s':>20} {'×base':>6} {'×Central':>8} {'p99':>6}"
    )
    for (name, variant), runs in groups.items():
        rates = sorted(r.rate for r in runs)
        baseline_of = {b.run: b for b in results if b.target.baseline and b.variant == variant}
        ratios = [
            r.rate / baseline_of[r.run].rate
            for r in runs
            if not r.target.baseline and r.run in baseline_of and baseline_of[r.run].rate
        ]
        spread = f"{statistics.median(rates):.1f} ({rates[0]:.0f}–{rates[-1]:.0f})"
        ratio = f"{statistics.median(ratios):.2f}" if ratios else ""
        p99 = statistics.median(r.ms(99) for r in runs)
        print(
            f"{name[:28] + ' ' + variant:<32} {spread:>20} {ratio:>6} "
            f"{statistics.median(rates) / CENTRAL[variant]:>8.2f} {p99:>6.1f}"
        )
    print()


# ---------------------------------------------------------------------------------------------
# Servers


def baseline_command(port: int, args: argparse.Namespace) -> list[str]:
    return formlist.baseline_command(port, args, app="fsync_app:app")


def seed_instance(env: dict[str, str]) -> Seeded:
    app = create_app(Config.from_env(env))
    try:
        return seed(app)
    finally:
        app.extensions["engine"].dispose()


def measure_variants(
    target: Target, instances: Instances, args: argparse.Namespace, first: list[int]
) -> list[Result]:
    results = []
    for variant in args.variants:
        for run in range(1, args.repeat + 1):
            began = time.perf_counter()
            result = run_load(
                target,
                variant,
                instances,
                count=args.count,
                warmup=args.warmup,
                clients=args.clients,
                first=first[0],
            )
            result.run = run
            first[0] += args.count + args.warmup
            if target.database_url:
                # Also keeps the next run from overlapping the worker's catch-up.
                wait_for_processing(result, began)
            print(
                f"  {target.name} ({variant}) run {run}: {len(result.latencies)} ok in "
                f"{result.seconds:.1f} s, {result.rate:.1f}/s",
                flush=True,
            )
            results.append(result)
    return results


@contextmanager
def fangfan_target(
    database_url: str | None, args: argparse.Namespace, instance: Path
) -> Iterator[tuple[Target, Seeded]]:
    with ExitStack() as stack:
        db_url = stack.enter_context(bench_database(database_url, instance))
        env = server_env(instance, db_url, secrets.token_urlsafe(32))
        seeded = seed_instance(env)
        port = free_port()
        backend = make_url(db_url).get_backend_name()
        server = stack.enter_context(
            running(
                "fangfan serve",
                fangfan_command(port, args),
                env,
                port,
                instance / f"fangfan-{backend}.log",
            )
        )
        yield (
            Target(
                f"fangfan {backend}",
                f"{server.base_url}/key/{seeded.token}/submission",
                database_url=db_url,
                server_pid=server.process.pid,
            ),
            seeded,
        )


# ---------------------------------------------------------------------------------------------
# Profile: the Flask app in-process, no HTTP server


def profile(args: argparse.Namespace, database_url: str | None) -> None:
    with ExitStack() as stack:
        instance = Path(tempfile.mkdtemp(prefix="fangfan-bench-"))
        stack.callback(shutil.rmtree, instance, ignore_errors=True)
        db_url = stack.enter_context(bench_database(database_url, instance))
        env = server_env(instance, db_url, secrets.token_urlsafe(32))
        app = create_app(Config.from_env(env))
        stack.callback(app.extensions["engine"].dispose)
        seeded = seed(app)
        instances = Instances(seeded.form_version)
        client = app.test_client()
        url = f"/key/{seeded.token}/submission?deviceID={device_id()}"
        for variant in args.variants:
            photo = variant == "b"

            def one(i: int, photo: bool = photo) -> None:
                xml, files = instances.make(i, photo=photo)
                boundary = str(uuid.uuid4())
                body = multipart_body(xml, files, boundary)
                head = client.head(url)
                response = client.post(
                    url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
                )
                if head.status_code != 204 or response.status_code != 201:
                    raise RuntimeError(f"{head.status_code} {response.status_code}")

            for i in range(20):  # warm caches (form schema, templates)
                one(10_000 * (1 + ord(variant)) + i)
            counter = SqlCounter(app.extensions["engine"])
            began = time.perf_counter()
            with counter:
                for i in range(args.profile):
                    one(30_000 * (1 + ord(variant)) + i)
            plain = (time.perf_counter() - began) / args.profile
            print(
                f"\n=== {make_url(db_url).get_backend_name()} ({variant}: {VARIANTS[variant]}): "
                f"{args.profile} sequential HEAD+POST in-process (Flask test client, no HTTP "
                f"server, no profiler): {plain * 1000:.2f} ms each → at most "
                f"{1 / plain:.0f}/s per core\n    {counter.summary(args.profile)}"
            )
            profiler = cProfile.Profile()
            began = time.perf_counter()
            profiler.enable()
            for i in range(args.profile):
                one(20_000 * (1 + ord(variant)) + i)
            profiler.disable()
            wall = time.perf_counter() - began
            print(f"    same under cProfile: {wall / args.profile * 1000:.2f} ms each")
            print_profile(profiler, args.profile)
            if os.environ.get("BENCH_PSTATS"):  # for pstats/snakeviz: BENCH_PSTATS=file prefix
                profiler.dump_stats(f"{os.environ['BENCH_PSTATS']}-{variant}.pstats")


class SqlCounter:
    """Statements, transactions and time inside transactions (the SQLite write-lock hold)."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.statements = 0
        self.transactions = 0
        self.in_transaction = 0.0
        self._began: dict[int, float] = {}

    def _on_begin(self, conn) -> None:  # type: ignore[no-untyped-def]
        self._began[id(conn)] = time.perf_counter()

    def _on_end(self, conn) -> None:  # type: ignore[no-untyped-def]
        began = self._began.pop(id(conn), None)
        if began is not None:
            self.transactions += 1
            self.in_transaction += time.perf_counter() - began

    def _on_execute(self, *_args: object) -> None:
        self.statements += 1

    def __enter__(self) -> SqlCounter:
        event.listen(self.engine, "begin", self._on_begin)
        event.listen(self.engine, "commit", self._on_end)
        event.listen(self.engine, "rollback", self._on_end)
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "begin", self._on_begin)
        event.remove(self.engine, "commit", self._on_end)
        event.remove(self.engine, "rollback", self._on_end)
        event.remove(self.engine, "before_cursor_execute", self._on_execute)

    def summary(self, n: int) -> str:
        return (
            f"per submission (HEAD + POST): {self.statements / n:.1f} SQL statements, "
            f"{self.transactions / n:.1f} transactions, {self.in_transaction / n * 1000:.2f} ms "
            f"inside transactions (on SQLite, write transactions hold the database's only write "
            f"lock: BEGIN IMMEDIATE)"
        )


HOTSPOTS = (  # (label, file fragment, function name): cumulative time per submission
    ("whole HEAD request", "flask/testing.py", "open"),
    ("phone auth (token lookup)", "phone_auth.py", "_user_from_token"),
    ("multipart parse (werkzeug)", "werkzeug/formparser.py", "parse"),
    ("prepare_submission (reads, checks)", "ingest/service.py", "prepare_submission"),
    ("  read_instance (XML parse)", "ingest/instance.py", "read_instance"),
    ("  find_submission_target", "forms/service.py", "find_submission_target"),
    ("  check_repeats", "ingest/instance.py", "check_repeats"),
    ("  _check_scope", "ingest/service.py", "_check_scope"),
    ("store_submission (write transaction)", "ingest/service.py", "store_submission"),
    ("  _find_version (duplicate check)", "ingest/service.py", "_find_version"),
    ("  _insert_version", "ingest/service.py", "_insert_version"),
    ("  _attach_files (blobs, attachments)", "ingest/service.py", "_attach_files"),
    ("Session.commit (largest: request)", "orm/session.py", "commit"),
    ("process_pending_batch (worker, if it ran)", "ingest/processing.py", "process_pending_batch"),
    ("  normalize", "ingest/normalize.py", "normalize"),
    ("  apply_submission", "registry/apply.py", "apply_submission"),
    ("render_template (response)", "flask/templating.py", "render_template"),
    ("DB-API execute (all SQL)", "sqlalchemy/engine/default.py", "do_execute"),
    ("DB-API commit (fsync)", "sqlalchemy/engine/default.py", "do_commit"),
    ("ORM flush", "orm/session.py", "flush"),
    ("FormVersion.schema (JSON → FormSchema)", "forms/models.py", "schema"),
    ("  FormSchema.from_dict", "forms/xform.py", "from_dict"),
    ("json.loads (JSON columns)", "json/__init__.py", "loads"),
    ("deferred column loads (schema_json…)", "orm/strategies.py", "_load_for_state"),
)


def print_profile(profiler: cProfile.Profile, n: int) -> None:
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    print(
        f"{'where (cumulative ms per submission; calls per submission)':<52} {'ms':>7} {'calls':>6}"
    )
    for label, fragment, name in HOTSPOTS:
        matches = [
            (cc, ct)
            for (filename, _line, func), (cc, _nc, _tt, ct, _callers) in raw.items()
            if func == name and fragment in filename
        ]
        if not matches:
            continue
        if label == "whole HEAD request":
            continue  # the test client's open() covers HEAD and POST alike: not informative
        calls = sum(cc for cc, _ in matches)
        cum = max(ct for _, ct in matches)  # recursive/nested matches would double count
        print(f"{label:<52} {cum / n * 1000:>7.2f} {calls / n:>6.1f}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("\ntop functions by own time (tottime, s for all submissions):")
    for line in lines[start : start + 19]:
        print("  " + line.replace(str(REPO) + "/", "").replace(sys.prefix + "/", "")[:150])


# ---------------------------------------------------------------------------------------------
# Main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--count",
        type=int,
        default=None,
        help="timed submissions per variant (default 2000, --quick 300)",
    )
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="timed runs per target and variant; medians are reported (default 3, --quick 1)",
    )
    parser.add_argument("--variants", default="a,b", help="a: no photo, b: one 50 KB photo")
    parser.add_argument(
        "--workers", type=int, default=2 * CORES, help="default: 2 × cores, as `fangfan serve`"
    )
    parser.add_argument("--threads", type=int, default=2, help="default: 2, as `fangfan serve`")
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgresql+psycopg://user@127.0.0.1:5432/<maintenance db>",
    )
    parser.add_argument(
        "--both",
        action="store_true",
        help="SQLite, then PostgreSQL at "
        "--database-url (default postgresql+psycopg://postgres@127.0.0.1:5432/test)",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--quick", action="store_true", help="300 submissions per variant")
    parser.add_argument(
        "--url",
        default=None,
        help="another OpenRosa server: the server URL "
        "Collect would use (…/submission is appended); no server is started",
    )
    parser.add_argument("--username", default=None, help="Digest user for --url")
    parser.add_argument("--password", default=None)
    parser.add_argument(
        "--form-version",
        default=None,
        help="with --url: the version of "
        "assistance_visit published there (default: the template's)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of the "
        "load test: N submissions per variant through the Flask test client "
        "under cProfile (SQLite, or --database-url, or both with --both)",
    )
    args = parser.parse_args(argv)
    if args.count is None:
        args.count = 300 if args.quick else 2000
    if args.quick:
        args.repeat = 1
    args.variants = [v.strip() for v in args.variants.split(",") if v.strip() in VARIANTS]
    if args.both and args.database_url is None:
        args.database_url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    return args


def databases(args: argparse.Namespace) -> list[str | None]:
    if args.both:
        return [None, args.database_url]
    return [args.database_url]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    if args.profile:
        for database_url in databases(args):
            profile(args, database_url)
        print(f"total {time.monotonic() - began:.1f} s")
        return 0
    print(
        f"clients {args.clients}, {args.count} timed + {args.warmup} warm-up submissions per "
        f"variant; server and baseline: Granian WSGI, {args.workers} workers × "
        f"{args.threads} threads; {CORES} cores; variants: "
        + "; ".join(f"({v}) {VARIANTS[v]}" for v in args.variants)
    )
    first = [0]
    results: list[Result] = []
    with ExitStack() as stack:
        instance = Path(tempfile.mkdtemp(prefix="fangfan-bench-"))
        stack.callback(shutil.rmtree, instance, ignore_errors=True)
        if args.url:
            instances = Instances(args.form_version)
            for variant in args.variants:
                xml, files = instances.make(0, photo=variant == "b")
                print(f"instance ({variant}): {describe_instance(xml, files)}")
            digest = (args.username, args.password or "") if args.username else None
            target = Target(args.url, args.url.rstrip("/") + "/submission", digest=digest)
            results += measure_variants(target, instances, args, first)
        else:
            if not args.no_baseline:
                fsync_dir = instance / "fsync"
                fsync_dir.mkdir()
                port = free_port()
                env = {k: v for k, v in os.environ.items() if not k.startswith("FANGFAN_")}
                with running(
                    "fsync baseline",
                    baseline_command(port, args),
                    env | {"BENCH_FSYNC_DIR": str(fsync_dir)},
                    port,
                    instance / "baseline.log",
                ) as baseline:
                    target = Target(
                        "baseline (write+fsync)",
                        f"{baseline.base_url}/submission",
                        server_pid=baseline.process.pid,
                        baseline=True,
                    )
                    results += measure_variants(target, Instances(), args, first)
                shutil.rmtree(fsync_dir, ignore_errors=True)
            for database_url in databases(args):
                sub = instance / f"db{len(results)}"
                sub.mkdir()
                with fangfan_target(database_url, args, sub) as (target, seeded):
                    instances = Instances(seeded.form_version)
                    if len(results) <= (0 if args.no_baseline else len(args.variants)):
                        for variant in args.variants:
                            xml, files = instances.make(0, photo=variant == "b")
                            print(f"instance ({variant}): {describe_instance(xml, files)}")
                    results += measure_variants(target, instances, args, first)
    print()
    print_results(results, args)
    print(f"\ntotal {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
