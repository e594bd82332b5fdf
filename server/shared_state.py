"""State that every server process must see alike: Digest nonce counts and login attempts.

`fangfan serve` runs several worker processes, so a count kept in one process's memory lets a
replayed Digest header or a password guesser through on another. This module is the one home of
such state, with two backends behind one small interface:
- Redis (the `redis` client), when `REDIS_URL` is configured: shared by every process of every
  machine that uses the same Redis and key prefix;
- otherwise a SQLite file in the instance folder through `diskcache` (process- and thread-safe,
  culls expired entries as it writes): shared by the processes of this machine.

It stores only two shapes, each read or written in ONE round trip (a Redis pipeline; a diskcache
call), because a Digest phone pays one per request (bench/ingest.py):
- event logs: the newest few times something happened to a key (`append`, `read`);
- marks: members of a set that answer "seen before?" (`read(mark=…)`), for nonce counts.
Times are the caller's (an injectable clock): the stores' own expiry only forgets old entries.
Any failure of the store is `SharedStateUnavailable` (503: phones keep their forms and retry).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from flask import Flask, current_app

from server.core.errors import DomainError

# Entries outlive what their callers need by this much, against clock skew between machines.
GRACE_SECONDS = 60


class SharedStateUnavailable(DomainError):
    """服务器繁忙，请稍后重试 / the server is busy, try again later."""

    status = 503
    code = "shared_state.unavailable"

    def __init__(self) -> None:
        super().__init__(retry_after=60)


class Mark(NamedTuple):
    """`member` of the set `key`, which is forgotten `ttl` seconds after its last addition."""

    key: str
    member: str
    ttl: float


class SharedState(ABC):
    @abstractmethod
    def append(self, keys: Sequence[str], *, at: float, keep: int, ttl: float) -> list[list[float]]:
        """Add the time `at` to the log of each key, keep its newest `keep` times (forgotten
        `ttl` seconds after the last one), and return each log, oldest first."""

    @abstractmethod
    def read(
        self, keys: Sequence[str], *, mark: Mark | None = None
    ) -> tuple[bool, list[list[float]]]:
        """Each key's log, oldest first; and, if `mark` is given, add it and say whether it is
        new (True when no mark is given)."""


class RedisState(SharedState):
    """Logs are lists (RPUSH + LTRIM), marks are sets (SADD); EXPIRE forgets them."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # A Redis that is away must not hold a phone for long: short timeouts, and one retry
        # only (a pooled connection may be stale after a Redis restart).
        self._redis = redis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2, retry=Retry(NoBackoff(), 1)
        )
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)
        self.prefix = prefix

    def append(self, keys: Sequence[str], *, at: float, keep: int, ttl: float) -> list[list[float]]:
        pipe = self._redis.pipeline(transaction=True)
        for key in keys:
            name = self.prefix + key
            pipe.rpush(name, repr(at))
            pipe.ltrim(name, -keep, -1)
            pipe.expire(name, _seconds(ttl))
            pipe.lrange(name, 0, -1)
        results = self._execute(pipe)
        return [_times(results[index]) for index in range(3, len(results), 4)]

    def read(
        self, keys: Sequence[str], *, mark: Mark | None = None
    ) -> tuple[bool, list[list[float]]]:
        pipe = self._redis.pipeline(transaction=False)
        if mark is not None:
            pipe.sadd(self.prefix + mark.key, mark.member)
            pipe.expire(self.prefix + mark.key, _seconds(mark.ttl))
        for key in keys:
            pipe.lrange(self.prefix + key, 0, -1)
        results = self._execute(pipe)
        new = True if mark is None else bool(results[0])
        logs = results[2:] if mark is not None else results
        return new, [_times(log) for log in logs]

    def _execute(self, pipe: Any) -> list[Any]:
        try:
            return pipe.execute()
        except self._errors as err:
            raise SharedStateUnavailable() from err


class LocalState(SharedState):
    """Logs are pickled lists, marks are rows of their own (`add` is atomic), in one SQLite file."""

    def __init__(self, directory: Path) -> None:
        import diskcache

        # eviction_policy="none": live entries are never dropped to save space (a flood of
        # addresses must not push a throttled user's log out); expired ones are culled.
        self._cache = diskcache.Cache(
            str(directory), timeout=5, eviction_policy="none", statistics=False
        )
        self._errors: tuple[type[Exception], ...] = (diskcache.Timeout, OSError)

    def append(self, keys: Sequence[str], *, at: float, keep: int, ttl: float) -> list[list[float]]:
        logs = []
        try:
            with self._cache.transact():
                for key in keys:
                    log = [*self._cache.get(key, default=()), at][-keep:]
                    self._cache.set(key, log, expire=_seconds(ttl))
                    logs.append(sorted(log))
        except self._errors as err:
            raise SharedStateUnavailable() from err
        return logs

    def read(
        self, keys: Sequence[str], *, mark: Mark | None = None
    ) -> tuple[bool, list[list[float]]]:
        try:
            new = mark is None or self._cache.add(
                f"{mark.key}\n{mark.member}", True, expire=_seconds(mark.ttl)
            )
            logs = [sorted(self._cache.get(key, default=())) for key in keys]
        except self._errors as err:
            raise SharedStateUnavailable() from err
        return new, logs


def _seconds(ttl: float) -> int:
    return math.ceil(ttl) + GRACE_SECONDS


def _times(log: list[bytes]) -> list[float]:
    return sorted(float(value) for value in log)


def open_shared_state(*, redis_url: str | None, redis_prefix: str, instance: str) -> SharedState:
    if redis_url:
        return RedisState(redis_url, redis_prefix)
    return LocalState(Path(instance) / "shared_state")


def init_app(app: Flask) -> None:
    app.extensions["shared_state"] = open_shared_state(
        redis_url=app.config["REDIS_URL"],
        redis_prefix=app.config["REDIS_PREFIX"],
        instance=app.config["INSTANCE_PATH"],
    )


def shared_state(app: Flask | None = None) -> SharedState:
    return (app or current_app).extensions["shared_state"]
