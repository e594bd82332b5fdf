"""Issue the archive numbers (档号) of households the county already confirmed

Until now a household's 档号 was issued the first time one of its records was printed (a GET
that wrote). It is now issued when the county confirms the household's inclusion. Households
confirmed before this change and never printed have no number yet: give them one here, in the
same format and sequence (`{village}-{year of identification}-{NNNN}`, counted per village and
year after the numbers already issued), in the order they were registered.

Downgrade keeps the numbers: an issued archive number is never withdrawn.

Revision ID: 3c9d2e7a41f8
Revises: b7e41c2d9f10
Create Date: 2026-12-03 17:00:00+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "3c9d2e7a41f8"
down_revision: str | None = "b7e41c2d9f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

households = sa.table(
    "households",
    sa.column("id", sa.Integer),
    sa.column("village_code", sa.String),
    sa.column("identified_on", sa.Date),
    sa.column("archive_no", sa.String),
    sa.column("status", sa.String),
)
numbers = sa.table(
    "archive_numbers",
    sa.column("household_id", sa.Integer),
    sa.column("village_code", sa.String),
    sa.column("year", sa.Integer),
    sa.column("sequence", sa.Integer),
    sa.column("number", sa.String),
    sa.column("issued_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    connection = op.get_bind()
    now = datetime.now(UTC)
    this_year = now.astimezone(ZoneInfo("Asia/Shanghai")).year
    confirmed = connection.execute(
        sa.select(households.c.id, households.c.village_code, households.c.identified_on)
        .where(
            households.c.status.in_(("monitored", "risk_eliminated")),
            households.c.archive_no.is_(None),
        )
        .order_by(households.c.id)
    ).all()
    for household_id, village_code, identified_on in confirmed:
        year = identified_on.year if identified_on else this_year
        taken = connection.scalar(
            sa.select(sa.func.max(numbers.c.sequence)).where(
                numbers.c.village_code == village_code, numbers.c.year == year
            )
        )
        sequence = (taken or 0) + 1
        number = f"{village_code}-{year}-{sequence:04d}"
        connection.execute(
            numbers.insert().values(
                household_id=household_id,
                village_code=village_code,
                year=year,
                sequence=sequence,
                number=number,
                issued_at=now,
            )
        )
        connection.execute(
            households.update().where(households.c.id == household_id).values(archive_no=number)
        )


def downgrade() -> None:
    """Nothing to undo: the numbers stay issued."""
