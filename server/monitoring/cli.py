"""`fangfan monitoring …`: settings in force, the month's figures, opening warning cases,
the monthly report."""

from __future__ import annotations

from pathlib import Path

import click

from server.access.policy import EXPORT, masker, scope_of
from server.access.viewer import OPERATOR
from server.audit.service import command_line_operator
from server.core import clock
from server.core.clock import Month
from server.db import unit_of_work
from server.monitoring.scope import COUNTY_CODE


@click.group("monitoring")
def monitoring() -> None:
    """动态监测 / monthly monitoring and early warnings."""


@monitoring.command("settings")
@click.option(
    "--on",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="日期（默认今天）/ date (default today)",
)
def settings(day) -> None:  # type: ignore[no-untyped-def]
    """检查设置文件并显示某日生效的设置 / check the settings file, show those in force."""
    from server.monitoring.loading import load_periods, settings_for

    periods = load_periods()
    current = settings_for(day.date() if day else clock.today())
    click.echo(f"{len(periods)} 个时期 / periods; 生效 in force: {current.effective_from}")
    for name in current.__slots__:
        click.echo(f"  {name} = {getattr(current, name)}")


@monitoring.command("month")
@click.option("--month", type=Month.parse, required=True, help="月份 / month (YYYY-MM)")
@click.option("--area", default=COUNTY_CODE, show_default=True)
@click.pass_obj
def month(obj, month, area) -> None:  # type: ignore[no-untyped-def]
    """某月各镇/村的监测情况 / the month per town or village."""
    from server.monitoring.service import monthly_overview

    with unit_of_work(obj.app) as session:
        view = monthly_overview(session, month=month.first, prefix=area, today=clock.today())
        click.echo("区域 area\t户数 households\t走访 done/required\t不足 below\t预警 warnings")
        for row in [*view.rows, view.total]:
            click.echo(
                f"{row.name}\t{row.households}\t{row.visits_done}/{row.visits_required}"
                f"\t{row.below}\t{row.warnings}"
            )


@monitoring.command("warnings")
@click.option("--month", type=Month.parse, required=True, help="月份 / month (YYYY-MM)")
@click.pass_obj
def warnings(obj, month) -> None:  # type: ignore[no-untyped-def]
    """为本月预警建立跟踪案例（可重复运行）/ open tracked cases for the month's warnings."""
    from server.monitoring.cases import open_warning_cases

    with unit_of_work(obj.app) as session:
        report = open_warning_cases(
            session, month=month.first, prefix=COUNTY_CODE, today=clock.today()
        )
    click.echo(
        f"新建 {report.opened}，更新 {report.refreshed} / opened {report.opened}, "
        f"refreshed {report.refreshed}"
    )


@monitoring.command("report")
@click.option("--month", type=Month.parse, required=True, help="月份 / month (YYYY-MM)")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=".xlsx 或 .pdf",
)
@click.pass_obj
def report(obj, month, output) -> None:  # type: ignore[no-untyped-def]
    """县月度监测报告 / the county's monthly report (XLSX or PDF)."""
    from server.exports.report import monthly_report, render_pdf, render_xlsx
    from server.exports.service import ExportFilter, record_export

    fmt = "pdf" if output.suffix.lower() == ".pdf" else "xlsx"
    with unit_of_work(obj.app) as session:
        record_export(
            session,
            None,
            kind="monthly_report",
            what=str(month),
            fmt=fmt,
            export_filter=ExportFilter(scope=scope_of(OPERATOR), masker=masker(OPERATOR, EXPORT)),
            operator=command_line_operator(),
        )
        context = monthly_report(
            session, month=month.first, prefix=COUNTY_CODE, today=clock.today()
        )
    data = render_pdf(context) if fmt == "pdf" else render_xlsx(context)
    output.write_bytes(data)
    click.echo(f"已生成 {output} / wrote {output}")
