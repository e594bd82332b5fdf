"""Cells: formula-like text is neutralised, numbers stay numbers (OWASP CSV injection)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from server.access.policy import EXPORT, masker
from server.access.viewer import OPERATOR
from server.exports.cells import FORMULA_STARTS, cell, csv_row, is_formula_text
from server.exports.tables import row_renderer, submission_tables
from server.forms.compile import compile_xlsform

FORMULAS = ["=1+1", "+1", "-1+2", "@SUM(1)", "\t=1", "\r=1", "\n=1", "＝1+1", "＋1", "－1", "＠A1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_gets_a_quote_in_csv(text):
    assert is_formula_text(text)
    assert csv_row([text]) == ["'" + text]


@pytest.mark.parametrize("value", [-5, -2.5, Decimal("-5.00"), 0, None, "", "张三", "a=1", "1-2"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert not is_formula_text(value)
    assert csv_row([value]) == [value]


def test_cell_keeps_numbers_and_writes_dates_and_lists_as_text():
    assert cell(Decimal("-5.00")) == Decimal("-5.00")
    assert cell(date(2026, 10, 5)) == "2026-10-05"
    assert cell(["=1", "x"]) == "=1 x"  # joined first; the writers neutralise what comes out


NUMBERS_MD = """
| survey   |          |               |                  |
|          | type     | name          | label            |
|          | integer  | members       | 人口 Members      |
|          | decimal  | income_change | 收入变化 Change   |
|          | integer  | phone         | 电话 Phone        |
|          | text     | note          | 说明 Note         |
| settings |          |               |                  |
|          | form_id  | version       | form_title       |
|          | numbers  | 1             | 数字 Numbers      |
"""


def test_numeric_answers_become_numbers_unless_sensitive_or_unparseable():
    schema = compile_xlsform(NUMBERS_MD.encode(), file_name="numbers.md").schema
    (spec,) = submission_tables(schema)
    render = row_renderer(spec, masker(OPERATOR, EXPORT))
    paths = {c.header.split()[-1]: c.key for c in spec.columns}
    row = {
        paths["members"]: "-3",
        paths["income_change"]: "-1500.50",
        paths["phone"]: "13812345678",
        paths["note"]: "-1",
    }
    rendered = dict(zip([c.key for c in spec.columns], render(row), strict=True))
    assert rendered[paths["members"]] == -3
    assert rendered[paths["income_change"]] == Decimal("-1500.50")
    assert rendered[paths["phone"]] == "13812345678"  # a phone is no quantity
    assert rendered[paths["note"]] == "-1"  # text stays text (and is neutralised when written)
    assert render({paths["members"]: "=1+1"})[3] == "=1+1"  # not a number: the phone's text
    assert render({paths["members"]: "1" * 16})[3] == "1" * 16  # too long for a number cell


def test_every_formula_start_is_one_character():
    """csv_row and is_formula_text test the first character only."""
    assert all(len(start) == 1 for start in FORMULA_STARTS)
    assert csv_row(["＝SUM(A1)", "-5", -5, "a=b"]) == ["'＝SUM(A1)", "'-5", -5, "a=b"]
