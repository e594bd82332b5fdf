"""`fangfan app-users …`: phone accounts for cadres, with their ODK Collect QR codes."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from server.areas.service import this_year
from server.audit.service import command_line_operator
from server.auth.models import AppUser
from server.auth.qr import collect_settings, encode_payload, qr_png, qr_text
from server.auth.roles import DEPARTMENTS, WEB_USER_ROLES
from server.auth.service import (
    AppUserSecrets,
    create_app_user,
    create_web_user,
    disable_web_user,
    list_app_users,
    list_web_users,
    revoke_app_user,
    rotate_secrets,
)
from server.db import unit_of_work

ALL_FORMS = ("household_archive", "assistance_visit", "major_event")


@click.group("app-users")
def app_users() -> None:
    """手机端用户 / phone app users (ODK Collect)."""


def default_server_url(app: Flask) -> str:
    return app.config.get("PUBLIC_URL") or "http://127.0.0.1:8000"


def print_credentials(
    user: AppUser,
    secrets_: AppUserSecrets,
    *,
    server_url: str,
    qr_dir: Path | None,
    show_qr: bool = True,
) -> None:
    """Print the QR code (token URL, one scan configures Collect) and the Digest credentials."""
    base = server_url.rstrip("/")
    settings = collect_settings(
        server_url=f"{base}/key/{secrets_.token}",
        project_name=f"防返 {user.display_name}",
        metadata_username=user.display_name,
    )
    payload = encode_payload(settings)
    click.echo(f"\n== {user.display_name} ({user.username}, {user.role}, {user.area_code}) ==")
    if show_qr:
        click.echo(qr_text(payload))
    click.echo(f"服务器地址（扫码即配置）/ server URL in the QR code: {base}/key/{secrets_.token}")
    click.echo(f"或用户名密码登录 / or log in at {base} as {user.username} / {secrets_.password}")
    if qr_dir is not None:
        qr_dir.mkdir(parents=True, exist_ok=True)
        png = qr_dir / f"{user.username}.png"
        png.write_bytes(qr_png(payload))
        png.chmod(0o600)
        click.echo(f"二维码图片 / QR code image: {png}")


@app_users.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="干部姓名 / cadre's name")
@click.option(
    "--role",
    type=click.Choice(["village_cadre", "town_cadre"]),
    default="village_cadre",
    show_default=True,
)
@click.option(
    "--area", "area_code", required=True, help="村或镇的 12 位代码 / village or town code"
)
@click.option(
    "--forms",
    "form_ids",
    default=",".join(ALL_FORMS),
    show_default=True,
    help="可用表单 / forms this user may use (comma-separated form ids)",
)
@click.option(
    "--password", default=None, help="密码（默认自动生成）/ password (default: generated)"
)
@click.option("--server-url", default=None, help="手机访问的地址 / base URL phones use")
@click.option(
    "--qr-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="二维码 PNG 保存目录 / where to write the QR code PNG",
)
@click.pass_obj
def create(obj, username, display_name, role, area_code, form_ids, password, server_url, qr_dir):  # type: ignore[no-untyped-def]
    """创建手机端用户并打印二维码 / create an app user and print its Collect QR code."""
    app = obj.app
    with unit_of_work(app) as session:
        user, secrets_ = create_app_user(
            session,
            username=username,
            display_name=display_name,
            role=role,
            area_code=area_code,
            form_ids=[f.strip() for f in form_ids.split(",") if f.strip()],
            realm=app.config["DIGEST_REALM"],
            year=this_year(),
            password=password,
            actor=None,
            operator=command_line_operator(),
        )
    print_credentials(
        user,
        secrets_,
        server_url=server_url or default_server_url(app),
        qr_dir=qr_dir or Path(app.instance_path) / "qr",
    )


@app_users.command("rotate")
@click.argument("username")
@click.option("--server-url", default=None, help="手机访问的地址 / base URL phones use")
@click.pass_obj
def rotate(obj, username: str, server_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """更换令牌和密码并打印新二维码 / new token and password, new QR code; old ones stop working."""
    app = obj.app
    with unit_of_work(app) as session:
        user, secrets_ = rotate_secrets(
            session,
            username,
            realm=app.config["DIGEST_REALM"],
            actor=None,
            operator=command_line_operator(),
        )
    print_credentials(
        user,
        secrets_,
        server_url=server_url or default_server_url(app),
        qr_dir=Path(app.instance_path) / "qr",
    )


@app_users.command("revoke")
@click.argument("username")
@click.pass_obj
def revoke(obj, username: str) -> None:  # type: ignore[no-untyped-def]
    """停用手机端用户（5 秒内生效）/ revoke an app user; its phone loses access within 5 s."""
    with unit_of_work(obj.app) as session:
        user = revoke_app_user(session, username, actor=None, operator=command_line_operator())
        click.echo(f"已停用 / revoked: {user.username} ({user.display_name})")


@app_users.command("list")
@click.pass_obj
def list_(obj) -> None:  # type: ignore[no-untyped-def]
    """列出手机端用户 / list app users."""
    with unit_of_work(obj.app) as session:
        for user in list_app_users(session):
            state = "有效 active" if user.is_active else "已停用 revoked"
            click.echo(
                f"{user.username:20} {user.display_name:8} {user.role:14} {user.area_code} "
                f"{state}  [{', '.join(user.form_ids)}]"
            )


@click.group("web-users")
def web_users() -> None:
    """网页用户 / web users (county, town, village, departments)."""


@web_users.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="姓名 / name")
@click.option(
    "--role", type=click.Choice(list(WEB_USER_ROLES)), default="county_admin", show_default=True
)
@click.option("--area", "area_code", default=None, help="镇或村代码 / town or village code")
@click.option(
    "--password", default=None, help="密码（默认自动生成）/ password (default: generated)"
)
@click.option(
    "--department",
    type=click.Choice(list(DEPARTMENTS)),
    default=None,
    help="部门查看用户的部门 / the department of a department_viewer",
)
@click.pass_obj
def create_web(obj, username, display_name, role, area_code, password, department):  # type: ignore[no-untyped-def]
    """创建网页用户 / create a web user and print its password."""
    with unit_of_work(obj.app) as session:
        user, password = create_web_user(
            session,
            username=username,
            display_name=display_name,
            role=role,
            area_code=area_code,
            password=password,
            year=this_year(),
            department=department,
            actor=None,
            operator=command_line_operator(),
        )
    click.echo(f"已创建 / created {user.username} ({user.role}); 密码 / password: {password}")


@web_users.command("list")
@click.pass_obj
def list_web(obj) -> None:  # type: ignore[no-untyped-def]
    """列出网页用户 / list web users."""
    with unit_of_work(obj.app) as session:
        for user in list_web_users(session):
            state = "有效 active" if user.is_active else "已停用 disabled"
            click.echo(
                f"{user.username:20} {user.display_name:8} {user.role:18} "
                f"{user.area_code or '-':12} {state}"
            )


@web_users.command("disable")
@click.argument("username")
@click.pass_obj
def disable_web(obj, username: str) -> None:  # type: ignore[no-untyped-def]
    """停用网页用户 / disable a web user (its sessions end at once)."""
    with unit_of_work(obj.app) as session:
        user = disable_web_user(session, username, actor=None, operator=command_line_operator())
    click.echo(f"已停用 / disabled {user.username}")
