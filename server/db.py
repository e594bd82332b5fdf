"""Engine, one session and one transaction per request, and the declarative Base.

The transaction of a request is decided here, once (as Central's endpointBase and indico's
`RH.process` do): a request that changes state (POST…, or a GET view marked `@writes` because
it records an audit row) opens its session as a writer; `App.dispatch_request` commits after
the view when the answer is a success (below 400) and rolls back otherwise; an exception rolls
back at teardown. Views and services never commit or roll back. No feature code here.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import JSON, DateTime, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker

from server.core import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware time, stored in UTC on every engine and read back aware. PostgreSQL does this
    itself; SQLite keeps the text without its offset, so a phone's time at +08:00 (or a bound
    compared with a column) would otherwise be read as UTC, eight hours off."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and not value.tzinfo else value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(default=clock.now)]


def make_engine(url: str) -> Engine:
    """An engine with the settings Fangfan relies on, for SQLite and PostgreSQL alike."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        database = engine.url.database
        if database and database != ":memory:":
            _WriterQueue(Path(f"{database}-writers")).install(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens transactions lazily and on its own terms, which breaks SAVEPOINTs and lets
    # a read-then-write transaction fail to upgrade its lock. Take control of BEGIN instead
    # (SQLAlchemy's documented recipe for "serializable isolation / savepoints" on pysqlite).
    dbapi_connection.isolation_level = None
    # WAL lets readers (formList, downloads) proceed while one writer commits; foreign keys
    # are off by default in SQLite and every constraint we declare must hold.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


WRITE = {"fangfan_write": True}


def _sqlite_begin(connection: Any) -> None:
    # A deferred SQLite transaction that reads and then writes fails at once (SQLITE_BUSY, no
    # waiting) when another connection wrote meanwhile. Transactions that will write say so and
    # take the write lock up front, so concurrent writers queue instead of failing.
    immediate = connection.get_execution_options().get("fangfan_write", False)
    if not immediate:
        connection.exec_driver_sql("BEGIN")
        return
    queue = connection.engine.dialect.__dict__.get("fangfan_writer_queue")
    dbapi_connection = connection.connection.dbapi_connection
    if queue is not None:
        queue.enter(dbapi_connection)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if queue is not None:
            queue.leave(dbapi_connection)
        raise


class _WriterQueue:
    """SQLite writers (threads and processes alike) take turns through a kernel file lock.

    SQLite's own busy handler makes a waiting writer sleep in growing steps (up to 100 ms) and
    try again, so with many concurrent writers the write lock is often free while every writer
    sleeps: throughput collapses and latency soars. flock() queues the waiters in the kernel and
    wakes the next one the moment a writer commits or rolls back. The kernel also drops the
    lock of a process that dies, so a crash cannot leave it held.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._held: dict[int, int] = {}  # id(DB-API connection) -> locked file descriptor

    def install(self, engine: Engine) -> None:
        dialect = engine.dialect
        dialect.fangfan_writer_queue = self  # type: ignore[attr-defined]
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                self.leave(dbapi_connection)

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                self.leave(dbapi_connection)

        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    @staticmethod
    def _key(connection: Any) -> int:
        # The dialect is handed the pool's wrapper or the raw DB-API connection, depending on
        # the caller: key on the raw one.
        return id(getattr(connection, "dbapi_connection", connection))

    def enter(self, dbapi_connection: Any) -> None:
        descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except BaseException:
            os.close(descriptor)
            raise
        self._held[self._key(dbapi_connection)] = descriptor

    def leave(self, dbapi_connection: Any) -> None:
        descriptor = self._held.pop(self._key(dbapi_connection), None)
        if descriptor is not None:
            os.close(descriptor)  # closing the descriptor releases its lock


class App(Flask):
    """Flask whose every view runs in the request's one transaction (see the module doc)."""

    def dispatch_request(self) -> Response:  # type: ignore[override]
        # Inside dispatch, so a failing commit (a database away: OperationalError) reaches the
        # same error handlers as the view's own errors (OpenRosa's 503, a readable page).
        response = self.make_response(super().dispatch_request())
        _end_transaction(commit=response.status_code < 400)
        return response


def _end_transaction(*, commit: bool) -> None:
    session: Session | None = g.get("db_session")
    if session is None:
        return
    if commit:
        session.commit()
    else:
        session.rollback()


@contextmanager
def read_transaction() -> Iterator[Session]:
    """The request's read-only session for a block of reads that must end before its writes
    begin: on SQLite a POST's checks run outside the one write lock (phone intake)."""
    session = reader_session()
    try:
        yield session
    finally:
        session.rollback()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def writes(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a GET view that writes (an audit row, an archive number): its session opens as a
    writer like a POST's, so on SQLite it never has to upgrade a read transaction (which fails
    at once when another writer committed meanwhile). Put it above the login decorators."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.db_writes = True
        return view(*args, **kwargs)

    return wrapper


def get_session() -> Session:
    """This request's session, created on first use and closed at teardown.

    Requests that change state (POST…) open their transaction as writers (see _sqlite_begin).
    """
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessionmaker"]()
        if has_request_context() and (
            request.method not in {"GET", "HEAD", "OPTIONS"} or g.get("db_writes", False)
        ):
            g.db_session.connection(execution_options=WRITE)
    return g.db_session


def reader_session() -> Session:
    """This request's read-only session, separate from `get_session`'s, closed at teardown.

    A POST reads (credentials, the form, the user's area) before it writes; reading here keeps
    those reads out of its write transaction, which on SQLite holds the only write lock.
    """
    if "db_reader" not in g:
        g.db_reader = current_app.extensions["sessionmaker"]()
    return g.db_reader


def _close_session(_exc: BaseException | None) -> None:
    for name in ("db_session", "db_reader"):  # the reverse of their creation
        session = g.pop(name, None)
        if session is not None:
            session.close()  # whatever was not committed is rolled back here


@contextmanager
def unit_of_work(app: Flask) -> Iterator[Session]:
    """One transaction for CLI commands and jobs: committed on success, rolled back on error."""
    with app.app_context(), app.extensions["sessionmaker"]() as session, session.begin():
        session.connection(execution_options=WRITE)
        yield session
