"""`fangfan archive …` prints PDFs to files, the binder with a progress bar."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests import pdf
from tests.cli.test_cli import (
    OPERATOR,
    audit_log,
    fangfan,  # noqa: F401 - the operator fixture
)


def test_archive_commands_write_the_record_and_the_binder(fangfan, tmp_path: Path):  # noqa: F811
    from server import create_app
    from server.db import unit_of_work
    from server.forms.service import publish_form
    from tests.fixtures import make_household, markdown_form
    from tests.registry_factories import add_visit, photo_jpeg, signature_png

    fangfan("areas", "load")
    app = create_app()
    with unit_of_work(app) as session:
        version = publish_form(
            session, source=markdown_form(), source_name="v.md", attachments={}
        ).version
        for n in (1, 2, 3):
            household = make_household(
                session,
                code=f"H440233100201-000{n}",
                head_name=f"户主{n}",
                # the county confirmed the first one: it has its 档号
                archive_no="440233100201-2026-0001" if n == 1 else None,
            )
            add_visit(
                session,
                household,
                version,
                visited_on=date(2026, 11, n),
                photos=[photo_jpeg(n, (320, 240))],
                signature=signature_png(n),
            )
    app.extensions["engine"].dispose()

    record = tmp_path / "record.pdf"
    result = fangfan("archive", "household", "H440233100201-0001", "--out", str(record))
    assert "户档案" in result.output
    assert "档号：440233100201-2026-0001" in pdf.text(record.read_bytes())
    unconfirmed = tmp_path / "unconfirmed.pdf"
    fangfan("archive", "household", "H440233100201-0002", "--out", str(unconfirmed))
    assert "档号：未编号" in pdf.text(unconfirmed.read_bytes())  # printing never issues one

    binder = tmp_path / "binder.pdf"
    result = fangfan(
        "archive",
        "binder",
        "--village",
        "440233100201",
        "--month",
        "2026-11",
        "--out",
        str(binder),
        "--chunk",
        "2",
    )
    pages = pdf.page_texts(binder.read_bytes())
    assert f"3 户，共 {len(pages)} 页" in result.output
    assert len(pages) == 5  # cover, contents, one page per one-visit work form
    assert "户主1" in pages[2] and "户主3" in pages[4]
    prints = [(e.actor_username, e.object_kind, e.object_id) for e in audit_log("print_archive")]
    assert prints == [
        (OPERATOR, "household_archive", "H440233100201-0001"),
        (OPERATOR, "household_archive", "H440233100201-0002"),
        (OPERATOR, "village_binder", "440233100201 2026-11"),
    ]

    missing = fangfan("archive", "household", "H-NONE", "--out", str(record), ok=False)
    assert "找不到农户" in missing.output
    bad = fangfan(
        "archive",
        "binder",
        "--village",
        "440233100201",
        "--month",
        "2026-13",
        "--out",
        str(binder),
        ok=False,
    )
    assert "YYYY-MM" in bad.output
