"""Store the files of each household's identification with the household

A household's archive record prints the house photo and the head's signature its
identification named. Printing found their file names by normalising the identification's
stored XML again; now applying an identification stores them on the household
(`households.files`: {"house_photo": name, "head_signature": name}, as `visits.files` keeps a
visit's), and this fills them in for the households already stored, from the XML of their
source submission version.

The XML reading below is frozen here (a migration must not change with the application's code):
each answer is the first element of that name in the instance, matched by local name as intake
matches elements (a form's field names are unique, so the name alone finds the answer); an
empty answer is no file. The test of this revision checks that it agrees with intake's
normalisation.

`files` keeps its server default `{}`: the previous release, still serving while this runs,
inserts households without it, and households made without a form (demo data) have no files.
Downgrade drops the column.

Revision ID: 8507bd033f00
Revises: 9667c70240ba
Create Date: 2026-12-05 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from defusedxml import DefusedXmlException, ElementTree
from sqlalchemy.dialects import postgresql

revision: str = "8507bd033f00"
down_revision: str | None = "9667c70240ba"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILES = ("house_photo", "head_signature")
BATCH = 200  # households per round trip: each one's XML is read into memory

households = sa.table(
    "households",
    sa.column("id", sa.Integer),
    sa.column("source_version_id", sa.Integer),
    sa.column("files", sa.JSON),
)
versions = sa.table(
    "submission_versions", sa.column("id", sa.Integer), sa.column("xml", sa.LargeBinary)
)


def upgrade() -> None:
    op.add_column(
        "households",
        sa.Column(
            "files",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
            server_default="{}",
        ),
    )
    connection = op.get_bind()
    sources = connection.execute(
        sa.select(households.c.id, households.c.source_version_id)
        .where(households.c.source_version_id.is_not(None))
        .order_by(households.c.id)
    ).all()
    for start in range(0, len(sources), BATCH):
        batch = sources[start : start + BATCH]
        xml = dict(
            connection.execute(
                sa.select(versions.c.id, versions.c.xml).where(
                    versions.c.id.in_(sorted({version_id for _id, version_id in batch}))
                )
            ).all()
        )
        for household_id, version_id in batch:
            connection.execute(
                households.update()
                .where(households.c.id == household_id)
                .values(files=_files(xml.get(version_id)))
            )


def downgrade() -> None:
    op.drop_column("households", "files")


def _files(xml: bytes | None) -> dict[str, str | None]:
    """The file names the instance gives the house photo and the head's signature."""
    found: dict[str, str | None] = dict.fromkeys(FILES)
    if not xml:
        return found
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, DefusedXmlException):
        return found  # intake stores only well-formed XML without a DTD; never stop for one
    seen: set[str] = set()
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if name in found and name not in seen:  # a copy sent twice: intake keeps the first
            seen.add(name)
            found[name] = (element.text or "").strip() or None
    return found
