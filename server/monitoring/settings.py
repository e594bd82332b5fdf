"""Monitoring settings per year with an effective date (pure: TOML text in, values out).

Why a versioned file and not a table: the values are county policy (the income threshold, how
many visits, whether phone calls count). A change is rare, must be reviewed and must be
reproducible for any past month, so it lives in git (`data/settings.toml`) with the date it
takes effect; computing an old month always uses the period that was in force on its first day.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation


class SettingsError(ValueError):
    """The settings file is not usable (the message says where)."""


@dataclass(frozen=True, slots=True)
class MonitoringSettings:
    year: int
    effective_from: date
    income_threshold: Decimal
    min_visits_per_month: int
    phone_visits_count: bool
    event_response_days: int
    warning_check_days: int
    gps_max_distance_m: float
    min_visit_minutes: float
    device_burst_minutes: float
    device_burst_visits: int
    watched_indicators: tuple[str, ...]


_INTS = (
    "year",
    "min_visits_per_month",
    "event_response_days",
    "warning_check_days",
    "device_burst_visits",
)
_FLOATS = ("gps_max_distance_m", "min_visit_minutes", "device_burst_minutes")


def parse_settings(text: str) -> tuple[MonitoringSettings, ...]:
    """Every period, oldest first; refuses unknown or missing keys and duplicate dates."""
    try:
        periods = tomllib.loads(text).get("period", [])
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"设置文件格式错误 / settings file is not valid TOML: {err}") from err
    parsed = sorted(
        (_period(i, raw) for i, raw in enumerate(periods)), key=lambda s: s.effective_from
    )
    if not parsed:
        raise SettingsError("设置文件没有任何时期 / the settings file has no [[period]]")
    dates = [s.effective_from for s in parsed]
    if len(set(dates)) != len(dates):
        raise SettingsError("两个时期生效日期相同 / two periods take effect on the same day")
    return tuple(parsed)


def settings_on(periods: tuple[MonitoringSettings, ...], day: date) -> MonitoringSettings:
    """The period in force on `day` (the latest that took effect on or before it)."""
    in_force = [s for s in periods if s.effective_from <= day]
    if not in_force:
        raise SettingsError(
            f"{day.isoformat()} 之前没有生效的监测设置 / no settings in force on {day.isoformat()}"
        )
    return in_force[-1]


def _period(index: int, raw: dict) -> MonitoringSettings:
    where = f"[[period]] #{index + 1}"
    expected = set(MonitoringSettings.__slots__)
    unknown, missing = set(raw) - expected, expected - set(raw)
    if unknown or missing:
        raise SettingsError(
            f"{where}: 未知 unknown {sorted(unknown)}, 缺少 missing {sorted(missing)}"
        )
    if not isinstance(raw["effective_from"], date):
        raise SettingsError(f"{where}: effective_from must be a date (YYYY-MM-DD)")
    try:
        threshold = Decimal(str(raw["income_threshold"]))
        values = {k: int(raw[k]) for k in _INTS} | {k: float(raw[k]) for k in _FLOATS}
    except (InvalidOperation, TypeError, ValueError) as err:
        raise SettingsError(f"{where}: {err}") from err
    return MonitoringSettings(
        effective_from=raw["effective_from"],
        income_threshold=threshold,
        phone_visits_count=bool(raw["phone_visits_count"]),
        watched_indicators=tuple(str(c) for c in raw["watched_indicators"]),
        **values,
    )
