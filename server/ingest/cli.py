"""`fangfan submissions …`: re-process stored submissions after a fix."""

from __future__ import annotations

import os
import signal
import sys
import threading

import click

from server.audit.service import command_line_operator
from server.core.clock import in_china
from server.db import unit_of_work
from server.ingest.processing import list_attention, process_versions, requeue_versions
from server.ingest.worker import run_worker


@click.group("submissions")
def submissions() -> None:
    """提交的表单 / submissions received from phones."""


@submissions.command("reprocess")
@click.option("--form", "form_id", default=None, help="只处理此表单 / only this form id")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="收到日期起 / received on or after (YYYY-MM-DD)",
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="收到日期止 / received on or before (YYYY-MM-DD)",
)
@click.option(
    "--all", "everything", is_flag=True, help="也重新处理已处理的 / also those already processed"
)
@click.pass_obj
def reprocess(obj, form_id, since, until, everything) -> None:  # type: ignore[no-untyped-def]
    """重新处理需要关注的提交 / process again the submissions that need attention."""
    app = obj.app
    states = (
        ["pending", "needs_attention", "processed"]
        if everything
        else ["pending", "needs_attention"]
    )
    with unit_of_work(app) as session:
        ids = requeue_versions(
            session,
            states=states,
            form_id=form_id,
            since=since.date() if since else None,
            until=until.date() if until else None,
            operator=command_line_operator(),
        )
    with (
        app.app_context(),
        click.progressbar(length=len(ids), label="处理中 / processing", file=sys.stderr) as bar,
    ):
        totals = process_versions(
            app.extensions["sessionmaker"], ids, on_done=lambda _id, _state: bar.update(1)
        )
    click.echo(
        f"已处理 {totals['processed']}，仍需关注 {totals['needs_attention']} / "
        f"processed {totals['processed']}, needing attention {totals['needs_attention']}"
    )


@submissions.command("attention")
@click.option("--limit", default=200, show_default=True)
@click.pass_obj
def attention(obj, limit: int) -> None:  # type: ignore[no-untyped-def]
    """列出需要关注的提交及原因 / list submissions that need attention, with the reason."""
    with unit_of_work(obj.app) as session:
        rows = list_attention(session, limit=limit)
        for version, form_id in rows:
            received = in_china(version.received_at).strftime("%Y-%m-%d %H:%M")
            click.echo(
                f"{received}  {form_id:18} {version.instance_id}  "
                f"{version.instance_name or ''}\n    → {version.attention_reason}"
            )
        click.echo(f"共 {len(rows)} 条 / {len(rows)} in all")


@submissions.command("work")
@click.option(
    "--nice",
    "niceness",
    default=0,
    show_default=True,
    help="CPU 优先级降低量 / how much lower than the web server to run (0–19). Its share is "
    "already bounded by working in short slices while phones send; on SQLite a niced worker "
    "would hold the write lock while the web server runs, and phones would wait for it.",
)
@click.option("--idle-seconds", default=0.5, show_default=True, type=float)
@click.option(
    "--parent-pid",
    type=int,
    default=None,
    hidden=True,
    help="started by `fangfan serve` (this pid): stop with it, not on the terminal's Ctrl-C",
)
@click.pass_obj
def work(obj, niceness: int, idle_seconds: float, parent_pid: int | None) -> None:  # type: ignore[no-untyped-def]
    """后台处理新提交（`fangfan serve` 会自动启动）/ normalise new submissions continuously
    (`fangfan serve` starts this itself)."""
    if niceness:
        os.nice(niceness)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if parent_pid is not None:
        # Ctrl-C reaches the whole process group; the server stops us itself (SIGTERM), and
        # had it died without doing so we notice that we were orphaned.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=_stop_when_orphaned, args=(parent_pid, stop), daemon=True).start()
    else:
        signal.signal(signal.SIGINT, lambda *_: stop.set())
    app = obj.app
    click.echo("提交处理程序已启动 / submission worker started", err=True)
    with app.app_context():
        run_worker(app.extensions["sessionmaker"], stop=stop, idle_seconds=idle_seconds)


def _stop_when_orphaned(parent: int, stop: threading.Event) -> None:
    while os.getppid() == parent and not stop.wait(1.0):
        pass
    stop.set()
