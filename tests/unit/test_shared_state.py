"""server.shared_state: both homes (Redis, the instance folder's file) behave alike."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from server.shared_state import (
    GRACE_SECONDS,
    LocalState,
    Mark,
    RedisState,
    SharedState,
    SharedStateUnavailable,
    open_shared_state,
)
from tests.conftest import REDIS_URL, SHARED_STATES


@pytest.fixture
def open_state(tmp_path: Path, shared_state_settings: dict) -> Callable[[], SharedState]:
    """Opens the state as one server process would; each call is another process's view."""

    def opener() -> SharedState:
        return open_shared_state(
            redis_url=shared_state_settings.get("REDIS_URL"),
            redis_prefix=shared_state_settings.get("REDIS_PREFIX", ""),
            instance=str(tmp_path),
        )

    return opener


@pytest.mark.parametrize("shared_state", SHARED_STATES, indirect=True)
def test_a_log_keeps_its_newest_times_oldest_first(open_state):
    state = open_state()
    for at in (5.0, 1.0, 3.0, 4.0):
        logs = state.append(["a", "b"], at=at, keep=3, ttl=60)
    assert logs == [[1.0, 3.0, 4.0], [1.0, 3.0, 4.0]]
    assert state.read(["a", "never"]) == (True, [[1.0, 3.0, 4.0], []])


@pytest.mark.parametrize("shared_state", SHARED_STATES, indirect=True)
def test_a_mark_is_new_once(open_state):
    state = open_state()
    assert state.read([], mark=Mark("nc:n1", "1", 60)) == (True, [])
    assert state.read([], mark=Mark("nc:n1", "2", 60)) == (True, [])
    assert state.read([], mark=Mark("nc:n1", "1", 60)) == (False, [])
    assert state.read([], mark=Mark("nc:n2", "1", 60)) == (True, [])


@pytest.mark.parametrize("shared_state", SHARED_STATES, indirect=True)
def test_every_process_sees_the_same_logs_and_marks(open_state):
    one, other = open_state(), open_state()
    one.append(["a"], at=1.0, keep=5, ttl=60)
    assert one.read(["x"], mark=Mark("nc:n", "1", 60))[0] is True
    assert other.read(["a"], mark=Mark("nc:n", "1", 60)) == (False, [[1.0]])


@pytest.mark.parametrize("shared_state", SHARED_STATES, indirect=True)
def test_entries_are_forgotten_after_their_ttl(open_state):
    state = open_state()
    state.append(["a"], at=1.0, keep=5, ttl=60)
    state.read([], mark=Mark("nc:n", "1", 600))
    if isinstance(state, RedisState):
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        assert 0 < client.ttl(f"{state.prefix}a") <= 60 + GRACE_SECONDS
        assert 600 < client.ttl(f"{state.prefix}nc:n") <= 600 + GRACE_SECONDS
        client.close()
    else:
        assert isinstance(state, LocalState)
        state._cache.expire(now=time.time() + 61 + GRACE_SECONDS)  # what culling does later
        assert state.read(["a"], mark=Mark("nc:n", "1", 600)) == (False, [[]])
        state._cache.expire(now=time.time() + 601 + GRACE_SECONDS)
        assert state.read([], mark=Mark("nc:n", "1", 600)) == (True, [])


def test_a_redis_that_is_away_is_unavailable_not_a_crash():
    away = RedisState("redis://127.0.0.1:1/0", "x:")
    with pytest.raises(SharedStateUnavailable) as raised:
        away.read(["a"], mark=Mark("nc:n", "1", 60))
    assert raised.value.status == 503
    with pytest.raises(SharedStateUnavailable):
        away.append(["a"], at=1.0, keep=2, ttl=60)
