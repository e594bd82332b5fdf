"""Area use-cases: load the code file, and answer which towns and villages a scope covers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.areas.codes import AreaRow
from server.areas.models import Area
from server.core import clock
from server.core.errors import NotFound


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


def area_title(session: Session, code: str | None, *, year: int) -> str:
    """An area as a person names it: a village with its town ('黄磜镇梁坝村'), a town or the
    county by its own name; the code itself when it is not on file, '' for none."""
    if not code:
        return ""
    if code.endswith("000"):
        area = session.scalars(select(Area).where(Area.code == code, _in_force(year))).first()
        return area.name if area is not None else code
    return village_titles(session, [code], year=year)[code]
