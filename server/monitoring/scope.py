"""Who sees which households: an area prefix per web user (pure).

County roles see the county; a town reviewer the villages whose code starts with the town's
nine digits; a village committee its own village. Kept small and in one place so the integrator
can swap it for the shared `auth/scope.py`.
"""

from __future__ import annotations

COUNTY_CODE = "440233"
COUNTY_ROLES = ("county_admin", "department_viewer")
# Roles that see personal data (ID numbers, phones, GPS of homes) in full; others get it masked.
PERSONAL_DATA_ROLES = ("county_admin", "town_reviewer", "village_committee")


def area_prefix(role: str, area_code: str | None) -> str:
    """The prefix every visible village code starts with; refuses a role without its area."""
    if role in COUNTY_ROLES:
        return COUNTY_CODE
    if not area_code:
        raise ValueError(f"{role} without an area sees nothing")
    return area_code[:9] if role == "town_reviewer" else area_code


def may_access_village(role: str, area_code: str | None, village_code: str) -> bool:
    try:
        return village_code.startswith(area_prefix(role, area_code))
    except ValueError:
        return False


def narrow(prefix: str, requested: str | None) -> str:
    """The requested area inside the user's prefix (a town is its first nine digits)."""
    if not requested:
        return prefix
    wanted = requested[:9] if requested.endswith("000") and len(requested) == 12 else requested
    return wanted if wanted.startswith(prefix) else prefix


def town_of(village_code: str) -> str:
    return village_code[:9] + "000"


def area_code_of(prefix: str) -> str:
    """The 12-digit code of the area a prefix stands for (county 440233 → 440233000000)."""
    return prefix.ljust(12, "0") if len(prefix) in (6, 9) else prefix
