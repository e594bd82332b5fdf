"""`fangfan export …`: registry tables or a form's submissions to CSV-in-ZIP or XLSX."""

from __future__ import annotations

from pathlib import Path

import click

from server.access.policy import EXPORT, MASKED, area_scope, masker, scope_of
from server.access.viewer import OPERATOR
from server.audit.service import command_line_operator
from server.db import unit_of_work
from server.exports.service import (
    ExportFilter,
    count_rows,
    record_export,
    registry_export,
    registry_queries,
    submissions_export,
    submissions_statement,
)
from server.exports.writers import write_csv_zip, write_xlsx

_DATE = click.DateTime(["%Y-%m-%d"])


def _common(command):  # type: ignore[no-untyped-def]
    options = [
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            required=True,
            help="输出文件 .zip 或 .xlsx / output file (.zip or .xlsx)",
        ),
        click.option(
            "--area",
            default=None,
            help="只导出此镇或村（12位代码）/ only this town or village (12-digit code)",
        ),
        click.option(
            "--from", "date_from", type=_DATE, default=None, help="开始日期 / from (YYYY-MM-DD)"
        ),
        click.option("--to", "date_to", type=_DATE, default=None, help="结束日期 / to"),
        click.option(
            "--full",
            is_flag=True,
            help="包含完整个人信息（默认脱敏）/ include personal data unmasked",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group("export")
def export() -> None:
    """导出数据 / export registry tables and submissions."""


@export.command("registry")
@_common
@click.pass_obj
def registry(obj, output, area, date_from, date_to, full) -> None:  # type: ignore[no-untyped-def]
    """登记册（户、成员、走访、指标、措施、变故）/ the household registry."""
    f = _filter(area, date_from, date_to, full)
    with unit_of_work(obj.app) as session:
        total = count_rows(session, [stmt for _, stmt in registry_queries(f)])
        _on_record(session, "registry", None, output, f)
    with unit_of_work(obj.app) as session:
        _write(registry_export(session, f), output, total)


@export.command("submissions")
@click.argument("form_id")
@_common
@click.pass_obj
def submissions(obj, form_id, output, area, date_from, date_to, full) -> None:  # type: ignore[no-untyped-def]
    """一个表单的提交（重复组各成一表）/ a form's submissions, repeats as their own tables."""
    f = _filter(area, date_from, date_to, full)
    with unit_of_work(obj.app) as session:
        total = count_rows(session, [submissions_statement(session, form_id, f)])  # known form?
        _on_record(session, "submissions", form_id, output, f)
    with unit_of_work(obj.app) as session:
        _write(submissions_export(session, form_id, f), output, total)


def _on_record(session, kind: str, what: str | None, output: Path, f: ExportFilter) -> None:  # type: ignore[no-untyped-def]
    """The export is on record (as the web's are) before the file is written."""
    fmt = "xlsx" if output.suffix.lower() == ".xlsx" else "zip"
    record_export(
        session,
        None,
        kind=kind,
        what=what,
        fmt=fmt,
        export_filter=f,
        operator=command_line_operator(),
    )


def _filter(area: str | None, date_from, date_to, full: bool) -> ExportFilter:  # type: ignore[no-untyped-def]
    scope = area_scope(area) if area else scope_of(OPERATOR)
    if scope.nothing:
        raise click.BadParameter(f"{area} 不是12位区划代码 / is not a 12-digit area code")
    return ExportFilter(
        scope=scope,
        masker=masker(OPERATOR, EXPORT) if full else MASKED,
        area_code=area,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
    )


def _write(tables, output: Path, total: int) -> None:  # type: ignore[no-untyped-def]
    writer = write_xlsx if output.suffix.lower() == ".xlsx" else write_csv_zip
    written = 0
    with (
        output.open("wb") as out,
        click.progressbar(length=max(total, 1), label="导出 Exporting") as bar,
    ):
        for rows in writer(tables, out):
            written += rows
            bar.update(rows)
    click.echo(f"已导出 {written} 行到 {output} / exported {written} rows to {output}")
