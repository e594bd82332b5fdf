"""An XLSForm workbook as markdown tables, so a form change can be reviewed as a text diff.

Pure: imports only the standard library and openpyxl. The output is deterministic for a
given workbook content (cell values only; styles, widths and workbook metadata such as
timestamps are ignored), so `xlsforms/<form_id>.md` can sit next to the `.xlsx` in git and a
test can check the two have not drifted apart.

Format, per non-empty sheet in workbook order::

    ## <sheet name>

    | header 1 | header 2 |
    | --- | --- |
    | cell | cell |

Trailing empty rows and columns are dropped; empty rows between data rows are kept.
In cell text, `|` becomes `\\|` and line breaks become `<br>`.

This is a review format, not an input format: it is not pyxform's own markdown XLSForm
syntax, and is never compiled.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

from openpyxl import load_workbook

__all__ = ["cell_text", "workbook_to_markdown"]


def cell_text(value: object) -> str:
    """Render one cell value as single-line markdown table text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    else:
        text = str(value)
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("|", "\\|").replace("\n", "<br>")


def _trimmed(rows: Iterable[tuple[object, ...]]) -> list[list[str]]:
    table = [[cell_text(v) for v in row] for row in rows]
    while table and not any(table[-1]):
        table.pop()
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in table), default=0)
    return [(r + [""] * width)[:width] for r in table]


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def workbook_to_markdown(source: bytes | str | Path) -> str:
    """Render every non-empty sheet of the workbook (bytes, or a path) as markdown tables."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        parts: list[str] = []
        for sheet in workbook.worksheets:
            table = _trimmed(sheet.iter_rows(values_only=True))
            if not table:
                continue
            header, body = table[0], table[1:]
            lines = [f"## {sheet.title}", "", _line(header), _line(["---"] * len(header))]
            lines.extend(_line(row) for row in body)
            parts.append("\n".join(lines) + "\n")
    finally:
        workbook.close()
    return "\n".join(parts)


def find_cells(source: bytes | str | Path, value: str) -> list[tuple[str, int]]:
    """(sheet, row) of every cell whose text is exactly `value`, rows numbered as in Excel."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [
            (sheet.title, number)
            for sheet in workbook.worksheets
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
            if any(cell_text(cell).strip() == value for cell in row)
        ]
    finally:
        workbook.close()
