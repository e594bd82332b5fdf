"""Registry use-cases: households (the household list phones download, for now)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.registry.models import Household


def list_households_in_villages(
    session: Session, village_codes: Iterable[str]
) -> Sequence[Household]:
    codes = list(village_codes)
    if not codes:
        return []
    query = select(Household).where(Household.village_code.in_(codes))
    return session.scalars(query.order_by(Household.village_code, Household.code)).all()


def find_household(session: Session, code: str) -> Household | None:
    return session.scalars(select(Household).where(Household.code == code)).first()


def add_household(session: Session, **values: object) -> Household:
    household = Household(**values)
    session.add(household)
    session.flush()
    return household
