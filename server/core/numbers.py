"""How numbers are written for people: money with two decimals and thousands grouping
(`28,000.00`), counts with grouping (`1,234`). Pages, prints, reports and export texts use
these, never `str(28000.0)`. Pure."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def money(value: Decimal | float | int | str | None) -> str:
    """`28000.0` → `28,000.00` (rounded half up to the fen); None → ``."""
    if value is None:
        return ""
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not amount.is_finite():
        raise ValueError(f"not an amount of money: {value!r}")
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def count(n: int | None) -> str:
    """`1234` → `1,234`; None → ``."""
    return "" if n is None else f"{n:,d}"
