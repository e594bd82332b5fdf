"""Which households monitoring and exports see: `access.policy`'s area rule as a prefix (pure).

The county and department viewers see the county; a town reviewer the villages whose code
starts with the town's nine digits; a village committee its own village. The rule itself lives
in `server/access/policy.py`; monitoring queries want it as a prefix of village codes.
"""

from __future__ import annotations

from server.access.policy import Scope, area_scope, scope_of, town_of
from server.access.viewer import WEB, Viewer

__all__ = [
    "COUNTY_CODE",
    "area_code_of",
    "area_prefix",
    "area_scope_of",
    "narrow",
    "town_of",
]

COUNTY_CODE = "440233"


def area_prefix(role: str, area_code: str | None) -> str:
    """The prefix every visible village code starts with; refuses a role without its area."""
    scope = scope_of(Viewer(WEB, role, area_code))
    if scope.everywhere:
        return COUNTY_CODE
    if scope.low is None or scope.high is None:
        raise ValueError(f"{role} without an area sees nothing")
    return scope.low if scope.low == scope.high else scope.low[:9]


def narrow(prefix: str, requested: str | None) -> str:
    """The requested area inside the user's prefix (a town is its first nine digits); anything
    that is no area code (6, 9 or 12 ASCII digits) or lies outside is the user's own area."""
    if not (requested and requested.isascii() and requested.isdigit()):
        return prefix
    if len(requested) not in (6, 9, 12):
        return prefix
    wanted = requested[:9] if requested.endswith("000") and len(requested) == 12 else requested
    return wanted if wanted.startswith(prefix) else prefix


def area_code_of(prefix: str) -> str:
    """The 12-digit code of the area a prefix stands for (county 440233 → 440233000000)."""
    return prefix.ljust(12, "0") if len(prefix) in (6, 9) else prefix


def area_scope_of(prefix: str) -> Scope:
    """The access policy's scope of the area a prefix stands for: what monitoring's queries
    filter with (`access.sql.village_in_scope`) and check with (`Scope.covers`)."""
    return area_scope(area_code_of(prefix))
