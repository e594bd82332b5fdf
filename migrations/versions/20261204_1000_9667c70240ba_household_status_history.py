"""Keep each household's status history

`household_status_history` holds every status a household entered and when: monitoring computes
a past month from the statuses of that month, and "newly included" is one rule (entered
`monitored` in the month) for the dashboard's tile and its chart alike.

Backfill, for the households already stored: `pending_review` at creation, then each confirmed
approval case (inclusion → monitored, elimination → risk_eliminated) at its confirmation, and,
where the household's present status is not the last of those, the present status at its last
change (a status set outside the approval chain, as demo data did).

Revision ID: 9667c70240ba
Revises: 8fd146395e0c
Create Date: 2026-12-04 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9667c70240ba"
down_revision: str | None = "8fd146395e0c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AFTER = {"inclusion": "monitored", "elimination": "risk_eliminated"}


def upgrade() -> None:
    history = op.create_table(
        "household_status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending_review', 'monitored', 'risk_eliminated', 'rejected')",
            name=op.f("ck_household_status_history_status"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_status_history_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_status_history")),
    )
    op.create_index(
        "ix_household_status_history_household_since",
        "household_status_history",
        ["household_id", "since"],
    )
    op.create_index("ix_household_status_history_since", "household_status_history", ["since"])
    _backfill(history)


def _backfill(history: sa.Table) -> None:
    bind = op.get_bind()
    households = sa.table(
        "households",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    cases = sa.table(
        "approval_cases",
        sa.column("id", sa.Integer),
        sa.column("household_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("outcome", sa.String),
        sa.column("closed_at", sa.DateTime(timezone=True)),
    )
    confirmed: dict[int, list[tuple]] = {}
    for row in bind.execute(
        sa.select(cases.c.id, cases.c.household_id, cases.c.kind, cases.c.closed_at)
        .where(cases.c.outcome == "confirmed", cases.c.closed_at.is_not(None))
        .order_by(cases.c.closed_at, cases.c.id)
    ):
        confirmed.setdefault(row.household_id, []).append(row)
    rows: list[dict] = []
    for household in bind.execute(
        sa.select(
            households.c.id, households.c.status, households.c.created_at, households.c.updated_at
        ).order_by(households.c.id)
    ):
        mine = [
            {"household_id": household.id, "status": "pending_review",
             "since": household.created_at, "case_id": None, "actor": None}
        ]  # fmt: skip
        for case in confirmed.get(household.id, ()):
            mine.append(
                {"household_id": household.id, "status": _AFTER[case.kind],
                 "since": case.closed_at, "case_id": case.id, "actor": None}
            )  # fmt: skip
        if mine[-1]["status"] != household.status:
            if len(mine) == 1:
                mine[0]["status"] = household.status  # it never went through the chain
            else:
                mine.append(
                    {"household_id": household.id, "status": household.status,
                     "since": household.updated_at or mine[-1]["since"],
                     "case_id": None, "actor": None}
                )  # fmt: skip
        rows.extend(mine)
    if rows:
        op.bulk_insert(history, rows)


def downgrade() -> None:
    op.drop_index("ix_household_status_history_since", table_name="household_status_history")
    op.drop_index(
        "ix_household_status_history_household_since", table_name="household_status_history"
    )
    op.drop_table("household_status_history")
