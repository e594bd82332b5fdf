"""How personal data looks to someone who may not see it in full: the one set of masks.

Pure: values in, strings out. Pages, prints, exports, the phones' household list and the
monitoring pages all mask through these (chosen per viewer by `access.policy.masker`), so a
number looks the same masked wherever it appears (domain.md §8.1):
- a resident ID: the region (first 6) and the last 4 — `440233********0015`;
- a mobile number (11 digits, starting with 1): `138****5678`;
- any other phone number (a landline, with or without its area code): the last 2 digits only;
- other identifiers (certificate numbers): the last 2 characters only;
- a coordinate: two decimals (about 1 km); a geopoint: its latitude and longitude so;
- free text: every ID-like or mobile-like run inside it, masked as above;
- health details: hidden.
"""

from __future__ import annotations

import re
from typing import Any

from server.core.geo import parse_geopoint

HIDDEN = "（已隐藏 hidden）"

_MOBILE = re.compile(r"1[0-9]{10}")
_LONG_ID = re.compile(r"(?<![0-9])(\d{6})\d{8,}(\d{3}[0-9Xx])(?![0-9])")
_SHORT_ID = re.compile(r"(?<![0-9])(\d{6})\d{6}(\d{3})(?![0-9])")
_PHONE_IN_TEXT = re.compile(r"(?<![0-9])(1\d{2})\d{4}(\d{4})(?![0-9])")
# Every number `text` masks has 11 digits or more: text without such a run is left as it is
# (one search instead of three substitutions, for the 100 000s of cells of an export).
_ELEVEN_DIGITS = re.compile(r"\d{11}")


def _stars(n: int) -> str:
    return "*" * max(n, 0)


def id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) >= 15:
        return value[:6] + _stars(len(value) - 10) + value[-4:]
    return _keep_last(value, 2)


def phone(value: str | None) -> str:
    if not value:
        return ""
    if _MOBILE.fullmatch(value):
        return value[:3] + "****" + value[-4:]
    return _keep_last(value, 2)


def identifier(value: str | None) -> str:
    """A certificate or account number: nothing but its last two characters."""
    return _keep_last(value, 2) if value else ""


def _keep_last(value: str, keep: int) -> str:
    if len(value) <= keep:
        return _stars(len(value))
    return _stars(len(value) - keep) + value[-keep:]


def text(value: str | None) -> str:
    """Free text with every 15–18+ digit ID-like run and every mobile number inside masked."""
    if not value:
        return ""
    if not _ELEVEN_DIGITS.search(value):
        return value
    value = _LONG_ID.sub(lambda m: m.group(1) + _stars(len(m.group(0)) - 10) + m.group(2), value)
    value = _SHORT_ID.sub(lambda m: m.group(1) + _stars(6) + m.group(2), value)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(2), value)


def coordinate(value: Any) -> Any:
    if value is None or value == "":
        return value
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        return HIDDEN


def geopoint(value: str | None) -> str:
    """`lat lon [alt acc]` as the phone sent it → `lat lon`, two decimals each."""
    if not value:
        return ""
    point = parse_geopoint(value)
    return HIDDEN if point is None else f"{point.latitude:.2f} {point.longitude:.2f}"


def health(value: Any) -> str:
    return "" if value is None or value == "" else HIDDEN
