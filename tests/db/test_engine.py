"""The engine settings Fangfan relies on."""

import pytest
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


def test_sqlite_writers_take_turns_and_every_end_of_a_transaction_lets_the_next_in(tmp_path):
    import threading
    import time

    from server.db import WRITE, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE log (who TEXT)"))
    order: list[str] = []

    def writer(name: str, end: str) -> None:
        with engine.connect().execution_options(**WRITE) as connection:
            connection.begin()
            order.append(f"{name} in")
            connection.execute(text("INSERT INTO log VALUES (:w)"), {"w": name})
            time.sleep(0.2)
            order.append(f"{name} out")
            getattr(connection, end)()

    first = threading.Thread(target=writer, args=("a", "rollback"))
    first.start()
    time.sleep(0.05)
    others = [threading.Thread(target=writer, args=(n, "commit")) for n in ("b", "c")]
    for thread in others:
        thread.start()
    for thread in (first, *others):
        thread.join(timeout=10)
    # Never two writers inside at once, and a rollback lets the next one in as a commit does.
    assert len(order) == 6
    assert all(order[i].endswith("in") and order[i + 1].endswith("out") for i in (0, 2, 4))
    assert order[0] == "a in"
    with engine.connect() as connection:
        assert sorted(connection.execute(text("SELECT who FROM log")).scalars()) == ["b", "c"]
    engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])  # a PostgreSQL setting: SQLite has none
def test_attachment_bytes_are_not_compressed_again_on_postgresql(engine, backend):
    # JPEG and PNG bytes never compress: PostgreSQL must not try for every upload.
    with engine.connect() as connection:
        storage = connection.execute(
            text(
                "SELECT attstorage FROM pg_attribute "
                "WHERE attrelid = 'blobs'::regclass AND attname = 'content'"
            )
        ).scalar()
    assert storage == "e"  # EXTERNAL: out of line, uncompressed


def test_times_are_stored_in_utc_and_read_back_aware_on_both_databases(session, backend):
    """A phone's time at +08:00 keeps its moment on SQLite too (which stores text without an
    offset), and a bound compares as the same moment."""
    from datetime import UTC, datetime, timedelta

    from server.audit.models import AuditEvent
    from server.core.clock import CHINA

    nine_in_china = datetime(2026, 10, 1, 9, 0, tzinfo=CHINA)
    event = AuditEvent(at=nine_in_china, actor_username="t", action="login", object_kind="x")
    session.add(event)
    session.flush()
    session.expire(event)
    assert event.at == nine_in_china and event.at.utcoffset() == timedelta(0)
    before = datetime(2026, 10, 1, 8, 59, tzinfo=CHINA)
    assert session.query(AuditEvent).filter(AuditEvent.at > before).count() == 1
    if backend == "sqlite":
        stored = session.execute(text("SELECT at FROM audit_events")).scalar()
        assert stored.startswith("2026-10-01 01:00:00")
    assert event.at == datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
