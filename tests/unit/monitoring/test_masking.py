"""Masking of personal data in exports (pure)."""

from __future__ import annotations

from server.exports.tables import GEOPOINT, GPS, ID_NUMBER, NAME, PHONE, mask


def test_id_numbers_phones_names_and_locations_are_masked():
    assert mask("11010519491231002X", ID_NUMBER) == "110105********002X"
    assert mask("13812345678", PHONE) == "138****5678"
    assert mask("欧阳小明", NAME) == "欧***"
    assert mask(24.051234, GPS) == 24.05
    assert mask("24.051234 114.201 35.0 5.0", GEOPOINT) == "24.05 114.20"


def test_nothing_to_mask_stays_as_it_is():
    assert mask(None, ID_NUMBER) is None
    assert mask("", PHONE) == ""
    assert mask("abc", None) == "abc"
    assert mask("12", ID_NUMBER) == "****"
