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
    worker = SubmissionWorker([sys.executable, "-c", script])
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
