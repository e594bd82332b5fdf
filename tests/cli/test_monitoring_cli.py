"""`fangfan monitoring …` and `fangfan export …` run as an operator would."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from server.db import make_engine
from server.registry.service import add_household
from tests.cli.test_cli import (
    OPERATOR,
    audit_log,
    fangfan,  # noqa: F401 - the fixture
)
from tests.fixtures import REGISTERED


def _households(count: int) -> None:
    engine = make_engine(os.environ["DATABASE_URL"])
    with Session(engine) as session, session.begin():
        for n in range(count):
            add_household(
                session,
                code=f"H440233100201-{n:04d}",
                village_code="440233100201",
                head_name=f"户主{n}",
                household_type="marginal_at_risk",
                household_kind="ordinary",
                head_phone="13812345678",
                status="monitored",
                created_at=REGISTERED,
            )
    engine.dispose()


def test_settings_show_the_period_in_force(fangfan):  # noqa: F811
    output = fangfan("monitoring", "settings", "--on", "2026-11-01").output
    assert "income_threshold = 6000" in output
    assert "phone_visits_count = False" in output


def test_the_month_warnings_and_the_report(fangfan, tmp_path: Path):  # noqa: F811
    fangfan("areas", "load")
    _households(3)
    month = fangfan("monitoring", "month", "--month", "2026-10").output
    assert "黄磜镇\t3\t0/6\t3\t3" in month
    assert "YYYY-MM" in fangfan("monitoring", "month", "--month", "2026-13", ok=False).output
    assert "opened 3" in fangfan("monitoring", "warnings", "--month", "2026-10").output
    assert "opened 0" in fangfan("monitoring", "warnings", "--month", "2026-10").output
    report = tmp_path / "report.xlsx"
    fangfan("monitoring", "report", "--month", "2026-10", "-o", str(report))
    assert report.read_bytes().startswith(b"PK")
    (event,) = audit_log("export_data")
    assert (event.actor_username, event.object_kind, event.object_id) == (
        OPERATOR,
        "monthly_report",
        "2026-10",
    )
    assert event.detail["format"] == "xlsx"


def test_export_registry_with_a_progress_bar_masked_by_default(fangfan, tmp_path: Path):  # noqa: F811
    fangfan("areas", "load")
    _households(12)
    target = tmp_path / "registry.zip"
    result = fangfan("export", "registry", "-o", str(target), "--area", "440233100000")
    assert "exported 12 rows" in result.output
    with zipfile.ZipFile(target) as archive:
        households = io.TextIOWrapper(archive.open("households.csv"), "utf-8-sig").read()
    assert "138****5678" in households and "13812345678" not in households
    full = tmp_path / "full.xlsx"
    fangfan("export", "registry", "-o", str(full), "--full")
    assert full.read_bytes().startswith(b"PK")
    assert (
        "no form nope"
        in fangfan("export", "submissions", "nope", "-o", str(tmp_path / "x.zip"), ok=False).output
    )
    exports = [
        (e.actor_username, e.object_kind, e.area_code, e.detail["format"], e.detail["masked"])
        for e in audit_log("export_data")
    ]
    assert exports == [  # the refused export of an unknown form is not among them
        (OPERATOR, "registry", "440233100000", "zip", True),
        (OPERATOR, "registry", None, "xlsx", False),  # the whole county
    ]
