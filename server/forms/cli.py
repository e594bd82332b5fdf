"""`fangfan forms …`: publish XLSForms, list them, show a workbook as text for review."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from server.config import REPO_ROOT
from server.core.errors import DomainError
from server.db import unit_of_work
from server.forms.service import list_forms, publish_form
from server.forms.validate import java_available, odk_validate_form

XLSFORMS_DIR = REPO_ROOT / "xlsforms"


@click.group("forms")
def forms() -> None:
    """表单 / survey forms (XLSForm → XForm)."""


def _attachments(xlsform: Path) -> dict[str, bytes]:
    """Static media for `x.xlsx` live in `media/x/` beside it."""
    media_dir = xlsform.parent / "media" / xlsform.stem
    if not media_dir.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(media_dir.iterdir()) if p.is_file()}


@forms.command("publish")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--validate/--no-validate",
    default=True,
    show_default=True,
    help="用 ODK Validate（JavaRosa）检查 / check with ODK Validate (JavaRosa)",
)
@click.pass_obj
def publish(obj, files: tuple[Path, ...], validate: bool) -> None:  # type: ignore[no-untyped-def]
    """编译并发布表单 / compile and publish XLSForms (default: every xlsforms/*.xlsx)."""
    paths = list(files) or sorted(XLSFORMS_DIR.glob("*.xlsx"))
    if validate and not java_available():
        raise click.ClickException(
            "未找到 Java，无法运行 ODK Validate / Java not found "
            "(needed by ODK Validate); install it or use --no-validate"
        )
    failures: list[str] = []
    with click.progressbar(
        paths,
        label="发布表单 / publishing",
        file=sys.stderr,
        item_show_func=lambda p: p.name if p else "",
    ) as bar:
        for path in bar:
            try:
                with unit_of_work(obj.app) as session:
                    outcome = publish_form(
                        session,
                        source=path.read_bytes(),
                        source_name=path.name,
                        attachments=_attachments(path),
                        validate=odk_validate_form if validate else None,
                    )
                    version = outcome.version
                    line = (
                        f"{'已发布' if outcome.created else '未变'} / "
                        f"{'published' if outcome.created else 'unchanged'}: "
                        f"{version.form.xml_form_id} {version.version} md5:{version.xform_md5}"
                    )
            except DomainError as err:
                failures.append(err.message)
                continue
            click.echo(f"\n{line}", err=True)
    for failure in failures:
        click.echo(f"错误 / error: {failure}", err=True)
    if failures:
        raise SystemExit(1)


@forms.command("list")
@click.pass_obj
def list_(obj) -> None:  # type: ignore[no-untyped-def]
    """列出已发布的表单 / list published forms and their versions."""
    with unit_of_work(obj.app) as session:
        for form in list_forms(session):
            versions = ", ".join(v.version for v in form.versions)
            click.echo(f"{form.xml_form_id}  {form.title}  [{versions}]")


@forms.command("text")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def text(file: Path) -> None:
    """以文本显示 XLSForm 工作簿（用于 git diff）/ print a workbook as markdown (git textconv)."""
    from server.forms.workbook_text import workbook_to_markdown

    click.echo(workbook_to_markdown(file.read_bytes()), nl=False)
