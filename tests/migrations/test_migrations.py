"""The schema comes only from Alembic: one head, models match it, and it goes down and up."""

from __future__ import annotations

import json
import re
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from server import migrate
from server.db import make_engine
from server.forms.cli import XLSFORMS_DIR
from server.forms.compile import compile_xlsform
from server.ingest.normalize import normalize
from server.models import Base
from tests.conftest import DATA, POSTGRES_ADMIN_URL
from tests.live import fresh_database


def test_there_is_exactly_one_head():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_nothing_and_upgrade_again(backend: str, tmp_path: Path):
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            migrate.downgrade(engine, "base")
            migrate.upgrade(engine)
            with engine.connect() as connection:
                context = MigrationContext.configure(connection)
                assert compare_metadata(context, Base.metadata) == []
        finally:
            engine.dispose()


def test_confirmed_households_without_an_archive_number_get_one(backend: str, tmp_path: Path):
    """3c9d2e7a41f8: 档号 are issued at county confirmation now, no longer by a print."""
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine, "b7e41c2d9f10")
            with engine.begin() as connection:
                for code, village, status, identified_on, archive_no in (
                    ("H-1", "440233100201", "monitored", "2025-06-01", None),
                    ("H-2", "440233100201", "risk_eliminated", "2025-07-01", None),
                    ("H-3", "440233100201", "pending_review", "2025-07-01", None),
                    ("H-4", "440233100200", "monitored", "2025-07-01", "440233100200-2025-0001"),
                    ("H-5", "440233100200", "monitored", "2025-08-01", None),
                ):
                    connection.execute(
                        text(
                            "INSERT INTO households (code, village_code, head_name, "
                            "household_type, household_kind, member_count, is_demo, status, "
                            "identified_on, archive_no, risk_causes, income, created_at) VALUES "
                            "(:code, :village, '张三', 'marginal_at_risk', 'ordinary', 1, false, "
                            ":status, :identified_on, :archive_no, '[]', '{}', "
                            "CURRENT_TIMESTAMP)"
                        ),
                        {
                            "code": code,
                            "village": village,
                            "status": status,
                            "identified_on": date.fromisoformat(identified_on),
                            "archive_no": archive_no,
                        },
                    )
                connection.execute(
                    text(
                        "INSERT INTO archive_numbers (household_id, village_code, year, "
                        "sequence, number, issued_at) SELECT id, village_code, 2025, 1, "
                        "archive_no, CURRENT_TIMESTAMP FROM households WHERE code = 'H-4'"
                    )
                )
            migrate.upgrade(engine, "3c9d2e7a41f8")
            with engine.connect() as connection:
                numbers = dict(
                    connection.execute(text("SELECT code, archive_no FROM households")).all()
                )
                issued = connection.scalar(text("SELECT count(*) FROM archive_numbers"))
        finally:
            engine.dispose()
    assert numbers == {
        "H-1": "440233100201-2025-0001",
        "H-2": "440233100201-2025-0002",
        "H-3": None,  # not confirmed: numbered when the county confirms it
        "H-4": "440233100200-2025-0001",  # already numbered: kept
        "H-5": "440233100200-2025-0002",
    }
    assert issued == 4


