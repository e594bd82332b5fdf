"""`fangfan db …`: schema migrations (never run implicitly at start-up)."""

from __future__ import annotations

import click

from server import migrate


@click.group("db")
def db() -> None:
    """数据库结构迁移 / database schema migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
@click.pass_obj
def upgrade(obj, revision: str) -> None:  # type: ignore[no-untyped-def]
    """升级数据库 / upgrade the database to REVISION (default: head)."""
    migrate.upgrade(obj.app.extensions["engine"], revision)
    click.echo(f"数据库已升级到 {revision} / database upgraded to {revision}")


@db.command("downgrade")
@click.argument("revision")
@click.pass_obj
def downgrade(obj, revision: str) -> None:  # type: ignore[no-untyped-def]
    """回退数据库 / downgrade the database to REVISION."""
    migrate.downgrade(obj.app.extensions["engine"], revision)
    click.echo(f"数据库已回退到 {revision} / database downgraded to {revision}")
