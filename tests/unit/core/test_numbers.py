"""Money and counts as people read them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from server.core.numbers import count, money


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (28000.0, "28,000.00"),
        (Decimal("28000"), "28,000.00"),
        (6000, "6,000.00"),
        ("1234567.891", "1,234,567.89"),
        (Decimal("0.005"), "0.01"),  # half up, as a cashier rounds, not to even
        (2.675, "2.68"),  # the float's shortest repr, not its binary value 2.67499…
        (0, "0.00"),
        (-1500.5, "-1,500.50"),
        (None, ""),
    ],
)
def test_money_has_two_decimals_and_thousands_grouping(value, text):
    assert money(value) == text


def test_money_refuses_what_is_not_an_amount():
    with pytest.raises(ValueError, match="not an amount"):
        money(float("nan"))


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (12, "12"), (1234, "1,234"), (None, "")])
def test_counts_are_grouped(n, text):
    assert count(n) == text
