"""Area use-cases: load the code file, and answer which towns and villages a scope covers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, literal, or_, select
from sqlalchemy.orm import Session

from server.areas.codes import AreaRow
from server.areas.models import Area
from server.core import clock
from server.core.errors import NotFound
from server.memo import Memo


class UnknownArea(NotFound):
    """找不到该区划代码 / Unknown area code."""

    code = "areas.unknown_area"


@dataclass(frozen=True, slots=True)
class LoadReport:
    added: int
    updated: int
    unchanged: int


def load_areas(session: Session, rows: Iterable[AreaRow]) -> LoadReport:
    """Insert or update areas by (code, valid_from). Never deletes: old codes stay valid history."""
    existing = {(a.code, a.valid_from): a for a in session.scalars(select(Area))}
    added = updated = unchanged = 0
    for row in rows:
        values = {
            "parent_code": row.parent_code,
            "level": row.level,
            "name": row.name,
            "name_en": row.name_en,
            "alt_names": ";".join(row.alt_names),
            "urban_rural_class": row.urban_rural_class,
            "valid_to": row.valid_to,
        }
        area = existing.get((row.code, row.valid_from))
        if area is None:
            session.add(Area(code=row.code, valid_from=row.valid_from, **values))
            added += 1
        elif any(getattr(area, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(area, key, value)
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return LoadReport(added=added, updated=updated, unchanged=unchanged)


def _in_force(year: int):  # type: ignore[no-untyped-def]
    return (Area.valid_from <= year) & or_(Area.valid_to.is_(None), Area.valid_to >= year)


def get_area(session: Session, code: str, *, year: int) -> Area:
    area = session.scalars(select(Area).where(Area.code == code, _in_force(year))).first()
    if area is None:
        raise UnknownArea(f"找不到区划代码 {code}（{year} 年）/ Unknown area code {code} in {year}")
    return area


def _village_codes_query():  # type: ignore[no-untyped-def]
    areas = Area.__table__
    year = bindparam("year")
    in_force = (areas.c.valid_from <= year) & or_(
        areas.c.valid_to.is_(None), areas.c.valid_to >= year
    )
    scope = select(areas.c.code, areas.c.level).where(areas.c.code == bindparam("scope"), in_force)
    scope = scope.cte("scope")
    # The scope's own village, the villages of a town, or those of the county (by prefix).
    return (
        select(areas.c.code)
        .join(scope, literal(True))
        .where(
            areas.c.level == "village",
            in_force,
            or_(
                (scope.c.level == "village") & (areas.c.code == scope.c.code),
                (scope.c.level == "town") & (areas.c.parent_code == scope.c.code),
                scope.c.level.not_in(("village", "town"))
                & (func.substr(areas.c.code, 1, 6) == func.substr(scope.c.code, 1, 6)),
            ),
        )
    )


_VILLAGE_CODES = _village_codes_query()


_VILLAGE_CODES_IN_SCOPE: Memo[frozenset[str]] = Memo("village codes in scope", watch=[Area])


def village_codes_in_scope(session: Session, scope_code: str, *, year: int) -> frozenset[str]:
    """The codes of the villages an app user bound to `scope_code` (a village, town or county)
    may work in, in one prepared query. Phone intake asks for every submission, so the answer
    is remembered for a few seconds (server.memo); a scope with no village is read each time."""

    def load() -> frozenset[str] | None:
        codes = frozenset(session.scalars(_VILLAGE_CODES, {"scope": scope_code, "year": year}))
        return codes or None

    return _VILLAGE_CODES_IN_SCOPE.get(session, (scope_code, year), load) or frozenset()


def list_villages_in_scope(session: Session, scope_code: str, *, year: int) -> Sequence[Area]:
    """Those villages as rows (the phone's village list); an unknown scope is an error here."""
    get_area(session, scope_code, year=year)
    codes = village_codes_in_scope(session, scope_code, year=year)
    query = select(Area).where(Area.code.in_(codes), Area.level == "village", _in_force(year))
    return session.scalars(query.order_by(Area.code)).all()


def list_towns_in_scope(session: Session, scope_code: str, *, year: int) -> Sequence[Area]:
    town_codes = {v.parent_code for v in list_villages_in_scope(session, scope_code, year=year)}
    query = select(Area).where(Area.level == "town", Area.code.in_(town_codes), _in_force(year))
    return session.scalars(query.order_by(Area.code)).all()


def this_year() -> int:
    """The calendar year in China, which decides which area names are in force."""
    return clock.today().year


def list_areas(session: Session, *, year: int) -> Sequence[Area]:
    return session.scalars(select(Area).where(_in_force(year)).order_by(Area.code)).all()


def village_titles(session: Session, codes: Iterable[str], *, year: int) -> dict[str, str]:
    """'黄磜镇梁坝村' for each village code (the code itself when it is not on file)."""
    wanted = set(codes)
    towns = {code[:9] + "000" for code in wanted}
    query = select(Area).where(Area.code.in_(wanted | towns), _in_force(year))
    names = {area.code: area.name for area in session.scalars(query)}
    return {code: names.get(code[:9] + "000", "") + names.get(code, code) for code in wanted}
