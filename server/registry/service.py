"""Registry use-cases: the household list phones download, and the changes other features
decide (a status after an approval, a village after a move). Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from server.core import clock
from server.core.labels import vocabulary
from server.memo import Memo
from server.registry.models import Household
from server.registry.phone_lists import HouseholdRow
from server.registry.status import enter_status


def list_household_rows(session: Session, village_codes: Iterable[str]) -> list[HouseholdRow]:
    """The rows of the phones' household list: only the columns it prints, no ORM objects."""
    codes = list(village_codes)
    if not codes:
        return []
    query = select(
        Household.code,
        Household.village_code,
        Household.head_name,
        Household.household_type,
        Household.household_kind,
        Household.archive_no,
        Household.member_count,
        Household.head_phone,
        Household.last_visit_on,
    ).where(Household.village_code.in_(codes), Household.status != "rejected")
    labels = vocabulary()
    return [
        HouseholdRow(
            code=row.code,
            village_code=row.village_code,
            head_name=row.head_name,
            household_type=row.household_type,
            household_type_label=labels.of("household_type", row.household_type),
            household_kind=row.household_kind,
            archive_no=row.archive_no,
            member_count=row.member_count,
            phone=row.head_phone,
            last_visit_on=row.last_visit_on,
        )
        for row in session.execute(query)
    ]


_HOUSEHOLD_VILLAGES = select(Household.__table__.c.code, Household.__table__.c.village_code).where(
    Household.__table__.c.code.in_(bindparam("codes", expanding=True))
)


# Phone intake asks for every submission; a household's village hardly ever changes.
_VILLAGE_OF_HOUSEHOLD: Memo[str] = Memo("village of household", watch=[Household])


def household_villages(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """The village of each known household among `codes` (unknown codes are left out).

    Remembered for a few seconds (server.memo); an unknown code is read again each time."""
    found: dict[str, str] = {}
    missing = []
    for code in set(codes):
        village = _VILLAGE_OF_HOUSEHOLD.peek(session, code)
        if village is None:
            missing.append(code)
        else:
            found[code] = village
    if missing:
        for code, village in session.execute(_HOUSEHOLD_VILLAGES, {"codes": sorted(missing)}):
            _VILLAGE_OF_HOUSEHOLD.put(session, code, village)
            found[code] = village
    return found


def add_household(session: Session, **values: object) -> Household:
    """A new household, its first status (pending review unless said) in its history."""
    status = str(values.pop("status", "pending_review"))
    household = Household(**values)
    session.add(household)
    session.flush()
    created = values.get("created_at")
    enter_status(
        session, household, status, since=created if isinstance(created, datetime) else None
    )
    session.flush()
    return household


def change_household_status(
    session: Session,
    household_id: int,
    status: str,
    *,
    case_id: int | None = None,
    actor: str | None = None,
) -> Household:
    """The household's status after a decision of the approval chain (county confirmation),
    kept in its status history. Returns the household for the decision's other consequences
    (its archive number)."""
    household = session.get_one(Household, household_id)
    enter_status(session, household, status, case_id=case_id, actor=actor)
    household.updated_at = clock.now()
    session.flush()
    return household


def move_household_to(session: Session, household_id: int, village_code: str) -> None:
    """The household now lives in `village_code` (whoever decided it checked who may)."""
    household = session.get_one(Household, household_id)
    household.village_code = village_code
    household.updated_at = clock.now()
    session.flush()
