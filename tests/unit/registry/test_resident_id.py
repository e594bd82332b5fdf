"""GB 11643-1999 resident ID numbers (server/registry/resident_id.py)."""

from __future__ import annotations

from datetime import date

import pytest

from server.registry.resident_id import check_character, check_resident_id


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "female"),  # the standard's examples
        ("440524188001010014", date(1880, 1, 1), "male"),
        (with_check("44023319800229123"), date(1980, 2, 29), "male"),  # leap day
        (with_check("44023320000229002"), date(2000, 2, 29), "female"),  # 2000 is a leap year
    ],
)
def test_valid_numbers_give_birth_date_and_sex(number: str, born: date, sex: str) -> None:
    check = check_resident_id(number)
    assert check.ok
    assert check.problems == ()
    assert (check.birth_date, check.sex) == (born, sex)


@pytest.mark.parametrize(
    ("number", "problems"),
    [
        ("110105194912310021", ("bad_check_digit",)),
        ("440524188001010015", ("bad_check_digit",)),
        ("11010519491213002X", ("bad_check_digit",)),  # two digits swapped
        ("11010519491231002x", ("bad_characters",)),  # lower-case x
        ("1101051949123100XX", ("bad_characters",)),  # X not last
        ("11010A19491231002X", ("bad_characters",)),  # a letter
        (" 11010519491231002", ("bad_characters",)),  # 18 long with a space
        ("11010519491231002", ("bad_length",)),
        ("4405241880010100140", ("bad_length",)),
        ("", ("bad_length",)),
        (with_check("44023319490230001"), ("bad_birth_date",)),  # 30 February
        (with_check("44023319491331001"), ("bad_birth_date",)),  # month 13
        (with_check("44023319000229001"), ("bad_birth_date",)),  # 1900 is not a leap year
        (with_check("44023318791231001"), ("bad_birth_date",)),  # before 1880
        (with_check("04023319490101001"), ("bad_address_code",)),  # no code starts with 0
        ("440233194902300012", ("bad_birth_date", "bad_check_digit")),
    ],
)
def test_invalid_numbers_name_their_problems(number: str, problems: tuple[str, ...]) -> None:
    check = check_resident_id(number)
    assert not check.ok
    assert check.problems == problems


def test_a_wrong_check_digit_still_derives_birth_date_and_sex() -> None:
    check = check_resident_id("110105194912310021")
    assert (check.ok, check.birth_date, check.sex) == (False, date(1949, 12, 31), "female")


def test_legacy_15_digit_numbers_are_reported_not_accepted() -> None:
    check = check_resident_id("110105491231002")  # GB 11643-1989: YYMMDD, no check character
    assert not check.ok
    assert check.problems == ("legacy_15_digit",)
    assert (check.birth_date, check.sex) == (date(1949, 12, 31), "female")


def test_a_birth_date_after_the_phone_date_is_bad_only_when_today_is_given() -> None:
    number = with_check("44023320990101001")
    assert check_resident_id(number).ok
    later = check_resident_id(number, today=date(2026, 11, 29))
    assert later.problems == ("bad_birth_date",)
    assert check_resident_id(number, today=date(2099, 1, 1)).ok


def test_agrees_with_the_reference_check_of_the_form_tests() -> None:
    from tests.unit.xlsforms.xlsform_support import gb11643_check

    for first17 in ("11010519491231002", "44052418800101001", "44023319750312001"):
        assert check_character(first17) == gb11643_check(first17)
