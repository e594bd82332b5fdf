"""The registry's read API: what a household's record holds for each viewer."""

from __future__ import annotations

from datetime import date

from server.access.viewer import WEB, Viewer
from server.registry.facts import IdentificationFiles
from server.registry.queries import get_household_record
from tests.db.registry.test_apply import apply, identification, version

TODAY = date(2026, 11, 20)
ADA = Viewer(WEB, "county_admin", user_id=1, username="ada")
CIVIL_AFFAIRS = Viewer(WEB, "department_viewer", department="civil_affairs", user_id=2)


def test_the_identifications_files_are_in_the_record_for_those_who_print(session, county):
    source = version(session, "uuid:id-1")
    apply(session, identification(), source)
    code = "H440233100201-0003"
    record = get_household_record(session, ADA, code, today=TODAY)
    assert record.identification_files == IdentificationFiles(source, "house.jpg", "sign.png")
    department = get_household_record(session, CIVIL_AFFAIRS, code, today=TODAY)
    assert department.members and department.identification_files is None  # prints only


def test_a_household_made_without_a_form_has_no_identification_files(session, county):
    record = get_household_record(session, ADA, "H440233100201-0001", today=TODAY)
    assert record.identification_files is None
