"""How a value becomes a spreadsheet cell (pure): the one rule every CSV and XLSX writer uses.

Dates become ISO text and lists are joined; numbers (int, float, Decimal) stay numbers, so a
negative amount is a number and never treated as text. Text that a spreadsheet would run as a
formula is neutralised (OWASP, "CSV Injection"): a cell starting with `=`, `+`, `-`, `@`, tab,
CR or LF, or with the full-width `＝＋－＠` that Excel and WPS read as formulas in East-Asian
locales. Phone answers and names typed by people reach every export, so none may become one:

- CSV has no cell types: such text gets a leading `'` (`csv_row`), which spreadsheets show as
  text. The one way that always works; a reader of the CSV sees the added quote.
- XLSX has them: the exact text goes into a string-typed cell with Excel's quotePrefix style
  (`writers.xlsx_row`). Nothing is added to the value, nothing evaluates it on opening, and
  editing the cell in Excel or WPS keeps it text too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# Each is one character: a set lookup of the first is the same test, faster per cell.
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
PLAIN = (str, int, float, Decimal, type(None))  # what both writers take as it is


def is_formula_text(value: Any) -> bool:
    """Text a spreadsheet would read as a formula (numbers never are: -5 is a number)."""
    return isinstance(value, str) and value[:1] in _FORMULA_FIRST


def csv_row(row: Iterable[Any]) -> list[Any]:
    """A row for `csv.writer`, with formula-like text behind a `'`."""
    return ["'" + v if isinstance(v, str) and v[:1] in _FORMULA_FIRST else v for v in row]


def cell(value: Any) -> Any:
    """A value as a spreadsheet holds it: dates ISO, lists and dicts joined, numbers as numbers.
    The result may still be formula-like text: the writers neutralise after this."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items() if v)
    return value
