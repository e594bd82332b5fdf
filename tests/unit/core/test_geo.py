"""The one geopoint parser and the one haversine (server/core/geo.py)."""

from __future__ import annotations

import pytest

from server.core.geo import GeoPoint, distance_m, parse_geopoint


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("24.0512 114.2033 121.5 4.8", GeoPoint(24.0512, 114.2033, 121.5, 4.8)),
        ("24.05 114.2", GeoPoint(24.05, 114.2)),
        ("  -33.9 18.4  0 ", GeoPoint(-33.9, 18.4, 0.0)),
    ],
)
def test_a_geopoint_answer_is_read_as_collect_sends_it(raw, expected):
    assert parse_geopoint(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "24.05",
        "24.05 114.2 1 2 3",
        "nan 114.2",
        "inf 1",
        "91 114",
        "24 181",
        "1,5 2",
        "a b",
    ],
)
def test_anything_else_is_no_point(raw):
    assert parse_geopoint(raw) is None


def test_distance_in_metres():
    assert round(distance_m(24.0512, 114.2033, 24.0512, 114.2033)) == 0
    assert 1100 < distance_m(24.0512, 114.2033, 24.0612, 114.2033) < 1120  # 0.01° of latitude
