"""The village rule of `access.policy` as SQL, and the villages a viewer may work in.

`village_in_scope` is the one predicate every query that filters by area uses (an index range,
never a LIKE); `village_codes` / `list_villages` / `list_towns` answer the same question over the
area table, for the phones' lists and for intake's checks. Households add a department's duty
to it in `registry.queries.visible_households`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, false, or_, select, true
from sqlalchemy.orm import Session

from server.access.policy import Scope, scope_of
from server.access.viewer import Viewer
from server.areas.models import Area
from server.memo import Memo


def village_in_scope(column: Any, reach: Viewer | Scope) -> ColumnElement[bool]:
    """The condition 'the village code in `column` is in reach' (a viewer's scope, or a scope
    already narrowed to a requested area)."""
    scope = reach if isinstance(reach, Scope) else scope_of(reach)
    if scope.everywhere:
        return true()
    if scope.low is None or scope.high is None:
        return false()
    return column.between(scope.low, scope.high)


def _in_force(year: Any) -> ColumnElement[bool]:
    return (Area.valid_from <= year) & or_(Area.valid_to.is_(None), Area.valid_to >= year)


_VILLAGE_CODES = (
    select(Area.code)
    .where(
        Area.level == "village",
        _in_force(bindparam("year")),
        Area.code.between(bindparam("low"), bindparam("high")),
    )
    .order_by(Area.code)
)
_ALL_VILLAGE_CODES = select(Area.code).where(Area.level == "village", _in_force(bindparam("year")))
# Phone intake asks for every submission; the area table changes a few times a year.
_VILLAGE_CODES_IN_SCOPE: Memo[frozenset[str]] = Memo("village codes in scope", watch=[Area])


def village_codes(session: Session, viewer: Viewer, *, year: int) -> frozenset[str]:
    """The codes of the villages (in force in `year`) a viewer may work in, in one prepared
    query, remembered for a few seconds (server.memo); a scope with no village is read each
    time."""
    scope = scope_of(viewer)
    if scope.nothing:
        return frozenset()

    def load() -> frozenset[str] | None:
        if scope.everywhere:
            codes = frozenset(session.scalars(_ALL_VILLAGE_CODES, {"year": year}))
        else:
            params = {"year": year, "low": scope.low, "high": scope.high}
            codes = frozenset(session.scalars(_VILLAGE_CODES, params))
        return codes or None

    key = (scope.everywhere, scope.low, scope.high, year)
    return _VILLAGE_CODES_IN_SCOPE.get(session, key, load) or frozenset()


def list_villages(session: Session, viewer: Viewer, *, year: int) -> Sequence[Area]:
    """Those villages as rows (the phone's village list), in code order."""
    query = select(Area).where(
        Area.level == "village", _in_force(year), village_in_scope(Area.code, viewer)
    )
    return session.scalars(query.order_by(Area.code)).all()


def list_towns(session: Session, viewer: Viewer, *, year: int) -> Sequence[Area]:
    """The towns of those villages."""
    town_codes = {village.parent_code for village in list_villages(session, viewer, year=year)}
    query = select(Area).where(Area.level == "town", Area.code.in_(town_codes), _in_force(year))
    return session.scalars(query.order_by(Area.code)).all()
