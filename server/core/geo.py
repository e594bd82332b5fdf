"""A GPS point and the distance between two: the one geopoint parser and the one haversine.

Pure (no Flask, SQLAlchemy, clock or files). An ODK geopoint answer is "lat lon [alt [acc]]",
space-separated decimals (openrosa.md; XForms `geopoint`). Intake normalisation, the review
page's distances and the monitoring rules all read points and measure distances here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000  # mean Earth radius: plenty for "was this visit at the house"
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True, slots=True)
class GeoPoint:
    latitude: float
    longitude: float
    altitude: float | None = None
    accuracy: float | None = None


def parse_geopoint(raw: str | None) -> GeoPoint | None:
    """The point of a geopoint answer; None when it is empty or not a point on Earth (2 to 4
    finite decimals, latitude within ±90, longitude within ±180)."""
    parts = (raw or "").split()
    if not 2 <= len(parts) <= 4 or not all(_DECIMAL.fullmatch(p) for p in parts):
        return None
    numbers = [float(p) for p in parts]
    if not all(math.isfinite(n) for n in numbers):
        return None
    latitude, longitude = numbers[0], numbers[1]
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    altitude = numbers[2] if len(numbers) > 2 else None
    accuracy = numbers[3] if len(numbers) > 3 else None
    return GeoPoint(latitude, longitude, altitude, accuracy)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
