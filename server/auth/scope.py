"""Which villages a web user may see: the area rule every feature's service enforces.

Area codes are the 12-digit statistical codes: county 440233000000 (or just 440233), town
440233100000, village 440233100201. A town's villages share its first 9 digits.
"""

from __future__ import annotations

from typing import Protocol


class ScopedUser(Protocol):
    role: str
    area_code: str | None


def town_of(village_code: str) -> str:
    return village_code[:9] + "000"


def may_access_village(user: ScopedUser, village_code: str) -> bool:
    """county_admin: everything; town_reviewer: the villages of its town; village_committee:
    its village; department_viewer: its area if it has one, else the whole county."""
    area = user.area_code or ""
    if user.role == "county_admin":
        return True
    if user.role == "town_reviewer":
        return bool(area) and town_of(village_code) == town_of(area)
    if user.role == "village_committee":
        return area == village_code
    if user.role == "department_viewer":
        return not area or village_code.startswith(_prefix(area))
    return False


def _prefix(area_code: str) -> str:
    """The code prefix an area covers: 440233000000 → 440233, 440233100000 → 440233100."""
    if len(area_code) == 6 or area_code.endswith("000000"):
        return area_code[:6]
    if area_code.endswith("000"):
        return area_code[:9]
    return area_code
