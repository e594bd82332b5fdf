"""The clock in China's time zone, and the Month type."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.core import clock
from server.core.clock import CHINA, Month
from server.core.errors import BadArgument


@pytest.fixture
def late_evening_utc(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """31 March 2026, 16:30 UTC: already 1 April, 00:30 in China."""
    moment = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
    monkeypatch.setattr(clock, "_now", lambda: moment)
    return moment


def test_now_is_aware_utc_and_frozen_by_tests(late_evening_utc: datetime):
    assert clock.now() == late_evening_utc
    assert clock.now().utcoffset().total_seconds() == 0
    assert clock.timestamp() == late_evening_utc.timestamp()


def test_today_is_the_date_in_china(late_evening_utc: datetime):
    assert clock.today() == date(2026, 4, 1)


def test_a_stored_time_is_read_as_utc_even_when_sqlite_returns_it_naive():
    naive = datetime(2026, 3, 31, 16, 30)  # noqa: DTZ001 - what SQLite hands back
    assert clock.china_date(naive) == date(2026, 4, 1)
    assert clock.china_date(naive.replace(tzinfo=UTC)) == date(2026, 4, 1)
    assert clock.in_china(naive) == datetime(2026, 4, 1, 0, 30, tzinfo=CHINA)


def test_china_midnight_is_sixteen_hours_utc_the_day_before():
    midnight = clock.china_midnight(date(2026, 4, 1))
    assert midnight == datetime(2026, 4, 1, tzinfo=CHINA)
    assert midnight.tzinfo is UTC  # as stored times are: SQLite compares them as text
    assert str(midnight) == "2026-03-31 16:00:00+00:00"
    assert clock.china_midnight(date.min) == datetime.min.replace(tzinfo=UTC)  # no bound
    assert clock.china_date(midnight) == date(2026, 4, 1)


def test_month_parses_prints_and_names_itself():
    march = Month.parse("2026-03")
    assert (march.year, march.number) == (2026, 3)
    assert str(march) == "2026-03"
    assert march.zh == "2026年3月"
    assert Month.parse("2026-12").zh == "2026年12月"
    assert f"{Month(1999, 1)}" == "1999-01"


NOT_MONTHS = ["", "2026-3", "2026-13", "2026-00", "26-03", "2026-03-01", "2026-03\n", " 2026-03",
              "２０２６-03", "1899-12", "3000-01", "abcd-ef"]  # fmt: skip


@pytest.mark.parametrize("text", NOT_MONTHS)
def test_month_parse_refuses_anything_else(text: str):
    with pytest.raises(BadArgument, match="YYYY-MM"):
        Month.parse(text)


def test_month_bounds_and_neighbours():
    february = Month(2028, 2)  # a leap year
    assert (february.first, february.last) == (date(2028, 2, 1), date(2028, 2, 29))
    assert Month(2026, 12).last == date(2026, 12, 31)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2026, 6).next().previous() == Month(2026, 6)
    assert Month.of(date(2026, 3, 31)) == Month(2026, 3)


def test_month_contains_its_days_only():
    march = Month(2026, 3)
    assert march.contains(date(2026, 3, 1)) and march.contains(date(2026, 3, 31))
    assert not march.contains(date(2026, 4, 1)) and not march.contains(date(2025, 3, 15))


def test_months_are_ordered_hashable_and_checked():
    assert Month(2025, 12) < Month(2026, 1) < Month(2026, 2)
    assert sorted([Month(2026, 2), Month(2025, 12)]) == [Month(2025, 12), Month(2026, 2)]
    assert len({Month(2026, 3), Month.parse("2026-03")}) == 1
    with pytest.raises(ValueError, match="1–12"):
        Month(2026, 13)
    with pytest.raises(AttributeError):
        Month(2026, 3).number = 4  # type: ignore[misc]
