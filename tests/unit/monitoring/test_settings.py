"""Settings per year with an effective date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from server.monitoring.settings import SettingsError, parse_settings, settings_on

FILE = Path(__file__).parents[3] / "server" / "monitoring" / "data" / "settings.toml"

TWO_PERIODS = """
[[period]]
year = 2024
effective_from = 2024-03-14
income_threshold = "8800"
min_visits_per_month = 2
phone_visits_count = true
event_response_days = 5
warning_check_days = 2
gps_max_distance_m = 300
min_visit_minutes = 5
device_burst_minutes = 10
device_burst_visits = 3
watched_indicators = ["food"]

[[period]]
year = 2024
effective_from = 2024-01-01
income_threshold = "8050"
min_visits_per_month = 2
phone_visits_count = false
event_response_days = 3
warning_check_days = 2
gps_max_distance_m = 500
min_visit_minutes = 5
device_burst_minutes = 10
device_burst_visits = 3
watched_indicators = ["food", "bayou:road"]
"""


def test_the_period_in_force_is_the_latest_that_took_effect():
    periods = parse_settings(TWO_PERIODS)
    assert settings_on(periods, date(2024, 3, 13)).income_threshold == Decimal("8050")
    march = settings_on(periods, date(2024, 3, 14))
    assert march.income_threshold == Decimal("8800")
    assert march.phone_visits_count is True


def test_a_day_before_every_period_is_refused():
    with pytest.raises(SettingsError, match="no settings in force"):
        settings_on(parse_settings(TWO_PERIODS), date(2023, 12, 31))


def test_unknown_or_missing_keys_are_refused():
    with pytest.raises(SettingsError, match="unknown"):
        parse_settings(TWO_PERIODS.replace("warning_check_days", "warning_days"))


def test_two_periods_on_one_day_are_refused():
    with pytest.raises(SettingsError, match="same day"):
        parse_settings(TWO_PERIODS.replace("2024-03-14", "2024-01-01"))


def test_the_shipped_file_is_valid_and_uses_the_national_floor():
    periods = parse_settings(FILE.read_text(encoding="utf-8"))
    current = settings_on(periods, date(2026, 11, 1))
    assert current.income_threshold == Decimal("6000")
    assert current.min_visits_per_month == 2
    assert "bayou:tv" in current.watched_indicators
