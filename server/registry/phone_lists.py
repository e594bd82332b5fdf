"""The CSV lists phones download as form media (towns, villages, households).

Pure: rows in, bytes out.

The bytes must be deterministic, because Collect decides whether to re-download a media file by
its MD5 (openrosa.md §3.4): the same rows must give the same bytes, and only a real change may
change the hash. Rows are therefore sorted by code and written with fixed line endings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from server.access.policy import Masker

TOWN_COLUMNS = ("name", "label")
VILLAGE_COLUMNS = ("name", "label", "town")
HOUSEHOLD_COLUMNS = (
    "name",
    "label",
    "town",
    "village",
    "head_name",
    "household_type",
    "household_kind",
    "archive_no",
    "member_count",
    "phone_masked",
    "last_visit_on",
)


@dataclass(frozen=True, slots=True)
class PlaceRow:
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    code: str
    village_code: str
    head_name: str
    household_type: str
    household_type_label: str
    household_kind: str
    archive_no: str | None
    member_count: int
    phone: str | None
    last_visit_on: date | None


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def towns_csv(towns: Iterable[PlaceRow]) -> bytes:
    return _csv(TOWN_COLUMNS, ((t.code, t.name) for t in sorted(towns, key=lambda t: t.code)))


def villages_csv(villages: Iterable[PlaceRow]) -> bytes:
    ordered = sorted(villages, key=lambda v: v.code)
    return _csv(VILLAGE_COLUMNS, ((v.code, v.name, v.parent_code or "") for v in ordered))


def households_csv(households: Iterable[HouseholdRow], masker: Masker) -> bytes:
    """The phone's list; `masker` is how the access policy shows personal data on a phone's
    offline list (masked: enough for a cadre to recognise a number, not to call it from a lost
    phone)."""
    rows = (
        (
            h.code,
            f"{h.head_name}（{h.household_type_label}）",
            h.village_code[:9] + "000",
            h.village_code,
            h.head_name,
            h.household_type,
            h.household_kind,
            h.archive_no or "",
            h.member_count,
            masker.phone(h.phone),
            h.last_visit_on.isoformat() if h.last_visit_on else "",
        )
        for h in sorted(households, key=lambda h: (h.village_code, h.code))
    )
    return _csv(HOUSEHOLD_COLUMNS, rows)
