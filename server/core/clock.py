"""The clock and the calendar: the one reader of the system clock, China's time zone, a month.

Times are stored in UTC (aware; SQLite hands them back naive, which means UTC); people live in
China's time zone (Asia/Shanghai, no daylight saving), so "today", a day's bounds and a month
are China's. `_now()` is the only place in `server/` that reads the clock
(tests/unit/test_layering.py checks it), so tests freeze time by monkeypatching
`server.core.clock._now`. Pure modules never call `now()` or `today()`: they take the day as a
parameter. Nothing here imports Flask or SQLAlchemy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.core.errors import BadArgument

CHINA = ZoneInfo("Asia/Shanghai")
# Years a person may mean; beyond them a date or month is a typo (and date.max + 1 overflows).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """This moment, aware, in UTC: what `*_at` columns store."""
    return _now()


def timestamp() -> float:
    """This moment as seconds since the epoch (Digest nonces, login throttling)."""
    return _now().timestamp()


def today() -> date:
    """Today's date in China."""
    return _now().astimezone(CHINA).date()


def in_china(moment: datetime) -> datetime:
    """A stored time (aware, or naive meaning UTC) as China's wall-clock time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA)


def china_date(moment: datetime) -> date:
    """The date in China of a stored time (aware, or naive meaning UTC)."""
    return in_china(moment).date()


def china_midnight(day: date) -> datetime:
    """The moment `day` begins in China, in UTC: compare stored times with it. In UTC because
    SQLite keeps times as text without their offset, so a bound at +08:00 would be compared
    as if it were UTC, eight hours off."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=CHINA)
    try:
        return midnight.astimezone(UTC)
    except OverflowError:  # date.min, "no bound": still before every stored time
        return datetime.min.replace(tzinfo=UTC)


_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month, e.g. `Month.parse("2026-03")`; ordered, hashable, printed `2026-03`."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 12:
            raise ValueError(f"month number {self.number} is not 1–12")

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM` (years FIRST_YEAR–LAST_YEAR), or BadArgument saying what is expected."""
        match = _MONTH.fullmatch(text)
        if match is None or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            raise BadArgument(
                f"月份 {text!r} 无效，应为 YYYY-MM（{FIRST_YEAR}–{LAST_YEAR} 年）/ "
                f"the month {text!r} is invalid: YYYY-MM, years {FIRST_YEAR}–{LAST_YEAR}"
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last(self) -> date:
        return self.next().first - timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + self.number // 12, self.number % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.number == 1), (self.number - 2) % 12 + 1)

    def contains(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.number)

    @property
    def zh(self) -> str:
        """`2026年3月`, as a Chinese page or print writes it."""
        return f"{self.year}年{self.number}月"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"