_LIST_FORM = """
| survey   |                                |         |           |
|          | type                           | name    | label     |
|          | select_one_from_file crops.csv | crop    | 作物 Crop  |
| settings |                                |         |           |
|          | form_id                        | version |           |
|          | crops                          | 1       |           |
"""
_CROPS = "name,label::中文 (zh),label::English (en)\nrice,水稻,Rice\ntea,茶叶,Tea\n".encode()
_FORMS = sa.table(
    "forms",
    sa.column("id", sa.Integer),
    sa.column("xml_form_id", sa.String),
    sa.column("title", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_VERSIONS = sa.table(
    "form_versions",
    *(sa.column(name, sa.String) for name in ("version", "title", "xform_md5", "source_name")),
    sa.column("id", sa.Integer),
    sa.column("form_id", sa.Integer),
    sa.column("xform", sa.LargeBinary),
    sa.column("schema_json", sa.JSON),
    sa.column("media_files", sa.JSON),
    sa.column("source_sha256", sa.String),
    sa.column("warnings", sa.JSON),
    sa.column("published_at", sa.DateTime(timezone=True)),
)
_ATTACHMENTS = sa.table(
    "form_attachments",
    *(sa.column(name, sa.String) for name in ("filename", "md5", "content_type")),
    sa.column("form_version_id", sa.Integer),
    sa.column("content", sa.LargeBinary),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _as_stored_before(schema: dict[str, Any]) -> dict[str, Any]:
    """What publishing stored until 8fd146395e0c: choice lists as item names only, and labels
    that lost their references to answers."""
    drop = re.compile(r"\$\{[^}]*\}")
    fields = [
        {**f, "labels": {k: drop.sub("", v).strip() for k, v in f["labels"].items()}}
        for f in schema["fields"]
    ]
    choices = {name: [item for item, _labels in items] for name, items in schema["choices"].items()}
    return {**schema, "fields": fields, "choices": choices}


def test_form_versions_already_stored_get_their_labels(backend: str, tmp_path: Path):
    """8fd146395e0c: question and choice labels are read from the stored XForm (and the CSV
    lists published with it) into the stored schema, exactly as publishing now stores them."""
    county = {
        form_id: (XLSFORMS_DIR / f"{form_id}.xlsx").read_bytes()
        for form_id in ("household_archive", "assistance_visit", "major_event")
    }
    compiled = {
        form_id: compile_xlsform(source, file_name=f"{form_id}.xlsx")
        for form_id, source in county.items()
    }
    compiled["crops"] = compile_xlsform(
        textwrap.dedent(_LIST_FORM).encode(), file_name="crops.md", files={"crops.csv": _CROPS}
    )
    now = datetime.now(UTC)
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine, "353c1a113376")
            with engine.begin() as connection:
                for number, (form_id, form) in enumerate(compiled.items(), start=1):
                    connection.execute(
                        _FORMS.insert().values(
                            id=number, xml_form_id=form_id, title=form_id, created_at=now
                        )
                    )
                    stored = json.loads(json.dumps(form.schema.to_dict()))
                    connection.execute(
                        _VERSIONS.insert().values(
                            id=number,
                            form_id=number,
                            version=form.version,
                            title=form_id,
                            xform=form.xform,
                            xform_md5=form.md5,
                            schema_json=_as_stored_before(stored),
                            media_files=list(form.schema.media),
                            source_name=f"{form_id}.xlsx",
                            source_sha256="0" * 64,
                            warnings=[],
                            published_at=now,
                        )
                    )
                connection.execute(
                    _ATTACHMENTS.insert().values(
                        form_version_id=len(compiled),
                        filename="crops.csv",
                        content=_CROPS,
                        md5="0" * 32,
                        content_type="text/csv",
                        created_at=now,
                    )
                )
            migrate.upgrade(engine, "8fd146395e0c")
            with engine.connect() as connection:
                upgraded = dict(
                    connection.execute(sa.select(_VERSIONS.c.id, _VERSIONS.c.schema_json)).all()
                )
            migrate.downgrade(engine, "353c1a113376")
            with engine.connect() as connection:
                downgraded = dict(
                    connection.execute(sa.select(_VERSIONS.c.id, _VERSIONS.c.schema_json)).all()
                )
        finally:
            engine.dispose()
    for number, form in enumerate(compiled.values(), start=1):
        published = json.loads(json.dumps(form.schema.to_dict()))
        assert upgraded[number] == published
        assert downgraded[number] == _as_stored_before(published)
    visit = {f["name"]: f for f in upgraded[2]["fields"]}
    assert visit["bayou_item_detail"]["labels"]["中文 (zh)"] == "${bayou_item_label}：情况说明"
    assert upgraded[2]["choices"]["bayou"][-1] == [
        "tv",
        {"中文 (zh)": "有电视看", "English (en)": "Has TV"},
    ]
    assert upgraded[4]["choices"] == {
        "crops": [
            ["rice", {"中文 (zh)": "水稻", "English (en)": "Rice"}],
            ["tea", {"中文 (zh)": "茶叶", "English (en)": "Tea"}],
        ]
    }


def test_households_already_stored_get_their_status_history(backend: str, tmp_path: Path):
    """9667c70240ba: creation, then each confirmed approval at its confirmation, then a status
    set outside the chain."""
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine, "8fd146395e0c")
            with engine.begin() as connection:
                for code, status, created in (
                    ("H-1", "monitored", "2025-06-01"),
                    ("H-2", "risk_eliminated", "2025-06-02"),
                    ("H-3", "pending_review", "2025-06-03"),
                    ("H-4", "monitored", "2025-06-04"),
                ):
                    connection.execute(
                        text(
                            "INSERT INTO households (code, village_code, head_name, "
                            "household_type, household_kind, member_count, is_demo, status, "
                            "risk_causes, income, created_at) VALUES (:code, '440233100201', "
                            "'张三', 'marginal_at_risk', 'ordinary', 1, false, :status, '[]', "
                            "'{}', :created)"
                        ),
                        {
                            "code": code,
                            "status": status,
                            "created": datetime.fromisoformat(created).replace(tzinfo=UTC),
                        },
                    )
                for code, kind, outcome, closed in (
                    ("H-1", "inclusion", "confirmed", "2025-07-01"),
                    ("H-2", "inclusion", "confirmed", "2025-07-02"),
                    ("H-2", "elimination", "confirmed", "2025-12-02"),
                    ("H-3", "inclusion", "withdrawn", "2025-07-03"),
                ):
                    connection.execute(
                        text(
                            "INSERT INTO approval_cases (household_id, village_code, kind, stage, "
                            "outcome, opened_at, closed_at) SELECT id, village_code, :kind, "
                            "'closed', :outcome, :closed, :closed FROM households "
                            "WHERE code = :code"
                        ),
                        {
                            "code": code,
                            "kind": kind,
                            "outcome": outcome,
                            "closed": datetime.fromisoformat(closed).replace(tzinfo=UTC),
                        },
                    )
            migrate.upgrade(engine, "9667c70240ba")
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT h.code, s.status, s.since, s.case_id IS NOT NULL "
                        "FROM household_status_history s JOIN households h "
                        "ON h.id = s.household_id ORDER BY h.code, s.since, s.id"
                    )
                ).all()
        finally:
            engine.dispose()
    found = [(code, status, str(since)[:10], by_case) for code, status, since, by_case in rows]
    assert found == [
        ("H-1", "pending_review", "2025-06-01", False),
        ("H-1", "monitored", "2025-07-01", True),
        ("H-2", "pending_review", "2025-06-02", False),
        ("H-2", "monitored", "2025-07-02", True),
        ("H-2", "risk_eliminated", "2025-12-02", True),
        ("H-3", "pending_review", "2025-06-03", False),
        ("H-4", "monitored", "2025-06-04", False),  # never went through the chain
    ]


