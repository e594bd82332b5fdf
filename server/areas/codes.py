"""Parse and check an area-code file (county → towns/streets → villages). Pure: text in, rows out.

The file is CSV with `#` comment lines. Codes are the 12-digit statistical division codes
(6 county + 3 township + 3 village, domain.md §5.1); a code may appear in several rows when its
name changed, each row carrying the years (`valid_from`..`valid_to`, inclusive) it was in force.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

LEVELS = ("county", "town", "village")
XINFENG_FILE = Path(__file__).parent / "data" / "areas_440233.csv"


class AreaFileError(ValueError):
    """The area file is malformed; the message names the line and the problem."""


@dataclass(frozen=True, slots=True)
class AreaRow:
    code: str
    parent_code: str | None
    level: str
    name: str
    name_en: str
    alt_names: tuple[str, ...]
    urban_rural_class: str | None
    valid_from: int
    valid_to: int | None

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


def parse_area_file(text: str) -> list[AreaRow]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    rows = [_row(number, record) for number, record in enumerate(reader, start=2)]
    _check_tree(rows)
    return rows


def _row(number: int, record: dict[str, str]) -> AreaRow:
    code = (record.get("code") or "").strip()
    level = (record.get("level") or "").strip()
    if len(code) != 12 or not code.isdigit():
        raise AreaFileError(f"row {number}: code {code!r} is not a 12-digit statistical code")
    if level not in LEVELS:
        raise AreaFileError(f"row {number}: level {level!r} is not one of {', '.join(LEVELS)}")
    if _level_of(code) != level:
        raise AreaFileError(f"row {number}: code {code} has the shape of a {_level_of(code)}")
    try:
        valid_from = int(record["valid_from"])
        valid_to = int(record["valid_to"]) if (record.get("valid_to") or "").strip() else None
    except (KeyError, ValueError) as exc:
        raise AreaFileError(f"row {number}: valid_from/valid_to must be years") from exc
    name = (record.get("name") or "").strip()
    if not name:
        raise AreaFileError(f"row {number}: name is empty")
    return AreaRow(
        code=code,
        parent_code=(record.get("parent_code") or "").strip() or None,
        level=level,
        name=name,
        name_en=(record.get("name_en") or "").strip(),
        alt_names=tuple(n for n in (record.get("alt_names") or "").split(";") if n.strip()),
        urban_rural_class=(record.get("urban_rural_class") or "").strip() or None,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _level_of(code: str) -> str:
    if code[6:] == "000000":
        return "county"
    if code[9:] == "000":
        return "town"
    return "village"


def _check_tree(rows: list[AreaRow]) -> None:
    codes = {row.code for row in rows}
    seen: set[tuple[str, int]] = set()
    for row in rows:
        if (row.code, row.valid_from) in seen:
            raise AreaFileError(f"code {row.code} appears twice from {row.valid_from}")
        seen.add((row.code, row.valid_from))
        if row.level != "county" and row.parent_code not in codes:
            raise AreaFileError(f"code {row.code}: parent {row.parent_code} is not in the file")
        if row.parent_code and not row.code.startswith(
            row.parent_code[: 9 if row.level == "village" else 6]
        ):
            raise AreaFileError(f"code {row.code} does not lie under its parent {row.parent_code}")
