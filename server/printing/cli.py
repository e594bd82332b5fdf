"""`fangfan archive …`: print archive documents and the village binder to PDF files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from server.audit.service import command_line_operator
from server.db import unit_of_work
from server.printing import binder, render, service

OUT = click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="输出 PDF 文件 / output PDF file",
)


def _base_url(app) -> str:  # type: ignore[no-untyped-def]
    return app.config.get("PUBLIC_URL") or "http://localhost:8000"


def _write(job: service.PrintJob, out: Path) -> None:
    render.render_pdf(render.render_html(job.template, **job.context), job.attachments.get, out)
    click.echo(f"{out}（{job.title}）")


@click.group("archive")
def archive() -> None:
    """打印档案 / print archive documents (PDF/A)."""


@archive.command("household")
@click.argument("code")
@OUT
@click.pass_obj
def household(obj, code: str, out: Path) -> None:  # type: ignore[no-untyped-def]
    """户档案 / a household's archive record."""
    with unit_of_work(obj.app) as session:
        job = service.print_household_archive(
            session,
            user=None,
            code=code,
            base_url=_base_url(obj.app),
            operator=command_line_operator(),
        )
    _write(job, out)


@archive.command("work-form")
@click.argument("code")
@click.option("--month", required=True, help="YYYY-MM")
@OUT
@click.pass_obj
def work_form(obj, code: str, month: str, out: Path) -> None:  # type: ignore[no-untyped-def]
    """帮扶工作表 / a household's monthly work form."""
    with unit_of_work(obj.app) as session:
        job = service.print_work_form(
            session,
            user=None,
            code=code,
            month=month,
            base_url=_base_url(obj.app),
            operator=command_line_operator(),
        )
    _write(job, out)


@archive.command("event")
@click.argument("event_id", type=int)
@OUT
@click.pass_obj
def event(obj, event_id: int, out: Path) -> None:  # type: ignore[no-untyped-def]
    """重大变故事项报告单 / a major-event report sheet."""
    with unit_of_work(obj.app) as session:
        job = service.print_event_report(
            session,
            user=None,
            event_id=event_id,
            base_url=_base_url(obj.app),
            operator=command_line_operator(),
        )
    _write(job, out)


@archive.command("binder")
@click.option("--village", required=True, help="12 位村代码 / 12-digit village code")
@click.option("--month", required=True, help="YYYY-MM")
@OUT
@click.option("--workers", default=1, show_default=True, help="并行进程数 / processes")
@click.option(
    "--chunk",
    default=binder.DEFAULT_CHUNK,
    show_default=True,
    help="每部分户数 / households per part",
)
@click.pass_obj
def binder_command(obj, village: str, month: str, out: Path, workers: int, chunk: int) -> None:  # type: ignore[no-untyped-def]
    """村级月度汇编 / the village's monthly binder of work forms."""
    with unit_of_work(obj.app) as session:
        job = service.prepare_binder(
            session,
            user=None,
            village_code=village,
            month=month,
            base_url=_base_url(obj.app),
            operator=command_line_operator(),
        )
    with (
        unit_of_work(obj.app) as session,
        click.progressbar(length=len(job.forms), label="排版 / rendering", file=sys.stderr) as bar,
    ):
        result = binder.render_binder(
            job.cover,
            job.forms,
            service.load_blobs(session, job.image_shas),
            out,
            meta=job.meta,
            workers=workers,
            chunk_size=chunk,
            progress=bar.update,
        )
    click.echo(f"{out}：{result.households} 户，共 {result.pages} 页 / households, pages")
