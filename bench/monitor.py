"""Benchmark: the monthly monitoring computation and a full CSV export, against a baseline.

Fills a throwaway database with a county: the Xinfeng area tree, `--households` households
(default 10 000) spread over its villages, `--visits` visits a household a month (default 2)
for `--months` months (default 12: 240 000 visits), each with `--indicators` indicator
observations (default 4: food, housing, medical, 八有; about 3 % not met), a helper per
household and a major event for 1 % of them. Rows are inserted with Core executemany, each visit
with its own submission version, as the registry requires.

Then, in this one run:
  * the dashboard for the last month (`monitoring.service.monthly_overview` for the county, plus
    the 12-month `trend`), timed 3 times; and for one town;
  * the visits table exported as CSV in a ZIP (`exports.service.registry_export` +
    `exports.writers.write_csv_zip`, masked), vs the baseline: a bare `SELECT` of the same rows
    and columns through the DBAPI cursor (fetchmany) written with csv.writer to a plain file.
    Each export and baseline runs in a forked child so its peak RSS is its own; both run over
    the first 3, 6 and 12 months to show whether memory grows with rows.

Prints seconds, rows/s, the ratio to the baseline, and peak RSS (MB). Asserts nothing.

    .venv/bin/python bench/monitor.py                       # SQLite in a temp dir
    .venv/bin/python bench/monitor.py --households 2000     # quicker
    .venv/bin/python bench/monitor.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import configure_mappers

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from server import create_app, migrate  # noqa: E402
from server.access.policy import EVERYWHERE, MASKED  # noqa: E402
from server.areas.codes import XINFENG_FILE, parse_area_file  # noqa: E402
from server.areas.models import Area  # noqa: E402
from server.areas.service import load_areas  # noqa: E402
from server.config import Config  # noqa: E402
from server.db import unit_of_work  # noqa: E402
from server.exports.service import ExportFilter, registry_export  # noqa: E402
from server.exports.writers import write_csv_zip  # noqa: E402
from server.forms.service import publish_form  # noqa: E402
from server.ingest.models import Submission, SubmissionVersion  # noqa: E402
from server.monitoring.service import monthly_overview  # noqa: E402
from server.monitoring.trend import trend  # noqa: E402
from server.registry.models import (  # noqa: E402
    HelperAssignment,
    Household,
    HouseholdStatusChange,
    IndicatorObservation,
    MajorEvent,
    Visit,
)

FORM = b"""
| survey   |         |         |          |
|          | type    | name    | label    |
|          | date    | visited_on | Date  |
| settings |         |         |          |
|          | form_id | version | form_title |
|          | bench_visit | 1   | Bench    |
"""
CODES = ("food", "housing", "medical", "bayou:all")
CHUNK = 20_000
MB = 1024 * 1024


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--households", type=int, default=10_000)
    p.add_argument("--visits", type=int, default=2, help="visits a household a month")
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--indicators", type=int, default=4, choices=range(0, 5))
    p.add_argument("--database-url", default=None)
    return p.parse_args()


def months_back(last: date, count: int) -> list[date]:
    months = [last]
    while len(months) < count:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months[::-1]


def fill(app, args: argparse.Namespace, months: list[date]) -> int:  # type: ignore[no-untyped-def]
    rng = random.Random(6)
    migrate.upgrade(app.extensions["engine"])
    with unit_of_work(app) as session:
        load_areas(session, parse_area_file(XINFENG_FILE.read_text(encoding="utf-8")))
        version = publish_form(
            session, source=FORM, source_name="bench.md", attachments={}, validate=None
        ).version
        villages = list(session.scalars(select(Area.code).where(Area.level == "village")))
        form_id, form_version_id = version.form_id, version.id
    began = time.perf_counter()
    with unit_of_work(app) as session:
        homes = [
            {
                "code": f"H{villages[n % len(villages)]}-{n:05d}",
                "village_code": villages[n % len(villages)],
                "head_name": f"户主{n}",
                "household_type": ("marginal_at_risk", "unstable_formerly_poor")[n % 2],
                "household_kind": "ordinary",
                "member_count": 1 + n % 5,
                "status": ("monitored", "monitored", "pending_review", "risk_eliminated")[n % 4],
                "head_phone": f"138{n:08d}",
                "per_capita_net_income": 5000 + (n * 37) % 9000,
                "identified_on": months[0] - timedelta(days=n % 400),
                "latitude": 24.0 + rng.random() / 10,
                "longitude": 114.1 + rng.random() / 10,
            }
            for n in range(args.households)
        ]
        for home in homes:
            home["created_at"] = datetime.combine(home["identified_on"], datetime.min.time(), UTC)
        session.execute(insert(Household), homes)
        ids = list(session.scalars(select(Household.id).order_by(Household.id)))
        # Their status history (registry.status): identified, then (for most) confirmed by the
        # county three weeks later, as the approval chain would have recorded it.
        history = []
        for hid, home in zip(ids, homes, strict=True):
            history.append(
                {"household_id": hid, "status": "pending_review", "since": home["created_at"]}
            )
            if home["status"] != "pending_review":
                history.append(
                    {
                        "household_id": hid,
                        "status": home["status"],
                        "since": home["created_at"] + timedelta(days=21),
                    }
                )
        session.execute(insert(HouseholdStatusChange), history)
    next_version = _insert_versions(app, form_id, form_version_id, args.households)
    with unit_of_work(app) as session:
        session.execute(
            insert(HelperAssignment),
            [
                {
                    "household_id": hid,
                    "role": "contact",
                    "name": f"帮扶人{i // 20}",
                    "source_version_id": next_version + i,
                }
                for i, hid in enumerate(ids)
            ],
        )
        session.execute(
            insert(MajorEvent),
            [
                {
                    "household_id": hid,
                    "source_version_id": next_version + i,
                    "event_type": "serious_illness",
                    "status": ("open", "handling", "closed")[i % 3],
                    "reported_at": datetime.combine(months[-1], datetime.min.time(), UTC)
                    + timedelta(days=i % 20),
                    "details": {},
                }
                for i, hid in enumerate(ids)
                if i % 100 == 0
            ],
        )
    visits = 0
    for month in months:
        visits += _fill_month(app, rng, args, ids, month, form_id, form_version_id)
        print(
            f"  filled {month:%Y-%m}: {visits} visits, {time.perf_counter() - began:.0f} s",
            flush=True,
        )
    return visits


def _insert_versions(app, form_id: int, form_version_id: int, count: int) -> int:  # type: ignore[no-untyped-def]
    """`count` submissions with one version each; returns the first version id."""
    with unit_of_work(app) as session:
        first_sub = (session.scalar(select(Submission.id).order_by(Submission.id.desc())) or 0) + 1
        first = (
            session.scalar(select(SubmissionVersion.id).order_by(SubmissionVersion.id.desc())) or 0
        ) + 1
        now = datetime.now(UTC)
        for start in range(0, count, CHUNK):
            n = range(start, min(count, start + CHUNK))
            session.execute(
                insert(Submission),
                [{"id": first_sub + i, "form_id": form_id, "created_at": now} for i in n],
            )
            session.execute(
                insert(SubmissionVersion),
                [
                    {
                        "id": first + i,
                        "submission_id": first_sub + i,
                        "form_id": form_id,
                        "form_version_id": form_version_id,
                        "instance_id": f"uuid:{uuid.uuid4()}",
                        "xml": b"<data/>",
                        "xml_sha256": "0" * 64,
                        "device_id": f"collect:{i % 500}",
                        "processing_state": "processed",
                        "received_at": now,
                        "is_current": True,
                    }
                    for i in n
                ],
            )
    return first


def _fill_month(app, rng, args, ids, month, form_id, form_version_id) -> int:  # type: ignore[no-untyped-def]
    count = len(ids) * args.visits
    first_version = _insert_versions(app, form_id, form_version_id, count)
    with unit_of_work(app) as session:
        first_visit = (session.scalar(select(Visit.id).order_by(Visit.id.desc())) or 0) + 1
        rows, observations = [], []
        for i in range(count):
            hid = ids[i % len(ids)]
            day = month + timedelta(days=rng.randrange(28))
            start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)
            rows.append(
                {
                    "id": first_visit + i,
                    "household_id": hid,
                    "source_version_id": first_version + i,
                    "visited_on": day,
                    "visitor_name": f"帮扶人{i % len(ids) // 20}",
                    "mode": "phone" if rng.random() < 0.05 else "in_home",
                    "difficulties": "无",
                    "change_categories": [],
                    "new_risks": [],
                    "files": {},
                    "started_at": start,
                    "ended_at": start + timedelta(minutes=rng.randrange(2, 60)),
                    "latitude": 24.05,
                    "longitude": 114.15,
                }
            )
            for code in CODES[: args.indicators]:
                observations.append(
                    {
                        "household_id": hid,
                        "visit_id": first_visit + i,
                        "source_version_id": first_version + i,
                        "observed_on": day,
                        "code": code,
                        "state": "not_met" if rng.random() < 0.03 else "met",
                    }
                )
            if len(rows) >= CHUNK:
                _flush(session, rows, observations)
        _flush(session, rows, observations)
    return count


def _flush(session, rows: list, observations: list) -> None:  # type: ignore[no-untyped-def]
    if rows:
        session.execute(insert(Visit), rows)
    if observations:
        session.execute(insert(IndicatorObservation), observations)
    rows.clear()
    observations.clear()


# ---------------------------------------------------------------------------------------------
# Measurements


def time_dashboard(app, month: date, prefix: str) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(3):
        with unit_of_work(app) as session:
            began = time.perf_counter()
            monthly_overview(session, month=month, prefix=prefix, today=month + timedelta(27))
            trend(session, month=month, prefix=prefix)
            times.append(time.perf_counter() - began)
    return times


def in_child(work) -> tuple[float, int, float]:  # type: ignore[no-untyped-def]
    """Run `work()` (returns rows) in a forked child: (seconds, rows, peak RSS MB)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        began = time.perf_counter()
        rows = work()
        seconds = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        os.write(write, f"{seconds} {rows} {peak}".encode())
        os._exit(0)
    os.close(write)
    data = os.read(read, 200).decode().split()
    os.waitpid(pid, 0)
    return float(data[0]), int(data[1]), float(data[2])


