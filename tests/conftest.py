"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, migrated by Alembic.

PostgreSQL comes from TEST_POSTGRES_URL (default: the local server with trust auth, as on the
developers' and CI machines). Each test runs inside one outer transaction that is rolled back;
the code under test commits to SAVEPOINTs (style.md §2.15.2).
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from server import create_app, migrate
from server.config import Config
from server.db import make_engine

BACKENDS = ("sqlite", "postgresql")
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# The two homes of the state every server process shares (server/shared_state.py).
SHARED_STATES = ("local", "redis")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DATA = Path(__file__).parent / "data"

pytest_plugins = ["tests.fixtures"]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One fresh database per backend for the whole run, dropped at the end."""
    sqlite_path = tmp_path_factory.mktemp("db") / "fangfan.db"
    pg_name = f"fangfan_test_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
    pg_url = admin.url.set(database=pg_name).render_as_string(hide_password=False)
    try:
        yield {"sqlite": f"sqlite:///{sqlite_path}", "postgresql": pg_url}
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        admin.dispose()


_engines: dict[str, Engine] = {}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def engine(backend: str, database_urls: dict[str, str]) -> Engine:
    """The migrated engine of this test's backend (migrated once per run)."""
    if backend not in _engines:
        created = make_engine(database_urls[backend])
        migrate.upgrade(created)
        _engines[backend] = created
    return _engines[backend]


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    connection = engine.connect()
    outer = connection.begin()
    try:
        yield sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


def make_test_config(
    tmp_path: Path, database_url: str = "sqlite://", **overrides: object
) -> Config:
    config = Config(
        INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL=database_url,
        SECRET_KEY="test-secret-key",
        TESTING=True,
    )
    return dataclasses.replace(config, **overrides)


@pytest.fixture
def shared_state(request: pytest.FixtureRequest) -> str:
    """Where the app keeps shared state: "local" (a file in the test's own instance folder)
    unless a test parametrizes it (`@pytest.mark.parametrize("shared_state", SHARED_STATES,
    indirect=True)`)."""
    return getattr(request, "param", "local")


@pytest.fixture
def shared_state_settings(shared_state: str) -> Iterator[dict[str, object]]:
    """Config overrides for `shared_state`: Redis gets a key prefix of its own per test, whose
    keys are deleted afterwards."""
    if shared_state == "local":
        yield {}
        return
    import redis

    prefix = f"fangfan-test:{uuid.uuid4().hex}:"
    yield {"REDIS_URL": REDIS_URL, "REDIS_PREFIX": prefix}
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def app_config(tmp_path: Path, shared_state_settings: dict[str, object]) -> Config:
    return make_test_config(tmp_path, **shared_state_settings)


@pytest.fixture
def app(session_factory: sessionmaker[Session], app_config: Config) -> Flask:
    app = create_app(app_config)
    app.extensions["sessionmaker"] = session_factory  # requests join the test's transaction
    return app


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for created in _engines.values():
        created.dispose()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2's production cost (~0.1 s a hash) is the point in production, not in tests."""
    from argon2 import PasswordHasher

    from server.auth import service

    monkeypatch.setattr(service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture(autouse=True)
def _fresh_memos() -> None:
    """Each test starts as a new server process would: nothing remembered (server.memo).

    Tests share one database per backend and roll back, so codes and ids come back."""
    from server.memo import forget_all

    forget_all()
