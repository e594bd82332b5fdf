"""server.forms.workbook_text: XLSForm workbooks as reviewable markdown."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

from server.forms.workbook_text import cell_text, workbook_to_markdown


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_sheets_become_tables_in_workbook_order() -> None:
    data = xlsx(
        {
            "survey": [["type", "name", "label"], ["text", "q1", "问题一"]],
            "choices": [["list_name", "name"], ["yn", "yes"]],
        }
    )
    assert workbook_to_markdown(data) == (
        "## survey\n\n"
        "| type | name | label |\n"
        "| --- | --- | --- |\n"
        "| text | q1 | 问题一 |\n"
        "\n"
        "## choices\n\n"
        "| list_name | name |\n"
        "| --- | --- |\n"
        "| yn | yes |\n"
    )


def test_trailing_empty_rows_and_columns_dropped_inner_ones_kept() -> None:
    data = xlsx(
        {
            "survey": [
                ["type", "name", None, None],
                ["text", "a", None, "   "],
                [None, None, None, None],
                ["note", None, "x", None],
                [None, None, None, None],
                ["", "", "", ""],
            ],
        }
    )
    assert workbook_to_markdown(data).splitlines() == [
        "## survey",
        "",
        "| type | name |  |",
        "| --- | --- | --- |",
        "| text | a |  |",
        "|  |  |  |",
        "| note |  | x |",
    ]


def test_empty_sheets_are_skipped() -> None:
    data = xlsx({"survey": [["type"], ["text"]], "notes": [], "blank": [[None, ""]]})
    assert "notes" not in workbook_to_markdown(data)
    assert "blank" not in workbook_to_markdown(data)


def test_pipes_and_newlines_are_escaped() -> None:
    assert cell_text("a | b") == "a \\| b"
    assert cell_text("line1\nline2\r\nline3\rline4") == "line1<br>line2<br>line3<br>line4"


def test_scalar_rendering_is_stable() -> None:
    assert cell_text(None) == ""
    assert cell_text(2026112901) == "2026112901"
    assert cell_text(3.0) == "3"
    assert cell_text(0.1) == "0.1"
    assert cell_text(True) == "TRUE"
    assert cell_text(dt.date(2026, 1, 2)) == "2026-01-02"
    naive = dt.datetime(2026, 1, 2, 3, 4, 5)  # noqa: DTZ001 - Excel cells carry no time zone
    assert cell_text(naive) == "2026-01-02 03:04:05"


def test_accepts_bytes_str_and_path(tmp_path: Path) -> None:
    data = xlsx({"settings": [["form_id"], ["f"]]})
    path = tmp_path / "f.xlsx"
    path.write_bytes(data)
    expected = workbook_to_markdown(data)
    assert workbook_to_markdown(path) == expected
    assert workbook_to_markdown(str(path)) == expected


def test_module_is_pure() -> None:
    import server.forms.workbook_text as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    for banned in ("flask", "sqlalchemy", "pyxform"):
        assert f"import {banned}" not in source
        assert f"from {banned}" not in source
