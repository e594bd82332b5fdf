"""`fangfan`: the operator's command line. Commands parse arguments and call services."""

from __future__ import annotations

import click
from flask import Flask

from server import create_app
from server.core.errors import DomainError


class FangfanGroup(click.Group):
    """Turns expected failures (DomainError) into one readable line and exit status 1."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except DomainError as err:
            raise click.ClickException(err.message) from err
        finally:
            if isinstance(ctx.obj, _LazyApp):
                ctx.obj.close()


@click.group(cls=FangfanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """防返 Fangfan — 防止返贫监测帮扶系统 / monitoring households at risk of poverty."""
    ctx.obj = _LazyApp()


class _LazyApp:
    """Build the Flask app only for commands that need it (`forms text` does not)."""

    def __init__(self) -> None:
        self._app: Flask | None = None

    @property
    def app(self) -> Flask:
        if self._app is None:
            self._app = create_app()
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.extensions["engine"].dispose()


def _register() -> None:
    from server.areas.cli import areas
    from server.auth.cli import app_users, web_users
    from server.dbcli import db
    from server.demo import demo
    from server.exports.cli import export
    from server.forms.cli import forms
    from server.ingest.cli import submissions
    from server.monitoring.cli import monitoring
    from server.printing.cli import archive
    from server.review.cli import households
    from server.serve import serve

    for command in (
        db,
        areas,
        forms,
        app_users,
        web_users,
        submissions,
        households,
        archive,
        monitoring,
        export,
        serve,
        demo,
    ):
        main.add_command(command)


_register()
