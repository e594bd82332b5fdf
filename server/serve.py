"""`fangfan serve`: run the app under gunicorn, a production WSGI server."""

from __future__ import annotations

import os

import click
from gunicorn.app.base import BaseApplication


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


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            # Collect waits 60 s for an answer (openrosa.md §0.4); never let a worker outlive that.
            "timeout": 55,
            "accesslog": "-",
        }
    ).run()


@click.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True)  # noqa: S104 - phones on the LAN
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=(os.cpu_count() or 1) * 2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """启动服务器 / run the server (gunicorn)."""
    from server.printing.render import check_print_stack

    # Before any worker starts: no archive PDF with tofu boxes or a 25× slower subsetting.
    check_print_stack()
    run_gunicorn(host, port, workers, threads)
