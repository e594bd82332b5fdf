"""`fangfan serve`: run the app under gunicorn, a production WSGI server, with its worker.

Beside the gunicorn workers (which answer phones and people), the master starts one submission
worker process (`fangfan submissions work`, at a lower CPU priority) and restarts it if it
exits; it is stopped with the server.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

import click
from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)

WORKER_COMMAND = [sys.executable, "-m", "server", "submissions", "work"]


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, object]) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from server import create_app

        return create_app()


class SubmissionWorker:
    """Keeps one `fangfan submissions work` process alive while the server runs.

    The supervising thread only waits on the child. Gunicorn's master reaps any child that
    exits (SIGCHLD), in which case Popen.wait() returns at once, so a restart still follows.
    """

    def __init__(self, command: list[str]) -> None:
        self._command = command
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, _server: object = None) -> None:
        threading.Thread(target=self._supervise, name="submission-worker", daemon=True).start()

    def stop(self, _server: object = None) -> None:
        self._stopping.set()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            command = [*self._command, "--parent-pid", str(os.getpid())]
            self._process = subprocess.Popen(command)  # noqa: S603 - our own argv
            self._process.wait()
            if not self._stopping.is_set():
                log.warning("submission worker exited (%s); restarting", self._process.returncode)
                self._stopping.wait(1)


def run_gunicorn(host: str, port: int, workers: int, threads: int, *, worker: bool) -> None:
    options: dict[str, object] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # Collect waits 60 s for an answer (openrosa.md §0.4); never let a worker outlive that.
        "timeout": 55,
        "accesslog": "-",
    }
    if worker:
        submission_worker = SubmissionWorker(WORKER_COMMAND)
        options["when_ready"] = submission_worker.start
        options["on_exit"] = submission_worker.stop
    _Gunicorn(options).run()


@click.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True)  # noqa: S104 - phones on the LAN
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=(os.cpu_count() or 1) * 2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="同时启动提交处理程序 / also run the submission worker (normalisation)",
)
def serve(host: str, port: int, workers: int, threads: int, worker: bool) -> None:
    """启动服务器 / run the server (gunicorn)."""
    from server.printing.render import check_print_stack

    # Before any worker starts: no archive PDF with tofu boxes or a 25× slower subsetting.
    check_print_stack()
    run_gunicorn(host, port, workers, threads, worker=worker)
