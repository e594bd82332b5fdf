"""The resident ID number (公民身份号码, GB 11643-1999). Pure: a string in, a verdict out.

Layout: 6-digit address code, 8-digit birth date YYYYMMDD, 3-digit sequence (odd: male), one
check character (ISO 7064 MOD 11-2, upper-case X for 10). The address code is not checked
against current codes: people move and codes change, old codes stay valid in IDs (domain.md
§4.5). The rules match the forms' constraint (birth year from 1880, not after the phone's date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)
EARLIEST_BIRTH_YEAR = 1880

_SHAPE_18 = re.compile(r"[0-9]{17}[0-9X]")
_SHAPE_15 = re.compile(r"[0-9]{15}")


@dataclass(frozen=True, slots=True)
class ResidentIdCheck:
    """`ok` only when `problems` is empty. Problem codes are stable:

    bad_length, bad_characters, bad_address_code (starts with 0), bad_birth_date,
    bad_check_digit, legacy_15_digit (a GB 11643-1989 number: no check character).
    `birth_date` and `sex` are derived whenever the digits allow it, even if `ok` is false.
    """

    ok: bool
    problems: tuple[str, ...]
    birth_date: date | None
    sex: str | None  # "male" | "female"


def check_character(first17: str) -> str:
    """The GB 11643 check character of 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def check_resident_id(value: str, *, today: date | None = None) -> ResidentIdCheck:
    """Validate a resident ID as typed (no trimming, no case folding).

    `today` (the phone's date, when known) makes a birth date after it a `bad_birth_date`;
    without it the future is not checked (this module never reads the clock).
    """
    if _SHAPE_15.fullmatch(value):
        return _legacy(value)
    if len(value) != 18:
        return ResidentIdCheck(False, ("bad_length",), None, None)
    if not _SHAPE_18.fullmatch(value):
        return ResidentIdCheck(False, ("bad_characters",), None, None)
    problems: list[str] = []
    if value[0] == "0":
        problems.append("bad_address_code")
    born = _date(value[6:10], value[10:12], value[12:14])
    if born is None or born.year < EARLIEST_BIRTH_YEAR or (today is not None and born > today):
        problems.append("bad_birth_date")
    if check_character(value[:17]) != value[17]:
        problems.append("bad_check_digit")
    return ResidentIdCheck(not problems, tuple(problems), born, _sex(value[16]))


def _legacy(value: str) -> ResidentIdCheck:
    """15 digits: 6 address, YYMMDD (19YY), 3 sequence. Reported, never accepted."""
    born = _date("19" + value[6:8], value[8:10], value[10:12])
    return ResidentIdCheck(False, ("legacy_15_digit",), born, _sex(value[14]))


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _sex(sequence_digit: str) -> str:
    return "male" if int(sequence_digit) % 2 == 1 else "female"
