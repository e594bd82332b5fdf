"""`fangfan serve`: run the app under Granian, a production WSGI server, with its worker.

Granian parses HTTP and keeps phones' keep-alive connections in Rust; only the app itself runs
as Python, in each worker process's request threads. On a 2-core machine that halves what the
server costs a phone's HEAD + POST compared with gunicorn's gthread workers (bench/ingest.py,
where the baseline runs on the same server).

Beside the worker processes (which answer phones and people), the main process starts one
submission worker process (`fangfan submissions work`) and restarts it if it exits; it is
stopped with the server. The access log never shows a phone's URL token.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading

import click

log = logging.getLogger(__name__)

WORKER_COMMAND = [sys.executable, "-m", "server", "submissions", "work"]
# Collect waits 60 s for an answer (openrosa.md §0.4): requests still running when the server
# stops get this long before their worker is killed.
STOP_SECONDS = 55
# How long a thread that got its answer from the database (or the disk) may wait for the
# interpreter lock; CPython's default is 5 ms. On SQLite that thread holds the only write lock
# meanwhile, so every phone waits with it. bench/ingest.py, SQLite, photo variant, medians of 3:
# 4 workers × 2 threads 384/s at 5 ms, 428/s at 1 ms; 4 × 4 threads 315/s.
SWITCH_INTERVAL = 0.001


class SubmissionWorker:
    """Keeps one `fangfan submissions work` process alive while the server runs.

    The supervising thread only waits on the child and starts it again if it exits."""

    def __init__(self, command: list[str]) -> None:
        self._command = command
        self._stopping = threading.Event()
        # Held while deciding to start a process and starting it, so a stop never falls between
        # the two (the process would run on until it noticed its parent was gone).
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        threading.Thread(target=self._supervise, name="submission-worker", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def _supervise(self) -> None:
        command = [*self._command, "--parent-pid", str(os.getpid())]
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                # Its own session: a terminal's Ctrl-C (even during its start-up) is not for it;
                # the server stops it, and it exits by itself if the server dies.
                process = self._process = subprocess.Popen(command, start_new_session=True)  # noqa: S603
            process.wait()
            if not self._stopping.is_set():
                log.warning("submission worker exited (%s); restarting", process.returncode)
                self._stopping.wait(1)


_MAIN_PID = "FANGFAN_SERVER_MAIN_PID"
_TOKEN_IN_PATH = re.compile(r"/key/[^/]+")


class HideTokens(logging.Filter):
    """Access-log lines show `/key/…/formList`, never the app user's secret token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict) and isinstance(record.args.get("path"), str):
            record.args = {**record.args, "path": _TOKEN_IN_PATH.sub("/key/…", record.args["path"])}
        return True


ACCESS_LOG_FORMAT = (
    '%(addr)s - [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'
)
LOG_CONFIG = {
    "filters": {"hide_tokens": {"()": HideTokens}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
            "filters": ["hide_tokens"],
        },
    },
}


def production_app():  # type: ignore[no-untyped-def]
    """The app as each `fangfan serve` worker process runs it."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    if os.getpid() != int(os.environ.get(_MAIN_PID, "0")):
        # Ctrl-C reaches the whole process group, but the main process stops the workers
        # itself (SIGTERM). A Granian worker that also got the SIGINT could hang in its stop
        # until the kill timeout, so workers keep SIGINT blocked (their threads inherit it).
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    from server import create_app

    return create_app()


def run_server(host: str, port: int, workers: int, threads: int, *, worker: bool) -> None:
    from granian.constants import Interfaces
    from granian.server import Server

    server = Server(
        "server.serve:production_app",
        factory=True,
        interface=Interfaces.WSGI,
        address=host,
        port=port,
        workers=workers,
        blocking_threads=threads,
        log_access=True,
        log_access_format=ACCESS_LOG_FORMAT,
        log_dictconfig=LOG_CONFIG,
        respawn_failed_workers=True,
        workers_kill_timeout=STOP_SECONDS,
    )
    os.environ[_MAIN_PID] = str(os.getpid())
    if worker:
        submission_worker = SubmissionWorker(WORKER_COMMAND)
        server.on_startup(submission_worker.start)
        server.on_shutdown(submission_worker.stop)
    server.serve()


@click.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True)  # noqa: S104 - phones on the LAN
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=(os.cpu_count() or 1) * 2, show_default=True, type=int)
@click.option(
    "--threads",
    # Two, so a long print or export never holds up a worker's phones; more only add
    # interpreter-lock contention (bench/ingest.py: 4 × 4 threads is slower than 4 × 2).
    default=2,
    show_default=True,
    type=int,
    help="每个进程的请求线程数 / request threads per worker process",
)
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="同时启动提交处理程序 / also run the submission worker (normalisation)",
)
def serve(host: str, port: int, workers: int, threads: int, worker: bool) -> None:
    """启动服务器 / run the server (Granian)."""
    from server.printing.render import check_print_stack

    # Before any worker starts: no archive PDF with tofu boxes or a 25× slower subsetting.
    check_print_stack()
    run_server(host, port, workers, threads, worker=worker)
