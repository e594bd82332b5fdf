"""`fangfan areas …`: load and list the area tree."""

from __future__ import annotations

from pathlib import Path

import click

from server.areas.codes import XINFENG_FILE, AreaFileError, parse_area_file
from server.areas.service import list_areas, load_areas, this_year
from server.db import unit_of_work


@click.group("areas")
def areas() -> None:
    """区划代码 / area codes (county → towns → villages)."""


@areas.command("load")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=XINFENG_FILE
)
@click.pass_obj
def load(obj, file: Path) -> None:  # type: ignore[no-untyped-def]
    """导入区划代码文件 / load an area-code CSV file (default: Xinfeng County)."""
    try:
        rows = parse_area_file(file.read_text(encoding="utf-8"))
    except AreaFileError as err:
        raise click.ClickException(f"{file}: {err}") from err
    with unit_of_work(obj.app) as session:
        report = load_areas(session, rows)
    click.echo(
        f"区划：新增 {report.added}，更新 {report.updated}，未变 {report.unchanged} / "
        f"areas: {report.added} added, {report.updated} updated, {report.unchanged} unchanged"
    )


@areas.command("list")
@click.option("--year", type=int, default=None, help="年份 / year (default: this year)")
@click.pass_obj
def list_(obj, year: int | None) -> None:  # type: ignore[no-untyped-def]
    """列出区划 / list the areas in force in YEAR."""
    with unit_of_work(obj.app) as session:
        for area in list_areas(session, year=year or this_year()):
            indent = {"county": "", "town": "  ", "village": "    "}[area.level]
            click.echo(f"{area.code}  {indent}{area.name}  {area.name_en}")
