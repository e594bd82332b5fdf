"""Benchmark: formList, manifest and household-list response times for a whole county.

Builds a throwaway instance (SQLite in a temp dir, or a fresh PostgreSQL database), seeds a
fictional county of 10 towns × 20 villages × 50 households (10,000), publishes the forms, creates
a village cadre (50 households) and a town cadre (1,000 households), then starts the real server
(`fangfan serve`, Granian) and, in the same run, a baseline: Granian with the same workers and
threads serving static files of the same sizes (bench/static_app.py). Each endpoint is requested
over keep-alive sessions, as OkHttp does, and the script prints median/p95 latency, throughput
and the ratio to the baseline. It asserts nothing about timings.

    .venv/bin/python bench/formlist.py --quick
    .venv/bin/python bench/formlist.py --requests 300 --concurrency 1,8
    .venv/bin/python bench/formlist.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

With --database-url, the URL names the server and a maintenance database (trust auth): the
script creates `fangfan_bench_<random>` there, and drops it at the end.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests
from requests.auth import AuthBase, HTTPDigestAuth
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from server import create_app, migrate
from server.areas.codes import parse_area_file
from server.areas.service import load_areas, this_year
from server.auth.service import create_app_user
from server.config import REPO_ROOT, Config
from server.core.errors import DomainError
from server.db import unit_of_work
from server.forms.service import publish_form
from server.registry.models import HOUSEHOLD_KINDS, HOUSEHOLD_TYPES, Household

REPO = REPO_ROOT
BENCH_DIR = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # the venv's bin: fangfan

COUNTY = "449999"  # fictional: no real county has this code
TOWNS = 10
VILLAGES_PER_TOWN = 20
HOUSEHOLDS_PER_VILLAGE = 50
VILLAGE_SCOPE = f"{COUNTY}100200"  # the first village of the first town
TOWN_SCOPE = f"{COUNTY}100000"
DEVICE_QUERY = "deviceID=collect%3Aabcdefghijklmnop"
HOUSEHOLD_LIST = "households.csv"
STARTUP_SECONDS = 60
STOP_SECONDS = 10
REQUEST_TIMEOUT = 60  # Collect's read timeout (openrosa.md §0.4)

# Small form using the generated lists, for when xlsforms/*.xlsx are missing or do not compile.
FALLBACK_FORM_MD = """
| survey   |                                     |            |               |                    |
|          | type                                | name       | label         | choice_filter      |
|          | select_one_from_file villages.csv   | village    | 村            |                    |
|          | select_one_from_file households.csv | household  | 户            | village=${village} |
|          | date                                | visited_on | 走访日期      |                    |
| settings |                                     |            |               |                    |
|          | form_id                             | version    | form_title    |                    |
|          | bench_visit                         | 1          | 基准走访      |                    |
"""


# ---------------------------------------------------------------------------------------------
# Synthetic county


@dataclass(frozen=True, slots=True)
class Cadre:
    label: str
    username: str
    token: str
    password: str


@dataclass(frozen=True, slots=True)
class Seeded:
    forms: tuple[str, ...]
    media_form: tuple[str, str]  # (form id, version) of a form whose media has households.csv
    village_cadre: Cadre
    town_cadre: Cadre
    households: int


def town_codes() -> list[str]:
    return [f"{COUNTY}{100 + t:03d}000" for t in range(TOWNS)]


def village_codes(town: str) -> list[str]:
    return [f"{town[:9]}{200 + v:03d}" for v in range(VILLAGES_PER_TOWN)]


def area_csv() -> str:
    """The county in the format of server/areas/data/areas_440233.csv."""
    lines = [
        "# Fictional county for bench/formlist.py: 10 towns × 20 villages.",
        "code,parent_code,level,name,name_en,alt_names,urban_rural_class,valid_from,valid_to",
        f"{COUNTY}000000,,county,基准县,Bench County,,,2019,",
    ]
    for t, town in enumerate(town_codes(), start=1):
        lines.append(f"{town},{COUNTY}000000,town,基准{t}镇,Bench Town {t},,,2019,")
        for v, village in enumerate(village_codes(town), start=1):
            lines.append(f"{village},{town},village,{t}镇{v}村,Village {t}-{v},,220,2019,")
    return "\n".join(lines) + "\n"


def household_rows() -> list[dict[str, object]]:
    """50 households per village, with every column the household list prints filled in."""
    rows: list[dict[str, object]] = []
    surnames = "张李王陈黄刘林何罗郑"
    for town in town_codes():
        for village in village_codes(town):
            for n in range(1, HOUSEHOLDS_PER_VILLAGE + 1):
                i = len(rows)
                rows.append(
                    {
                        "code": f"H{village}-{n:04d}",
                        "village_code": village,
                        "head_name": f"{surnames[i % 10]}{'一二三四五六七八九十'[n % 10]}户",
                        "household_type": HOUSEHOLD_TYPES[i % len(HOUSEHOLD_TYPES)],
                        "household_kind": HOUSEHOLD_KINDS[i % len(HOUSEHOLD_KINDS)],
                        "archive_no": f"DA{village}{n:04d}",
                        "head_phone": f"138{i:08d}",
                        "member_count": 1 + i % 6,
                        "last_visit_on": date(2024, 1, 1) + timedelta(days=i % 365),
                        "is_demo": True,
                    }
                )
    return rows


def form_sources() -> list[tuple[str, bytes]]:
    """The county's workbooks if there are any, else the small fallback form."""
    workbooks = sorted((REPO / "xlsforms").glob("*.xlsx"))
    if workbooks:
        return [(path.name, path.read_bytes()) for path in workbooks]
    return [("bench_visit.md", FALLBACK_FORM_MD.encode("utf-8"))]


