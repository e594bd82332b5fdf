"""The schema comes only from Alembic: one head, models match it, and it goes down and up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from server import migrate
from server.db import make_engine
from server.models import Base
from tests.conftest import POSTGRES_ADMIN_URL
from tests.live import fresh_database


def test_there_is_exactly_one_head():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_nothing_and_upgrade_again(backend: str, tmp_path: Path):
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            migrate.downgrade(engine, "base")
            migrate.upgrade(engine)
            with engine.connect() as connection:
                context = MigrationContext.configure(connection)
                assert compare_metadata(context, Base.metadata) == []
        finally:
            engine.dispose()


def test_confirmed_households_without_an_archive_number_get_one(backend: str, tmp_path: Path):
    """3c9d2e7a41f8: 档号 are issued at county confirmation now, no longer by a print."""
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine, "b7e41c2d9f10")
            with engine.begin() as connection:
                for code, village, status, identified_on, archive_no in (
                    ("H-1", "440233100201", "monitored", "2025-06-01", None),
                    ("H-2", "440233100201", "risk_eliminated", "2025-07-01", None),
                    ("H-3", "440233100201", "pending_review", "2025-07-01", None),
                    ("H-4", "440233100200", "monitored", "2025-07-01", "440233100200-2025-0001"),
                    ("H-5", "440233100200", "monitored", "2025-08-01", None),
                ):
                    connection.execute(
                        text(
                            "INSERT INTO households (code, village_code, head_name, "
                            "household_type, household_kind, member_count, is_demo, status, "
                            "identified_on, archive_no, risk_causes, income, created_at) VALUES "
                            "(:code, :village, '张三', 'marginal_at_risk', 'ordinary', 1, false, "
                            ":status, :identified_on, :archive_no, '[]', '{}', "
                            "CURRENT_TIMESTAMP)"
                        ),
                        {
                            "code": code,
                            "village": village,
                            "status": status,
                            "identified_on": date.fromisoformat(identified_on),
                            "archive_no": archive_no,
                        },
                    )
                connection.execute(
                    text(
                        "INSERT INTO archive_numbers (household_id, village_code, year, "
                        "sequence, number, issued_at) SELECT id, village_code, 2025, 1, "
                        "archive_no, CURRENT_TIMESTAMP FROM households WHERE code = 'H-4'"
                    )
                )
            migrate.upgrade(engine, "3c9d2e7a41f8")
            with engine.connect() as connection:
                numbers = dict(
                    connection.execute(text("SELECT code, archive_no FROM households")).all()
                )
                issued = connection.scalar(text("SELECT count(*) FROM archive_numbers"))
        finally:
            engine.dispose()
    assert numbers == {
        "H-1": "440233100201-2025-0001",
        "H-2": "440233100201-2025-0002",
        "H-3": None,  # not confirmed: numbered when the county confirms it
        "H-4": "440233100200-2025-0001",  # already numbered: kept
        "H-5": "440233100200-2025-0002",
    }
    assert issued == 4
