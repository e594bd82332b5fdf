"""Benchmark: the village monthly binder (200 households, 2 visits each, one photo per visit,
signatures; about 400 pages) against plain WeasyPrint on the same HTML, in the same run.

Set-up (not timed): a throwaway SQLite database in a temp dir, migrated; the Xinfeng area tree;
the county's assistance_visit form; 200 households of village 440233100201, each with two visits
in 2026-11, each visit with one distinct 1280×960 JPEG photo and an RGBA signature PNG (rows
inserted directly, like tests/registry_factories.py). Then, each in its own child process so
peak RSS is that run's alone:

  baseline   `weasyprint.HTML(filename=…).write_pdf(pdf_variant="pdf/a-3b")` on the binder's
             already-generated HTML as ONE document (cover, contents, 200 work forms, footers via
             counter(page)/counter(pages)), with the photos already downscaled to files, and one
             FontConfiguration; no Fangfan code is imported;
  fangfan-1  `fangfan archive binder` without the CLI around it: prepare (queries, archive
             numbers, print data) + render in parts + join + footer overlay, one process;
  fangfan-2  the same with two worker processes.

Printed per run: pages, total seconds, pages/s, ratio to the baseline's pages/s, peak RSS of
the main process and of the largest worker. Nothing is asserted about timings.

    .venv/bin/python bench/print.py                 # all three
    .venv/bin/python bench/print.py --households 50 # smaller
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

VILLAGE = "440233100201"
MONTH = "2026-11"
BENCH_KEY = "bench-" + "throwaway"  # a throwaway instance


def seed(workdir: Path, households: int) -> str:
    from server import create_app, migrate
    from server.areas.codes import XINFENG_FILE, parse_area_file
    from server.areas.service import load_areas
    from server.config import Config
    from server.db import unit_of_work
    from server.forms.service import publish_form
    from server.registry.service import add_household
    from tests.registry_factories import add_visit, photo_jpeg, signature_png

    url = f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(Config(INSTANCE_PATH=str(workdir), DATABASE_URL=url, SECRET_KEY=BENCH_KEY))
    migrate.upgrade(app.extensions["engine"])
    signature = signature_png()
    with unit_of_work(app) as session:
        load_areas(session, parse_area_file(XINFENG_FILE.read_text(encoding="utf-8")))
        source = (REPO / "xlsforms" / "assistance_visit.xlsx").read_bytes()
        form_version = publish_form(
            session, source=source, source_name="assistance_visit.xlsx", attachments={}
        ).version
        for n in range(1, households + 1):
            # Registered in March, as the registry does (with its status history).
            household = add_household(
                session,
                code=f"H{VILLAGE}-{n:04d}",
                village_code=VILLAGE,
                head_name=f"村民{n:03d}",
                household_type="marginal_at_risk",
                household_kind="ordinary",
                status="monitored",
                member_count=3,
                address=f"梁坝村第{n % 9 + 1}村民小组{n}号",
                identified_on=date(2026, 3, 1),
                created_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
            for k, day in enumerate((5, 20)):
                add_visit(
                    session,
                    household,
                    form_version,
                    visited_on=date(2026, 11, day),
                    photos=[photo_jpeg(n * 2 + k)],
                    signature=signature,
                    number=k + 1,
                )
    app.extensions["engine"].dispose()
    return url


def _app(url: str, workdir: Path):  # type: ignore[no-untyped-def]
    from server import create_app
    from server.config import Config

    return create_app(Config(INSTANCE_PATH=str(workdir), DATABASE_URL=url, SECRET_KEY=BENCH_KEY))


def write_baseline_html(url: str, workdir: Path) -> Path:
    """The same binder as one HTML document, images downscaled into files (not timed)."""
    from server.db import unit_of_work
    from server.printing import render, service
    from server.printing.pagination import TOC_ROWS_PER_PAGE

    app = _app(url, workdir)
    images = workdir / "images"
    images.mkdir(exist_ok=True)
    with unit_of_work(app) as session:
        job = service.prepare_binder(
            session,
            user=None,
            village_code=VILLAGE,
            month=MONTH,
            base_url="http://localhost",
            operator="bench",
        )
        for sha, content in service.load_blobs(session, job.image_shas):
            for kind in ("photo", "signature"):
                body, _mime = render.downscale(content, kind)
                (images / f"{kind}-{sha}").write_bytes(body)
    front = render.render_html(
        "binder_front.html",
        cover=job.cover,
        page_numbers={},
        total_pages=None,
        rows_per_page=TOC_ROWS_PER_PAGE,
        **job.meta,
    )
    body = render.render_html("binder_part.html", forms=job.forms, **job.meta)
    # One document: the front's body followed by the forms, with the normal footer.
    html = front.split("</body>")[0] + body.split("<body>", 1)[1].split("</body>")[0]
    html = html.replace("@page { @bottom-center { content: none; } }", "")
    html = html.replace('<div class="toc">', '<div class="toc">', 1) + "</body></html>"
    for kind in ("photo", "signature"):
        html = html.replace(f"attachment:{kind}/", f"file://{images}/{kind}-")
    html = html.replace('href="print.css"', f'href="file://{render.EXPORTS_DIR}/print.css"')
    path = workdir / "binder.html"
    path.write_text(html, encoding="utf-8")
    app.extensions["engine"].dispose()
    return path


def child_baseline(html: str, out: str) -> dict:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    start = time.perf_counter()
    doc = HTML(filename=html).render(font_config=FontConfiguration(), pdf_variant="pdf/a-3b")
    doc.write_pdf(out, pdf_variant="pdf/a-3b")
    return {"seconds": time.perf_counter() - start, "pages": len(doc.pages)}


def child_fangfan(url: str, workdir: str, out: str, workers: int) -> dict:
    from server.db import unit_of_work
    from server.printing import binder, service

    app = _app(url, Path(workdir))
    start = time.perf_counter()
    with unit_of_work(app) as session:
        job = service.prepare_binder(
            session,
            user=None,
            village_code=VILLAGE,
            month=MONTH,
            base_url="http://localhost",
            operator="bench",
        )
        prepared = time.perf_counter() - start
        result = binder.render_binder(
            job.cover,
            job.forms,
            service.load_blobs(session, job.image_shas),
            out,
            meta=job.meta,
            workers=workers,
        )
    seconds = time.perf_counter() - start
    # Binder workers are children of multiprocessing's fork server: stop and reap it, so their
    # CPU time and peak RSS reach this process's RUSAGE_CHILDREN (the fork server reaps them).
    import multiprocessing.forkserver

    multiprocessing.forkserver._forkserver._stop()
    return {"seconds": seconds, "prepare_seconds": prepared, "pages": result.pages}


def run_child(args: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="copy the PDFs into this folder")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = (
            child_baseline(*rest)
            if kind == "baseline"
            else child_fangfan(rest[0], rest[1], rest[2], int(rest[3]))
        )
        me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        result["maxrss_mb"] = me.ru_maxrss / 1024
        result["children_maxrss_mb"] = kids.ru_maxrss / 1024
        result["cpu_seconds"] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="fangfan-bench-print-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        url = seed(workdir, args.households)
        html = write_baseline_html(url, workdir)
        print(
            f"set-up: {args.households} households, 2 visits each, "
            f"{time.perf_counter() - started:.1f} s"
        )
        runs = {
            "baseline": run_child(["baseline", str(html), str(workdir / "baseline.pdf")]),
            "fangfan-1": run_child(["fangfan", url, tmp, str(workdir / "fangfan1.pdf"), "1"]),
            "fangfan-2": run_child(["fangfan", url, tmp, str(workdir / "fangfan2.pdf"), "2"]),
        }
        base_rate = runs["baseline"]["pages"] / runs["baseline"]["seconds"]
        print(f"load average before the runs: {os.getloadavg()[0]:.1f} (2 cores: above 1 is noise)")
        print(
            f"{'run':<10} {'pages':>5} {'seconds':>8} {'pages/s':>8} {'× base':>7} "
            f"{'CPU s':>6} {'RSS main MB':>12} {'RSS worker MB':>14}"
        )
        for name, r in runs.items():
            rate = r["pages"] / r["seconds"]
            print(
                f"{name:<10} {r['pages']:>5} {r['seconds']:>8.1f} {rate:>8.2f} "
                f"{rate / base_rate:>7.2f} {r['cpu_seconds']:>6.1f} {r['maxrss_mb']:>12.0f} "
                f"{r['children_maxrss_mb']:>14.0f}"
            )
        for name in ("fangfan-1", "fangfan-2"):
            print(
                f"{name}: prepare (queries, archive numbers, print data) "
                f"{runs[name]['prepare_seconds']:.1f} s of the total"
            )
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name in ("baseline.pdf", "fangfan1.pdf", "fangfan2.pdf"):
                (args.keep / name).write_bytes((workdir / name).read_bytes())


if __name__ == "__main__":
    main()