def static_attachments(source_name: str) -> dict[str, bytes]:
    """Static media for `x.xlsx` live in `xlsforms/media/x/` (as `fangfan forms publish`)."""
    media_dir = REPO / "xlsforms" / "media" / Path(source_name).stem
    if not media_dir.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(media_dir.iterdir()) if p.is_file()}


def publish_forms(app) -> list[tuple[str, str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    """Publish every form that compiles (no ODK Validate); (form id, version, media) each."""
    published = []
    for name, source in form_sources():
        try:
            with unit_of_work(app) as session:
                version = publish_form(
                    session,
                    source=source,
                    source_name=name,
                    attachments=static_attachments(name),
                    validate=None,
                ).version
                published.append(
                    (version.form.xml_form_id, version.version, tuple(version.schema.media))
                )
        except DomainError as err:
            print(f"warning: not published: {err.message}", file=sys.stderr)
    if not any(HOUSEHOLD_LIST in media for *_, media in published):
        with unit_of_work(app) as session:
            version = publish_form(
                session,
                source=FALLBACK_FORM_MD.encode("utf-8"),
                source_name="bench_visit.md",
                attachments={},
            ).version
            published.append(
                (version.form.xml_form_id, version.version, tuple(version.schema.media))
            )
    return published


def seed(app) -> Seeded:  # type: ignore[no-untyped-def]
    migrate.upgrade(app.extensions["engine"])
    with unit_of_work(app) as session:
        load_areas(session, parse_area_file(area_csv()))
        rows = household_rows()
        session.execute(insert(Household), rows)
    published = publish_forms(app)
    form_ids = tuple(form_id for form_id, *_ in published)
    media_form = next((f, v) for f, v, media in published if HOUSEHOLD_LIST in media)
    cadres = []
    with unit_of_work(app) as session:
        for label, username, role, area in (
            ("village", "bench-village", "village_cadre", VILLAGE_SCOPE),
            ("town", "bench-town", "town_cadre", TOWN_SCOPE),
        ):
            _user, secrets_ = create_app_user(
                session,
                username=username,
                display_name=username,
                role=role,
                area_code=area,
                form_ids=form_ids,
                realm=app.config["DIGEST_REALM"],
                year=this_year(),
                actor=None,
                operator="bench",
            )
            cadres.append(Cadre(label, username, secrets_.token, secrets_.password))
    return Seeded(form_ids, media_form, cadres[0], cadres[1], len(rows))


def seed_instance(env: dict[str, str]) -> Seeded:
    """Seed through the services, with the configuration the server will read."""
    app = create_app(Config.from_env(env))
    try:
        return seed(app)
    finally:
        app.extensions["engine"].dispose()


# ---------------------------------------------------------------------------------------------
# Database and server processes


@contextmanager
def bench_database(database_url: str | None, instance: Path) -> Iterator[str]:
    """A SQLite file in the instance, or a fresh PostgreSQL database dropped afterwards."""
    if database_url is None:
        yield f"sqlite:///{instance / 'fangfan.db'}"
        return
    server_url = make_url(database_url)
    admin_url = server_url.set(database=server_url.database or "test")
    name = f"fangfan_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path


@contextmanager
def running(
    name: str, command: Sequence[str], env: dict[str, str], port: int, log: Path
) -> Iterator[Server]:
    """Start a server in its own process group; always stop it (SIGINT, then SIGKILL)."""
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_up(server)
        yield server
    finally:
        stop(process)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{server.log.read_text()[-2000:]}")
        try:
            requests.get(f"{server.base_url}/formList", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer within {STARTUP_SECONDS} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Gunicorn's quick shutdown (SIGINT) for the group we started; SIGKILL if it lingers."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_SECONDS)
        except ProcessLookupError:
            pass


def fangfan_command(port: int, args: argparse.Namespace) -> list[str]:
    return [str(BIN / "fangfan"), "serve", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(args.workers), "--threads", str(args.threads)]  # fmt: skip


def baseline_command(port: int, args: argparse.Namespace, app: str = "static_app:app") -> list[str]:
    """Granian as `fangfan serve` runs it (server/serve.py): WSGI, the same workers and request
    threads, access log on; on a baseline app in bench/."""
    return [sys.executable, "-m", "granian", "--interface", "wsgi",
            "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(args.workers), "--blocking-threads", str(args.threads),
            "--access-log", "--working-dir", str(BENCH_DIR), app]  # fmt: skip


def server_env(instance: Path, database_url: str, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANGFAN_")}
    env |= {
        "FANGFAN_INSTANCE": str(instance),
        "DATABASE_URL": database_url,
        "FANGFAN_SECRET_KEY": secret_key,
    }
    return env


def peak_rss_kib(pid: int) -> dict[int, int]:
    """VmHWM (peak resident set, KiB) of `pid` and its children (the server's workers)."""
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            pids.append(int(stat.parent.name))
    peaks = {}
    for each in pids:
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[each] = int(line.split()[1])
    return peaks


# ---------------------------------------------------------------------------------------------
# Measurement


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    url: str
    baseline: str | None  # name of the static file of the same size; None for baselines
    digest: tuple[str, str] | None = None  # (username, password)


@dataclass
class Result:
    target: Target
    concurrency: int
    bytes: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    challenged: int = 0  # timed requests that needed a 401 round trip first (Digest)
    seconds: float = 0.0

    @property
    def median_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies, 95) * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)] if ordered else math.nan


def new_session(target: Target) -> requests.Session:
    session = requests.Session()  # keep-alive, like OkHttp
    session.headers["X-OpenRosa-Version"] = "1.0"
    if target.digest:
        auth: AuthBase = HTTPDigestAuth(*target.digest)  # reuses the nonce with increasing nc
        session.auth = auth
    return session


def measure(target: Target, *, requests_: int, warmup: int, concurrency: int) -> Result:
    """`requests_` timed GETs shared by `concurrency` threads, each with its own session."""
    result = Result(target, concurrency, bytes=0)
    lock = threading.Lock()
    remaining = iter(range(requests_))
    start = threading.Barrier(concurrency + 1)
    done = threading.Barrier(concurrency + 1)

    def get(session: requests.Session) -> tuple[float, requests.Response]:
        began = time.perf_counter()
        response = session.get(target.url, timeout=REQUEST_TIMEOUT)
        return time.perf_counter() - began, response

    def worker() -> None:
        with new_session(target) as session:
            for _ in range(max(warmup // concurrency, 1)):
                with suppress(requests.RequestException):  # counted below if it persists
                    get(session)
            start.wait()
            while True:
                with lock:
                    if next(remaining, None) is None:
                        break
                try:
                    elapsed, response = get(session)
                except requests.RequestException:
                    with lock:
                        result.errors += 1
                    continue
                with lock:
                    result.latencies.append(elapsed)
                    result.bytes = len(response.content)
                    result.errors += response.status_code != 200
                    result.challenged += bool(response.history)
            done.wait()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait(timeout=REQUEST_TIMEOUT * 2)
    began = time.perf_counter()
    done.wait(timeout=REQUEST_TIMEOUT * max(requests_, 1))
    result.seconds = time.perf_counter() - began
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT)
    return result


def fangfan_targets(base_url: str, seeded: Seeded) -> list[Target]:
    form_id, version = seeded.media_form
    targets = []
    for cadre in (seeded.village_cadre, seeded.town_cadre):
        prefix = f"{base_url}/key/{cadre.token}"
        form_path = f"{prefix}/forms/{form_id}/{version}"
        households = f"households_{cadre.label}.csv"
        targets += [
            Target(
                f"formList ({cadre.label}, token)",
                f"{prefix}/formList?{DEVICE_QUERY}",
                "formList_token.xml",
            ),
            Target(
                f"manifest ({cadre.label})",
                f"{form_path}/manifest?{DEVICE_QUERY}",
                f"manifest_{cadre.label}.xml",
            ),
            Target(
                f"households.csv ({cadre.label})",
                f"{form_path}/media/{HOUSEHOLD_LIST}?{DEVICE_QUERY}",
                households,
            ),
        ]
    village = seeded.village_cadre
    targets.append(
        Target(
            "formList (village, Digest)",
            f"{base_url}/formList?{DEVICE_QUERY}",
            "formList_digest.xml",
            digest=(village.username, village.password),
        )
    )
    return targets


def write_baseline_files(targets: Sequence[Target], static_dir: Path) -> None:
    """Save one real response per baseline name: the static file has its exact size."""
    for target in targets:
        path = static_dir / (target.baseline or "")
        if target.baseline is None or path.exists():
            continue
        with new_session(target) as session:
            response = session.get(target.url, timeout=REQUEST_TIMEOUT)
        response.raise_for_status()
        path.write_bytes(response.content)


def check_household_lists(static_dir: Path) -> str:
    """Rows in the household lists (plus a header), to show the scopes are what we think."""
    counts = {
        label: len((static_dir / f"households_{label}.csv").read_bytes().splitlines()) - 1
        for label in ("village", "town")
    }
    return ", ".join(f"{label} cadre {count} households" for label, count in counts.items())


# ---------------------------------------------------------------------------------------------
# Report


def print_table(results: Sequence[Result]) -> None:
    baselines = {(r.target.name, r.concurrency): r for r in results if r.target.baseline is None}
    header = (
        f"{'endpoint':<34} {'conc':>4} {'bytes':>8} {'reqs':>5} {'err':>4} "
        f"{'median ms':>9} {'p95 ms':>8} {'req/s':>7} {'×median':>8} {'×p95':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        base = baselines.get((f"static {r.target.baseline}", r.concurrency))
        ratios = (
            f"{r.median_ms / base.median_ms:>8.1f} {r.p95_ms / base.p95_ms:>6.1f}"
            if base
            else f"{'':>8} {'':>6}"
        )
        note = f"  ({r.challenged} after a 401 challenge)" if r.challenged else ""
        print(
            f"{r.target.name:<34} {r.concurrency:>4} {r.bytes:>8} {len(r.latencies):>5} "
            f"{r.errors:>4} {r.median_ms:>9.2f} {r.p95_ms:>8.2f} {r.rate:>7.1f} {ratios}{note}"
        )


def describe_rss(server: Server) -> str:
    peaks = peak_rss_kib(server.process.pid)
    workers = [kib for pid, kib in peaks.items() if pid != server.process.pid]
    master = peaks.get(server.process.pid, 0)
    return (
        f"{server.name}: peak RSS (VmHWM) master {master / 1024:.1f} MiB, workers "
        + ", ".join(f"{kib / 1024:.1f}" for kib in sorted(workers))
        + " MiB"
    )


# ---------------------------------------------------------------------------------------------
# Main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests",
        type=int,
        default=None,
        help="timed requests per endpoint (default: 300, --quick: 30)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="untimed requests per endpoint (default: 20, --quick: 5)",
    )
    parser.add_argument(
        "--concurrency", default="1,8", help="comma-separated client thread counts (default: 1,8)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="default: 2, as `fangfan serve`")
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgresql+psycopg://user@127.0.0.1:5432/<maintenance db>",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke test in under 30 s: 30 requests, 5 warm-up"
    )
    args = parser.parse_args(argv)
    if args.requests is None:
        args.requests = 30 if args.quick else 300
    if args.warmup is None:
        args.warmup = 5 if args.quick else 20
    args.concurrency = [int(c) for c in str(args.concurrency).split(",") if c.strip()]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    # `kill <pid>` must unwind the ExitStack too: servers stopped, database dropped, files gone.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    with ExitStack() as stack:
        instance = Path(tempfile.mkdtemp(prefix="fangfan-bench-"))
        stack.callback(shutil.rmtree, instance, ignore_errors=True)
        static_dir = instance / "static"
        static_dir.mkdir()
        database_url = stack.enter_context(bench_database(args.database_url, instance))
        env = server_env(instance, database_url, secrets.token_urlsafe(32))
        seeded = seed_instance(env)
        print(
            f"database: {make_url(database_url).get_backend_name()}  "
            f"county {COUNTY}: {TOWNS * VILLAGES_PER_TOWN} villages, {seeded.households} "
            f"households; forms: {', '.join(seeded.forms)}; media form: "
            f"{'/'.join(seeded.media_form)}  (seeded in {time.monotonic() - began:.1f} s)"
        )

        port = free_port()
        fangfan = stack.enter_context(
            running(
                "fangfan serve", fangfan_command(port, args), env, port, instance / "fangfan.log"
            )
        )
        targets = fangfan_targets(fangfan.base_url, seeded)
        write_baseline_files(targets, static_dir)
        print(f"household lists: {check_household_lists(static_dir)}")

        port = free_port()
        static_env = env | {"BENCH_STATIC_DIR": str(static_dir)}
        baseline = stack.enter_context(
            running(
                "static baseline",
                baseline_command(port, args),
                static_env,
                port,
                instance / "baseline.log",
            )
        )
        names = list(dict.fromkeys(t.baseline for t in targets if t.baseline))
        statics = [
            Target(f"static {name}", f"{baseline.base_url}/{name}?{DEVICE_QUERY}", None)
            for name in names
        ]

        results = [
            measure(target, requests_=args.requests, warmup=args.warmup, concurrency=c)
            for c in args.concurrency
            for target in (*statics, *targets)
        ]
        print(
            f"\n{args.requests} timed requests per row after {args.warmup} warm-up; "
            f"server and baseline: Granian WSGI, {args.workers} workers × "
            f"{args.threads} threads; ×median/×p95 = ratio to the static file of the same "
            f"size served by the baseline at the same concurrency\n"
        )
        print_table(results)
        print()
        print(describe_rss(fangfan))
        print(describe_rss(baseline))
    print(f"total {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
