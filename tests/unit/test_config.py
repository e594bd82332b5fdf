"""server.config: where the shared state lives and the phone login limits, from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import Config


def _config(tmp_path: Path, **env: str) -> Config:
    return Config.from_env({"FANGFAN_INSTANCE": str(tmp_path), "FANGFAN_SECRET_KEY": "k", **env})


def test_without_redis_the_state_lives_in_the_instance_folder(tmp_path):
    config = _config(tmp_path)
    assert config.REDIS_URL is None
    assert config.REDIS_PREFIX == "fangfan:"
    assert config.PHONE_USER_FAILURE_LIMIT == "10 per 15 minutes"
    assert config.PHONE_ADDRESS_FAILURE_LIMIT == "30 per 15 minutes"


def test_redis_and_the_limits_come_from_the_environment(tmp_path):
    config = _config(
        tmp_path,
        FANGFAN_REDIS_URL="redis://10.0.0.2:6379/1",
        FANGFAN_REDIS_PREFIX="county:",
        FANGFAN_PHONE_USER_FAILURE_LIMIT="5 per hour",
        FANGFAN_PHONE_ADDRESS_FAILURE_LIMIT="100 per hour",
    )
    assert config.REDIS_URL == "redis://10.0.0.2:6379/1"
    assert config.REDIS_PREFIX == "county:"
    assert config.PHONE_USER_FAILURE_LIMIT == "5 per hour"
    assert config.PHONE_ADDRESS_FAILURE_LIMIT == "100 per hour"


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("redis://r:6379", "redis://r:6379"),
        ("rediss://r:6380", "rediss://r:6380"),
        ("memory://", None),
    ],
)
def test_the_old_ratelimit_storage_setting_still_names_the_redis(tmp_path, legacy, expected):
    redis_url = _config(tmp_path, FANGFAN_RATELIMIT_STORAGE_URI=legacy).REDIS_URL
    assert redis_url == expected
    both = _config(tmp_path, FANGFAN_RATELIMIT_STORAGE_URI=legacy, FANGFAN_REDIS_URL="redis://new")
    assert both.REDIS_URL == "redis://new"


def test_an_old_storage_setting_that_is_not_redis_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="FANGFAN_REDIS_URL"):
        _config(tmp_path, FANGFAN_RATELIMIT_STORAGE_URI="memcached://m:11211")
