"""Write tables to a CSV-in-ZIP or an XLSX workbook, streaming: rows go out as they come.

Tables come as (spec, batches of rows). Writers are generators that yield the number of rows
written after each batch, so a CLI can move a progress bar and an HTTP response can send what
the ZIP produced so far. Memory stays flat: no table is ever held whole. Every cell goes
through `cells`, so no text becomes a formula (`xlsx_row` serves the monthly report too).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from server.exports.cells import FORMULA_STARTS, PLAIN, cell, csv_row
from server.exports.tables import TableSpec

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_MAX_ROWS = 1_048_575  # Excel's limit minus the header row; longer tables continue


Tables = Iterable[tuple[TableSpec, Iterable[Sequence[Any]]]]


def write_csv_zip(tables: Tables, out: IO[bytes], *, level: int = 1) -> Iterator[int]:
    """One `<table>.csv` per table (UTF-8 with BOM, so Excel/WPS open Chinese correctly).

    Works on unseekable outputs too (zipfile then writes data descriptors)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for spec, batches in tables:
            with archive.open(f"{spec.name}.csv", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", write_through=False)
                writer = csv.writer(text)
                writer.writerow(csv_row(spec.headers))
                for batch in batches:
                    writer.writerows(csv_row(row) for row in batch)
                    yield len(batch)
                text.flush()
                text.detach()


def write_xlsx(tables: Tables, out: IO[bytes]) -> Iterator[int]:
    """One sheet per table (openpyxl write-only mode keeps rows on disk, not in memory)."""
    book = Workbook(write_only=True)
    for spec, batches in tables:
        sheet, count, part = _sheet(book, spec, 1), 0, 1
        for batch in batches:
            for row in batch:
                if count == XLSX_MAX_ROWS:
                    part += 1
                    sheet, count = _sheet(book, spec, part), 0
                sheet.append(xlsx_row(sheet, row))
                count += 1
            yield len(batch)
    book.save(out)


def _sheet(book: Workbook, spec: TableSpec, part: int) -> WriteOnlyWorksheet:
    name = spec.name[:28] if part == 1 else f"{spec.name[:25]}_{part}"
    sheet = book.create_sheet(name)
    sheet.append(xlsx_row(sheet, spec.headers))  # a form's labels are text people wrote
    return sheet


def xlsx_row(sheet: WriteOnlyWorksheet, row: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet: values as `cells.cell` makes them, and formula-like text in
    a string cell with quotePrefix (openpyxl would store a str starting with `=` as a formula)."""
    values = []
    for value in row:
        if not isinstance(value, PLAIN):
            value = cell(value)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            value = _text_cell(sheet, value)
        values.append(value)
    return values


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    written = WriteOnlyCell(sheet, value=text)
    written.data_type = "s"  # exactly this text, never a formula
    written.quotePrefix = True  # and Excel or WPS keep it text when it is edited
    return written


class ChunkSink(io.RawIOBase):
    """An unseekable file that keeps what was written until `drain()` (HTTP streaming)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data
