"""Archive numbers (档号): village code + year + sequence, issued once, never changed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.printing.models import ArchiveNumber
from server.printing.service import issue_archive_number
from tests.fixtures import SANKENG, make_household


def test_numbers_count_per_village_and_year_and_stay_once_issued(session, county):
    first = make_household(session, code="H-A", identified_on=date(2025, 6, 1))
    second = make_household(session, code="H-B", identified_on=date(2025, 7, 1))
    elsewhere = make_household(
        session, code="H-C", village_code=SANKENG, identified_on=date(2025, 7, 1)
    )
    assert issue_archive_number(session, first) == "440233100201-2025-0001"
    assert issue_archive_number(session, second) == "440233100201-2025-0002"
    assert issue_archive_number(session, elsewhere) == "440233100200-2025-0001"
    second.identified_on = date(2026, 1, 1)  # a later re-identification changes nothing
    assert issue_archive_number(session, second) == "440233100201-2025-0002"
    assert second.archive_no == "440233100201-2025-0002"
    rows = session.scalars(select(ArchiveNumber.number).order_by(ArchiveNumber.id)).all()
    assert rows == ["440233100201-2025-0001", "440233100201-2025-0002", "440233100200-2025-0001"]


def test_a_number_the_county_already_gave_is_kept(session, county):
    household = make_household(session, code="H-D", archive_no="JF02-440233100201-007")
    assert issue_archive_number(session, household) == "JF02-440233100201-007"
    assert session.scalars(select(ArchiveNumber)).all() == []
