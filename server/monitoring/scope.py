"""Which households monitoring and exports see: `access.policy`'s area rule as a prefix (pure).

The county and department viewers see the county; a town reviewer the villages whose code
starts with the town's nine digits; a village committee its own village. The rule itself lives
in `server/access/policy.py` (`scope_of`, and `narrowed` for an area the viewer asks for);
monitoring queries want its answer as a prefix of village codes.
"""

from __future__ import annotations

from server.access.policy import Scope, area_scope, narrowed, town_of
from server.access.viewer import Viewer

__all__ = [
    "COUNTY_CODE",
    "area_code_of",
    "area_prefix",
    "area_scope_of",
    "prefix_of",
    "town_of",
]

COUNTY_CODE = "440233"


def prefix_of(scope: Scope) -> str:
    """The prefix every village code of a scope starts with; refuses a scope of no village."""
    if scope.everywhere:
        return COUNTY_CODE
    if scope.low is None or scope.high is None:
        raise ValueError("this scope holds no village")
    return scope.low if scope.low == scope.high else scope.low[:9]


def area_prefix(viewer: Viewer, requested: str | None = None) -> str:
    """The prefix of the viewer's villages, or of the area it asked for (a 12-digit town or
    village code) when that lies inside them; refuses a viewer who sees no village."""
    return prefix_of(narrowed(viewer, requested))


def area_code_of(prefix: str) -> str:
    """The 12-digit code of the area a prefix stands for (county 440233 → 440233000000)."""
    return prefix.ljust(12, "0") if len(prefix) in (6, 9) else prefix


def area_scope_of(prefix: str) -> Scope:
    """The access policy's scope of the area a prefix stands for: what monitoring's queries
    filter with (`access.sql.village_in_scope`) and check with (`Scope.covers`)."""
    return area_scope(area_code_of(prefix))