BASELINE_SQL = """
SELECT v.id, h.code, h.village_code, v.visited_on, v.visitor_name, v.visitor_phone, v.mode,
       v.met_person, v.risk_trend, v.difficulties, v.latitude, v.longitude, v.started_at,
       v.ended_at
FROM visits v JOIN households h ON h.id = v.household_id
WHERE v.visited_on <= :to ORDER BY v.id
"""


def baseline(url: str, to: date, path: Path) -> int:
    engine = create_engine(url)
    rows = 0
    with engine.connect() as conn, path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(
            text(BASELINE_SQL), {"to": to}
        )
        for batch in result.partitions():
            writer.writerows(batch)
            rows += len(batch)
    engine.dispose()
    return rows


def export(app, to: date, path: Path) -> int:  # type: ignore[no-untyped-def]
    app.extensions["engine"].dispose()  # a fresh connection in the child
    with unit_of_work(app) as session, path.open("wb") as out:
        f = ExportFilter(scope=EVERYWHERE, masker=MASKED, date_to=to)
        return sum(write_csv_zip(registry_export(session, f, only=("visits",)), out))


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="fangfan-monitor-") as tmp:
        url, drop = _database(args, Path(tmp))
        try:
            run(args, url, Path(tmp))
        finally:
            drop()


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    env = {
        "FANGFAN_INSTANCE": str(tmp / "instance"),
        "DATABASE_URL": url,
        "FANGFAN_SECRET_KEY": "bench",
    }
    app = create_app(Config.from_env(env))
    configure_mappers()  # as in a running server: not a cost of the first export
    last = date(2026, 10, 1)
    months = months_back(last, args.months)
    began = time.perf_counter()
    visits = fill(app, args, months)
    print(
        f"filled {args.households} households, {visits} visits in "
        f"{time.perf_counter() - began:.0f} s on {url.split(':')[0]}"
    )
    county = time_dashboard(app, last, "440233")
    town = time_dashboard(app, last, "440233100")
    print(
        f"dashboard {last:%Y-%m} county: "
        + ", ".join(f"{t:.3f}" for t in county)
        + " s (overview + 12-month trend); goal < 1 s"
    )
    print(f"dashboard {last:%Y-%m} one town: " + ", ".join(f"{t:.3f}" for t in town) + " s")
    print(
        f"{'rows':>8} {'baseline rows/s':>16} {'MB':>6} {'export rows/s':>14} {'MB':>6} "
        f"{'ratio':>6}"
    )
    for count in sorted({max(1, args.months // 4), max(1, args.months // 2), args.months}):
        to = months[count - 1] + timedelta(days=31)
        to = to.replace(day=1) - timedelta(days=1)
        b_s, b_rows, b_mb = in_child(lambda to=to: baseline(url, to, tmp / "baseline.csv"))
        e_s, e_rows, e_mb = in_child(lambda to=to: export(app, to, tmp / "export.zip"))
        print(
            f"{e_rows:>8} {b_rows / b_s:>16,.0f} {b_mb:>6.0f} {e_rows / e_s:>14,.0f} "
            f"{e_mb:>6.0f} {(e_rows / e_s) / (b_rows / b_s):>6.2f}",
            flush=True,
        )
    app.extensions["engine"].dispose()


def _database(args: argparse.Namespace, tmp: Path):  # type: ignore[no-untyped-def]
    if not args.database_url:
        return f"sqlite:///{tmp / 'monitor.db'}", lambda: None
    admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    name = f"fangfan_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


if __name__ == "__main__":
    main()
