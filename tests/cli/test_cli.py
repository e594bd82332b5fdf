"""The operator's command line, run as an operator would, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.audit.models import AuditEvent
from server.cli import main
from server.db import make_engine
from server.forms.cli import XLSFORMS_DIR
from tests.conftest import POSTGRES_ADMIN_URL
from tests.live import fresh_database

OPERATOR = "命令行 command line (zhou)"  # the operator's login name is zhou (LOGNAME below)


@pytest.fixture
def fangfan(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        monkeypatch.setenv("LOGNAME", "zhou")  # getpass.getuser() reads it first
        monkeypatch.setenv("FANGFAN_INSTANCE", str(tmp_path / "instance"))
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("FANGFAN_PUBLIC_URL", "http://192.0.2.10:8000")
        runner = CliRunner()

        def run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
            result = runner.invoke(main, list(args), catch_exceptions=False)
            assert (result.exit_code == 0) == ok, result.output
            return result

        run("db", "upgrade")
        yield run


def audit_log(*actions: str) -> list[AuditEvent]:
    """The audit events written so far (of these actions), oldest first."""
    engine = make_engine(os.environ["DATABASE_URL"])
    with Session(engine) as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if actions:
            query = query.where(AuditEvent.action.in_(actions))
        events = list(session.scalars(query))
    engine.dispose()
    return events


def test_areas_load_is_idempotent_and_lists_the_tree(fangfan):
    first = fangfan("areas", "load")
    assert "新增 15" in first.output
    assert "未变 15" in fangfan("areas", "load").output
    listing = fangfan("areas", "list", "--year", "2019").output
    assert "黄礤镇" in listing
    assert "黄磜镇" in fangfan("areas", "list", "--year", "2024").output


def test_a_broken_area_file_names_the_row(fangfan, tmp_path: Path):
    bad = tmp_path / "areas.csv"
    bad.write_text(
        "code,parent_code,level,name,name_en,alt_names,urban_rural_class,valid_from,"
        "valid_to\n12345,,county,X,,,,2019,\n",
        encoding="utf-8",
    )
    result = fangfan("areas", "load", str(bad), ok=False)
    assert "row 2" in result.output


@pytest.mark.slow
def test_publish_the_county_forms_with_odk_validate(fangfan):
    result = fangfan("forms", "publish")
    for form_id in ("household_archive", "assistance_visit", "major_event"):
        assert f"published: {form_id} 2026112901" in result.output
    again = fangfan("forms", "publish", "--no-validate")
    assert again.output.count("unchanged") == 3
    assert "household_archive" in fangfan("forms", "list").output


def test_publishing_a_changed_form_under_the_same_version_is_refused(fangfan, tmp_path: Path):
    from tests.fixtures import markdown_form

    form = tmp_path / "visit.md"
    form.write_bytes(markdown_form(version="5"))
    fangfan("forms", "publish", "--no-validate", str(form))
    form.write_bytes(markdown_form(version="5").replace("走访测试".encode(), "走访".encode()))
    result = fangfan("forms", "publish", "--no-validate", str(form), ok=False)
    assert "raise the version" in result.output


def test_app_user_gets_a_qr_code_then_loses_access_when_revoked(fangfan, tmp_path: Path):
    fangfan("areas", "load")
    created = fangfan(
        "app-users", "create", "liangba-1", "--name", "梁坝村干部", "--area", "440233100201"
    )
    assert "http://192.0.2.10:8000/key/" in created.output
    png = tmp_path / "instance" / "qr" / "liangba-1.png"
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "有效 active" in fangfan("app-users", "list").output
    assert "revoked" in fangfan("app-users", "revoke", "liangba-1").output
    assert "已停用 revoked" in fangfan("app-users", "list").output


def test_app_user_must_match_its_area_level(fangfan):
    fangfan("areas", "load")
    result = fangfan(
        "app-users", "create", "x-1", "--name", "x", "--area", "440233100000", ok=False
    )
    assert "must be bound to a village" in result.output
    assert (
        "Unknown area"
        in fangfan(
            "app-users", "create", "x-2", "--name", "x", "--area", "440233999999", ok=False
        ).output
    )


def test_a_chosen_password_follows_the_one_rule_for_web_and_phone_users(fangfan):
    fangfan("areas", "load")
    web = ("web-users", "create", "zhao", "--name", "赵", "--password")
    assert "a common password" in fangfan(*web, "1234567890", ok=False).output
    assert "must not contain the username" in fangfan(*web, "zhao20261234", ok=False).output
    chosen = "赵家 院子里的 枣树 2026"
    assert f"密码 / password: {chosen}" in fangfan(*web, chosen).output
    phone = ("app-users", "create", "liangba-1", "--name", "梁坝村干部", "--area", "440233100201")
    assert "repeated characters" in fangfan(*phone, "--password", "aaaaaaaaaa", ok=False).output
    assert "ASCII" in fangfan(*phone, "--password", "梁坝村的干部 手机 2026", ok=False).output
    created = fangfan(*phone, "--password", "Harbour-lantern-77")
    assert "liangba-1 / Harbour-lantern-77" in created.output


@pytest.mark.slow
def test_demo_prepares_everything_and_prints_the_same_users_again(fangfan, tmp_path: Path):
    first = fangfan("demo", "--no-serve")
    assert first.output.count("/key/") == 3
    second = fangfan("demo", "--no-serve")
    assert "梁坝村干部（示例）" in second.output
    saved = json.loads((tmp_path / "instance" / "demo-accounts.json").read_text())
    admin_password = saved.pop("demo-admin")
    assert f"demo-admin  密码 password {admin_password}" in second.output
    assert set(saved) == {"demo-liangba", "demo-sankeng", "demo-huangqi"}
    for username, secrets_ in saved.items():
        assert f"/key/{secrets_['token']}" in second.output, username


def test_reprocess_picks_up_what_needs_attention(fangfan, tmp_path: Path):
    from server import create_app
    from server.db import unit_of_work
    from tests.collect import multipart_body
    from tests.db.ingest.test_processing import UNKNOWN, _visit_for_unknown_household
    from tests.fixtures import LIANGBA, make_app_user, make_household

    fangfan("areas", "load")
    fangfan("forms", "publish", "--no-validate", str(XLSFORMS_DIR / "assistance_visit.xlsx"))
    app = create_app()
    with unit_of_work(app) as session:
        token = make_app_user(
            session, username="cadre", area_code=LIANGBA, form_ids=["assistance_visit"]
        ).token
    body, content_type = multipart_body(_visit_for_unknown_household(), {})
    assert (
        app.test_client()
        .post(f"/key/{token}/submission", data=body, content_type=content_type)
        .status_code
        == 201
    )
    assert "仍需关注 1" in fangfan("submissions", "reprocess").output
    listed = fangfan("submissions", "attention").output
    assert UNKNOWN in listed
    assert "1 in all" in listed
    with unit_of_work(app) as session:
        make_household(session, code=UNKNOWN)
    app.extensions["engine"].dispose()
    result = fangfan("submissions", "reprocess", "--form", "assistance_visit")
    assert "processed 1, needing attention 0" in result.output
    first, second = audit_log("submission_requeued")  # the operator's two runs, on record
    assert (second.actor_username, second.object_kind, second.object_id) == (
        OPERATOR,
        "submissions",
        "assistance_visit",
    )
    assert second.detail["count"] == 1 and first.object_id is None
    assert "0 in all" in fangfan("submissions", "attention").output


def test_web_users_by_role_area_and_department_then_disabled(fangfan):
    fangfan("areas", "load")
    fangfan(
        "web-users",
        "create",
        "zhu",
        "--name",
        "住建",
        "--role",
        "department_viewer",
        "--department",
        "housing",
    )
    refused = fangfan(
        "web-users", "create", "minzheng", "--name", "x", "--role", "department_viewer", ok=False
    )
    assert "department" in refused.output
    fangfan(
        "web-users",
        "create",
        "sam",
        "--name",
        "Sam",
        "--role",
        "town_reviewer",
        "--area",
        "440233100000",
    )
    assert "已停用 / disabled sam" in fangfan("web-users", "disable", "sam").output
    listing = fangfan("web-users", "list").output
    assert "zhu" in listing and "已停用 disabled" in listing


def test_every_user_change_at_the_command_line_is_audited_naming_the_operator(fangfan):
    fangfan("areas", "load")
    fangfan("app-users", "create", "liangba-1", "--name", "梁坝村干部", "--area", "440233100201")
    fangfan("app-users", "rotate", "liangba-1")
    fangfan("app-users", "revoke", "liangba-1")
    fangfan("web-users", "create", "zhu", "--name", "住建", "--role", "department_viewer",
            "--department", "housing")  # fmt: skip
    fangfan("web-users", "disable", "zhu")
    fangfan("app-users", "revoke", "nobody", ok=False)  # refused: nothing changed, nothing logged
    events = [
        (e.actor_id, e.actor_username, e.action, e.object_kind, e.object_id, e.area_code)
        for e in audit_log()
    ]
    assert events == [
        (None, OPERATOR, "app_user_created", "app_user", "liangba-1", "440233100201"),
        (None, OPERATOR, "app_user_rotated", "app_user", "liangba-1", "440233100201"),
        (None, OPERATOR, "app_user_revoked", "app_user", "liangba-1", "440233100201"),
        (None, OPERATOR, "web_user_created", "web_user", "zhu", None),
        (None, OPERATOR, "web_user_disabled", "web_user", "zhu", None),
    ]
    assert audit_log("web_user_created")[0].detail == {"role": "department_viewer",
                                                       "department": "housing"}  # fmt: skip


def test_the_county_moves_a_household_from_the_command_line_and_it_is_audited(fangfan):
    from sqlalchemy import select

    from server import create_app
    from server.audit.models import AuditEvent
    from server.db import unit_of_work
    from server.registry.queries import find_household
    from tests.fixtures import SANKENG, make_household

    fangfan("areas", "load")
    app = create_app()
    with unit_of_work(app) as session:
        make_household(session, code="H440233100201-0009")
    refused = fangfan("households", "move", "H440233100201-0009", "--to", "440233100000",
                      "--reason", "迁居", ok=False)  # fmt: skip
    assert "不能迁移到 440233100000" in refused.output  # a town, not a village
    moved = fangfan("households", "move", "H440233100201-0009", "--to", SANKENG,
                    "--reason", "全家迁居三坑村")  # fmt: skip
    assert f"H440233100201-0009 → {SANKENG}" in moved.output
    with unit_of_work(app) as session:
        assert find_household(session, "H440233100201-0009").village_code == SANKENG
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "household_moved")
        ).one()
        assert event.actor_username == OPERATOR
        assert event.detail["reason"] == "全家迁居三坑村"
    app.extensions["engine"].dispose()
