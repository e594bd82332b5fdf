"""A real HTTP server on loopback, over its own freshly migrated database (SQLite or PostgreSQL).

Used where the test client is not enough: clients that speak real HTTP (requests' Digest),
and data that must really be committed.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, func, select, text
from werkzeug.serving import make_server

from server import create_app, migrate
from server.config import Config
from server.db import make_engine, unit_of_work
from server.ingest.models import SubmissionVersion
from server.ingest.worker import run_worker
from tests.fixtures import LIANGBA, Persona, make_app_user, make_areas, make_form, markdown_form


@contextmanager
def fresh_database(backend: str, tmp_path: Path, postgres_admin_url: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'live-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"fangfan_live_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_app(database_url: str, instance: Path) -> Flask:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    engine.dispose()
    return create_app(
        Config(
            INSTANCE_PATH=str(instance),
            DATABASE_URL=database_url,
            SECRET_KEY="live-secret",
            TESTING=True,
        )
    )


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on a loopback port, with the submission worker running beside it as in
    production (`fangfan serve`), polling often so tests need not wait long."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    stop = threading.Event()
    threads = [
        threading.Thread(target=server.serve_forever, daemon=True),
        threading.Thread(
            target=run_worker,
            args=(app.extensions["sessionmaker"],),
            kwargs={"stop": stop, "idle_seconds": 0.05},
            daemon=True,
        ),
    ]
    for thread in threads:
        thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        stop.set()
        server.shutdown()
        for thread in threads:
            thread.join(timeout=10)
        app.extensions["engine"].dispose()


def seed_village_cadre(app: Flask) -> Persona:
    """Commit the area tree, the `visit_test` form and the village cadre `eli` of 梁坝村."""
    with unit_of_work(app) as session:
        make_areas(session)
        make_form(session, markdown_form(), name="visit_test.md")
        return make_app_user(session, username="eli", area_code=LIANGBA)


def wait_until_processed(app: Flask, *, timeout: float = 30) -> None:
    """Wait for the submission worker to normalise every stored version."""
    deadline = time.monotonic() + timeout
    while True:
        with app.extensions["sessionmaker"]() as session:
            pending = session.scalar(
                select(func.count())
                .select_from(SubmissionVersion)
                .where(SubmissionVersion.processing_state == "pending")
            )
        if not pending:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{pending} submissions still pending after {timeout} s")
        time.sleep(0.05)
