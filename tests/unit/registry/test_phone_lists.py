from datetime import date

from server.registry.phone_lists import (
    HouseholdRow,
    PlaceRow,
    households_csv,
    mask_phone,
    villages_csv,
)


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


def test_phone_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "****"