_SUBMISSIONS = sa.table(
    "submissions",
    sa.column("id", sa.Integer),
    sa.column("form_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_SUBMISSION_VERSIONS = sa.table(
    "submission_versions",
    *(
        sa.column(name, sa.Integer)
        for name in ("id", "submission_id", "form_id", "form_version_id")
    ),
    *(sa.column(name, sa.String) for name in ("instance_id", "xml_sha256", "processing_state")),
    sa.column("xml", sa.LargeBinary),
    sa.column("is_current", sa.Boolean),
    sa.column("received_at", sa.DateTime(timezone=True)),
)
_IDENTIFICATION = DATA / "instances" / "household_archive.xml"


def _identifications() -> dict[str, bytes]:
    """The county's identification as Collect sends it, and as it may arrive: a signature not
    taken, and no file question answered at all."""
    sent = _IDENTIFICATION.read_bytes()
    no_signature = sent.replace(
        b"<head_signature>1764380000456.png</head_signature>", b"<head_signature />"
    )
    assert no_signature != sent
    nothing = re.sub(rb"<evidence>.*</evidence>", b"<evidence />", sent)
    assert nothing != sent
    return {"H-1": sent, "H-2": no_signature, "H-3": nothing}


def test_households_already_stored_get_their_identifications_files(backend: str, tmp_path: Path):
    """8507bd033f00: the house photo and head signature an identification named are stored
    with its household, read from the stored XML as intake's normalisation reads them."""
    form = compile_xlsform(
        (XLSFORMS_DIR / "household_archive.xlsx").read_bytes(), file_name="household_archive.xlsx"
    )
    identifications = _identifications()
    now = datetime.now(UTC)
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine, "9667c70240ba")
            with engine.begin() as connection:
                connection.execute(
                    _FORMS.insert().values(
                        id=1, xml_form_id="household_archive", title="户识别", created_at=now
                    )
                )
                connection.execute(
                    _VERSIONS.insert().values(
                        id=1,
                        form_id=1,
                        version=form.version,
                        title="户识别",
                        xform=form.xform,
                        xform_md5=form.md5,
                        schema_json=json.loads(json.dumps(form.schema.to_dict())),
                        media_files=[],
                        source_name="household_archive.xlsx",
                        source_sha256="0" * 64,
                        warnings=[],
                        published_at=now,
                    )
                )
                for number, (code, xml) in enumerate(identifications.items(), start=1):
                    connection.execute(
                        _SUBMISSIONS.insert().values(id=number, form_id=1, created_at=now)
                    )
                    connection.execute(
                        _SUBMISSION_VERSIONS.insert().values(
                            id=number,
                            submission_id=number,
                            form_id=1,
                            form_version_id=1,
                            instance_id=f"uuid:{number}",
                            xml=xml,
                            xml_sha256="0" * 64,
                            processing_state="processed",
                            is_current=True,
                            received_at=now,
                        )
                    )
                    _insert_household(connection, code, source_version_id=number)
                _insert_household(connection, "H-4", source_version_id=None)  # no form: demo data
            migrate.upgrade(engine, "8507bd033f00")
            with engine.connect() as connection:
                files = dict(connection.execute(text("SELECT code, files FROM households")).all())
            migrate.downgrade(engine, "9667c70240ba")
            with engine.connect() as connection:
                columns = {c["name"] for c in sa.inspect(connection).get_columns("households")}
        finally:
            engine.dispose()
    files = {code: json.loads(v) if isinstance(v, str) else v for code, v in files.items()}
    assert files == {
        "H-1": {"house_photo": "1764380000123.jpg", "head_signature": "1764380000456.png"},
        "H-2": {"house_photo": "1764380000123.jpg", "head_signature": None},
        "H-3": {"house_photo": None, "head_signature": None},
        "H-4": {},
    }
    for code, xml in identifications.items():  # the frozen reading agrees with intake's
        identification = normalize(xml, form.schema).identification
        expected = {
            "house_photo": identification.house_photo,
            "head_signature": identification.head_signature,
        }
        assert files[code] == expected, code
    assert "files" not in columns


def _insert_household(
    connection: sa.Connection, code: str, *, source_version_id: int | None
) -> None:
    connection.execute(
        text(
            "INSERT INTO households (code, village_code, head_name, household_type, "
            "household_kind, member_count, is_demo, status, risk_causes, income, "
            "source_version_id, created_at) VALUES (:code, '440233100201', '张三', "
            "'marginal_at_risk', 'ordinary', 1, false, 'pending_review', '[]', '{}', "
            ":source, CURRENT_TIMESTAMP)"
        ),
        {"code": code, "source": source_version_id},
    )
