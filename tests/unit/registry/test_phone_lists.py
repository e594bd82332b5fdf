from datetime import date

from server.access.policy import PHONE_LIST, masker
from server.access.viewer import PHONE, Viewer
from server.registry.phone_lists import HouseholdRow, PlaceRow, villages_csv
from server.registry.phone_lists import households_csv as _households_csv

CADRE = Viewer(PHONE, "village_cadre", "440233100201", user_id=1)


def households_csv(rows):  # type: ignore[no-untyped-def]
    """The list as the access policy masks it for a phone."""
    return _households_csv(rows, masker(CADRE, PHONE_LIST))


def _row(code: str, village: str = "440233100201", **overrides) -> HouseholdRow:
    values = {
        "code": code,
        "village_code": village,
        "head_name": "张三",
        "household_type": "marginal_at_risk",
        "household_type_label": "边缘易致贫户",
        "household_kind": "ordinary",
        "archive_no": None,
        "member_count": 3,
        "phone": "13812345678",
        "last_visit_on": None,
    } | overrides
    return HouseholdRow(**values)


def test_the_same_rows_in_any_order_give_the_same_bytes():
    rows = [_row("H2"), _row("H1"), _row("H3", "440233100200")]
    assert households_csv(rows) == households_csv(list(reversed(rows)))


def test_household_csv_columns_and_values():
    data = households_csv([_row("H1", last_visit_on=date(2026, 11, 3), archive_no="A-1")])
    header, line = data.decode("utf-8").splitlines()
    assert header == (
        "name,label,town,village,head_name,household_type,household_kind,archive_no,"
        "member_count,phone_masked,last_visit_on"
    )
    assert line == (
        "H1,张三（边缘易致贫户）,440233100000,440233100201,张三,marginal_at_risk,ordinary,A-1,3,"
        "138****5678,2026-11-03"
    )


def test_commas_and_quotes_in_names_are_quoted():
    data = villages_csv([PlaceRow("440233100201", '梁坝村,"新"', "440233100000")])
    assert data.decode("utf-8").splitlines()[1] == '440233100201,"梁坝村,""新""",440233100000'


def test_phones_are_masked_as_everywhere_else():
    lines = households_csv([_row("H1", phone="7612345"), _row("H2", phone="")]).decode()
    assert lines.splitlines()[1].split(",")[9] == "*****45"  # a landline: never all its digits
    assert lines.splitlines()[2].split(",")[9] == ""
