"""Kill the server (SIGKILL) while phones are sending; nothing acknowledged may be lost.

The real server (`fangfan serve`: Granian and its workers) is killed mid-load and restarted;
the phones then re-send everything, as Collect does for forms whose upload failed. Every submission
that got a 201 before the crash must be stored byte-identical, and none twice.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from server.db import unit_of_work
from server.ingest.models import SubmissionVersion
from tests.collect import instance_xml, multipart_body
from tests.conftest import POSTGRES_ADMIN_URL
from tests.live import fresh_database, migrated_app, seed_village_cadre, wait_until_processed

pytestmark = pytest.mark.slow
PHONES = 4
PER_PHONE = 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(url: str, instance: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FANGFAN_INSTANCE": str(instance),
        "FANGFAN_SECRET_KEY": "crash-test",
    }
    fangfan = Path(sys.executable).parent / "fangfan"
    server = subprocess.Popen(
        [
            str(fangfan),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
            return server
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or still loading
            time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def _send(base: str, token: str, xml: bytes) -> int | None:
    body, content_type = multipart_body(xml, {})
    try:
        response = requests.post(
            f"{base}/key/{token}/submission",
            data=body,
            headers={"Content-Type": content_type},
            timeout=10,
        )
    except requests.RequestException:
        return None
    return response.status_code


def test_every_acknowledged_submission_survives_a_kill(backend: str, tmp_path: Path):
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        app = migrated_app(url, tmp_path / "instance")
        token = seed_village_cadre(app).token
        app.extensions["engine"].dispose()
        submissions = {
            f"uuid:crash-{phone}-{n}": instance_xml(
                "visit_test",
                "1",
                f"<visited_on>2026-11-{n % 28 + 1:02d}</visited_on>",
                instance_id=f"uuid:crash-{phone}-{n}",
            )
            for phone in range(PHONES)
            for n in range(PER_PHONE)
        }
        acknowledged: set[str] = set()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _start_server(url, tmp_path / "instance", port)
        lock = threading.Lock()

        def phone(number: int) -> None:
            for n in range(PER_PHONE):
                instance_id = f"uuid:crash-{number}-{n}"
                if _send(base, token, submissions[instance_id]) == 201:
                    with lock:
                        acknowledged.add(instance_id)

        threads = [threading.Thread(target=phone, args=(p,)) for p in range(PHONES)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < PHONES * PER_PHONE // 3:
            assert time.monotonic() < deadline, "the server acknowledged too little"
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-request
        server.wait()
        for thread in threads:
            thread.join(timeout=30)
        assert 0 < len(acknowledged) < len(submissions)

        server = _start_server(url, tmp_path / "instance", port)
        try:
            for xml in submissions.values():  # Collect re-sends all that failed, maybe more
                assert _send(base, token, xml) == 201
            # The worker that `fangfan serve` starts normalises them all, including any the
            # killed worker had left half-done (its transaction was never committed).
            wait_until_processed(app)
            app.extensions["engine"].dispose()
        finally:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()

        app = migrated_app(url, tmp_path / "instance")
        with unit_of_work(app) as session:
            stored = [(v.instance_id, v.xml) for v in session.scalars(select(SubmissionVersion))]
        app.extensions["engine"].dispose()
        assert sorted(i for i, _ in stored) == sorted(submissions)  # all there, none twice
        assert all(xml == submissions[instance_id] for instance_id, xml in stored)
        assert acknowledged <= {i for i, _ in stored}
