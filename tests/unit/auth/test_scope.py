"""Who may print or see which village: the area rule (auth/scope.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from server.auth.scope import may_access_village


@dataclass
class User:
    role: str
    area_code: str | None = None


LIANGBA, SANKENG, OTHER_TOWN = "440233100201", "440233100200", "440233101201"


@pytest.mark.parametrize(
    ("user", "village", "allowed"),
    [
        (User("county_admin"), OTHER_TOWN, True),
        (User("town_reviewer", "440233100000"), LIANGBA, True),
        (User("town_reviewer", "440233100000"), OTHER_TOWN, False),
        (User("town_reviewer", None), LIANGBA, False),
        (User("village_committee", LIANGBA), LIANGBA, True),
        (User("village_committee", LIANGBA), SANKENG, False),
        (User("department_viewer"), OTHER_TOWN, True),
        (User("department_viewer", "440233100000"), OTHER_TOWN, False),
        (User("department_viewer", "440233"), OTHER_TOWN, True),
        (User("someone_else", LIANGBA), LIANGBA, False),
    ],
)
def test_may_access_village(user, village, allowed):
    assert may_access_village(user, village) is allowed
