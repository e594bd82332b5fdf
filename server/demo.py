"""`fangfan demo`: a ready-to-try server on the embedded database with demo data.

Migrates, loads the Xinfeng area tree, publishes the county forms, adds a few clearly marked demo
households and demo app users, prints their Collect QR codes, then serves. Safe to run again:
everything is created once; the demo app users' secrets are kept in the instance folder (demo
only; real users' tokens are shown once and stored hashed).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import struct
from pathlib import Path

import click
from flask import Flask

from server import migrate
from server.areas.codes import XINFENG_FILE, parse_area_file
from server.areas.service import load_areas, this_year
from server.audit.service import command_line_operator
from server.auth.cli import ALL_FORMS, print_credentials
from server.auth.service import (
    AppUserSecrets,
    create_app_user,
    create_web_user,
    find_app_user_by_username,
    find_web_user_by_name,
)
from server.db import unit_of_work
from server.forms.cli import XLSFORMS_DIR, _attachments
from server.forms.service import publish_form
from server.forms.validate import java_available, odk_validate_form
from server.registry.queries import find_household
from server.registry.service import add_household
from server.serve import run_server

DEMO_USERS = (
    ("demo-liangba", "梁坝村干部（示例）", "village_cadre", "440233100201"),
    ("demo-sankeng", "三坑村干部（示例）", "village_cadre", "440233100200"),
    ("demo-huangqi", "黄磜镇干部（示例）", "town_cadre", "440233100000"),
)
DEMO_HOUSEHOLDS = (
    ("H440233100201-0001", "440233100201", "张示例", "marginal_at_risk", "ordinary", 4),
    ("H440233100201-0002", "440233100201", "李示例", "unstable_formerly_poor", "formerly_poor", 3),
    ("H440233100201-0003", "440233100201", "王示例", "sudden_severe_difficulty", "ordinary", 5),
    ("H440233100200-0001", "440233100200", "陈示例", "marginal_at_risk", "ordinary", 2),
    ("H440233100200-0002", "440233100200", "黄示例", "unstable_formerly_poor", "formerly_poor", 6),
)


_SIOCGIFADDR = 0x8915  # Linux ioctl: the IPv4 address of a network interface


def _interface_addresses() -> list[str]:
    """IPv4 addresses of this machine's interfaces, read locally (no packet is sent)."""
    addresses = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name[:15].encode())
            try:
                reply = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, request)
            except OSError:
                continue  # interface without IPv4
            addresses.append(socket.inet_ntoa(reply[20:24]))
    return [a for a in addresses if not a.startswith("127.")]


def lan_url(port: int) -> str:
    """A URL phones on the same network can reach: the first non-loopback IPv4 of this host."""
    addresses = _interface_addresses()
    return f"http://{addresses[0] if addresses else '127.0.0.1'}:{port}"


def prepare_demo(app: Flask, *, validate: bool) -> tuple[list[tuple[str, AppUserSecrets]], str]:
    migrate.upgrade(app.extensions["engine"])
    with unit_of_work(app) as session:
        load_areas(session, parse_area_file(XINFENG_FILE.read_text(encoding="utf-8")))
    for path in sorted(XLSFORMS_DIR.glob("*.xlsx")):
        with unit_of_work(app) as session:
            publish_form(
                session,
                source=path.read_bytes(),
                source_name=path.name,
                attachments=_attachments(path),
                validate=odk_validate_form if validate else None,
            )
    with unit_of_work(app) as session:
        for code, village, head, kind_type, kind, members in DEMO_HOUSEHOLDS:
            if find_household(session, code) is None:
                add_household(
                    session,
                    code=code,
                    village_code=village,
                    head_name=head,
                    household_type=kind_type,
                    household_kind=kind,
                    member_count=members,
                    is_demo=True,
                    head_phone="1380000" + code[-4:],
                )
    return _demo_users(app)


DEMO_ADMIN = "demo-admin"


def _demo_users(app: Flask) -> tuple[list[tuple[str, AppUserSecrets]], str]:
    """The demo app users' secrets and the demo admin's password, created on the first run."""
    store = Path(app.instance_path) / "demo-accounts.json"
    saved = json.loads(store.read_text()) if store.exists() else {}
    operator = command_line_operator()
    with unit_of_work(app) as session:
        if DEMO_ADMIN not in saved or find_web_user_by_name(session, DEMO_ADMIN) is None:
            _admin, saved[DEMO_ADMIN] = create_web_user(
                session,
                username=DEMO_ADMIN,
                display_name="县管理员（示例）",
                role="county_admin",
                year=this_year(),
                actor=None,
                operator=operator,
            )
        for username, name, role, area in DEMO_USERS:
            if username in saved and find_app_user_by_username(session, username):
                continue
            _user, secrets_ = create_app_user(
                session,
                username=username,
                display_name=name,
                role=role,
                area_code=area,
                form_ids=ALL_FORMS,
                realm=app.config["DIGEST_REALM"],
                year=this_year(),
                actor=None,
                operator=operator,
            )
            saved[username] = {"token": secrets_.token, "password": secrets_.password}
    store.write_text(json.dumps(saved, indent=2))
    store.chmod(0o600)
    return [(u, AppUserSecrets(**saved[u])) for u, *_ in DEMO_USERS], saved[DEMO_ADMIN]


@click.command("demo")
@click.option("--host", default="0.0.0.0", show_default=True)  # noqa: S104 - phones on the LAN
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--public-url", default=None, help="手机访问的地址 / base URL phones use")
@click.option("--serve/--no-serve", "serve_after", default=True, show_default=True)
@click.pass_obj
def demo(obj, host: str, port: int, public_url: str | None, serve_after: bool) -> None:  # type: ignore[no-untyped-def]
    """演示：建库、导入区划与表单、示例用户，然后启动 / demo data, then serve."""
    app = obj.app
    users, admin_password = prepare_demo(app, validate=java_available())
    server_url = public_url or app.config.get("PUBLIC_URL") or lan_url(port)
    with unit_of_work(app) as session:
        for username, secrets_ in users:
            user = find_app_user_by_username(session, username)
            print_credentials(
                user, secrets_, server_url=server_url, qr_dir=Path(app.instance_path) / "qr"
            )
    click.echo(
        f"\n网页管理 / web admin: {server_url}/login  用户 user {DEMO_ADMIN}  "
        f"密码 password {admin_password}"
    )
    click.echo(f"防返演示服务器 / Fangfan demo server: {server_url}  (Ctrl+C 停止 / to stop)")
    if serve_after:
        # QR codes made on the admin page must carry the address phones reach, whatever
        # address the administrator's browser used.
        os.environ.setdefault("FANGFAN_PUBLIC_URL", server_url)
        run_server(host, port, workers=2, threads=2, worker=True)
