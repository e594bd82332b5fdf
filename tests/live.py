"""A real HTTP server on loopback, over its own freshly migrated database (SQLite or PostgreSQL).

Used where the test client is not enough: clients that speak real HTTP (requests' Digest,
gunicorn), and data that must really be committed.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from server import create_app, migrate
from server.config import Config
from server.db import make_engine


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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["engine"].dispose()
