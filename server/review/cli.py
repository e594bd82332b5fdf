"""`fangfan households …`: county operations on households from the command line."""

from __future__ import annotations

import click

from server.areas.service import this_year
from server.audit.service import command_line_operator
from server.db import unit_of_work
from server.review.moves import move_household


@click.group("households")
def households() -> None:
    """农户 / households in the registry."""


@households.command("move")
@click.argument("code")
@click.option("--to", "to_village", required=True, help="迁入村的12位代码 / the new village")
@click.option("--reason", required=True, help="迁移原因（记入审计日志）/ why (audited)")
@click.pass_obj
def move(obj, code: str, to_village: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    """把农户迁到其他村（县级操作，记入审计日志）/ move a household to another village (a county
    act, written to the audit log). A form never moves a household."""
    with unit_of_work(obj.app) as session:
        household = move_household(
            session,
            None,
            code,
            to_village=to_village,
            reason=reason,
            year=this_year(),
            operator=command_line_operator(),
        )
        click.echo(f"已迁移 / moved: {household.code} → {household.village_code}")
