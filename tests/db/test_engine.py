"""The engine settings Fangfan relies on."""

from sqlalchemy import text


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_full_sync(engine, backend):
    with engine.connect() as connection:
        if backend == "sqlite":
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        else:
            assert connection.execute(text("SHOW fsync")).scalar() == "on"


def test_savepoints_work_on_both_databases(session):
    from tests.fixtures import make_areas

    nested = session.begin_nested()
    make_areas(session)
    nested.rollback()
    from server.areas.models import Area

    assert session.query(Area).count() == 0
