"""Store attachment contents uncompressed on PostgreSQL (photos and signatures already are)

PostgreSQL tries to compress every bytea value over 2 KB before moving it out of line; JPEG and
PNG bytes do not compress, so each upload paid for a failed compression attempt. EXTERNAL keeps
out-of-line storage without it. SQLite has no such setting.

Revision ID: b7e41c2d9f10
Revises: c5b55024dcc8
Create Date: 2026-11-29 08:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b7e41c2d9f10"
down_revision: str | None = "c5b55024dcc8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE blobs ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE blobs ALTER COLUMN content SET STORAGE EXTENDED")
