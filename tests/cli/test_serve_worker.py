"""`fangfan serve` keeps its submission worker process alive and stops it with the server."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from server.serve import SubmissionWorker


def test_the_worker_process_is_restarted_when_it_exits_and_stopped_with_the_server(
    tmp_path: Path,
):
    runs = tmp_path / "runs"
    # A stand-in worker that records each start, then exits at once the first time and stays
    # up (until terminated) the second time.
    script = (
        "import pathlib, sys, time\n"
        f"runs = pathlib.Path({str(runs)!r})\n"
        "runs.open('a').write('x')\n"
        "if len(runs.read_text()) == 1: sys.exit(3)\n"
        "time.sleep(60)\n"
    )
    worker = SubmissionWorker([sys.executable, "-c", script])  # ignores the --parent-pid it gets
    worker.start()
    deadline = time.monotonic() + 20
    while not runs.exists() or len(runs.read_text()) < 2:
        assert time.monotonic() < deadline, "the worker was not restarted"
        time.sleep(0.05)
    started = time.monotonic()
    worker.stop()
    assert time.monotonic() - started < 5  # terminated, not waited out
    time.sleep(1.5)
    assert len(runs.read_text()) == 2  # and not started again after the stop


def test_a_supervised_worker_ignores_ctrl_c_stops_on_sigterm_and_when_orphaned(tmp_path: Path):
    import os
    import signal
    import subprocess

    from server import migrate
    from server.db import make_engine

    database = f"sqlite:///{tmp_path / 'worker.db'}"
    engine = make_engine(database)
    migrate.upgrade(engine)
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": database, "FANGFAN_INSTANCE": str(tmp_path / "i")}
    command = [sys.executable, "-m", "server", "submissions", "work", "--parent-pid"]

    worker = subprocess.Popen([*command, str(os.getpid())], env=env)
    try:
        # Until its imports are done (seconds on a busy machine) a Ctrl-C would still kill it.
        deadline = time.monotonic() + 60
        while not _ignores(worker.pid, signal.SIGINT):
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never started"
            time.sleep(0.05)
        worker.send_signal(signal.SIGINT)  # the terminal's Ctrl-C: the server stops us instead
        time.sleep(1.5)
        assert worker.poll() is None
        worker.terminate()
        assert worker.wait(timeout=10) == 0
    finally:
        worker.kill()

    # A parent that dies without stopping its worker (SIGKILL): the orphan notices and exits.
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys, time\n"
            f"child = subprocess.Popen({command!r} + [str(os.getpid())])\n"
            "print(child.pid, flush=True)\n"
            "time.sleep(60)\n",
        ],
        env=env,
        stdout=subprocess.PIPE,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(1)
    parent.kill()
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 15
    while _alive(child):
        assert time.monotonic() < deadline, "the orphaned worker kept running"
        time.sleep(0.1)


def _ignores(pid: int, signum: int) -> bool:
    """Whether the process has set `signum` to be ignored (its SigIgn mask in /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:"))
    return bool(int(mask, 16) & (1 << (signum - 1)))


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def test_fangfan_serve_answers_phones_logs_without_tokens_and_stops_cleanly(tmp_path: Path):
    """The real `fangfan serve` (Granian): a phone's formList, an access log that never shows
    the secret in the URL, and a clean stop on Ctrl-C (SIGINT), worker included."""
    import os
    import signal
    import socket
    import subprocess

    import requests

    from tests.live import migrated_app, seed_village_cadre

    database = f"sqlite:///{tmp_path / 'serve.db'}"
    app = migrated_app(database, tmp_path / "instance")
    token = seed_village_cadre(app).token
    app.extensions["engine"].dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "FANGFAN_INSTANCE": str(tmp_path / "instance"),
        "FANGFAN_SECRET_KEY": "serve-test",
    }
    log = (tmp_path / "access.log").open("wb")
    events = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "fangfan"), "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env, stdout=log, stderr=events, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/key/{token}/formList", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert answer.status_code == 200
        assert "visit_test" in answer.text
        assert answer.headers["X-OpenRosa-Version"] == "1.0"
        while (tmp_path / "server.log").read_text().count("Started worker-") < 2:
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C in the terminal reaches the whole group
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
        events.close()
    logged = (tmp_path / "access.log").read_text()
    assert '"GET /key/…/formList HTTP/1.1" 200' in logged
    assert token not in logged
    stray = subprocess.run(
        ["pgrep", "-f", f"submissions work --parent-pid {server.pid}"], capture_output=True
    )
    assert stray.stdout == b""  # the submission worker stopped with the server
